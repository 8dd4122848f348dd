"""Forms of the comparison pages. They check shape only; the services check the rules (a target
below the lowest price, the threshold's range) and the pages show their refusals."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GroupKind


class TargetForm(forms.Form):
    target_price = forms.CharField(label=_("Tell me when the price is at most (¥)"), max_length=20,
                                   error_messages={"required": _("Enter a target price.")},
                                   widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}))


class GroupFilterForm(forms.Form):
    q = forms.CharField(label=_("Title, brand, model or GTIN"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Grouped by"), required=False, choices=[("", _("Any")), *GroupKind.choices])
    locked = forms.ChoiceField(label=_("Operator-made"), required=False,
                               choices=[("", _("Any")), ("1", _("Merged or split")), ("0", _("Automatic"))])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class ThresholdForm(forms.Form):
    similarity_threshold = forms.DecimalField(
        label=_("Similarity threshold"), min_value=Decimal("0.30"), max_value=Decimal("1.00"), decimal_places=2, max_digits=3,
        help_text=_("Titles at least this similar (0.30–1.00) are grouped as one product. Higher: fewer, "
                    "surer groups. Changing it regroups every offer in the background."))
