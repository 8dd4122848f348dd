from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentKind


class ShopStepForm(forms.Form):
    shop_name = forms.CharField(label=_("Shop name"), max_length=60)
    subdomain = forms.CharField(label=_("Subdomain"), max_length=30,
                                help_text=_("3–30 lowercase letters, digits or hyphens: your shop's address."))


class CompanyStepForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=120)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=18)
    contact_name = forms.CharField(label=_("Contact person"), max_length=60)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)


class BankStepForm(forms.Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=60)
    bank_branch = forms.CharField(label=_("Branch"), max_length=100, required=False)
    bank_account_name = forms.CharField(label=_("Account name"), max_length=120,
                                        help_text=_("Must be exactly the company name."))
    bank_account_number = forms.CharField(label=_("Account number"), max_length=40)


class CategoriesStepForm(forms.Form):
    category_ids = forms.MultipleChoiceField(label=_("Business categories"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_ids"].choices = [(str(c.pk), c.name) for c in categories]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), help_text=_("JPEG, PNG, WebP or PDF, at most 5 MB."))
