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


class AddressForm(forms.Form):
    """The address book form. The region selects list the children of what is chosen above them
    (server-side, so the page works without JavaScript: the "Update the lists" button re-renders
    the form with the chosen province's cities and city's districts); the services check that
    the three codes form one path and name the wrong field."""

    recipient_name = forms.CharField(label=_("Recipient"), max_length=40)
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    province_code = forms.CharField(label=_("Province"), required=False, widget=forms.Select)
    city_code = forms.CharField(label=_("City"), required=False, widget=forms.Select)
    district_code = forms.CharField(label=_("District"), required=False, widget=forms.Select)
    detail = forms.CharField(label=_("Street address"), max_length=200,
                             help_text=_("Street, building, unit and room."))
    postal_code = forms.CharField(label=_("Postal code"), max_length=6, required=False,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    label = forms.CharField(label=_("Label"), max_length=20, required=False,
                            help_text=_("Optional, e.g. Home or Office."))
    is_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    def __init__(self, *args, **kwargs):
        from backend.lib import regions

        super().__init__(*args, **kwargs)
        province = self._value("province_code")
        city = self._value("city_code")
        blank = [("", "—")]
        cities = regions.children(province) if regions.is_valid(province, "province") else []
        districts = (regions.children(city) if city and any(c == city for c, _n in cities) else [])
        self.fields["province_code"].widget.choices = blank + regions.children(None)
        self.fields["city_code"].widget.choices = blank + cities
        self.fields["district_code"].widget.choices = blank + districts
        # The script (accounts/regions.js) finds the selects by these and fills them.
        self.fields["province_code"].widget.attrs.update({"data-region-level": "province", "data-region-child": "id_city_code"})
        self.fields["city_code"].widget.attrs.update({"data-region-level": "city", "data-region-child": "id_district_code"})
        self.fields["district_code"].widget.attrs.update({"data-region-level": "district"})

    def _value(self, name: str) -> str:
        if self.is_bound:
            value = self.data.get(self.add_prefix(name), "")
        else:
            value = self.initial.get(name, "")
        return value.strip() if isinstance(value, str) else ""
