"""Searching the mall (S2) over the search documents: words, filters, facets, sorting, pages.

One tsquery carries the shopper's words (the shared tokenizer, synonyms included) and the
category, brand and shop filters as tokens, so PostgreSQL intersects them in the GIN index;
price range and stock are plain column conditions. The count is exact up to `EXACT_LIMIT` (2,000)
matches; above it the total and the facet counts are estimated from a sample and say so
(`estimated`), while the first page stays exact. No words and no filters: every offer, by sales.
A query with no match gets spelling corrections (did_you_mean) instead of an empty answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from backend.api.errors import amount_field, field_error

from . import index, text

SORTS = {
    "relevance": "ts_rank(d.tsv, q.query) DESC, d.sales_count DESC, d.offer_id DESC",
    "price_asc": "d.price ASC NULLS LAST, d.offer_id",
    "price_desc": "d.price DESC NULLS LAST, d.offer_id DESC",
    "sales": "d.sales_count DESC, d.offer_id DESC",
    "newest": "d.listed_at DESC NULLS LAST, d.offer_id DESC",
}
EXACT_LIMIT = 2000
SAMPLE_PERCENT = 2
PER_PAGE_MAX = 60
MAX_PAGE = 100  # deeper than this, narrow the search


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


@dataclass(frozen=True)
class Facet:
    value: str  # category id or brand
    count: int


@dataclass
class Results:
    hits: list[Hit]
    total: int
    estimated: bool  # total and facet counts are estimates ("about")
    page: int
    per_page: int
    categories: list[Facet] = field(default_factory=list)
    brands: list[Facet] = field(default_factory=list)
    did_you_mean: list[str] = field(default_factory=list)


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


def _tsquery(q: str, *, category_id, brand, shop_id) -> str:
    parts = []
    words = text.query(q) if q else ""
    if words:
        parts.append(f"({words})")
    if category_id:
        parts.append(f"'{index.category_token(category_id)}'")
    if brand:
        key = index.brand_key(brand)
        parts.append(f"'{index.brand_token(key)}'" if key else "'zqnone'")
    if shop_id:
        parts.append(f"'{index.shop_token(shop_id)}'")
    return " & ".join(parts)


def search(*, q: str = "", category_id=None, brand: str = "", shop_id=None, price_min=None, price_max=None,
           in_stock: bool = False, sort: str = "relevance", page=1, per_page=24) -> Results:
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
    brand = str(brand or "")[:60]
    tsquery = _tsquery(q, category_id=category_id, brand=brand, shop_id=shop_id)
    if q.strip() and not text.query(q):
        return Results(hits=[], total=0, estimated=False, page=page, per_page=per_page)
    where, params = ["TRUE"], {}
    if tsquery:
        where.append("d.tsv @@ q.query")
    if low is not None:
        where.append("d.price >= %(low)s")
        params["low"] = low
    if high is not None:
        where.append("d.price <= %(high)s")
        params["high"] = high
    if in_stock:
        where.append("d.in_stock")
    params["query"] = tsquery or "zqall"
    base = f"FROM search_offerdoc d, to_tsquery('simple', %(query)s) AS q(query) WHERE {' AND '.join(where)}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {EXACT_LIMIT + 1}) probe", params)
        total = cursor.fetchone()[0]
        estimated = total > EXACT_LIMIT
        # Ranking every match of a broad query costs a sort of all of them: above EXACT_LIMIT the
        # best sellers among the matches come first instead (the sales index stops at the page).
        order = SORTS["sales"] if sort == "relevance" and (estimated or not tsquery) else SORTS[sort]
        cursor.execute(f"""
            SELECT d.offer_id, d.shop_id, d.product_id, d.sku_id, t.title, d.brand, t.image, d.price,
                   d.sales_count, d.in_stock
              FROM unnest(array(SELECT d.offer_id {base} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s))
                   WITH ORDINALITY AS page(offer_id, n)
              JOIN search_offerdoc d ON d.offer_id = page.offer_id
              JOIN offers_offertext t ON t.id = page.offer_id
             ORDER BY page.n""",
                       {**params, "limit": per_page, "offset": (page - 1) * per_page})
        hits = [Hit(*row) for row in cursor.fetchall()]
        results = Results(hits=hits, total=total, estimated=estimated, page=page, per_page=per_page)
        scale, counted = 1.0, base
        if estimated:  # a sample of the table's pages, scaled up: "about N"
            scale = 100 / SAMPLE_PERCENT
            counted = base.replace("FROM search_offerdoc d", f"FROM search_offerdoc d TABLESAMPLE SYSTEM ({SAMPLE_PERCENT})")
            cursor.execute(f"SELECT count(*) {counted}", params)
            results.total = max(total, round(cursor.fetchone()[0] * scale))
        _facets(cursor, results, counted, params, scale=scale)
    if not hits and q.strip():
        from .spelling import did_you_mean

        results.did_you_mean = did_you_mean(q)
    return results


def _facets(cursor, results: Results, base: str, params: dict, *, scale: float) -> None:
    """Category and brand counts of the matches in one pass (GROUPING SETS), the top 20 of each."""
    cursor.execute(f"""
        SELECT d.category_id, d.brand, count(*) {base}
         GROUP BY GROUPING SETS ((d.category_id), (d.brand))""", params)
    categories, brands = [], []
    for category, brand, count in cursor.fetchall():
        if category is not None:
            categories.append(Facet(str(category), round(count * scale)))
        elif brand:
            brands.append(Facet(brand, round(count * scale)))
    def order(facet: Facet) -> tuple:
        return -facet.count, facet.value

    results.categories = sorted(categories, key=order)[:20]
    results.brands = sorted(brands, key=order)[:20]
