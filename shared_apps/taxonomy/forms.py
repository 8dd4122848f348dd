"""Forms of the taxonomy pages in the operator console: input shapes only; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .models import MAX_LEVEL, Category, StandardProductStatus, ValueType

# Model labels are plain English, translated at render time; listed here for the catalogue.
LABEL_MSGIDS = [gettext_noop("Text"), gettext_noop("Integer"), gettext_noop("Decimal"), gettext_noop("Yes/no"),
                gettext_noop("Choice"), gettext_noop("Multiple choice"), gettext_noop("Proposed")]


def parent_choices(*, exclude_ids: set[int] | None = None) -> list[tuple[int, str]]:
    from . import selectors

    exclude_ids = exclude_ids or set()
    return [(n.category.pk, " / ".join(c.name for c in n.path))
            for n in selectors.category_tree(active_only=True)
            if n.category.level < MAX_LEVEL and n.category.pk not in exclude_ids]


class CategoryCreateForm(forms.Form):
    parent_id = forms.TypedChoiceField(label=_("Parent category"), coerce=int)
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Stable: lowercase letters, digits, hyphens."))
    name = forms.CharField(label=_("Name (Chinese)"), max_length=40)
    name_en = forms.CharField(label=_("Name (English)"), max_length=60)
    sort = forms.IntegerField(label=_("Sort"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent_id"].choices = parent_choices()


class CategoryUpdateForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40,
                           help_text=_("Can change only while no sub-category, attribute or product uses it."))
    name = forms.CharField(label=_("Name (Chinese)"), max_length=40)
    name_en = forms.CharField(label=_("Name (English)"), max_length=60)
    sort = forms.IntegerField(label=_("Sort"), min_value=0, max_value=32767)


class CategoryMoveForm(forms.Form):
    parent_id = forms.TypedChoiceField(label=_("New parent"), coerce=int)

    def __init__(self, *args, category: Category, exclude_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent_id"].choices = parent_choices(exclude_ids=exclude_ids | {category.pk})


class AttributeForm(forms.Form):
    code = forms.RegexField(label=_("Code"), regex=r"^[a-z][a-z0-9_]{0,39}$", max_length=40,
                            help_text=_("Stable snake_case code, e.g. screen_size."))
    name = forms.CharField(label=_("Name (Chinese)"), max_length=40)
    name_en = forms.CharField(label=_("Name (English)"), max_length=60)
    value_type = forms.ChoiceField(label=_("Value type"), choices=ValueType.choices)
    unit = forms.CharField(label=_("Unit"), max_length=16, required=False, help_text=_("e.g. inch, GB, g, mAh"))
    choices = forms.CharField(label=_("Allowed values"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("One per line, for choice types."))
    required = forms.BooleanField(label=_("Required"), required=False)
    is_key = forms.BooleanField(label=_("Key attribute (identifies a product for comparison)"), required=False)
    is_spec = forms.BooleanField(label=_("Spec attribute (defines SKU variants)"), required=False)
    sort = forms.IntegerField(label=_("Sort"), min_value=0, max_value=32767, initial=0)

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class StandardProductFilterForm(forms.Form):
    q = forms.CharField(label=_("GTIN, brand or model"), max_length=120, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *StandardProductStatus.choices])


class StandardProductForm(forms.Form):
    category_id = forms.TypedChoiceField(label=_("Category"), coerce=int)
    brand = forms.CharField(label=_("Brand"), max_length=80)
    model = forms.CharField(label=_("Model"), max_length=120)
    gtins = forms.CharField(label=_("GTINs"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("One barcode per line (GTIN-8, 12, 13 or 14)."))

    def __init__(self, *args, attributes=(), with_category: bool = True, **kwargs):
        from . import selectors

        super().__init__(*args, **kwargs)
        if with_category:
            self.fields["category_id"].choices = [
                (n.category.pk, " / ".join(c.name for c in n.path)) for n in selectors.category_tree(active_only=True)]
        else:
            del self.fields["category_id"]
        self.attribute_codes = []
        for attribute in attributes:
            if not attribute.is_key:
                continue
            label = f"{attribute.name} ({attribute.unit})" if attribute.unit else attribute.name
            name = f"attr_{attribute.code}"
            if attribute.value_type == ValueType.CHOICE:
                field = forms.ChoiceField(label=label, required=False,
                                          choices=[("", "—"), *[(c, c) for c in attribute.choices]])
            elif attribute.value_type == ValueType.MULTI_CHOICE:
                field = forms.MultipleChoiceField(label=label, required=False, widget=forms.CheckboxSelectMultiple,
                                                  choices=[(c, c) for c in attribute.choices])
            elif attribute.value_type == ValueType.BOOLEAN:
                field = forms.ChoiceField(label=label, required=False,
                                          choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))])
            else:
                field = forms.CharField(label=label, required=False, max_length=200)
            self.fields[name] = field
            self.attribute_codes.append(attribute.code)

    def clean_gtins(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["gtins"].splitlines() if line.strip()]

    def attribute_values(self) -> dict:
        return {code: self.cleaned_data.get(f"attr_{code}") for code in self.attribute_codes}


class MergeForm(forms.Form):
    into_id = forms.IntegerField(label=_("Merge into standard product #"), min_value=1)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
