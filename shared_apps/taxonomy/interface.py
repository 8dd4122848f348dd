"""What the rest of the mall (the shops' catalog above all) may ask of the taxonomy.

Ids in, frozen dataclasses out; never ORM rows. Bad input raises django's ValidationError keyed by
the field or attribute code (the API's error handler answers it with 400).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backend.api.errors import ServiceError
from backend.lib.gtin import normalize_gtin

from . import selectors, services
from .models import AttributeDefinition, Category, StandardProduct
from .values import coerce_values


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    name_en: str
    parent_id: int | None
    level: int
    is_active: bool  # False also when an ancestor is inactive
    path: tuple[str, ...]  # codes from the business category down to this one

    @classmethod
    def of(cls, category: Category, chain: list[Category]) -> CategoryInfo:
        return cls(id=category.pk, code=category.code, name=category.name, name_en=category.name_en,
                   parent_id=category.parent_id, level=category.level,
                   is_active=all(c.is_active for c in chain), path=tuple(c.code for c in chain))


@dataclass(frozen=True)
class AttributeInfo:
    id: int
    category_id: int  # where it is defined (the category itself or an ancestor)
    code: str
    name: str
    name_en: str
    value_type: str  # text | integer | decimal | boolean | choice | multi_choice
    unit: str
    choices: tuple[str, ...]
    required: bool
    is_key: bool
    is_spec: bool
    sort: int

    @classmethod
    def of(cls, attribute: AttributeDefinition) -> AttributeInfo:
        return cls(id=attribute.pk, category_id=attribute.category_id, code=attribute.code, name=attribute.name,
                   name_en=attribute.name_en, value_type=attribute.value_type, unit=attribute.unit,
                   choices=tuple(attribute.choices), required=attribute.required, is_key=attribute.is_key,
                   is_spec=attribute.is_spec, sort=attribute.sort)


@dataclass(frozen=True)
class StandardProductInfo:
    id: int
    category_id: int
    brand: str
    model: str
    gtins: tuple[str, ...]  # GTIN-14 forms
    attributes: MappingProxyType  # key attribute values, {code: value}
    status: str  # active | proposed | rejected
    proposed_by_shop_id: int | None
    merged_into_id: int | None

    @classmethod
    def of(cls, product: StandardProduct) -> StandardProductInfo:
        return cls(id=product.pk, category_id=product.category_id, brand=product.brand, model=product.model,
                   gtins=tuple(product.gtin_list), attributes=MappingProxyType(dict(product.attributes)),
                   status=product.status, proposed_by_shop_id=product.proposed_by_shop_id,
                   merged_into_id=product.merged_into_id)


def _category(category_id: int) -> Category:
    category = selectors.category_get(category_id) if isinstance(category_id, int) else None
    if category is None:
        raise ValidationError({"category_id": [_("No such category.")]})
    return category


def category_info(category_id: int) -> CategoryInfo | None:
    """One category with its path, or None."""
    category = selectors.category_get(category_id) if isinstance(category_id, int) else None
    return CategoryInfo.of(category, selectors.ancestors_of(category)) if category else None


def attributes_for(category_id: int) -> tuple[AttributeInfo, ...]:
    """The effective attribute templates of a category: inherited ones first (root down), then its
    own, each level by sort. Unknown category → ValidationError on `category_id`."""
    return tuple(AttributeInfo.of(a) for a in selectors.effective_attributes(_category(category_id)))


def validate_attribute_values(category_id: int, values: dict, *, partial: bool = False) -> dict:
    """A product's attribute values checked and coerced against the category's templates.

    Returns {code: value} in template order, JSON-ready: text trimmed, integers as int, decimals
    as normalised strings ("6.1"), booleans as bool, a choice as its text, a multi-choice as a list
    in the template's order; empty values dropped. Raises ValidationError keyed by attribute code
    for unknown codes, wrong types, values outside the choices and (unless `partial`) missing
    required attributes.
    """
    return coerce_values(attributes_for(category_id), values, partial=partial)


def _as_validation_error(exc: ServiceError) -> ValidationError:
    return ValidationError(exc.fields or {"__all__": [exc.message]})


def standard_product_get(product_id: int) -> StandardProductInfo | None:
    product = selectors.standard_product_detail(product_id) if isinstance(product_id, int) else None
    return StandardProductInfo.of(product) if product else None


def standard_product_find(gtin: str | None = None, brand: str | None = None, model: str | None = None, *,
                          category_id: int | None = None, include_proposed: bool = False
                          ) -> StandardProductInfo | None:
    """The standard product a listing should bind to: by GTIN first, else by brand+model
    (casefolded, spaces and punctuation ignored, optionally within `category_id`).

    Active products only unless `include_proposed`. A malformed GTIN raises ValidationError on
    `gtin`; no match is None.
    """
    statuses = selectors.LIVE_STATUSES if include_proposed else ("active",)
    if gtin:
        try:
            found = selectors.standard_product_by_gtin(normalize_gtin(gtin), statuses=statuses)
        except ValidationError as exc:
            raise ValidationError({"gtin": exc.messages}) from None
        if found:
            return StandardProductInfo.of(found)
    if brand and model:
        key = services.standard_product_key(brand, model)
        found = selectors.standard_product_by_key(key, statuses=statuses, category_id=category_id)
        if found:
            return StandardProductInfo.of(found)
    return None


def standard_product_propose(shop_id: int, brand: str, model: str, category_id: int, gtins: list[str],
                             attributes: dict) -> tuple[StandardProductInfo, bool]:
    """Propose a standard product from a shop's first listing of it.

    Returns (product, created): an existing live product matching a GTIN or brand+model is
    returned with created False; otherwise a new `proposed` one awaits an operator. Bad input
    raises ValidationError keyed by field (`gtins[0]`, `attributes.<code>`, `category_id`, ...).
    """
    try:
        product, created = services.standard_product_propose(
            shop_id=shop_id, category_id=category_id, brand=brand, model=model, gtins=gtins, attributes=attributes)
    except ServiceError as exc:
        raise _as_validation_error(exc) from None
    return StandardProductInfo.of(selectors.standard_product_detail(product.pk)), created
