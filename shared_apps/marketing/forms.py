"""The coupon form of the operator console and the merchant console: shape and widgets only.
Every field is text so that the service checks all of them in one pass and the page shows every
mistake at once, next to its field, with the same words as the API."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


def _local(attrs: dict | None = None) -> forms.TextInput:
    return forms.TextInput(attrs={"type": "datetime-local", **(attrs or {})})


class CouponForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=64,
        help_text=_(
            "What shoppers type at checkout: 4 to 32 letters, digits or hyphens; stored upper-case."
        ),
        widget=forms.TextInput(attrs={"placeholder": "SPRING-10", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=120,
        help_text=_("Shown to shoppers, up to 60 characters."),
    )
    amount_off = forms.CharField(
        label=_("Amount off (¥)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "10.00"}),
    )
    min_goods_amount = forms.CharField(
        label=_("Threshold (¥)"),
        required=False,
        max_length=40,
        help_text=_("The goods the coupon covers must reach this; 0 for no threshold."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}),
    )
    valid_from = forms.CharField(
        label=_("Valid from"),
        required=False,
        max_length=40,
        widget=_local(),
        help_text=_("China Standard Time (UTC+8)."),
    )
    valid_until = forms.CharField(
        label=_("Valid until"),
        required=False,
        max_length=40,
        widget=_local(),
        help_text=_("Usable until just before this moment."),
    )
    total_quantity = forms.CharField(
        label=_("Total uses"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    per_user_limit = forms.CharField(
        label=_("Uses per shopper"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    @classmethod
    def blank(cls) -> "CouponForm":
        """A new coupon's form: valid from the next whole hour for 30 days, one use per shopper."""
        start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return cls(
            initial={
                "min_goods_amount": "0",
                "per_user_limit": "1",
                "valid_from": start.strftime(LOCAL_MINUTE),
                "valid_until": (start + timedelta(days=30)).strftime(LOCAL_MINUTE),
            }
        )
