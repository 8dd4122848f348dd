"""Payments API on the mall host (/api/v1/payments/)."""

import datetime

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import NotFound, ServiceError
from shared_apps.accounts import roles

from . import sandbox_gateway
from .selectors import payment_for_owner

TAGS = ["payments"]


class PaymentRefundOut(serializers.Serializer):
    refund_no = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.CharField(help_text="pending, succeeded or failed")
    reason = serializers.CharField()
    automatic = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class PaymentDetailApi(APIView):
    class Output(serializers.Serializer):
        number = serializers.CharField()
        kind = serializers.CharField()
        reference = serializers.CharField()
        provider = serializers.CharField()
        amount = serializers.DecimalField(max_digits=12, decimal_places=2)
        currency = serializers.CharField()
        subject = serializers.CharField()
        status = serializers.CharField(help_text="pending, succeeded, failed, cancelled or closed")
        pay_url = serializers.CharField()
        expires_at = serializers.DateTimeField()
        paid_at = serializers.DateTimeField(allow_null=True)
        refunded_amount = serializers.DecimalField(max_digits=12, decimal_places=2, source="refunded_total")
        auto_refund_reason = serializers.CharField()
        refunds = PaymentRefundOut(many=True, source="refunds.all")

    @extend_schema(
        tags=TAGS, operation_id="payments_retrieve", summary="One of my payments, by its number",
        description="Only the shopper who owns the payment sees it; anyone else gets 404.",
        responses={200: Output, 404: OpenApiResponse(description="No such payment of yours.")})
    def get(self, request, number: str):
        payment = payment_for_owner(number=number, user_id=request.user.pk)
        if payment is None:
            raise NotFound("No such payment.")
        return Response(self.Output(payment).data)


class SandboxStatementApi(APIView):
    @extend_schema(
        tags=TAGS, operation_id="payments_sandbox_statement",
        summary="The sandbox provider's daily statement (CSV)",
        description="Payments and refunds the sandbox completed on `day` (Asia/Shanghai), for settlement and "
                    "reconciliation. Finance operators only (use an API token on the mall host).",
        parameters=[OpenApiParameter("day", OpenApiTypes.DATE, OpenApiParameter.PATH)],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, day: str):
        roles.require_operator(request.user, roles.FINANCE)
        try:
            parsed = datetime.date.fromisoformat(day)
        except ValueError as exc:
            raise ServiceError("day: Give a date as YYYY-MM-DD.", fields={"day": ["Give a date as YYYY-MM-DD."]}) from exc
        response = HttpResponse(sandbox_gateway.statement_csv(parsed), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="sandbox-statement-{parsed.isoformat()}.csv"'
        return response
