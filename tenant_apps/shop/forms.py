"""Console forms. They check only the shape of the input; the rules live in the services, whose
errors are attached back to the field they name (`attach_service_error`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiTokenScope, StaffRole

IMAGE_ACCEPT = "image/png,image/jpeg,image/webp"


def role_choices(roles) -> list[tuple[str, str]]:
    """StaffRole choices limited to `roles`, in the table's order."""
    return [(value, label) for value, label in StaffRole.choices if value in roles]


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=60)
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 2 MB, at least 32×32 pixels."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)


class OrderSettingsForm(forms.Form):
    payment_minutes = forms.IntegerField(label=_("Minutes to pay"), min_value=5, max_value=1440,
                                         help_text=_("Unpaid orders are cancelled after this and their stock freed."))
    confirm_orders = forms.BooleanField(label=_("Confirm paid orders before shipping them"), required=False)
    auto_complete_days = forms.IntegerField(label=_("Days after delivery an order completes by itself"),
                                            min_value=1, max_value=30)
    after_sales_days = forms.IntegerField(
        label=_("Days after delivery the buyer may ask for a return"), min_value=7, max_value=90,
        help_text=_("At least 7 (the statutory no-reason return period). Orders are settled with you after this."))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, grantable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(grantable)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)


class BankAccountForm(forms.Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=60)
    bank_branch = forms.CharField(label=_("Branch"), max_length=100, required=False)
    account_name = forms.CharField(
        label=_("Account name"),
        max_length=120,
        help_text=_("Must equal the company name of the shop."),
    )
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("What will use the token, e.g. “ERP sync”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiTokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A write scope can also read. Tokens never open staff, settings or money."),
    )
    expires_at = forms.DateField(
        label=_("Expires after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. The token stops working when this day ends."),
    )
