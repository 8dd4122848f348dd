"""Refunds in the API: the shapes every side shares (the shopper's orders, the shop's endpoints
in tenant_apps/fulfilment/api.py, the operator's in ops_api.py)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from backend.api.errors import ServiceError

from .models import OrderRefund

MONEY = {"max_digits": 12, "decimal_places": 2}


@extend_schema_serializer(component_name="OrderRefundLine")
class RefundLineOut(serializers.Serializer):
    line = serializers.IntegerField(source="line_id", help_text="The order line's id.")
    sku_code = serializers.CharField(source="line.sku_code")
    title = serializers.CharField(source="line.title")
    quantity = serializers.IntegerField(help_text="Units that came back (0: money only).")
    amount = serializers.DecimalField(**MONEY)


@extend_schema_serializer(component_name="OrderRefund")
class RefundOut(serializers.Serializer):
    number = serializers.CharField()
    sub_order = serializers.CharField(source="sub_order.number")
    status = serializers.CharField(help_text="pending, succeeded or failed.")
    status_label = serializers.CharField(source="get_status_display")
    amount = serializers.DecimalField(**MONEY, help_text="Lines plus shipping.")
    shipping_amount = serializers.DecimalField(**MONEY)
    reason = serializers.CharField()
    restocked = serializers.BooleanField(help_text="The units that came back went on sale again.")
    requested_by = serializers.CharField(help_text="shop or operator.")
    attempts = serializers.IntegerField()
    failure_reason = serializers.CharField(help_text="Why the payment provider refused (failed refunds).")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    lines = RefundLineOut(many=True)


@extend_schema_serializer(component_name="OrderRefundInput")
class RefundIn(serializers.Serializer):
    """Documents the body; the service checks it and names the wrong field."""

    @extend_schema_serializer(component_name="OrderRefundLineInput")
    class Line(serializers.Serializer):
        line = serializers.IntegerField(help_text="An order line of this sub-order.")
        amount = serializers.DecimalField(**MONEY, help_text="More than 0, at most what is left on the line.")
        quantity = serializers.IntegerField(required=False, min_value=0,
                                            help_text="Units that came back (default 0: money only).")

    lines = Line(many=True, required=False)
    shipping_amount = serializers.DecimalField(**MONEY, required=False, help_text="Shipping to give back too.")
    reason = serializers.CharField(max_length=200, help_text="Shown to the buyer.")
    restock = serializers.BooleanField(required=False, help_text="Put the units that came back on sale again.")


def refund_values(request) -> dict:
    """The refund body as the service's keyword arguments (the service checks every value)."""
    data = request.data
    if not isinstance(data, dict):
        raise ServiceError(_("Send a JSON object."), fields={"non_field_errors": [_("Send a JSON object.")]})
    restock = data.get("restock", False)
    if not isinstance(restock, bool):
        raise ServiceError(_("restock: true or false."), fields={"restock": [_("true or false.")]})
    return {"lines": data.get("lines", []), "shipping_amount": data.get("shipping_amount", "0"),
            "reason": data.get("reason", ""), "restock": restock,
            "request_key": request.headers.get("Idempotency-Key", "")[:64]}


def refund_out(refund: OrderRefund) -> dict:
    return RefundOut(OrderRefund.objects.prefetch_related("lines__line").select_related("sub_order").get(
        pk=refund.pk)).data
