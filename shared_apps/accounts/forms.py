from django import forms
from django.utils.translation import gettext_lazy as _

from backend.lib.validators import normalize_phone


class PhoneField(forms.CharField):
    """A mainland mobile number, cleaned to 11 digits (+86, spaces and dashes accepted)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        return normalize_phone(super().clean(value))


class LoginForm(forms.Form):
    identifier = forms.CharField(label=_("E-mail or phone number"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class EmailRegisterForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    display_name = forms.CharField(label=_("Name"), max_length=60, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128,
                               help_text=_("At least 8 characters, not only digits."))


class PhoneRegisterForm(forms.Form):
    phone = PhoneField()
    code = forms.CharField(label=_("SMS code"), max_length=6)
    display_name = forms.CharField(label=_("Name"), max_length=60, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class SmsRequestForm(forms.Form):
    phone = PhoneField()


class SmsResetForm(forms.Form):
    phone = PhoneField()
    code = forms.CharField(label=_("SMS code"), max_length=6)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, max_length=128)
