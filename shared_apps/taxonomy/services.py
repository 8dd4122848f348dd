"""Writes of the category tree, attribute templates and standard products.

Every operator change needs the taxonomy role (admin or auditor), runs in one transaction and
writes one audit entry with the changed fields before and after. Bad input raises a ServiceError
whose `fields` names the offending field, so the API answers 400/404/409 and pages show it next
to the field.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, ServiceError
from backend.lib.gtin import normalize_gtin
from shared_apps.accounts import roles
from shared_apps.accounts.models import OperatorRole
from shared_apps.audit.services import audit_record, changed_fields

from . import selectors
from .data import TOP_LEVEL
from .models import (
    CHOICE_TYPES,
    MAX_LEVEL,
    AttributeDefinition,
    Category,
    StandardProduct,
    StandardProductGtin,
    StandardProductStatus,
    ValueType,
)
from .transitions import can_move
from .values import coerce_values

# Who may change the taxonomy; every operator role may read it.
EDIT = frozenset({OperatorRole.ADMIN, OperatorRole.AUDITOR})

CATEGORY_CODE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
ATTRIBUTE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_CHOICES = 200
MAX_GTINS = 20


def _invalid(field: str, message: str, *, code: str = "invalid") -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]})


def _conflict(field: str, message: str, *, code: str = "conflict") -> Conflict:
    return Conflict(message, code=code, fields={field: [message]})


@transaction.atomic
def seed_business_categories() -> None:
    """Create or refresh the top-level business categories (idempotent)."""
    for sort, (code, name, name_en) in enumerate(TOP_LEVEL):
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort": sort, "parent": None, "level": 1})


# --- categories ----------------------------------------------------------------------------------


def _category_for_update(category_id: int) -> Category:
    category = Category.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("No such category."), fields={"category_id": [_("No such category.")]})
    return category


def _check_category_code(code: str, *, exclude_id: int | None = None) -> str:
    code = (code or "").strip()
    if not CATEGORY_CODE.match(code):
        raise _invalid("code", _("A code is 2-40 lowercase letters, digits or hyphens, starting with a letter."))
    if Category.objects.filter(code=code).exclude(pk=exclude_id).exists():
        raise _invalid("code", _("The code %(code)s is already used by another category.") % {"code": code},
                       code="duplicate")
    return code


def _check_names(name: str, name_en: str) -> tuple[str, str]:
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if not name or len(name) > 40:
        raise _invalid("name", _("Enter a name of at most 40 characters."))
    if not name_en or len(name_en) > 60:
        raise _invalid("name_en", _("Enter an English name of at most 60 characters."))
    return name, name_en


def _parent_for(parent_id: int | None, *, height: int = 1) -> Category:
    if not parent_id:
        raise _invalid("parent_id", _("Choose the parent category; business categories are fixed."))
    parent = Category.objects.filter(pk=parent_id).first()
    if parent is None:
        raise _invalid("parent_id", _("No such parent category."), code="not_found")
    if parent.level + height > MAX_LEVEL:
        raise _invalid("parent_id", _("Categories are at most %(max)d levels deep.") % {"max": MAX_LEVEL},
                       code="too_deep")
    if not parent.is_active:
        raise _invalid("parent_id", _("The parent category is inactive."))
    return parent


def _category_values(category: Category) -> dict[str, Any]:
    return {"code": category.code, "name": category.name, "name_en": category.name_en,
            "parent_id": category.parent_id, "sort": category.sort, "is_active": category.is_active}


@transaction.atomic
def category_create(*, actor, parent_id: int, code: str, name: str, name_en: str, sort: int = 0,
                    ip: str | None = None) -> Category:
    """Add a sub-category under `parent_id` (a business category or a level-2 category).

    The code must be a new slug; the parent must be active and leave room within three levels.
    """
    roles.require_operator(actor, EDIT)
    parent = _parent_for(parent_id)
    code = _check_category_code(code)
    name, name_en = _check_names(name, name_en)
    category = Category.objects.create(parent=parent, code=code, name=name, name_en=name_en, sort=sort,
                                       level=parent.level + 1)
    audit_record(actor=actor, action="taxonomy.category_created", target_type="category",
                 target_id=category.pk, after=_category_values(category), ip=ip)
    return category


@transaction.atomic
def category_update(*, actor, category_id: int, name: str, name_en: str, sort: int,
                    code: str | None = None, ip: str | None = None) -> Category:
    """Rename a sub-category, re-sort it, or correct its code while nothing uses the code yet."""
    roles.require_operator(actor, EDIT)
    category = _category_for_update(category_id)
    if category.is_business_category:
        raise _conflict("category_id", _("Business categories are fixed; change them in the seed data."))
    before = _category_values(category)
    if code is not None and code.strip() != category.code:
        if selectors.category_in_use(category.pk):
            raise _conflict("code", _("The code %(code)s is in use and cannot change.") % {"code": category.code},
                            code="code_in_use")
        category.code = _check_category_code(code, exclude_id=category.pk)
    category.name, category.name_en = _check_names(name, name_en)
    category.sort = sort
    category.save(update_fields=["code", "name", "name_en", "sort"])
    old, new = changed_fields(before, _category_values(category))
    if new:
        audit_record(actor=actor, action="taxonomy.category_updated", target_type="category",
                     target_id=category.pk, before=old, after=new, ip=ip)
    return category


@transaction.atomic
def category_move(*, actor, category_id: int, parent_id: int, ip: str | None = None) -> Category:
    """Move a sub-category (with its subtree) under another parent.

    Refused when the new parent is the category itself or below it, when the subtree would go
    deeper than three levels, or when an attribute code of the subtree is already defined above
    the new parent (the codes on one path must stay unique).
    """
    roles.require_operator(actor, EDIT)
    category = _category_for_update(category_id)
    if category.is_business_category:
        raise _conflict("category_id", _("Business categories stay at the top level."))
    if parent_id == category.pk or parent_id in selectors.descendant_ids(category.pk):
        raise _invalid("parent_id", _("A category cannot move under itself or its own sub-categories."))
    parent = _parent_for(parent_id, height=selectors.subtree_height(category.pk))
    if parent.pk == category.parent_id:
        return category
    subtree = [category.pk, *selectors.descendant_ids(category.pk)]
    codes = list(AttributeDefinition.objects.filter(category_id__in=subtree).values_list("code", flat=True))
    _check_attribute_codes_free(parent, codes=codes)
    before = {"parent_id": category.parent_id}
    offset = parent.level + 1 - category.level
    category.parent = parent
    category.level = parent.level + 1
    category.save(update_fields=["parent", "level"])
    if offset:
        for child in Category.objects.filter(pk__in=subtree[1:]).select_for_update():
            child.level += offset
            child.save(update_fields=["level"])
    audit_record(actor=actor, action="taxonomy.category_moved", target_type="category",
                 target_id=category.pk, before=before, after={"parent_id": parent.pk}, ip=ip)
    return category


@transaction.atomic
def category_set_active(*, actor, category_id: int, active: bool, reason: str = "",
                        ip: str | None = None) -> Category:
    """Deactivate a sub-category with everything below it, or reactivate it (its parent must be
    active; its sub-categories stay as they are). Inactive categories take no new listings."""
    roles.require_operator(actor, EDIT)
    category = _category_for_update(category_id)
    if category.is_business_category:
        raise _conflict("category_id", _("Business categories are fixed; change them in the seed data."))
    if category.is_active == active:
        return category
    if active and category.parent_id and not Category.objects.filter(pk=category.parent_id, is_active=True).exists():
        raise _conflict("parent_id", _("Reactivate the parent category first."))
    ids = [category.pk] if active else [category.pk, *selectors.descendant_ids(category.pk)]
    Category.objects.filter(pk__in=ids).update(is_active=active)
    category.is_active = active
    audit_record(actor=actor, action="taxonomy.category_activated" if active else "taxonomy.category_deactivated",
                 target_type="category", target_id=category.pk, before={"is_active": not active},
                 after={"is_active": active, "categories": ids}, reason=reason, ip=ip)
    return category


# --- attribute templates -----------------------------------------------------------------------


def _check_attribute_codes_free(parent: Category, *, codes: Iterable[str], exclude_id: int | None = None) -> None:
    """`codes` must not be defined on `parent` or above it."""
    codes = list(codes)
    if not codes:
        return
    chain = [c.pk for c in selectors.ancestors_of(selectors.category_get(parent.pk))]
    clash = (AttributeDefinition.objects.filter(category_id__in=chain, code__in=codes)
             .exclude(pk=exclude_id).values_list("code", flat=True).first())
    if clash:
        raise _conflict("code", _("The attribute code %(code)s is already defined on an ancestor of the new "
                                  "parent.") % {"code": clash}, code="duplicate")


def _clean_attribute(data: Mapping[str, Any]) -> dict[str, Any]:
    """Field checks that need no database."""
    name, name_en = _check_names(data.get("name", ""), data.get("name_en", ""))
    value_type = data.get("value_type")
    if value_type not in ValueType.values:
        raise _invalid("value_type", _("Choose one of: %(types)s.") % {"types": ", ".join(ValueType.values)})
    unit = (data.get("unit") or "").strip()
    if len(unit) > 16:
        raise _invalid("unit", _("A unit has at most 16 characters."))
    if unit and value_type not in (ValueType.INTEGER, ValueType.DECIMAL, ValueType.CHOICE, ValueType.MULTI_CHOICE):
        raise _invalid("unit", _("Only numbers and choices have a unit."))
    raw = data.get("choices") or []
    if not isinstance(raw, list | tuple) or not all(isinstance(c, str) for c in raw):
        raise _invalid("choices", _("Choices are a list of texts."))
    choices = [" ".join(c.split()) for c in raw]
    if value_type in CHOICE_TYPES:
        if not choices or any(not c or len(c) > 60 for c in choices) or len(choices) > MAX_CHOICES:
            raise _invalid("choices", _("A choice attribute needs 1-%(max)d allowed values of at most 60 "
                                        "characters.") % {"max": MAX_CHOICES})
        if len(set(choices)) != len(choices):
            raise _invalid("choices", _("Each allowed value may appear once."), code="duplicate")
    elif choices:
        raise _invalid("choices", _("Only choice attributes have allowed values."))
    is_spec = bool(data.get("is_spec", False))
    if is_spec and value_type in (ValueType.MULTI_CHOICE, ValueType.BOOLEAN):
        raise _invalid("is_spec", _("A variant attribute takes one value per SKU: use text, a number or a choice."))
    sort = data.get("sort", 0) or 0
    if not isinstance(sort, int) or not 0 <= sort <= 32767:
        raise _invalid("sort", _("Sort is a whole number from 0 to 32767."))
    return {"name": name, "name_en": name_en, "value_type": value_type, "unit": unit, "choices": choices,
            "required": bool(data.get("required", False)), "is_key": bool(data.get("is_key", False)),
            "is_spec": is_spec, "sort": sort}


def _attribute_values(attribute: AttributeDefinition) -> dict[str, Any]:
    return {field: getattr(attribute, field) for field in (
        "code", "name", "name_en", "value_type", "unit", "choices", "required", "is_key", "is_spec", "sort")}


@transaction.atomic
def attribute_create(*, actor, category_id: int, code: str, data: Mapping[str, Any],
                     ip: str | None = None) -> AttributeDefinition:
    """Add an attribute template to a category; it applies to every category below it too.

    `data` holds name, name_en, value_type, unit, choices, required, is_key, is_spec, sort. The
    code must be a snake_case slug not yet defined on the category, above it or below it.
    """
    roles.require_operator(actor, EDIT)
    category = _category_for_update(category_id)
    code = (code or "").strip()
    if not ATTRIBUTE_CODE.match(code):
        raise _invalid("code", _("A code is 1-40 lowercase letters, digits or underscores, starting with a letter."))
    clean = _clean_attribute(data)
    path = [c.pk for c in selectors.ancestors_of(selectors.category_get(category.pk))]
    related = path + selectors.descendant_ids(category.pk)
    if AttributeDefinition.objects.filter(category_id__in=related, code=code).exists():
        raise _invalid("code", _("The attribute code %(code)s is already defined on this category, above it or "
                                 "below it.") % {"code": code}, code="duplicate")
    attribute = AttributeDefinition.objects.create(category=category, code=code, **clean)
    audit_record(actor=actor, action="taxonomy.attribute_created", target_type="attribute",
                 target_id=attribute.pk, after={"category_id": category.pk, **_attribute_values(attribute)}, ip=ip)
    return attribute


def _attribute_for_update(attribute_id: int) -> AttributeDefinition:
    attribute = AttributeDefinition.objects.select_for_update().filter(pk=attribute_id).first()
    if attribute is None:
        raise NotFound(_("No such attribute."))
    return attribute


@transaction.atomic
def attribute_update(*, actor, attribute_id: int, data: Mapping[str, Any], ip: str | None = None
                     ) -> AttributeDefinition:
    """Change an attribute template's names, unit, flags, sort or allowed values.

    The code never changes (values are stored under it). While a standard product holds a value
    for it, its value type cannot change and an allowed value in use cannot be removed.
    """
    roles.require_operator(actor, EDIT)
    attribute = _attribute_for_update(attribute_id)
    if "code" in data and data["code"] != attribute.code:
        raise _conflict("code", _("An attribute's code cannot change; add a new attribute instead."),
                        code="code_in_use")
    clean = _clean_attribute(data)
    if clean["value_type"] != attribute.value_type or set(attribute.choices) - set(clean["choices"]):
        used = StandardProduct.objects.filter(
            category_id__in=[attribute.category_id, *selectors.descendant_ids(attribute.category_id)],
            attributes__has_key=attribute.code)
        if clean["value_type"] != attribute.value_type and used.exists():
            raise _conflict("value_type", _("Standard products hold values of this attribute; its type cannot "
                                            "change."), code="in_use")
        for removed in set(attribute.choices) - set(clean["choices"]):
            if used.filter(attributes__contains={attribute.code: removed}).exists() or used.filter(
                    attributes__contains={attribute.code: [removed]}).exists():
                raise _conflict("choices", _("The value %(value)s is used by standard products and cannot be "
                                             "removed.") % {"value": removed}, code="in_use")
    before = _attribute_values(attribute)
    for field, value in clean.items():
        setattr(attribute, field, value)
    attribute.save(update_fields=list(clean))
    old, new = changed_fields(before, _attribute_values(attribute))
    if new:
        audit_record(actor=actor, action="taxonomy.attribute_updated", target_type="attribute",
                     target_id=attribute.pk, before=old, after=new, ip=ip)
    return attribute


@transaction.atomic
def attribute_delete(*, actor, attribute_id: int, ip: str | None = None) -> None:
    """Remove an attribute template no standard product holds a value for."""
    roles.require_operator(actor, EDIT)
    attribute = _attribute_for_update(attribute_id)
    if selectors.attribute_in_use(attribute):
        raise _conflict("code", _("Standard products hold values of %(code)s; it cannot be deleted.")
                        % {"code": attribute.code}, code="in_use")
    before = {"category_id": attribute.category_id, **_attribute_values(attribute)}
    audit_record(actor=actor, action="taxonomy.attribute_deleted", target_type="attribute",
                 target_id=attribute.pk, before=before, ip=ip)
    attribute.delete()


# --- standard products -------------------------------------------------------------------------


def normalize_key_part(text: str) -> str:
    """Casefolded, full-width folded (NFKC), with whitespace and punctuation removed."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "").casefold() if ch.isalnum())


def standard_product_key(brand: str, model: str) -> str:
    """The brand+model identity: "Apple", "iPhone 15 Pro" → "apple|iphone15pro"."""
    return f"{normalize_key_part(brand)}|{normalize_key_part(model)}"


def clean_gtins(gtins: Any) -> list[str]:
    """GTIN-14 forms in the given order without repeats, or an error naming `gtins[i]`."""
    if gtins is None:
        return []
    if not isinstance(gtins, list | tuple) or len(gtins) > MAX_GTINS:
        raise _invalid("gtins", _("GTINs are a list of at most %(max)d barcodes.") % {"max": MAX_GTINS})
    out: list[str] = []
    for index, raw in enumerate(gtins):
        try:
            gtin = normalize_gtin(raw if isinstance(raw, str) else str(raw))
        except ValidationError as exc:
            raise _invalid(f"gtins[{index}]", exc.messages[0], code="invalid_gtin") from None
        if gtin not in out:
            out.append(gtin)
    return out


def _active_category(category_id: Any, *, field: str = "category_id") -> Category:
    category = selectors.category_get(category_id) if isinstance(category_id, int) else None
    if category is None:
        raise _invalid(field, _("No such category."), code="unknown_category")
    if not all(c.is_active for c in selectors.ancestors_of(category)):
        raise _invalid(field, _("The category is inactive."), code="inactive_category")
    return category


def _clean_identity(brand: str, model: str) -> tuple[str, str, str]:
    brand, model = " ".join((brand or "").split()), " ".join((model or "").split())
    if not normalize_key_part(brand) or len(brand) > 80:
        raise _invalid("brand", _("Enter a brand of at most 80 characters."))
    if not normalize_key_part(model) or len(model) > 120:
        raise _invalid("model", _("Enter a model of at most 120 characters."))
    return brand, model, standard_product_key(brand, model)


def clean_product_attributes(category: Category, values: Any) -> dict[str, Any]:
    """Key attribute values of a standard product, coerced; errors name `attributes.<code>`."""
    from .interface import AttributeInfo

    definitions = [AttributeInfo.of(a) for a in selectors.effective_attributes(category)]
    if values is not None and not isinstance(values, Mapping):
        raise _invalid("attributes", _("Attributes must be an object of code: value."))
    if isinstance(values, Mapping):
        not_key = [code for code in values if any(d.code == code and not d.is_key for d in definitions)]
        if not_key:
            raise _invalid(f"attributes.{not_key[0]}", _("%(code)s is not a key attribute; a standard product "
                                                         "holds key attributes only.") % {"code": not_key[0]})
    try:
        return coerce_values(definitions, values or {}, partial=True)
    except ValidationError as exc:
        fields = {f"attributes.{code}": messages for code, messages in exc.message_dict.items()}
        first_field, first_messages = next(iter(fields.items()))
        raise ServiceError(f"{first_field}: {first_messages[0]}", code="invalid_attribute", fields=fields) from None


def _check_gtins_free(gtins: list[str], *, product_id: int | None = None) -> None:
    taken = (StandardProductGtin.objects.filter(gtin__in=gtins, live=True).exclude(product_id=product_id)
             .select_related("product").first())
    if taken:
        index = gtins.index(taken.gtin)
        raise _conflict(f"gtins[{index}]", _("GTIN %(gtin)s already belongs to standard product #%(id)d "
                                             "(%(name)s).") % {"gtin": taken.gtin, "id": taken.product_id,
                                                                "name": taken.product},
                        code="duplicate")


def _check_key_free(category: Category, key: str, *, product_id: int | None = None) -> None:
    other = (StandardProduct.objects.filter(category=category, key=key)
             .exclude(status=StandardProductStatus.REJECTED).exclude(pk=product_id).first())
    if other:
        raise _conflict("model", _("%(name)s already exists in this category as standard product #%(id)d.")
                        % {"name": other, "id": other.pk}, code="duplicate")


def _product_values(product: StandardProduct, gtins: list[str]) -> dict[str, Any]:
    return {"category_id": product.category_id, "brand": product.brand, "model": product.model,
            "gtins": gtins, "attributes": product.attributes, "status": product.status}


def _save_gtins(product: StandardProduct, gtins: list[str]) -> None:
    current = {row.gtin: row for row in product.gtins.filter(live=True)}
    for gtin, row in current.items():
        if gtin not in gtins:
            row.delete()
    StandardProductGtin.objects.bulk_create(
        [StandardProductGtin(product=product, gtin=gtin) for gtin in gtins if gtin not in current])


def _create_product(*, category: Category, brand: str, model: str, key: str, gtins: list[str],
                    attributes: dict, status: str, created_by, shop_id: int | None) -> StandardProduct:
    try:
        with transaction.atomic():  # a concurrent twin trips the unique constraints: answer 409
            product = StandardProduct.objects.create(
                category=category, brand=brand, model=model, key=key, attributes=attributes, status=status,
                created_by=created_by if getattr(created_by, "pk", None) else None, proposed_by_shop_id=shop_id)
            _save_gtins(product, gtins)
    except IntegrityError:
        raise _conflict("model", _("This standard product was just created by someone else."),
                        code="duplicate") from None
    return product


@transaction.atomic
def standard_product_create(*, actor, category_id: int, brand: str, model: str, gtins: list[str] | None = None,
                            attributes: Mapping[str, Any] | None = None, ip: str | None = None) -> StandardProduct:
    """An operator adds an active standard product.

    Brand+model must be new in the category (compared casefolded, without spaces or punctuation),
    each GTIN valid by its check digit and not on another product, attributes key attributes of
    the category with valid values.
    """
    roles.require_operator(actor, EDIT)
    category = _active_category(category_id)
    brand, model, key = _clean_identity(brand, model)
    clean_gtin_list = clean_gtins(gtins)
    values = clean_product_attributes(category, attributes)
    _check_key_free(category, key)
    _check_gtins_free(clean_gtin_list)
    product = _create_product(category=category, brand=brand, model=model, key=key, gtins=clean_gtin_list,
                              attributes=values, status=StandardProductStatus.ACTIVE, created_by=actor,
                              shop_id=None)
    audit_record(actor=actor, action="taxonomy.standard_product_created", target_type="standard_product",
                 target_id=product.pk, after=_product_values(product, clean_gtin_list), ip=ip)
    return product


@transaction.atomic
def standard_product_update(*, actor, product_id: int, brand: str, model: str, gtins: list[str] | None,
                            attributes: Mapping[str, Any] | None, ip: str | None = None) -> StandardProduct:
    """Correct a standard product's brand, model, GTINs or key attributes (same rules as create)."""
    roles.require_operator(actor, EDIT)
    product = _product_for_update(product_id)
    if product.status == StandardProductStatus.REJECTED:
        raise _conflict("status", _("A rejected standard product cannot be edited."))
    before = _product_values(product, product.gtin_list)
    brand, model, key = _clean_identity(brand, model)
    clean_gtin_list = clean_gtins(gtins)
    values = clean_product_attributes(product.category, attributes)
    _check_key_free(product.category, key, product_id=product.pk)
    _check_gtins_free(clean_gtin_list, product_id=product.pk)
    product.brand, product.model, product.key, product.attributes = brand, model, key, values
    product.save(update_fields=["brand", "model", "key", "attributes", "updated_at"])
    _save_gtins(product, clean_gtin_list)
    old, new = changed_fields(before, _product_values(product, clean_gtin_list))
    if new:
        audit_record(actor=actor, action="taxonomy.standard_product_updated", target_type="standard_product",
                     target_id=product.pk, before=old, after=new, ip=ip)
    return product


@transaction.atomic
def standard_product_propose(*, shop_id: int, category_id: int, brand: str, model: str,
                             gtins: list[str] | None = None, attributes: Mapping[str, Any] | None = None
                             ) -> tuple[StandardProduct, bool]:
    """A shop's first listing of a product nobody has described yet proposes it for review.

    When a live standard product already has one of the GTINs, or the same brand+model in the
    category, that one is returned instead (created is False), so a listing binds to it at once.
    Otherwise a proposed product is created for an operator to approve, reject or merge.
    """
    category = _active_category(category_id)
    brand, model, key = _clean_identity(brand, model)
    clean_gtin_list = clean_gtins(gtins)
    values = clean_product_attributes(category, attributes)
    for gtin in clean_gtin_list:
        existing = selectors.standard_product_by_gtin(gtin, statuses=selectors.LIVE_STATUSES)
        if existing:
            return existing, False
    existing = selectors.standard_product_by_key(key, statuses=selectors.LIVE_STATUSES, category_id=category.pk)
    if existing:
        return existing, False
    product = _create_product(category=category, brand=brand, model=model, key=key, gtins=clean_gtin_list,
                              attributes=values, status=StandardProductStatus.PROPOSED, created_by=None,
                              shop_id=shop_id)
    audit_record(actor=None, action="taxonomy.standard_product_proposed", target_type="standard_product",
                 target_id=product.pk, shop_id=shop_id, after=_product_values(product, clean_gtin_list))
    return product, True


def _product_for_update(product_id: int) -> StandardProduct:
    product = (StandardProduct.objects.select_for_update(of=("self",)).select_related("category")
               .filter(pk=product_id).first())
    if product is None:
        raise NotFound(_("No such standard product."))
    return product


def _decide(product: StandardProduct, *, actor, to_status: str, reason: str, merged_into=None) -> None:
    if not can_move(product.status, to_status):
        raise Conflict(_("Only a proposed standard product can be approved, rejected or merged; this one is "
                         "%(status)s.") % {"status": product.status}, code="invalid_transition")
    product.status = to_status
    product.decision_reason = reason
    product.decided_by = actor
    product.decided_at = timezone.now()
    product.merged_into = merged_into
    product.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "merged_into",
                                "updated_at"])


@transaction.atomic
def standard_product_approve(*, actor, product_id: int, ip: str | None = None) -> StandardProduct:
    """Make a proposed standard product active, so every shop can bind listings to it."""
    roles.require_operator(actor, EDIT)
    product = _product_for_update(product_id)
    _decide(product, actor=actor, to_status=StandardProductStatus.ACTIVE, reason="")
    audit_record(actor=actor, action="taxonomy.standard_product_approved", target_type="standard_product",
                 target_id=product.pk, shop_id=product.proposed_by_shop_id,
                 before={"status": StandardProductStatus.PROPOSED}, after={"status": product.status}, ip=ip)
    return product


@transaction.atomic
def standard_product_reject(*, actor, product_id: int, reason: str, ip: str | None = None) -> StandardProduct:
    """Reject a proposal with a reason; its GTINs and brand+model become free again."""
    roles.require_operator(actor, EDIT)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why the proposal is rejected."))
    product = _product_for_update(product_id)
    _decide(product, actor=actor, to_status=StandardProductStatus.REJECTED, reason=reason[:500])
    product.gtins.update(live=False)
    audit_record(actor=actor, action="taxonomy.standard_product_rejected", target_type="standard_product",
                 target_id=product.pk, shop_id=product.proposed_by_shop_id,
                 before={"status": StandardProductStatus.PROPOSED}, after={"status": product.status},
                 reason=reason, ip=ip)
    return product


@transaction.atomic
def standard_product_merge(*, actor, product_id: int, into_id: int, ip: str | None = None) -> StandardProduct:
    """Merge a proposal into the active standard product it duplicates.

    The proposal is rejected with `merged_into` set (listings bound to it follow that link), and
    its GTINs the target lacks move to the target. Returns the target.
    """
    roles.require_operator(actor, EDIT)
    if into_id == product_id:
        raise _invalid("into_id", _("A product cannot be merged into itself."))
    # Lock both rows in id order, so two merges of the same pair never deadlock.
    locked = {p.pk: p for p in StandardProduct.objects.select_for_update(of=("self",))
              .filter(pk__in=sorted([product_id, into_id])).order_by("pk")}
    if product_id not in locked:
        raise NotFound(_("No such standard product."))
    target = locked.get(into_id)
    if target is None or target.status != StandardProductStatus.ACTIVE:
        raise _invalid("into_id", _("Merge into an active standard product."), code="not_active")
    product = locked[product_id]
    moved = [row.gtin for row in product.gtins.filter(live=True)]
    _decide(product, actor=actor, to_status=StandardProductStatus.REJECTED,
            reason=_("Merged into #%(id)d") % {"id": target.pk}, merged_into=target)
    product.gtins.update(live=False)
    target_gtins = target.gtin_list
    _save_gtins(target, target_gtins + [g for g in moved if g not in target_gtins])
    audit_record(actor=actor, action="taxonomy.standard_product_merged", target_type="standard_product",
                 target_id=product.pk, shop_id=product.proposed_by_shop_id,
                 before={"status": StandardProductStatus.PROPOSED},
                 after={"status": product.status, "merged_into": target.pk, "gtins_moved": moved}, ip=ip)
    return target
