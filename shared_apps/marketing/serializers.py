"""The coupon's shape in the API, shared by the operator API and the shop API."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from .models import CouponFunding, CouponStatus

STATUS_HELP = (
    " | ".join(CouponStatus.values) + ". Derived now: active (usable), scheduled (not started), "
    "expired, used_up (no uses left), inactive (deactivated, final)."
)


@extend_schema_serializer(component_name="Coupon")
class CouponOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="Upper-case; what shoppers type at checkout.")
    name = serializers.CharField()
    funded_by = serializers.ChoiceField(
        choices=CouponFunding.choices, help_text="Who pays the discount: the platform or the shop."
    )
    amount_off = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Yuan taken off."
    )
    min_goods_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="The covered goods must reach this (0: no threshold).",
    )
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField(help_text="Usable until just before this moment.")
    total_quantity = serializers.IntegerField(help_text="Uses available in all.")
    used_quantity = serializers.IntegerField(
        help_text="Uses taken by orders (given back when an order expires unpaid)."
    )
    per_user_limit = serializers.IntegerField()
    is_active = serializers.BooleanField(help_text="False once deactivated.")
    status = serializers.SerializerMethodField(help_text=STATUS_HELP)
    created_at = serializers.DateTimeField()

    def get_status(self, coupon) -> str:
        return str(coupon.status_at(timezone.now()))


@extend_schema_serializer(component_name="CouponInput")
class CouponIn(serializers.Serializer):
    """Types only: the service checks the values and names every wrong field."""

    code = serializers.CharField(
        help_text="4 to 32 letters, digits or hyphens (not at either end); "
        "stored upper-case; unique across the mall (409 duplicate)."
    )
    name = serializers.CharField(help_text="Up to 60 characters.")
    amount_off = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Yuan, more than 0, at most two decimals."
    )
    min_goods_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="Threshold (满): the covered goods must reach this. Default 0, no threshold; when "
        "set, amount_off must be below it.",
    )
    valid_from = serializers.DateTimeField(
        help_text="ISO 8601; without an offset it is Asia/Shanghai time."
    )
    valid_until = serializers.DateTimeField(help_text="After valid_from and in the future.")
    total_quantity = serializers.IntegerField(help_text="Uses available in all, 1 to 10,000,000.")
    per_user_limit = serializers.IntegerField(
        required=False, help_text="Uses per shopper, 1 to 100; default 1."
    )


def coupon_input(data) -> dict:
    """The request body, type-checked (400 naming the field) for the service to check its values."""
    serializer = CouponIn(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
