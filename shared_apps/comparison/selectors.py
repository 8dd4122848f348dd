"""Reads of comparison groups for the mall's pages: plain data, a fixed number of queries.

Offers of shops that are not active (suspended, closed) stay in their groups, so they are back in
place the moment the shop is reactivated, but every read here leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from backend.lib.gtin import normalize_gtin
from shared_apps.offers.models import OfferPrice, OfferText
from shared_apps.taxonomy.models import StandardProductGtin
from tenants.models import ShopStatus

from .models import ComparisonGroup, GroupMember, PricePoint


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
    shop_rating: Decimal | None = None  # null until the shop has ratings ("no rating yet")
    shop_rating_count: int = 0
    image: str = ""


def info_of(group: ComparisonGroup) -> GroupInfo:
    return GroupInfo(id=group.pk, kind=group.kind, title=group.title, brand=group.brand, model=group.model,
                     category_id=group.category_id, standard_product_id=group.standard_product_id,
                     locked=group.locked)


def groups_for_offer(*, shop_id: int, sku_id: int) -> GroupInfo | None:
    """The group of one shop SKU, or None (not in the index, or not grouped yet). One query."""
    member = GroupMember.objects.select_related("group").filter(shop_id=shop_id, sku_id=sku_id).first()
    return info_of(member.group) if member else None


def group_get(group_id: int) -> GroupInfo | None:
    group = ComparisonGroup.objects.filter(pk=group_id).first()
    return info_of(group) if group else None


def group_offers_list(group_id: int) -> list[GroupOffer]:
    """Every active shop's offers of a group with price and stock, cheapest first (in-stock
    before out of stock). Two queries whatever the group's size."""
    return groups_offers([group_id]).get(group_id, [])


def groups_offers(group_ids) -> dict[int, list[GroupOffer]]:
    """`group_offers_list` for several groups at once: still two queries."""
    texts = list(GroupMember.objects.filter(group_id__in=list(group_ids), offer__shop__status=ShopStatus.ACTIVE)
                 .values("group_id", "offer_id", "shop_id", "sku_id", product_id=F("offer__product_id"),
                         title=F("offer__title"), spec=F("offer__spec"), image=F("offer__image"),
                         shop_name=F("offer__shop__name"), shop_subdomain=F("offer__shop__subdomain"),
                         shop_rating=F("offer__shop__rating"), shop_rating_count=F("offer__shop__rating_count")))
    if not texts:
        return {}
    prices = {(p["shop_id"], p["sku_id"]): p for p in OfferPrice.objects.filter(
        shop_id__in={t["shop_id"] for t in texts}, sku_id__in={t["sku_id"] for t in texts}).values(
        "shop_id", "sku_id", "price", "member_price", "stock_state", "sales_count")}
    offers: dict[int, list[GroupOffer]] = {}
    for text in texts:
        price = prices.get((text["shop_id"], text["sku_id"]))
        if price is None:
            continue
        offers.setdefault(text["group_id"], []).append(GroupOffer(
            offer_id=text["offer_id"], shop_id=text["shop_id"], shop_name=text["shop_name"],
            shop_subdomain=text["shop_subdomain"], product_id=text["product_id"], sku_id=text["sku_id"],
            title=text["title"], spec=text["spec"] or {}, price=price["price"], member_price=price["member_price"],
            stock_state=price["stock_state"], in_stock=price["stock_state"] != "out",
            sales_count=price["sales_count"], shop_rating=text["shop_rating"],
            shop_rating_count=text["shop_rating_count"], image=text["image"]))
    return {group_id: sorted(rows, key=lambda o: (not o.in_stock, o.price, o.shop_id, o.sku_id))
            for group_id, rows in offers.items()}


def groups_for_offers(offer_ids) -> dict[int, int]:
    """Offer id → comparison group id for these offers of the index (ungrouped ones left out), for
    search results to link to the mall product page. One query."""
    ids = [int(i) for i in offer_ids]
    if not ids:
        return {}
    return dict(GroupMember.objects.filter(offer_id__in=ids).values_list("offer_id", "group_id"))


def product_path(group_id: int) -> str:
    """The mall product page's path (for links made outside a mall request: mail, tasks)."""
    return reverse("comparison:product", args=[group_id], urlconf=settings.PUBLIC_SCHEMA_URLCONF)


# The groups' current lowest in-stock price and offer count, active shops only. `{where}` limits
# the groups; one pass over their members, prices and shops. Shared with `history`.
CURRENT = """
    SELECT g.id AS group_id,
           min(p.price) FILTER (WHERE s.status = 'active' AND p.stock_state <> 'out') AS lowest,
           count(p.id) FILTER (WHERE s.status = 'active') AS offers
      FROM comparison_comparisongroup g
      LEFT JOIN comparison_groupmember m ON m.group_id = g.id
      LEFT JOIN offers_offerprice p ON p.shop_id = m.shop_id AND p.sku_id = m.sku_id
      LEFT JOIN tenants_shop s ON s.id = m.shop_id
     {where}
     GROUP BY g.id
"""


def lowest_prices(group_ids) -> dict[int, tuple[Decimal | None, int]]:
    """Group id → (lowest in-stock price of an active shop or None, offers of active shops). One
    query."""
    ids = sorted({int(g) for g in group_ids})
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(CURRENT.format(where="WHERE g.id = ANY(%s)"), [ids])
        return {group_id: (lowest, offers) for group_id, lowest, offers in cursor.fetchall()}


def visible_groups(group_ids) -> set[int]:
    """Those of these groups shoppers may see (see `group_visible`). One query."""
    return set(GroupMember.objects.filter(group_id__in=list(group_ids), offer__shop__status=ShopStatus.ACTIVE)
               .values_list("group_id", flat=True).distinct())


def group_visible(group_id: int) -> bool:
    """Whether shoppers may see the group: it holds an offer of an active shop (else its title,
    taken from some shop's offer, must not show either). One query."""
    return GroupMember.objects.filter(group_id=group_id, offer__shop__status=ShopStatus.ACTIVE).exists()


# --- price history -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PricePointView:
    at: datetime
    kind: str
    lowest_price: Decimal | None
    offer_count: int


def price_history(group_id: int, *, days: int = 90) -> list[PricePointView]:
    """The group's points of the last `days` days, oldest first, with the last point before
    them carried to the start (so the chart begins at the price that held then). Two queries."""
    since = timezone.now() - timedelta(days=days)
    fields = ("at", "kind", "lowest_price", "offer_count")
    points = PricePoint.objects.filter(group_id=group_id)
    before = points.filter(at__lt=since).order_by("-at", "-id").values(*fields).first()
    rows = list(points.filter(at__gte=since).order_by("at", "id").values(*fields))
    if before is not None:
        rows.insert(0, {**before, "at": since})
    return [PricePointView(**row) for row in rows]


# --- outside reference prices ------------------------------------------------------------------


@dataclass(frozen=True)
class ReferencePrice:
    """A price seen outside the mall (collected data, S4): shown as a reference, not sold here."""

    source: str
    title: str
    price: Decimal | None
    sales_count: int | None
    seller: str
    url: str
    collected_at: datetime | None


def reference_prices(group_id: int) -> list[ReferencePrice]:
    """The outside reference offers matched to the group, from the data collection app (S4),
    cheapest first. One query."""
    from shared_apps.collection.selectors import reference_offers

    return [ReferencePrice(source=ref.source_name, title=ref.title, price=ref.price, sales_count=ref.sales_count,
                           seller=ref.seller, url=_web_url(ref.url), collected_at=ref.collected_at)
            for ref in reference_offers(group_id)]


def _web_url(url: str) -> str:
    """An outside link as collected, if it is an http(s) one ("" else: never javascript: and the like)."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else ""


# --- operator console --------------------------------------------------------------------------


def groups_search(*, q: str = "", kind: str = "", locked: bool | None = None):
    """Groups for the operators' list, newest first, with their member count: `q` matches the
    title, brand or model (contains, any case) or, when it reads as a GTIN, a member offer's GTIN
    or the bound standard product's. A queryset (two queries a page: rows and count)."""
    rows = ComparisonGroup.objects.annotate(member_count=Count("members")).order_by("-id")
    if kind:
        rows = rows.filter(kind=kind)
    if locked is not None:
        rows = rows.filter(locked=locked)
    q = q.strip()
    if q:
        text = Q(title__icontains=q) | Q(brand__icontains=q) | Q(model__icontains=q)
        # The group's own title, or any member offer's (a brand spelled in the other language).
        match = text | Exists(GroupMember.objects.filter(group=OuterRef("pk"), offer__in=OfferText.objects.filter(
            Q(title__icontains=q) | Q(brand__icontains=q) | Q(model__icontains=q))))
        try:
            gtin = normalize_gtin(q)
        except ValidationError:
            gtin = ""
        if gtin:
            # Offers keep the GTIN as the shop wrote it: EAN-13, UPC-A or GTIN-14 of one item.
            forms = {gtin[-n:] for n in (8, 12, 13, 14) if not gtin[:-n].strip("0")}
            match |= Exists(GroupMember.objects.filter(
                group=OuterRef("pk"), offer__in=OfferText.objects.filter(gtin__in=forms)))
            match |= Q(standard_product_id__in=StandardProductGtin.objects.filter(gtin=gtin, live=True)
                       .values("product_id"))
        rows = rows.filter(match)
    return rows


@dataclass(frozen=True)
class MemberView:
    offer_id: int
    shop_id: int
    shop_name: str
    shop_status: str
    product_id: int
    sku_id: int
    title: str
    brand: str
    model: str
    gtin: str
    spec: dict
    price: Decimal | None
    stock_state: str


def group_members(group_id: int) -> list[MemberView]:
    """Every member of a group for the operators, suspended shops' too (marked). Two queries."""
    texts = list(GroupMember.objects.filter(group_id=group_id).order_by("offer_id").values(
        "offer_id", "shop_id", "sku_id", product_id=F("offer__product_id"), title=F("offer__title"),
        brand=F("offer__brand"), model=F("offer__model"), gtin=F("offer__gtin"), spec=F("offer__spec"),
        shop_name=F("offer__shop__name"), shop_status=F("offer__shop__status")))
    prices = {(p["shop_id"], p["sku_id"]): p for p in OfferPrice.objects.filter(
        shop_id__in={t["shop_id"] for t in texts}, sku_id__in={t["sku_id"] for t in texts}).values(
        "shop_id", "sku_id", "price", "stock_state")} if texts else {}
    return [MemberView(**{**t, "spec": t["spec"] or {}},
                       price=prices.get((t["shop_id"], t["sku_id"]), {}).get("price"),
                       stock_state=prices.get((t["shop_id"], t["sku_id"]), {}).get("stock_state", ""))
            for t in texts]
