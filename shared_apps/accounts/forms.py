from django import forms
from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from backend.lib.validators import normalize_phone
from backend.tasks import send_email


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


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, but the mail leaves from a Celery task after commit.

    Sending inline would make the answer for a registered address slower than for an unknown
    one by a whole SMTP round trip, telling which addresses have accounts, and an SMTP outage
    would show up as a 500 instead of a retried task.
    """

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        transaction.on_commit(lambda: send_email.delay(to=[to_email], subject=subject, body=body))
