"""Coercing a product's typed attribute values against effective attribute definitions.

Pure functions: the definitions come in, a clean {code: value} mapping or a ValidationError keyed
by attribute code comes out. Values are kept JSON-ready: decimals as normalised strings
("6.1"), so they store exactly in a JSONField and compare as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ValueType

if TYPE_CHECKING:
    from .interface import AttributeInfo

TEXT_MAX = 200
INTEGER_LIMIT = 10**15
DECIMAL_MAX_DIGITS = 18
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def coerce_value(attribute: AttributeInfo, value: Any) -> Any:
    """One value in its stored form, or ValueError with the message for the user."""
    kind = attribute.value_type
    if kind == ValueType.TEXT:
        if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
            raise ValueError(_("Enter text."))
        text = " ".join(str(value).split())
        if len(text) > TEXT_MAX:
            raise ValueError(_("At most %(max)d characters.") % {"max": TEXT_MAX})
        return text
    if kind == ValueType.INTEGER:
        if isinstance(value, bool):
            raise ValueError(_("Enter a whole number."))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int):
            raise ValueError(_("Enter a whole number."))
        if abs(value) >= INTEGER_LIMIT:
            raise ValueError(_("The number is too large."))
        return value
    if kind == ValueType.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValueError(_("Enter a number."))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite() or len(number.as_tuple().digits) > DECIMAL_MAX_DIGITS:
            raise ValueError(_("Enter a number."))
        text = format(number.normalize(), "f")
        return "0" if text in {"-0", ""} else text
    if kind == ValueType.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower() if isinstance(value, str | int) else ""
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("Enter true or false."))
    if kind == ValueType.CHOICE:
        if not isinstance(value, str) or value.strip() not in attribute.choices:
            raise ValueError(_("%(value)s is not one of the allowed values: %(choices)s.")
                             % {"value": value, "choices": ", ".join(attribute.choices)})
        return value.strip()
    if kind == ValueType.MULTI_CHOICE:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
            raise ValueError(_("Enter a list of values."))
        picked = {v.strip() for v in items}
        unknown = sorted(picked - set(attribute.choices))
        if unknown:
            raise ValueError(_("%(value)s is not one of the allowed values: %(choices)s.")
                             % {"value": ", ".join(unknown), "choices": ", ".join(attribute.choices)})
        return [choice for choice in attribute.choices if choice in picked]  # in the template's order
    raise ValueError(_("Unknown value type."))


def coerce_values(definitions: Iterable[AttributeInfo], values: Mapping[str, Any], *,
                  partial: bool = False) -> dict[str, Any]:
    """All values coerced, or one ValidationError listing every bad code.

    Unknown codes, wrong types and values outside the choices are errors; so is a missing
    required attribute unless `partial`. Empty values are dropped.
    """
    if not isinstance(values, Mapping):
        raise ValidationError({"attributes": [_("Attributes must be an object of code: value.")]})
    by_code = {attribute.code: attribute for attribute in definitions}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for code, value in values.items():
        attribute = by_code.get(code)
        if attribute is None:
            errors[str(code)] = [_("Unknown attribute %(code)s for this category.") % {"code": code}]
            continue
        if _empty(value):
            continue
        try:
            clean[code] = coerce_value(attribute, value)
        except ValueError as exc:
            errors[code] = [str(exc)]
    if not partial:
        for code, attribute in by_code.items():
            if attribute.required and code not in clean and code not in errors:
                errors[code] = [_("%(name)s is required.") % {"name": attribute.name_en or code}]
    if errors:
        raise ValidationError(errors)
    # Definition order, so equal inputs give equal stored JSON.
    return {code: clean[code] for code in by_code if code in clean}
