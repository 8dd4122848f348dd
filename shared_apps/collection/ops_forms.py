"""Forms of the collected-data pages (operator host): shape and the checks a form can make by
itself; the services check the rest and their refusals are shown next to the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.taxonomy.models import Category

from . import selectors
from .models import ImportFormat, ImportState, Source, SourceKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=SourceKind.choices, initial=SourceKind.MARKETPLACE)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.order_by("name"),
                                    empty_label=_("Choose a source"))
    file = forms.FileField(label=_("File"), required=False, allow_empty_file=True,  # the service says what is wrong
                           help_text=_("CSV (UTF-8 or GBK), JSON, or a saved web page with schema.org Product."))
    file_format = forms.ChoiceField(label=_("Format"), required=False,
                                    choices=[("", _("Detect from the content")), *ImportFormat.choices])


class _Period(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To"), required=False, widget=DATE)
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.order_by("name"), required=False,
                                    empty_label=_("All sources"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.order_by("code"),
                                      required=False, empty_label=_("All categories"), to_field_name="code")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"since": data.get("since"), "until": data.get("until"),
                "source_id": data["source"].pk if data.get("source") else None,
                "category_id": data["category"].pk if data.get("category") else None}


class PeriodForm(_Period):
    pass


class OfferFilterForm(_Period):
    q = forms.CharField(label=_("Search"), required=False, max_length=selectors.SEARCH_MAX)
    matched = forms.ChoiceField(label=_("Comparison group"), required=False, choices=[
        ("", _("Any")), ("yes", _("Matched")), ("no", _("Not matched"))])

    def filters(self) -> dict:
        matched = self.cleaned_data.get("matched")
        return {**super().filters(), "q": self.cleaned_data.get("q", ""),
                "matched": {"yes": True, "no": False}.get(matched)}


class ImportFilterForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.order_by("name"), required=False,
                                    empty_label=_("All sources"))
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *ImportState.choices])


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Operator"), queryset=None, empty_label=_("Choose an operator"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.grant_candidates()
        self.fields["user"].label_from_instance = lambda user: f"{user} ({user.get_operator_role_display()})"


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
