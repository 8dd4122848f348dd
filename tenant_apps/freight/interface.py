"""What checkout asks a shop about delivery: which methods reach an address and what they cost,
and where goods can be picked up. Called inside the shop's schema; takes and returns plain data.

Rules (see pricing.py for the arithmetic):
- A method is offered when the shop has an active template for it whose rules do not exclude the
  address. A shop without any active template offers only pickup (and pickup only when it has an
  active location marked "does pickup").
- Same-city delivery reaches only addresses in a city where the shop has an active location
  (warehouse or store); the location's city is that of its district code when it has a valid
  one, else its city code.
- The free-shipping threshold is compared with the goods amount **before discounts**: the sum of
  `FreightItem.amount` (line amount = unit price × quantity, before any coupon or promotion), so
  a coupon never makes a buyer lose free shipping.
- `FreightItem.weight_grams` is the weight of **one unit** (the SKU's weight, else its product's);
  a line weighs quantity × weight_grams.
- Pickup costs nothing (free_reason "pickup").

Query counts do not depend on the number of items or rules: `quote` and `methods_for` read the
templates with their rules in two queries, plus one for the locations when same-city is priced;
`items_for` reads the weights in one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from backend.api.errors import ServiceError, field_error
from backend.lib import regions
from backend.lib.money import to_fen

from . import selectors
from .models import PICKUP, DeliveryMethod
from .pricing import FREE_PICKUP
from .services import amount as _amount
from .services import whole_number

METHODS = [m.value for m in DeliveryMethod] + [PICKUP]
MAX_ITEMS = 500


@dataclass(frozen=True)
class FreightItem:
    sku_id: int
    quantity: int
    weight_grams: int  # of one unit
    amount: Decimal  # the line's goods amount before discounts


@dataclass(frozen=True)
class FreightQuote:
    method: str  # express, expedited, same_city, pickup
    amount: Decimal
    free_reason: str  # "" or why it is free: "threshold", "rule" (priced at 0), "pickup"


@dataclass(frozen=True)
class PickupLocation:
    id: int
    name: str
    address: str  # region names and street, one line
    opening_hours: str
    phone: str
    city_code: str
    district_code: str


def not_deliverable(message: str, field: str) -> ServiceError:
    return ServiceError(message, code="not_deliverable", status_code=422, fields={field: [message]})


def _check_items(items) -> tuple[list[tuple[int, int]], Decimal]:
    """(quantity, unit weight) per line and the goods amount; bad input → 400 naming the field."""
    if not isinstance(items, list | tuple) or not items:
        raise field_error("items", _("Give at least one item."))
    if len(items) > MAX_ITEMS:
        raise field_error("items", _("At most %(n)d items.") % {"n": MAX_ITEMS})
    lines, goods = [], Decimal("0.00")
    for index, item in enumerate(items):
        prefix = f"items[{index}]."
        if not isinstance(item, FreightItem):
            raise field_error(f"items[{index}]", _("Not a freight item."))
        quantity = whole_number(item.quantity, prefix + "quantity")
        weight = whole_number(item.weight_grams, prefix + "weight_grams", minimum=0)
        goods += _amount(item.amount, prefix + "amount")
        lines.append((quantity, weight))
    return lines, goods


def _district(region_code) -> str:
    code = region_code.strip() if isinstance(region_code, str) else ""
    if not regions.is_valid(code, "district"):
        raise field_error("region_code", _("Choose a district (a 6-digit GB/T 2260 district code)."))
    return code


def _location_city(location) -> str:
    if location.district_code and regions.is_valid(location.district_code, "district"):
        return regions.path(location.district_code)[1]
    return location.city_code


def _shop_cities() -> set[str]:
    from tenant_apps.inventory.selectors import locations

    return {_location_city(loc) for loc in locations().filter(is_active=True) if _location_city(loc)}


def _price(template, district: str, lines, goods: Decimal, cities: set[str] | None) -> FreightQuote | None:
    if template.method == DeliveryMethod.SAME_CITY and regions.path(district)[1] not in (cities or set()):
        return None
    priced = selectors.plan(template).price(district_code=district, lines=lines, goods_amount=goods)
    if priced is None:
        return None
    return FreightQuote(method=template.method, amount=to_fen(priced[0]), free_reason=priced[1])


def methods_for(*, region_code: str, items: list[FreightItem]) -> list[FreightQuote]:
    """The priced methods that reach `region_code` (a district code), in the order express,
    expedited, same-city; [] when none does. Pickup is not listed: see `pickup_locations`."""
    district = _district(region_code)
    lines, goods = _check_items(items)
    templates = selectors.active_templates()
    cities = _shop_cities() if any(t.method == DeliveryMethod.SAME_CITY for t in templates) else None
    order = {m: i for i, m in enumerate(METHODS)}
    quotes = [q for t in templates if (q := _price(t, district, lines, goods, cities)) is not None]
    return sorted(quotes, key=lambda q: order[q.method])


def pickup_locations() -> list[PickupLocation]:
    """The shop's active locations that do pickup, in the shop's allocation order."""
    from tenant_apps.inventory.selectors import locations

    rows = locations().filter(is_active=True, does_pickup=True)
    return [
        PickupLocation(
            id=loc.pk, name=loc.name, opening_hours=loc.opening_hours, phone=loc.phone,
            address=(regions.full_text(loc.province_code, loc.city_code, loc.district_code)
                     if regions.is_valid(loc.district_code, "district") else "") + loc.address_detail,
            city_code=_location_city(loc), district_code=loc.district_code,
        )
        for loc in rows
    ]


def quote(*, method: str, region_code: str, items: list[FreightItem]) -> FreightQuote:
    """The price of one method to one district. 422 not_deliverable when the shop has no active
    template for the method, the region is excluded, or same-city does not reach it; "pickup"
    costs 0 when the shop has a pickup location (the region is not looked at)."""
    if method not in METHODS:
        raise field_error("method", _("Choose one of: %(choices)s.") % {"choices": ", ".join(METHODS)})
    if method == PICKUP:
        _check_items(items)
        if not pickup_locations():
            raise not_deliverable(_("This shop has no pickup location."), "method")
        return FreightQuote(method=PICKUP, amount=Decimal("0.00"), free_reason=FREE_PICKUP)
    district = _district(region_code)
    lines, goods = _check_items(items)
    label = DeliveryMethod(method).label
    template = next((t for t in selectors.active_templates() if t.method == method), None)
    if template is None:
        raise not_deliverable(_("This shop does not offer %(method)s.") % {"method": label}, "method")
    cities = _shop_cities() if method == DeliveryMethod.SAME_CITY else None
    result = _price(template, district, lines, goods, cities)
    if result is None:
        raise not_deliverable(_("%(method)s does not reach %(region)s (%(code)s).")
                              % {"method": label, "region": regions.label(district), "code": district},
                              "region_code")
    return result


def items_for(lines: list[tuple[int, int, Decimal]]) -> list[FreightItem]:
    """FreightItems for (sku_id, quantity, amount) lines, the unit weight read from the catalog
    (the SKU's weight, else its product's) in one query. An unknown SKU: 404 naming the line."""
    from tenant_apps.catalog.models import SKU

    if not isinstance(lines, list | tuple) or not lines:
        raise field_error("lines", _("Give at least one line."))
    ids = []
    for index, line in enumerate(lines):
        if not isinstance(line, list | tuple) or len(line) != 3:
            raise field_error(f"lines[{index}]", _("Each line is (sku_id, quantity, amount)."))
        ids.append(whole_number(line[0], f"lines[{index}].sku_id", maximum=2**63 - 1))
    weights = {
        row["pk"]: row["weight_grams"] if row["weight_grams"] is not None else row["product__weight_grams"]
        for row in SKU.objects.filter(pk__in=set(ids)).values("pk", "weight_grams", "product__weight_grams")
    }
    items = []
    for index, (sku_id, line) in enumerate(zip(ids, lines, strict=True)):
        if sku_id not in weights:
            raise ServiceError(_("Unknown SKU %(id)s.") % {"id": sku_id}, code="not_found", status_code=404,
                               fields={f"lines[{index}].sku_id": [_("Unknown SKU.")]})
        items.append(FreightItem(sku_id=sku_id, quantity=line[1], weight_grams=weights[sku_id] or 0, amount=line[2]))
    return items
