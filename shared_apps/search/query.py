"""Searching the mall (S2) over the search documents: words, filters, facets, sorting, pages.

One tsquery carries the shopper's words (the shared tokenizer, synonyms included) and the
category, brand, shop and pickup-city filters as tokens, so PostgreSQL intersects them in the GIN
index; price range, stock and rating are plain column conditions.

What a query costs grows with its matches (any index spends CPU on every matching row), so:
- The total is always exact. Up to `EXACT_LIMIT` (2,000) matches the facet counts are exact too;
  above it they are estimated from a sample of the table (`estimated`: the page says "about"),
  and facet values seen too rarely in the sample to count are left out.
- The total and facets of a broad query (above `EXACT_LIMIT`) are kept for
  `SEARCH_BROAD_STATS_SECONDS` (30 s) in the cache — the popular-query cache; the page of hits is
  always read fresh, so a price change or a delisting shows at once.
- The best sellers among a broad query's matches come from its sales tier (`zqt<k>`, sales of
  at least 10^k, in the words): the query intersected with the highest tier that still holds the
  page, so a page of 手机 (half the mall) reads a few hundred rows, not half a million. Relevance
  on a broad query is by sales (ranking every match would read them all).
No words and no filters: every offer, by sales. A query with no match gets spelling corrections
(did_you_mean) instead of an empty answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext as _

from backend.api.errors import amount_field, field_error

from . import index, text

SORTS = {
    # Title words weigh 1.0 and category words 0.1 (index.py setweight); accessories rank lower.
    "relevance": f"ts_rank(d.tsv, q.query) * CASE WHEN d.tsv @@ '{index.ACCESSORY_TOKEN}'::tsquery THEN 0.5 ELSE 1 END "
                 "DESC, d.sales_count DESC, d.offer_id DESC",
    "price_asc": "d.price ASC NULLS LAST, d.offer_id",
    "price_desc": "d.price DESC, d.offer_id DESC",  # listed offers always have a price
    "sales": "d.sales_count DESC, d.offer_id DESC",
    "rating": "d.rating DESC NULLS LAST, d.sales_count DESC, d.offer_id DESC",
    "newest": "d.listed_at DESC NULLS LAST, d.offer_id DESC",
}
EXACT_LIMIT = 2000
SAMPLE_PERCENT = 2
SAMPLE_MIN_SEEN = 3  # a facet value seen fewer times in the sample is not shown
PER_PAGE_MAX = 60
MAX_PAGE = 100  # deeper than this, narrow the search
FACET_SIZE = 20
RELATED = 8
RATINGS = (Decimal("4.5"), Decimal(4), Decimal(3))
PRICE_RANGES = ((None, 100), (100, 500), (500, 1000), (1000, 3000), (3000, 5000), (5000, None))


@dataclass(frozen=True)
class Hit:
    offer_id: int
    shop_id: int
    product_id: int
    sku_id: int
    title: str
    brand: str
    image: str
    price: Decimal | None
    sales_count: int
    in_stock: bool
    rating: Decimal | None


@dataclass(frozen=True)
class Facet:
    value: str  # category id, brand, shop id, city code, rating or price range ("100-500", "5000-")
    count: int


@dataclass
class Results:
    hits: list[Hit]
    total: int
    estimated: bool  # the facet counts are estimates ("about")
    page: int
    per_page: int
    categories: list[Facet] = field(default_factory=list)
    brands: list[Facet] = field(default_factory=list)
    shops: list[Facet] = field(default_factory=list)
    ratings: list[Facet] = field(default_factory=list)  # "4.5" counts offers rated 4.5 and up
    price_ranges: list[Facet] = field(default_factory=list)
    pickup_cities: list[Facet] = field(default_factory=list)
    in_stock: int = 0
    did_you_mean: list[str] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)  # when nothing matched: what might do instead


@dataclass(frozen=True)
class _Stats:
    total: int
    estimated: bool
    facets: dict


def _int(value, name: str, *, low: int, high: int, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise field_error(name, _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high}) from None
    if not low <= number <= high:
        raise field_error(name, _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return number


def _money(value, name: str) -> Decimal | None:
    return None if value in (None, "") else amount_field(value, name)


def _rating(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        rating = Decimal(str(value).strip())
    except ArithmeticError:
        rating = None
    if rating is None or not rating.is_finite() or not 0 <= rating <= 5:
        raise field_error("rating_min", _("A rating from 0 to 5."))
    return rating


def _city(value) -> str:
    value = str(value or "").strip()
    if value and not (len(value) == 6 and value.isdigit()):
        raise field_error("pickup_city", _("A city's 6-digit region code."))
    return value


def _tsquery(words: str, *, category_id, brand, shop_id, pickup_city) -> str:
    """The shopper's words (`text.query`) and the filters as one tsquery."""
    parts = []
    if words:
        parts.append(f"({words})")
    if category_id:
        parts.append(f"'{index.category_token(category_id)}'")
    if brand:
        key = index.brand_key(brand)
        parts.append(f"'{index.brand_token(key)}'" if key else "'zqnone'")
    if shop_id:
        parts.append(f"'{index.shop_token(shop_id)}'")
    if pickup_city:
        parts.append(f"'{index.pickup_token(pickup_city)}'")
    return " & ".join(parts)


def search(*, q: str = "", category_id=None, brand: str = "", shop_id=None, price_min=None, price_max=None,
           in_stock: bool = False, rating_min=None, pickup_city="", sort: str = "relevance", page=1,
           per_page=24) -> Results:
    """One page of offers matching the words and filters. Bad input is a 400 naming the field;
    words that leave nothing searchable (emoji, punctuation) match nothing."""
    q = str(q or "")[: text.QUERY_CHARS * 2]
    if sort not in SORTS:
        raise field_error("sort", _("One of: %(sorts)s.") % {"sorts": ", ".join(SORTS)})
    category_id = _int(category_id, "category", low=1, high=2**62, default=0)
    shop_id = _int(shop_id, "shop", low=1, high=2**62, default=0)
    page = _int(page, "page", low=1, high=MAX_PAGE, default=1)
    per_page = _int(per_page, "per_page", low=1, high=PER_PAGE_MAX, default=24)
    low, high = _money(price_min, "price_min"), _money(price_max, "price_max")
    if low is not None and high is not None and low > high:
        raise field_error("price_max", _("The highest price is below the lowest."))
    rating = _rating(rating_min)
    city = _city(pickup_city)
    brand = str(brand or "")[:60]
    words = text.query(q) if q.strip() else ""
    tsquery = _tsquery(words, category_id=category_id, brand=brand, shop_id=shop_id, pickup_city=city)
    where, params = [], {}
    if low is not None:
        where.append("d.price >= %(low)s")
        params["low"] = low
    if high is not None:
        where.append("d.price <= %(high)s")
        params["high"] = high
    if in_stock:
        where.append("d.in_stock")
    if rating is not None:
        where.append("d.rating >= %(rating)s")
        params["rating"] = rating
    if q.strip() and not words:  # nothing searchable (emoji, punctuation): no match, but no dead end
        return Results(hits=[], total=0, estimated=False, page=page, per_page=per_page,
                       related=_related(q, [], where, params) if page == 1 else [])
    with connection.cursor() as cursor:
        stats = _stats(cursor, tsquery, where, params)
        broad = stats.estimated or not tsquery
        hits = _page(cursor, tsquery, where, params, sort=sort, broad=broad, total=stats.total,
                     offset=(page - 1) * per_page, limit=per_page)
    results = Results(hits=hits, total=stats.total, estimated=stats.estimated, page=page, per_page=per_page,
                      **stats.facets)
    if not hits and q.strip() and page == 1:
        from .spelling import did_you_mean

        results.did_you_mean = did_you_mean(q)
        results.related = _related(q, results.did_you_mean, where, params)
    return results


def _related(q: str, corrections: list[str], where: list[str], params: dict) -> list[Hit]:
    """No dead end: for a query nothing matches, the best sellers matching the first correction,
    else any one of its words, else the mall's best sellers."""
    tried = ([text.query(corrections[0])] if corrections else []) + [text.query(q, any_term=True), ""]
    for words in dict.fromkeys(tried):
        with connection.cursor() as cursor:
            hits = _page(cursor, words, where, {**params, "query": words or "zqall"}, sort="sales", broad=True,
                         total=10**9, offset=0, limit=RELATED)
        if hits:
            return hits
    return []


def _base(tsquery: str, where: list[str], *, sample: bool = False) -> str:
    table = f"search_offerdoc d TABLESAMPLE SYSTEM ({SAMPLE_PERCENT})" if sample else "search_offerdoc d"
    conditions = ["d.tsv @@ q.query"] if tsquery else []
    return (f"FROM {table}, to_tsquery('simple', %(query)s) AS q(query) "
            f"WHERE {' AND '.join([*conditions, *where]) or 'TRUE'}")


def _stats(cursor, tsquery: str, where: list[str], params: dict) -> _Stats:
    """The exact total and the facets. Up to `EXACT_LIMIT` matches one pass counts both; a
    broad query's come from the cache when it holds them, else from an exact count and a sample."""
    params["query"] = tsquery or "zqall"
    key = "search:stats:" + hashlib.sha256(repr((tsquery, where, sorted(params.items()))).encode()).hexdigest()[:32]
    cached = cache.get(key)
    if cached is not None:
        return cached
    base = _base(tsquery, where)
    probe = f"SELECT d.category_id, d.brand, d.shop_id, d.in_stock, d.rating, d.price {base} LIMIT {EXACT_LIMIT + 1}"
    facets = _facets(cursor, f"FROM ({probe}) d", params, scale=1.0)
    if facets["total"] <= EXACT_LIMIT:
        return _Stats(total=facets.pop("total"), estimated=False, facets=facets)
    cursor.execute(f"SELECT count(*) {base}", params)
    total = cursor.fetchone()[0]
    facets = _facets(cursor, _base(tsquery, where, sample=True), params, scale=100 / SAMPLE_PERCENT)
    facets.pop("total")
    stats = _Stats(total=total, estimated=True, facets=facets)
    cache.set(key, stats, getattr(settings, "SEARCH_BROAD_STATS_SECONDS", 30))
    return stats


PAGE_SQL = """
SELECT d.offer_id, d.shop_id, d.product_id, d.sku_id, t.title, d.brand, t.image, d.price, d.sales_count,
       d.in_stock, d.rating
  FROM unnest(array(SELECT d.offer_id {base} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s))
       WITH ORDINALITY AS page(offer_id, n)
  JOIN search_offerdoc d ON d.offer_id = page.offer_id
  JOIN offers_offertext t ON t.id = page.offer_id
 ORDER BY page.n"""


# The matches read first (through the words index), then sorted: for a match set too sparse for a
# walk down a column's index to meet a page of them soon.
MATCHES_SQL = """
WITH matches AS MATERIALIZED (SELECT d.offer_id, d.price, d.sales_count, d.rating, d.listed_at {base})
SELECT d.offer_id, d.shop_id, d.product_id, d.sku_id, t.title, d.brand, t.image, d.price, d.sales_count,
       d.in_stock, d.rating
  FROM (SELECT d.offer_id FROM matches d ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s) page
  JOIN search_offerdoc d ON d.offer_id = page.offer_id
  JOIN offers_offertext t ON t.id = page.offer_id
 ORDER BY {order}"""
DENSE_SHARE = 0.005  # matching at least 0.5 % of the mall: a walk down the sort column's index meets a page soon


def _page(cursor, tsquery: str, where: list[str], params: dict, *, sort: str, broad: bool, total: int,
          offset: int, limit: int) -> list[Hit]:
    if offset >= total:
        return []
    page = {**params, "limit": limit, "offset": offset}
    by_sales = sort == "sales" or (sort == "relevance" and broad)
    order = SORTS["sales"] if by_sales else SORTS[sort]
    if by_sales and broad:
        # The highest sales tier holding the whole page gives the same page as all matches: every
        # offer outside the tier sells less than every offer in it. Tiers too thin to hold it (by
        # the share of the mall in each) are not tried.
        shares = _shares(cursor)["tiers"]
        for tier in index.TIERS:
            if total * shares.get(tier, 1.0) < 2 * (offset + limit) and tier != index.TIERS[-1]:
                continue
            tiered = f"({tsquery}) & '{index.tier_token(tier)}'" if tsquery else f"'{index.tier_token(tier)}'"
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {_base(tiered, where)} LIMIT %(need)s) t",
                           {**params, "query": tiered, "need": offset + limit})
            if cursor.fetchone()[0] >= offset + limit:
                cursor.execute(PAGE_SQL.format(base=_base(tiered, where), order=order), {**page, "query": tiered})
                return [Hit(*row) for row in cursor.fetchall()]
    if tsquery and sort != "relevance" and total < DENSE_SHARE * _shares(cursor)["docs"]:
        # A sparse match set sorted by a column: read the matches through the words index and
        # sort them, rather than walk the column's index hoping to meet a match soon (the
        # planner cannot know that the words are rare; the exact total says so).
        cursor.execute(MATCHES_SQL.format(base=_base(tsquery, where), order=order), page)
    else:
        cursor.execute(PAGE_SQL.format(base=_base(tsquery, where), order=order), page)
    return [Hit(*row) for row in cursor.fetchall()]


def _shares(cursor) -> dict:
    """The number of documents and the share of them in each sales tier (from a sample), kept ten
    minutes: they move slowly and only steer the choice of plan."""
    shares = cache.get("search:shares")
    if shares is None:
        counts = ", ".join(f"count(*) FILTER (WHERE sales_count >= {10 ** k})" for k in index.TIERS)
        cursor.execute(f"SELECT count(*), {counts} FROM search_offerdoc TABLESAMPLE SYSTEM (1)")
        sampled, *in_tiers = cursor.fetchone()
        cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'search_offerdoc'::regclass")
        shares = {"docs": cursor.fetchone()[0],
                  "tiers": {k: n / sampled for k, n in zip(index.TIERS, in_tiers, strict=True)} if sampled else {}}
        cache.set("search:shares", shares, 600)
    return shares


def _facets(cursor, base: str, params: dict, *, scale: float) -> dict:
    """Category, brand and shop counts, in stock, rating and price bands of the matches in one
    pass (GROUPING SETS), the top `FACET_SIZE` of each; pickup cities through the shops."""
    bands = ", ".join(
        f"count(*) FILTER (WHERE {' AND '.join(c for c in (f'd.price >= {lo}' if lo else '', f'd.price < {hi}' if hi else '') if c)})"
        for lo, hi in PRICE_RANGES)
    ratings = ", ".join(f"count(*) FILTER (WHERE d.rating >= {r})" for r in RATINGS)
    cursor.execute(f"""
        SELECT GROUPING(d.category_id, d.brand, d.shop_id), d.category_id, d.brand, d.shop_id, count(*),
               count(*) FILTER (WHERE d.in_stock), {ratings}, {bands}
          {base}
         GROUP BY GROUPING SETS ((d.category_id), (d.brand), (d.shop_id), ())""", params)
    minimum = SAMPLE_MIN_SEEN if scale > 1 else 1
    groups: dict[str, list[Facet]] = {"categories": [], "brands": [], "shops": []}
    out: dict = {"total": 0, "in_stock": 0, "ratings": [], "price_ranges": []}
    shop_counts: dict[int, int] = {}
    for grouping, category, brand, shop, count, stocked, *rest in cursor.fetchall():
        if grouping == 0b011 and category is not None and count >= minimum:
            groups["categories"].append(Facet(str(category), round(count * scale)))
        elif grouping == 0b101 and brand and count >= minimum:
            groups["brands"].append(Facet(brand, round(count * scale)))
        elif grouping == 0b110:
            shop_counts[shop] = count
            if count >= minimum:
                groups["shops"].append(Facet(str(shop), round(count * scale)))
        elif grouping == 0b111:
            out["total"] = count
            out["in_stock"] = round(stocked * scale)
            rated, banded = rest[:len(RATINGS)], rest[len(RATINGS):]
            out["ratings"] = [Facet(str(r), round(n * scale)) for r, n in zip(RATINGS, rated, strict=True) if n]
            out["price_ranges"] = [Facet(f"{lo or ''}-{hi or ''}", round(n * scale))
                                   for (lo, hi), n in zip(PRICE_RANGES, banded, strict=True) if n]

    def order(facet: Facet) -> tuple:
        return -facet.count, facet.value

    for name, facets in groups.items():
        out[name] = sorted(facets, key=order)[:FACET_SIZE]
    out["pickup_cities"] = sorted(_pickup_facet(cursor, shop_counts, scale=scale, minimum=minimum),
                                  key=order)[:FACET_SIZE]
    return out


PICKUP_MAP_KEY = "search:pickup-cities"  # dropped by index.shop_pickup_refresh


def _pickup_cities_by_shop(cursor) -> dict[int, list[str]]:
    """shop id → its pickup cities, from the cache (one small table read when it is empty)."""
    cities = cache.get(PICKUP_MAP_KEY)
    if cities is None:
        cursor.execute("SELECT shop_id, city_code FROM search_shoppickupcity")
        cities = {}
        for shop, city in cursor.fetchall():
            cities.setdefault(shop, []).append(city)
        cache.set(PICKUP_MAP_KEY, cities, 600)
    return cities


def _pickup_facet(cursor, shop_counts: dict[int, int], *, scale: float, minimum: int) -> list[Facet]:
    """Matches per pickup city: each shop's matches count in each city it hands goods over in."""
    by_shop = _pickup_cities_by_shop(cursor) if shop_counts else {}
    cities: dict[str, int] = {}
    for shop, count in shop_counts.items():
        for city in by_shop.get(shop, ()):
            cities[city] = cities.get(city, 0) + count
    return [Facet(city, round(n * scale)) for city, n in cities.items() if n >= minimum]
