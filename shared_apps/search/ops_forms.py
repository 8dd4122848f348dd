"""Forms of the search pages of the operator console."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .synonym_services import GROUP_TERMS, TERM_CHARS, split_terms


class SynonymGroupForm(forms.Form):
    """A group's terms in one box; the rules (count, length, duplicates) are the service's."""

    terms = forms.CharField(
        label=_("Terms"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "手机\n电话"}),
        help_text=_("One per line, or separated by commas: %(n)d terms at most, each up to %(chars)d characters.")
        % {"n": GROUP_TERMS, "chars": TERM_CHARS})

    def term_list(self) -> list[str]:
        return split_terms(self.cleaned_data["terms"])
