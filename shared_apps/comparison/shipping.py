"""Shipping to the shopper's region, and pickup, for the offers on a mall product page.

Freight is each shop's own (its templates live in its schema), so a quote must enter the shop's
schema; it is the one place the comparison engine does. Kept bounded:
- answers are cached in Redis for `CACHE_SECONDS`, per shop, SKU, district and price (a price
  change asks again at once; an edited freight template shows within the cache time), and pickup
  places per shop; all keys of a page come back in one round trip;
- on a miss each shop's schema is entered once for all its offers on the page, and only the
  `MAX_QUOTED` offers first in price order are asked at all: the rest of a very large group is
  listed with "shipping at checkout".
A shop whose catalog no longer knows an offer's SKU (the index is seconds behind) gives no quote
for it rather than an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from backend.api.errors import ServiceError
from tenants.models import Shop

from .selectors import GroupOffer

CACHE_SECONDS = 120
MAX_QUOTED = 40
UNPRICED = False  # cached for an offer its shop could not price (so it is not asked again at once)


METHOD_LABELS = {"express": _("Express"), "expedited": _("Expedited"), "same_city": _("Same-city delivery")}


@dataclass(frozen=True)
class DeliveryOption:
    method: str  # express | expedited | same_city
    amount: Decimal
    free_reason: str  # "" | threshold | rule

    @property
    def label(self) -> str:
        return str(METHOD_LABELS.get(self.method, self.method))


@dataclass(frozen=True)
class PickupPlace:
    name: str
    address: str
    city_code: str


@dataclass(frozen=True)
class OfferDelivery:
    """What one offer costs to get. `quoted` False: not asked (no region chosen, past
    MAX_QUOTED, or the shop could not price it); then `options` is empty and means nothing."""

    quoted: bool
    options: tuple[DeliveryOption, ...] = ()  # methods reaching the region, cheapest first
    pickup: tuple[PickupPlace, ...] = ()

    @property
    def cheapest(self) -> DeliveryOption | None:
        return self.options[0] if self.options else None

    @property
    def deliverable(self) -> bool:
        return self.quoted and bool(self.options)


def _quote_key(offer: GroupOffer, region: str) -> str:
    return f"comparison:ship:{offer.shop_id}:{offer.sku_id}:{region}:{offer.price}"


def _pickup_key(shop_id: int) -> str:
    return f"comparison:pickup:{shop_id}"


def _ask_shop(offers: list[GroupOffer], region: str | None, want_pickup: bool):
    """Inside the shop's schema: ({sku_id: options, or UNPRICED}, pickup places or None)."""
    from tenant_apps.freight.interface import FreightItem, items_for, methods_for, pickup_locations

    pickup = None
    if want_pickup:
        pickup = tuple(PickupPlace(name=p.name, address=p.address, city_code=p.city_code)
                       for p in pickup_locations())
    quotes: dict[int, tuple[DeliveryOption, ...] | bool] = {}
    if region and offers:
        try:
            items = items_for([(o.sku_id, 1, o.price) for o in offers])
        except (ServiceError, ValidationError):
            return dict.fromkeys((o.sku_id for o in offers), UNPRICED), pickup
        for item in items:
            found = methods_for(region_code=region, items=[FreightItem(
                sku_id=item.sku_id, quantity=1, weight_grams=item.weight_grams, amount=item.amount)])
            quotes[item.sku_id] = tuple(sorted(
                (DeliveryOption(method=q.method, amount=q.amount, free_reason=q.free_reason) for q in found),
                key=lambda o: o.amount))
    return quotes, pickup


def deliveries(offers: list[GroupOffer], *, region: str | None) -> dict[int, OfferDelivery]:
    """Offer id → its delivery to `region` (a district code, already checked) and pickup, for
    the first MAX_QUOTED offers; the others get an unquoted entry. See the module's rules."""
    asked = offers[:MAX_QUOTED]
    keys = {_pickup_key(o.shop_id) for o in asked}
    if region:
        keys |= {_quote_key(o, region) for o in asked}
    found = cache.get_many(list(keys))
    missing: dict[int, list[GroupOffer]] = {}
    for offer in asked:
        if (region and _quote_key(offer, region) not in found) or _pickup_key(offer.shop_id) not in found:
            missing.setdefault(offer.shop_id, []).append(offer)
    if missing:
        schemas = dict(Shop.objects.filter(pk__in=missing).values_list("pk", "schema_name"))
        fresh: dict[str, object] = {}
        for shop_id, shop_offers in sorted(missing.items()):
            to_quote = [o for o in shop_offers if region and _quote_key(o, region) not in found]
            with schema_context(schemas[shop_id]):
                quotes, pickup = _ask_shop(to_quote, region, _pickup_key(shop_id) not in found)
            if pickup is not None:
                fresh[_pickup_key(shop_id)] = pickup
            for offer in to_quote:
                fresh[_quote_key(offer, region)] = quotes.get(offer.sku_id, UNPRICED)
        cache.set_many(fresh, timeout=CACHE_SECONDS)
        found.update(fresh)
    result = {}
    asked_ids = {o.offer_id for o in asked}
    for offer in offers:
        if offer.offer_id not in asked_ids:
            result[offer.offer_id] = OfferDelivery(quoted=False)
            continue
        options = found.get(_quote_key(offer, region), UNPRICED) if region else UNPRICED
        result[offer.offer_id] = OfferDelivery(quoted=options is not UNPRICED, options=options or (),
                                               pickup=found.get(_pickup_key(offer.shop_id)) or ())
    return result
