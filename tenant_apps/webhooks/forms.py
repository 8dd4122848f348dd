"""The subscription form of the console (shape only; the services check the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WebhookEvent


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_(
            "Where your system receives the events: http:// or https://, on a public address."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://erp.example.com/mall-webhooks"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=100,
        required=False,
        help_text=_("Optional, e.g. “ERP order sync”."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
