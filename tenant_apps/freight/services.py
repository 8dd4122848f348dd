"""Writes to a shop's freight templates, in the shop's schema.

Every input is checked here and a refusal is a ServiceError naming the field (`first_price`,
`rules[1].regions`): money has at most two decimals and is not negative, units are whole
numbers ≥ 1 (pieces or grams), region codes are GB/T 2260 codes of any level, a code is in at
most one rule of a template and not also excluded, and only one template per method is active
(409, also when two requests race: the partial unique index decides). Changes are audited:
freight is part of what a buyer pays.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, amount_field, field_error
from backend.lib import regions
from shared_apps.audit.services import audit_record

from .models import PICKUP, DeliveryMethod, FreightBasis, FreightRegionRule, FreightTemplate

MAX_UNITS = 100_000_000  # pieces or grams (100 t)
MAX_RULES = 50
MAX_CODES = 4000  # every district once, with room
RATE_FIELDS = ("first_units", "first_price", "additional_units", "additional_price")
TEMPLATE_FIELDS = ("name", "method", "basis", *RATE_FIELDS, "free_threshold", "excluded_regions",
                   "is_active", "rules")



def whole_number(value, field: str, *, minimum: int = 1, maximum: int = MAX_UNITS) -> int:
    """An int from an int or a string of digits; 1.5, true and "1e3" are refused."""
    if isinstance(value, bool):
        raise field_error(field, _("Enter a whole number."))
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if not isinstance(value, int):
        raise field_error(field, _("Enter a whole number."))
    if value < minimum:
        raise field_error(field, _("Must be at least %(n)d.") % {"n": minimum})
    if value > maximum:
        raise field_error(field, _("Must be at most %(n)d.") % {"n": maximum})
    return value


def amount(value, field: str) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, float | list | dict):
        raise field_error(field, _("Enter an amount such as 12.50."))
    return amount_field(value, field)


def region_codes(value, field: str) -> list[str]:
    """A list of region codes (any level), each known; duplicates dropped, order kept. A string
    is split on commas and spaces; a name (广东省, 深圳市) stands for its code when unique."""
    if isinstance(value, str):
        value = value.replace("，", ",").replace("、", ",").replace(",", " ").split()
    if not isinstance(value, list | tuple):
        raise field_error(field, _("Give a list of region codes."))
    codes: list[str] = []
    for item in value:
        text = item.strip() if isinstance(item, str) else (str(item) if isinstance(item, int) and not isinstance(item, bool) else "")
        if not text:
            raise field_error(field, _("Give a list of region codes."))
        code = text if regions.is_valid(text) else None
        if code is None:
            found = regions.find(text)
            if len(found) == 1:
                code = found[0]
            elif found:
                choices = ", ".join(f"{c} {regions.label(c)}" for c in found)
                raise field_error(field, _("%(name)s is ambiguous; use one of the codes %(codes)s.")
                              % {"name": text, "codes": choices})
            else:
                raise field_error(field, _("Unknown region: %(code)s.") % {"code": text})
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_CODES:
        raise field_error(field, _("At most %(n)d regions.") % {"n": MAX_CODES})
    return codes


def _rate(data: dict, prefix: str, *, current=None, units: dict | None = None) -> dict:
    """The four rate fields. Missing: kept from `current` (an update), else units from `units`
    (a rule takes its template's units) or 1; prices are required."""
    out = {}
    for name in RATE_FIELDS:
        if name not in data or (name.endswith("units") and data[name] in (None, "")):
            if current is not None:
                continue
            if name.endswith("units"):
                out[name] = (units or {}).get(name, 1)
                continue
            raise field_error(prefix + name, _("This field is required."))
        if name.endswith("units"):
            out[name] = whole_number(data[name], prefix + name)
        else:
            out[name] = amount(data[name], prefix + name)
    return out


def _rules(value, units: dict) -> list[dict]:
    if not isinstance(value, list | tuple):
        raise field_error("rules", _("Give a list of region rules."))
    if len(value) > MAX_RULES:
        raise field_error("rules", _("At most %(n)d region rules.") % {"n": MAX_RULES})
    rules = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(value):
        prefix = f"rules[{index}]."
        if not isinstance(raw, dict):
            raise field_error(f"rules[{index}]", _("Each rule is an object."))
        codes = region_codes(raw.get("regions", []), prefix + "regions")
        if not codes:
            raise field_error(prefix + "regions", _("Choose at least one region."))
        for code in codes:
            if code in seen:
                raise field_error(prefix + "regions", _("%(name)s (%(code)s) is already in rule %(n)d.")
                              % {"name": regions.region_name(code), "code": code, "n": seen[code] + 1})
            seen[code] = index
        rules.append({"regions": codes, **_rate(raw, prefix, units=units)})
    return rules


def _clean(data: dict, *, current: FreightTemplate | None) -> dict:
    unknown = sorted(set(data) - set(TEMPLATE_FIELDS))
    if unknown:
        raise field_error(unknown[0], _("Unknown field."))
    creating = current is None
    values: dict = {}
    if creating or "name" in data:
        name = data.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            raise field_error("name", _("Enter a name."))
        if len(name) > 60:
            raise field_error("name", _("At most %(n)d characters.") % {"n": 60})
        values["name"] = name
    if creating or "method" in data:
        method = data.get("method")
        if method == PICKUP:
            raise field_error("method", _("Pickup is free and needs no template; mark stores as pickup points instead."))
        if method not in DeliveryMethod.values:
            raise field_error("method", _("Choose one of: %(choices)s.") % {"choices": ", ".join(DeliveryMethod.values)})
        values["method"] = method
    if "basis" in data or creating:
        basis = data.get("basis", FreightBasis.PIECE)
        if basis not in FreightBasis.values:
            raise field_error("basis", _("Choose one of: %(choices)s.") % {"choices": ", ".join(FreightBasis.values)})
        values["basis"] = basis
    values.update(_rate(data, "", current=current))
    if "free_threshold" in data:
        raw = data["free_threshold"]
        values["free_threshold"] = None if raw in (None, "") else amount(raw, "free_threshold")
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            raise field_error("is_active", _("Must be true or false."))
        values["is_active"] = data["is_active"]
    if creating or "excluded_regions" in data:
        values["excluded_regions"] = region_codes(data.get("excluded_regions") or [], "excluded_regions")
    if "rules" in data:
        units = {k: values.get(k, getattr(current, k, 1)) for k in ("first_units", "additional_units")}
        values["rules"] = _rules(data["rules"], units)
    # A code both excluded and priced would be a contradiction; check against what will be stored.
    excluded = values.get("excluded_regions", current.excluded_regions if current else [])
    rules = values.get("rules")
    if rules is None and current is not None:
        rules = [{"regions": r.regions} for r in current.rules.all()]
    for index, rule in enumerate(rules or []):
        both = [c for c in rule["regions"] if c in excluded]
        if both:
            field = f"rules[{index}].regions" if "rules" in values else "excluded_regions"
            raise field_error(field, _("%(name)s (%(code)s) is both excluded and priced by a rule.")
                          % {"name": regions.region_name(both[0]), "code": both[0]})
    return values


def snapshot(template: FreightTemplate) -> dict:
    """What the audit log keeps of a template (JSON-friendly)."""
    return {
        "name": template.name, "method": template.method, "basis": template.basis,
        "first_units": template.first_units, "first_price": str(template.first_price),
        "additional_units": template.additional_units, "additional_price": str(template.additional_price),
        "free_threshold": None if template.free_threshold is None else str(template.free_threshold),
        "excluded_regions": list(template.excluded_regions), "is_active": template.is_active,
        "rules": [{"regions": list(r.regions), "first_units": r.first_units, "first_price": str(r.first_price),
                   "additional_units": r.additional_units, "additional_price": str(r.additional_price)}
                  for r in template.rules.all()],
    }


def _active_conflict(method: str) -> Conflict:
    label = DeliveryMethod(method).label
    return Conflict(_("Another %(method)s template is active; deactivate it first.") % {"method": label},
                    code="active_template_exists",
                    fields={"is_active": [_("Only one template per delivery method can be active.")]})


def _save(template: FreightTemplate, values: dict, *, update_fields: list[str] | None) -> None:
    if template.is_active and FreightTemplate.objects.filter(method=template.method, is_active=True).exclude(
            pk=template.pk).exists():
        raise _active_conflict(template.method)
    try:
        with transaction.atomic():
            template.save(update_fields=update_fields)
    except IntegrityError as exc:  # a concurrent request activated another one first
        raise _active_conflict(template.method) from exc
    if "rules" in values:
        template.rules.all().delete()
        FreightRegionRule.objects.bulk_create(
            FreightRegionRule(template=template, sort=index, **rule) for index, rule in enumerate(values["rules"])
        )
        # Drop the prefetched/cached rules so callers read what was just written.
        template._prefetched_objects_cache = {}


@transaction.atomic
def template_create(*, data: dict, actor=None, shop_id: int | None = None, ip: str | None = None) -> FreightTemplate:
    """Add a template with its region rules. `is_active` defaults to true: 409
    active_template_exists when the method already has an active one."""
    values = _clean(data, current=None)
    template = FreightTemplate(**{k: v for k, v in values.items() if k != "rules"})
    _save(template, values, update_fields=None)
    audit_record(actor=actor, action="freight.template_create", target_type="freight_template",
                 target_id=template.pk, shop_id=shop_id, after=snapshot(template), ip=ip)
    return template


@transaction.atomic
def template_update(*, template_id: int, data: dict, actor=None, shop_id: int | None = None,
                    ip: str | None = None) -> FreightTemplate:
    """Change the fields given; `rules`, when given, replaces all the template's rules."""
    template = FreightTemplate.objects.select_for_update().filter(pk=_id(template_id)).first()
    if template is None:
        raise NotFound(_("No such freight template."))
    before = snapshot(template)
    values = _clean(data, current=template)
    fields = [k for k in values if k != "rules"]
    for key in fields:
        setattr(template, key, values[key])
    _save(template, values, update_fields=[*fields, "updated_at"])
    after = snapshot(template)
    keys = [k for k in after if before[k] != after[k]]
    if keys:
        audit_record(actor=actor, action="freight.template_update", target_type="freight_template",
                     target_id=template.pk, shop_id=shop_id, before={k: before[k] for k in keys},
                     after={k: after[k] for k in keys}, ip=ip)
    return template


@transaction.atomic
def template_delete(*, template_id: int, actor=None, shop_id: int | None = None, ip: str | None = None) -> None:
    """Delete a template and its rules. Orders keep the freight they were charged."""
    template = FreightTemplate.objects.select_for_update().filter(pk=_id(template_id)).first()
    if template is None:
        raise NotFound(_("No such freight template."))
    before, pk = snapshot(template), template.pk
    template.delete()
    audit_record(actor=actor, action="freight.template_delete", target_type="freight_template",
                 target_id=pk, shop_id=shop_id, before=before, ip=ip)


def _id(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**31 else 0
