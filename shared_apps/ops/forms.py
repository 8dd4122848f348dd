"""Forms of the operator console: input checks only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from shared_apps.onboarding.models import ApplicationStatus
from tenants.models import ShopStatus

# The models' status labels are plain English; templates translate them at render time with
# {% trans obj.get_status_display %}. Listing them here puts the msgids in the catalogue.
STATUS_MSGIDS = [
    gettext_noop("Draft"),
    gettext_noop("Submitted"),
    gettext_noop("Under review"),
    gettext_noop("Approved"),
    gettext_noop("Rejected"),
    gettext_noop("Resubmitted"),
    gettext_noop("Active"),
    gettext_noop("Suspended"),
    gettext_noop("Closed"),
    gettext_noop("Pending review"),
    gettext_noop("Superseded"),
    gettext_noop("Business licence"),
    gettext_noop("Other qualification"),
]

SHOP_STATUS_CHOICES = [
    ("", _("All statuses")),
    (ShopStatus.ACTIVE, _("Active")),
    (ShopStatus.SUSPENDED, _("Suspended")),
    (ShopStatus.CLOSED, _("Closed")),
]

# Queue tabs: (value of ?status=, label). The empty value is the default "waiting" tab.
APPLICATION_TABS = [
    ("", _("Waiting")),
    (ApplicationStatus.UNDER_REVIEW, _("Under review")),
    (ApplicationStatus.APPROVED, _("Approved")),
    (ApplicationStatus.REJECTED, _("Rejected")),
]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )


class ShopFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Name or subdomain")}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=SHOP_STATUS_CHOICES)


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
    )
    shop = forms.CharField(label=_("Shop (subdomain or ID)"), required=False, max_length=60)
    actor = forms.CharField(label=_("Actor (e-mail or ID)"), required=False, max_length=254)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data
