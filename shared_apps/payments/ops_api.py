"""Payments in the operator API, under /api/v1/ops/payments/ on the operator host:
administrators, finance and auditors read every payment and the providers' notifications."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from backend.api.errors import NotFound
from backend.api.pagination import page_schema, paginated_response
from shared_apps.ops.api import OperatorApi, errors

from . import selectors
from .models import Outcome, PaymentStatus, Provider
from .roles import READ

TAGS = ["ops-payments"]
MONEY = {"max_digits": 12, "decimal_places": 2}


@extend_schema_serializer(component_name="OpsPayment")
class PaymentOut(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    reference = serializers.CharField()
    provider = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    fee = serializers.DecimalField(**MONEY)
    refunded_amount = serializers.DecimalField(**MONEY, source="refunded_total")
    status = serializers.CharField(help_text="pending, succeeded, failed, cancelled or closed.")
    provider_trade_no = serializers.CharField()
    user_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    closed_reason = serializers.CharField()
    auto_refund_reason = serializers.CharField()


@extend_schema_serializer(component_name="OpsPaymentMove")
class MoveOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    source = serializers.CharField()
    actor_user_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    at = serializers.DateTimeField()


@extend_schema_serializer(component_name="OpsPaymentRefund")
class RefundOut(serializers.Serializer):
    refund_no = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    status = serializers.CharField(help_text="pending, succeeded or failed.")
    reason = serializers.CharField()
    automatic = serializers.BooleanField()
    provider_refund_no = serializers.CharField()
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    moves = MoveOut(many=True, source="transitions.all")


@extend_schema_serializer(component_name="OpsPaymentNotification")
class NotificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    source = serializers.CharField()
    verified = serializers.BooleanField()
    outcome = serializers.CharField(help_text="One of: " + ", ".join(Outcome.values) + ".")
    detail = serializers.CharField()
    event = serializers.CharField()
    out_trade_no = serializers.CharField()
    received_count = serializers.IntegerField(help_text="Replays land on the first row and count here.")
    received_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="OpsPaymentDetail")
class PaymentDetailOut(PaymentOut):
    moves = MoveOut(many=True, source="transitions.all")
    refunds = RefundOut(many=True, source="refunds.all")
    notifications = NotificationOut(many=True, source="notifications.all")


def _choice(request, name: str, allowed) -> str:
    value = request.query_params.get(name, "")
    return value if value in allowed else ""


class PaymentListApi(OperatorApi):
    operator_roles = READ

    @extend_schema(tags=TAGS, operation_id="ops_payments_list", summary="List payments",
                   responses={200: page_schema("OpsPaymentPage", PaymentOut), **errors(403, 404)},
                   description="Administrators, finance and auditors. Newest first; filters `status`, "
                               "`provider` (unknown values are ignored) and `q` (a number prefix, the "
                               "provider's trade number or the payable's reference).")
    def get(self, request):
        payments = selectors.all_payments(status=_choice(request, "status", PaymentStatus.values),
                                          provider=_choice(request, "provider", Provider.values),
                                          search=request.query_params.get("q", "").strip()[:64])
        return paginated_response(self, request, payments, PaymentOut)


class PaymentDetailApi(OperatorApi):
    operator_roles = READ

    @extend_schema(tags=TAGS, operation_id="ops_payments_retrieve", summary="One payment whole",
                   responses={200: PaymentDetailOut, **errors(403, 404)})
    def get(self, request, number: str):
        payment = selectors.payment_whole(number=number)
        if payment is None:
            raise NotFound(_("No such payment."))
        return Response(PaymentDetailOut(payment).data)


class NotificationListApi(OperatorApi):
    operator_roles = READ

    @extend_schema(tags=TAGS, operation_id="ops_payment_notifications_list",
                   summary="List what payment providers sent",
                   responses={200: page_schema("OpsPaymentNotificationPage", NotificationOut), **errors(403, 404)},
                   description="Newest first; filters `outcome` (e.g. bad_signature, unknown_payment) and "
                               "`provider`.")
    def get(self, request):
        found = selectors.notifications(outcome=_choice(request, "outcome", Outcome.values),
                                        provider=_choice(request, "provider", Provider.values))
        return paginated_response(self, request, found, NotificationOut)
