"""Reads of collected data: the mall product page's reference prices, the operators' lists, and
the query statistics (查询统计单元) and analysis (数据分析单元) units.

`reference_offers` is for any page (shoppers see the reference price lines of a product, never
the raw data); everything else is for operators allowed to see collected data (`access`), which
the views and the API check before calling.

Dates are Asia/Shanghai days, both ends included. Statistics count what was collected in the
period: an offer counts once per source, category or day it was collected in, however many times.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from backend.lib.money import to_fen

from .models import CollectedDataGrant, ExternalOffer, ExternalPrice, ImportRun, Source

REFERENCE_LIMIT = 20
# Within this percentage of the reference median the mall's lowest price counts as the same.
SAME_WITHIN_PERCENT = Decimal("1.0")
SEARCH_MAX = 100


# --- the mall product page -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceOffer:
    """An outside price of the product, shown on its mall page as reference, not sold here."""

    source_name: str
    title: str
    price: Decimal
    sales_count: int | None
    seller: str
    url: str
    collected_at: datetime


def reference_offers(group_id: int) -> list[ReferenceOffer]:
    """The outside prices of a comparison group's product, cheapest first (at most
    REFERENCE_LIMIT). One query; plain data, no ORM rows."""
    rows = (ExternalOffer.objects.filter(group_id=group_id).order_by("price", "-collected_at", "pk")
            .values_list("source__name", "title", "price", "sales_count", "seller", "url", "collected_at")
            [:REFERENCE_LIMIT])
    return [ReferenceOffer(*row) for row in rows]


# --- operators' lists ----------------------------------------------------------------------------


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """[start, end) of the days from `since` to `until` (Asia/Shanghai, both included)."""
    start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min)) if until else None
    return start, end


def _in_period(field: str, since: date | None, until: date | None) -> Q:
    start, end = day_bounds(since, until)
    query = Q()
    if start:
        query &= Q(**{f"{field}__gte": start})
    if end:
        query &= Q(**{f"{field}__lt": end})
    return query


def offer_search(*, source_id: int | None = None, category_id: int | None = None, since: date | None = None,
                 until: date | None = None, q: str = "", matched: bool | None = None) -> QuerySet[ExternalOffer]:
    """Collected offers, newest collection first, filtered by source, platform category, the day
    of their latest collection and a text (title, brand, model, seller, external id or GTIN)."""
    rows = ExternalOffer.objects.select_related("source", "category", "group").filter(
        _in_period("collected_at", since, until))
    if source_id:
        rows = rows.filter(source_id=source_id)
    if category_id:
        rows = rows.filter(category_id=category_id)
    if matched is not None:
        rows = rows.filter(group__isnull=not matched)
    text = " ".join(str(q or "").split())[:SEARCH_MAX]
    if text:
        rows = rows.filter(Q(title__icontains=text) | Q(brand__icontains=text) | Q(model__icontains=text)
                           | Q(seller__icontains=text) | Q(external_id=text) | Q(gtin=text.zfill(14)))
    return rows.order_by("-collected_at", "-pk")


def offer_detail(offer_id: int) -> ExternalOffer | None:
    return ExternalOffer.objects.select_related("source", "category", "group", "last_run").filter(
        pk=offer_id).first()


def price_history(offer_id: int, *, limit: int = 200) -> list[ExternalPrice]:
    return list(ExternalPrice.objects.filter(offer_id=offer_id).order_by("-collected_at", "-pk")[:limit])


def sources_with_counts() -> QuerySet[Source]:
    return Source.objects.annotate(offer_count=Count("offers", distinct=True),
                                   import_count=Count("imports", distinct=True)).order_by("name", "pk")


def import_list(*, source_id: int | None = None, state: str = "") -> QuerySet[ImportRun]:
    rows = ImportRun.objects.select_related("source", "created_by")
    if source_id:
        rows = rows.filter(source_id=source_id)
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at", "-pk")


def grant_list() -> QuerySet[CollectedDataGrant]:
    """Grants in force first, then the revoked ones, newest first."""
    return CollectedDataGrant.objects.select_related("user", "granted_by", "revoked_by").order_by(
        F("revoked_at").desc(nulls_first=True), "-granted_at", "-pk")


def grant_candidates():
    """Operators who could be given access: active, not administrators, no grant in force."""
    from django.contrib.auth import get_user_model

    from .access import ADMINS

    holding = CollectedDataGrant.objects.filter(revoked_at__isnull=True).values("user_id")
    return (get_user_model().objects.filter(is_active=True).exclude(operator_role="")
            .exclude(operator_role__in=ADMINS).exclude(pk__in=holding).order_by("display_name", "pk"))


# --- query statistics (查询统计) -----------------------------------------------------------------


@dataclass(frozen=True)
class SourceCount:
    source_id: int
    name: str
    offers: int
    matched: int
    observations: int  # prices collected (an offer collected on three days: three)
    last_collected_at: datetime | None


@dataclass(frozen=True)
class CategoryCount:
    category_id: int | None
    name: str  # empty: offers without a platform category
    offers: int


@dataclass(frozen=True)
class DayCount:
    day: date
    offers: int
    observations: int


@dataclass(frozen=True)
class CollectionStats:
    offers: int
    matched: int
    observations: int
    by_source: list[SourceCount]
    by_category: list[CategoryCount]
    by_day: list[DayCount]


def collection_stats(*, since: date | None = None, until: date | None = None, source_id: int | None = None,
                     category_id: int | None = None) -> CollectionStats:
    """What was collected in the period: offers and prices by source, platform category and day.
    Four queries."""
    prices = ExternalPrice.objects.filter(_in_period("collected_at", since, until))
    if source_id:
        prices = prices.filter(offer__source_id=source_id)
    if category_id:
        prices = prices.filter(offer__category_id=category_id)
    matched = Count("offer_id", distinct=True, filter=Q(offer__group__isnull=False))
    totals = prices.aggregate(offers=Count("offer_id", distinct=True), matched=matched, observations=Count("pk"))
    by_source = [SourceCount(row["offer__source_id"], row["offer__source__name"], row["offers"], row["matched"],
                             row["observations"], row["last"])
                 for row in prices.values("offer__source_id", "offer__source__name").annotate(
                     offers=Count("offer_id", distinct=True), matched=matched, observations=Count("pk"),
                     last=Max("collected_at")).order_by("-offers", "offer__source__name")]
    by_category = [CategoryCount(row["offer__category_id"], row["offer__category__name"] or "", row["offers"])
                   for row in prices.values("offer__category_id", "offer__category__name").annotate(
                       offers=Count("offer_id", distinct=True)).order_by("-offers", "offer__category__name")]
    by_day = [DayCount(row["day"], row["offers"], row["observations"])
              for row in prices.annotate(day=TruncDate("collected_at")).values("day").annotate(
                  offers=Count("offer_id", distinct=True), observations=Count("pk")).order_by("day")]
    return CollectionStats(totals["offers"], totals["matched"], totals["observations"], by_source, by_category,
                           by_day)


# --- analysis (数据分析): the mall's prices against outside prices ------------------------------


class Position:
    CHEAPER = "cheaper"
    SAME = "same"
    DEARER = "dearer"


@dataclass(frozen=True)
class GroupPosition:
    group_id: int
    title: str
    category_id: int | None
    category_name: str
    mall_lowest: Decimal
    mall_offers: int
    reference_median: Decimal
    reference_lowest: Decimal
    reference_offers: int
    difference_percent: Decimal  # (mall lowest − reference median) / reference median, in %, one decimal
    position: str  # cheaper | same | dearer


@dataclass(frozen=True)
class CategoryPosition:
    category_id: int | None
    name: str
    groups: int
    cheaper: int
    same: int
    dearer: int
    average_difference_percent: Decimal


@dataclass(frozen=True)
class PositionReport:
    groups: list[GroupPosition]
    categories: list[CategoryPosition]
    cheaper: int
    same: int
    dearer: int
    without_mall_offer: int  # groups with outside prices but no mall offer in stock


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def position_of(difference: Decimal) -> str:
    if difference < -SAME_WITHIN_PERCENT:
        return Position.CHEAPER
    if difference > SAME_WITHIN_PERCENT:
        return Position.DEARER
    return Position.SAME


def _mall_lowest(group_ids: list[int]) -> dict[int, tuple[Decimal, int]]:
    """{group: (lowest price, offers)} over the in-stock offers of active shops. One query."""
    if not group_ids:
        return {}
    from shared_apps.comparison.models import GroupMember
    from shared_apps.offers.models import OfferPrice, StockState
    from tenants.models import Shop, ShopStatus

    sql = f"""
        SELECT m.group_id, MIN(p.price), COUNT(*)
        FROM {GroupMember._meta.db_table} m
        JOIN {OfferPrice._meta.db_table} p ON p.shop_id = m.shop_id AND p.sku_id = m.sku_id
        JOIN {Shop._meta.db_table} s ON s.id = m.shop_id
        WHERE m.group_id = ANY(%s) AND s.status = %s AND p.stock_state <> %s
        GROUP BY m.group_id"""  # table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [group_ids, ShopStatus.ACTIVE, StockState.OUT])
        return {group_id: (low, count) for group_id, low, count in cursor.fetchall()}


def price_position(*, since: date | None = None, until: date | None = None, source_id: int | None = None,
                   category_id: int | None = None) -> PositionReport:
    """The mall's lowest price of each comparison group against the median of the outside
    prices linked to it: cheaper, the same (within SAME_WITHIN_PERCENT) or dearer, and by how
    many per cent; summed up per platform category.

    An outside offer counts with its latest price collected in the period (so a period in the
    past compares with the prices of then); the mall's side is today's lowest price over the
    in-stock offers of active shops. Four queries whatever the number of groups.
    """
    from shared_apps.comparison.models import ComparisonGroup
    from shared_apps.taxonomy.models import Category

    latest = ExternalPrice.objects.filter(_in_period("collected_at", since, until), offer__group__isnull=False)
    if source_id:
        latest = latest.filter(offer__source_id=source_id)
    if category_id:
        latest = latest.filter(offer__group__category_id=category_id)
    prices: dict[int, list[Decimal]] = defaultdict(list)
    for group_id, price in latest.order_by("offer_id", "-collected_at", "-pk").distinct("offer_id").values_list(
            "offer__group_id", "price"):
        prices[group_id].append(price)
    mall = _mall_lowest(sorted(prices))
    groups = {g.pk: g for g in ComparisonGroup.objects.filter(pk__in=list(mall)).only("pk", "title", "category_id")}
    names = dict(Category.objects.filter(pk__in={g.category_id for g in groups.values()}).values_list("pk", "name"))
    rows: list[GroupPosition] = []
    for group_id, (low, count) in mall.items():
        group = groups.get(group_id)
        if group is None:
            continue
        reference = prices[group_id]
        median = to_fen(statistics.median(reference))
        difference = _percent(low - median, median)
        rows.append(GroupPosition(
            group_id=group_id, title=group.title, category_id=group.category_id,
            category_name=names.get(group.category_id, ""), mall_lowest=low, mall_offers=count,
            reference_median=median, reference_lowest=min(reference), reference_offers=len(reference),
            difference_percent=difference, position=position_of(difference)))
    rows.sort(key=lambda r: (-r.difference_percent, r.group_id))
    by_category: dict[int | None, list[GroupPosition]] = defaultdict(list)
    for row in rows:
        by_category[row.category_id].append(row)
    categories = [
        CategoryPosition(
            category_id=cid, name=members[0].category_name, groups=len(members),
            cheaper=sum(r.position == Position.CHEAPER for r in members),
            same=sum(r.position == Position.SAME for r in members),
            dearer=sum(r.position == Position.DEARER for r in members),
            average_difference_percent=(sum(r.difference_percent for r in members) / len(members)).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP))
        for cid, members in by_category.items()]
    categories.sort(key=lambda c: (-c.groups, c.name))
    return PositionReport(
        groups=rows, categories=categories, cheaper=sum(r.position == Position.CHEAPER for r in rows),
        same=sum(r.position == Position.SAME for r in rows), dearer=sum(r.position == Position.DEARER for r in rows),
        without_mall_offer=len(prices) - len(rows))
