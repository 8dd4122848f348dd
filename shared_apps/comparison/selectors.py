"""Reads of comparison groups for the mall's pages: plain data, a fixed number of queries.

Offers of shops that are not active (suspended, closed) stay in their groups, so they are back in
place the moment the shop is reactivated, but every read here leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

from shared_apps.offers.models import OfferPrice
from tenants.models import ShopStatus

from .models import ComparisonGroup, GroupMember


@dataclass(frozen=True)
class GroupInfo:
    id: int
    kind: str
    title: str
    brand: str
    model: str
    category_id: int | None
    standard_product_id: int | None
    locked: bool


@dataclass(frozen=True)
class GroupOffer:
    offer_id: int
    shop_id: int
    shop_name: str
    shop_subdomain: str
    product_id: int
    sku_id: int
    title: str
    spec: dict
    price: Decimal
    member_price: Decimal | None
    stock_state: str
    in_stock: bool
    sales_count: int


def _info(group: ComparisonGroup) -> GroupInfo:
    return GroupInfo(id=group.pk, kind=group.kind, title=group.title, brand=group.brand, model=group.model,
                     category_id=group.category_id, standard_product_id=group.standard_product_id,
                     locked=group.locked)


def groups_for_offer(*, shop_id: int, sku_id: int) -> GroupInfo | None:
    """The group of one shop SKU, or None (not in the index, or not grouped yet). One query."""
    member = GroupMember.objects.select_related("group").filter(shop_id=shop_id, sku_id=sku_id).first()
    return _info(member.group) if member else None


def group_get(group_id: int) -> GroupInfo | None:
    group = ComparisonGroup.objects.filter(pk=group_id).first()
    return _info(group) if group else None


def group_offers_list(group_id: int) -> list[GroupOffer]:
    """Every active shop's offers of a group with price and stock, cheapest first (in-stock
    before out of stock). Two queries whatever the group's size."""
    texts = list(GroupMember.objects.filter(group_id=group_id, offer__shop__status=ShopStatus.ACTIVE).values(
        "offer_id", "shop_id", "sku_id", product_id=F("offer__product_id"), title=F("offer__title"),
        spec=F("offer__spec"), shop_name=F("offer__shop__name"), shop_subdomain=F("offer__shop__subdomain")))
    if not texts:
        return []
    prices = {(p["shop_id"], p["sku_id"]): p for p in OfferPrice.objects.filter(
        shop_id__in={t["shop_id"] for t in texts}, sku_id__in={t["sku_id"] for t in texts}).values(
        "shop_id", "sku_id", "price", "member_price", "stock_state", "sales_count")}
    offers = []
    for text in texts:
        price = prices.get((text["shop_id"], text["sku_id"]))
        if price is None:
            continue
        offers.append(GroupOffer(
            offer_id=text["offer_id"], shop_id=text["shop_id"], shop_name=text["shop_name"],
            shop_subdomain=text["shop_subdomain"], product_id=text["product_id"], sku_id=text["sku_id"],
            title=text["title"], spec=text["spec"] or {}, price=price["price"], member_price=price["member_price"],
            stock_state=price["stock_state"], in_stock=price["stock_state"] != "out",
            sales_count=price["sales_count"]))
    return sorted(offers, key=lambda o: (not o.in_stock, o.price, o.shop_id, o.sku_id))
