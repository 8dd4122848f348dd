from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    identifier = forms.CharField(label=_("E-mail or phone number"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class EmailRegisterForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    display_name = forms.CharField(label=_("Name"), max_length=60, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128,
                               help_text=_("At least 8 characters, not only digits."))


class PhoneRegisterForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    code = forms.CharField(label=_("SMS code"), max_length=6)
    display_name = forms.CharField(label=_("Name"), max_length=60, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class SmsRequestForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)


class SmsResetForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    code = forms.CharField(label=_("SMS code"), max_length=6)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, max_length=128)
