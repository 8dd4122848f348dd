"""Forms of the finance console (operator host): shape, widgets and the checks a form can make
by itself (a known shop, a date, a percentage). Amounts stay text so that the ledger's services
check them and the page shows the same words as the API next to the field.

Every posting form carries a `token`, a UUID made when the form is drawn: the entry's source key
is derived from it, so a form sent twice (a double click, a reload after a timeout) posts once."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.taxonomy.models import Category
from tenants.models import Shop

from .models import ItemState, PayoutChannel, PayoutStatus
from .reconciliation import PROVIDERS
from .services import CASH_LOCATIONS

WITHHELD = "withheld"  # a deposit paid out of what the platform owes the shop
AMOUNT = {"inputmode": "decimal", "placeholder": "100.00", "autocomplete": "off"}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def shop_by_subdomain(value: str) -> Shop | None:
    value = (value or "").strip().lower()
    return Shop.objects.filter(subdomain=value).first() if value else None


class ShopField(forms.CharField):
    """A shop named by its subdomain; cleans to the Shop."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Shop (subdomain)"))
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "alpha", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        shop = shop_by_subdomain(value)
        if shop is None:
            raise forms.ValidationError(_("No such shop."), code="shop_not_found")
        return shop


class PostingForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    shop = ShopField()
    amount = forms.CharField(label=_("Amount (¥)"), max_length=40, widget=forms.TextInput(attrs=AMOUNT))

    kind = ""  # the URL name's suffix and the source key's middle part

    @classmethod
    def blank(cls) -> "PostingForm":
        return cls(initial={"token": uuid.uuid4()}, auto_id=cls.auto_id())

    @classmethod
    def auto_id(cls) -> str:
        return f"{cls.kind}_%s"  # four forms share the page: their fields need their own ids

    def source_key(self) -> str:
        return f"ops:{self.kind}:{self.cleaned_data['token'].hex}"


class DepositPaidForm(PostingForm):
    kind = "deposit_paid"
    source = forms.ChoiceField(
        label=_("Paid from"),
        choices=[(p, p) for p in sorted(CASH_LOCATIONS)] + [(WITHHELD, _("withheld from the payable"))],
        help_text=_("Cash the shop paid in at a provider or the bank, or withheld from what it is owed."))
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)


class DepositDeductedForm(PostingForm):
    kind = "deposit_deducted"
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("Kept in the audit log."))


class PenaltyForm(PostingForm):
    kind = "penalty"
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("Kept in the audit log."))


class AdjustmentForm(PostingForm):
    kind = "adjustment"
    amount = forms.CharField(label=_("Amount (¥, signed)"), max_length=40, widget=forms.TextInput(attrs=AMOUNT),
                             help_text=_("Positive: the shop is owed more; negative: less."))
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("Kept in the audit log."))
    confirm_negative = forms.BooleanField(label=_("Yes, let the payable go below zero"), required=False)


POSTING_FORMS = {form.kind: form for form in (DepositPaidForm, DepositDeductedForm, PenaltyForm, AdjustmentForm)}


class PrepareForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=PayoutChannel.choices)


class MarkPaidForm(forms.Form):
    reference = forms.CharField(label=_("Bank's reference"), max_length=64, required=False)


class MarkFailedForm(forms.Form):
    reason = forms.CharField(label=_("Why it failed"), max_length=300)


class PayoutFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", _("All")), *PayoutStatus.choices], required=False)
    channel = forms.ChoiceField(choices=[("", _("All")), *PayoutChannel.choices], required=False)


class StatementFilterForm(forms.Form):
    shop = ShopField(required=False)
    run = forms.IntegerField(label=_("Run"), required=False, min_value=1)


class StatementUploadForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"), choices=[(p, p) for p in PROVIDERS])
    file = forms.FileField(label=_("Statement file"))
    day = forms.DateField(label=_("Day"), required=False, widget=DATE,
                          help_text=_("Only for files that do not say their day."))


class StatementFetchForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"), choices=[(p, p) for p in PROVIDERS])
    day = forms.DateField(label=_("Day"), widget=DATE)


class ItemFilterForm(forms.Form):
    state = forms.ChoiceField(choices=[("", _("All")), *ItemState.choices], required=False)


class ItemNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300)
    confirm_negative = forms.BooleanField(label=_("Let the cash go below zero"), required=False)


class AccountFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False)
    shop = ShopField(required=False)

    def __init__(self, *args, **kwargs):
        from .models import AccountKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *AccountKind.choices]


class AccountLinesForm(forms.Form):
    running = forms.BooleanField(required=False)


class CommissionRuleForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None,
                                      help_text=_("Empty: every category."))
    shop = ShopField(required=False, help_text=_("Empty: every shop (the platform's rate)."))
    rate_percent = forms.DecimalField(label=_("Rate (%)"), min_value=Decimal(0), max_value=Decimal("99.99"),
                                      decimal_places=2, widget=forms.TextInput(attrs={"inputmode": "decimal",
                                                                                     "placeholder": "5.5"}))
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    effective_to = forms.DateField(label=_("Until (inclusive)"), required=False, widget=DATE,
                                   help_text=_("Empty: until further notice."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Every category"))] + [
            (pk, f"{name} ({code})") for pk, code, name in
            Category.objects.order_by("code").values_list("pk", "code", "name")]

    def rate(self) -> Decimal:
        return (self.cleaned_data["rate_percent"] / 100).quantize(Decimal("0.0001"))


class CommissionRuleEndForm(forms.Form):
    effective_to = forms.DateField(label=_("Last day in force"), widget=DATE)
