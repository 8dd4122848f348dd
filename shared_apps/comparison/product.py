"""The mall product page's read model (商品比价页): one comparison group, every active shop's offer
of it with shipping to the shopper's region, sorted by what the shopper pays in all.

Reads: the group, its offers (two queries whatever the group's size), the shops' freight through
`shipping` (cached; see there) and the outside reference prices.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from backend.api.errors import NotFound, field_error
from backend.lib import hosts, regions
from shared_apps.offers.models import StockState

from . import selectors, shipping
from .selectors import GroupInfo, GroupOffer


@dataclass(frozen=True)
class OfferRow:
    offer: GroupOffer
    delivery: shipping.OfferDelivery
    shop_url: str  # the offer's product page in its shop

    @property
    def shipping(self) -> Decimal | None:
        """The cheapest delivery's fee to the region; None when not known or not delivered."""
        cheapest = self.delivery.cheapest
        return cheapest.amount if cheapest else None

    @property
    def stock_label(self) -> str:
        return str(dict(StockState.choices).get(self.offer.stock_state, self.offer.stock_state))

    @property
    def total(self) -> Decimal | None:
        """Price + cheapest shipping; None when shipping is not known."""
        return self.offer.price + self.shipping if self.shipping is not None else None


@dataclass(frozen=True)
class ProductView:
    group: GroupInfo
    region: str  # the district shipping is priced to; "" when none is chosen
    rows: list[OfferRow]
    references: list[selectors.ReferencePrice]

    @property
    def lowest_price(self) -> Decimal | None:
        prices = [r.offer.price for r in self.rows if r.offer.in_stock]
        return min(prices) if prices else None

    @property
    def shop_count(self) -> int:
        return len({r.offer.shop_id for r in self.rows})

    @property
    def spec_summary(self) -> list[tuple[str, str]]:
        """The offers' SKU spec as (name, values most common first), e.g. ("颜色", "雅川青 / 白沙银")."""
        found: dict[str, Counter] = {}
        for row in self.rows:
            for key, value in row.offer.spec.items():
                if str(value).strip():
                    found.setdefault(str(key), Counter())[str(value).strip()] += 1
        return [(key, " / ".join(v for v, _n in values.most_common(8))) for key, values in found.items()]


def region_checked(value) -> str:
    """A shopper-given region: "" (none), else a GB/T 2260 district code, else 400 on `region`."""
    code = value.strip() if isinstance(value, str) else ""
    if code and not regions.is_valid(code, "district"):
        raise field_error("region", _("Choose a district (a 6-digit GB/T 2260 district code)."))
    return code


def default_region(user) -> str:
    """The signed-in shopper's default address's district, else ""."""
    if not (user and user.is_authenticated):
        return ""
    from shared_apps.accounts.interface import address_default

    address = address_default(user_id=user.pk)
    return address.district_code if address else ""


def _sort_key(row: OfferRow, priced: bool):
    # In stock first; with a region, offers that reach it before pickup-only ones before those
    # that cannot be priced or reached; then by total cost (price alone without a region).
    if not priced or row.delivery.deliverable:
        reach = 0
    elif row.delivery.pickup:
        reach = 1
    else:
        reach = 2
    return (not row.offer.in_stock, reach, row.total if row.total is not None else row.offer.price,
            row.offer.shop_id, row.offer.sku_id)


def product_view(group_id: int, *, region: str = "") -> ProductView:
    """The product page of a group, shipping priced to `region` (a checked district code, or ""
    for none). A group with no offer of an active shop is a 404: its title came from a shop's
    offer that shoppers must not see."""
    group = selectors.group_get(group_id)
    offers = selectors.group_offers_list(group_id) if group else []
    if not offers:
        raise NotFound(_("No such product."))
    found = shipping.deliveries(offers, region=region or None)
    rows = [OfferRow(offer=o, delivery=found[o.offer_id],
                     shop_url=hosts.shop_url(o.shop_subdomain, f"/products/{o.product_id}/")) for o in offers]
    rows.sort(key=lambda r: _sort_key(r, bool(region)))
    return ProductView(group=group, region=region, rows=rows, references=selectors.reference_prices(group_id))
