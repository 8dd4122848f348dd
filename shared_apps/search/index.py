"""Keeping the search documents (OfferDoc) in step with the mall offer index.

The offer index calls `docs_refresh` for offers whose words changed and `docs_prices_refresh` for
offers whose price, sales or stock changed, inside its own transaction, so search shows a change
the moment the offer index does; a delisted offer's document goes with its OfferText row
(cascade). Only active shops have documents: a suspension deletes the shop's, a reactivation
writes them again (`shop_visibility_refresh`). `docs_rebuild` writes every document again (after a tokenizer or dictionary change).
The words are made in Python (the shared tokenizer, jieba); each batch is one INSERT … ON
CONFLICT with to_tsvector('simple', …), joined to the prices, the shop's rating and pickup cities
in SQL. The sales-tier tokens follow the sales count in SQL (`search_sales_tiers`), so a price
or sales update rewrites a document's words only when the offer crosses a tier.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connection

from shared_apps.offers.models import OfferText
from shared_apps.taxonomy.models import Category

from . import text

BATCH = 2000


def brand_key(brand: str) -> str:
    """A short stable key of a brand as shoppers name it (case, width and spacing folded, and a
    brand's other names — HUAWEI, 华为 — one key)."""
    from .synonyms import canonical_brand

    words = [term.word for term in text.query_terms(brand or "")]
    folded = canonical_brand(words[0]) if len(words) == 1 else "".join(words)
    return hashlib.md5(folded.encode(), usedforsecurity=False).hexdigest()[:10] if folded else ""


def category_token(category_id: int) -> str:
    return f"zqc{category_id}"


def brand_token(key: str) -> str:
    return f"zqb{key}"


def shop_token(shop_id: int) -> str:
    return f"zqs{shop_id}"


def pickup_token(city_code: str) -> str:
    return f"zqp{city_code}"


def tier_token(tier: int) -> str:
    return f"zqt{tier}"


TIERS = (5, 4, 3, 2)  # zqt<k>: sales of at least 10**k (search_sales_tiers)


def _ancestors() -> dict[int, list[int]]:
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    chains: dict[int, list[int]] = {}
    for pk in parents:
        chain, node = [], pk
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        chains[pk] = chain
    return chains


class _Categories:
    """The category tree as documents need it: each category's chain up to the root (filter
    tokens) and the words of its names and its ancestors' (手机 finds a phone whose title never
    says so)."""

    def __init__(self):
        self.chains = _ancestors()
        self._names = {pk: f"{name} {name_en}" for pk, name, name_en in
                       Category.objects.values_list("pk", "name", "name_en")}
        self._words: dict[int, str] = {}

    def words(self, category_id: int | None) -> str:
        if not category_id:
            return ""
        if category_id not in self._words:
            names = " ".join(self._names.get(c, "") for c in self.chains.get(category_id, []))
            self._words[category_id] = " ".join(text.tokens(names))
        return self._words[category_id]


# A title naming another product it fits (适用 iPhone 15 手机壳) describes an accessory: it ranks
# below the product itself for the same words.
ACCESSORY_MARKS = ("适用", "兼容", "compatible")
ACCESSORY_TOKEN = "zqacc"


def _words(offer: OfferText, categories: _Categories) -> tuple[str, str, str]:
    """(the document's own words, its category words and filter tokens, the brand key)."""
    values = " ".join(str(v) for v in (offer.attributes or {}).values() if isinstance(v, str | int | float))
    words = text.document(offer.title, offer.brand, f"{offer.model} {values}")
    key = brand_key(offer.brand)
    chain = categories.chains.get(offer.category_id, []) if offer.category_id else []
    extra = [categories.words(offer.category_id), *(category_token(c) for c in chain), shop_token(offer.shop_id)]
    if key:
        extra.append(brand_token(key))
    if any(mark in offer.title.casefold() for mark in ACCESSORY_MARKS):
        extra.append(ACCESSORY_TOKEN)
    return words, " ".join(e for e in extra if e), key


UPSERT = """
INSERT INTO search_offerdoc (offer_id, shop_id, product_id, sku_id, category_id, brand, brand_key, price,
                             sales_count, in_stock, rating, listed_at, tsv)
SELECT t.id, t.shop_id, t.product_id, t.sku_id, t.category_id, t.brand, d.brand_key, p.price,
       coalesce(p.sales_count, 0), coalesce(p.stock_state, '') <> 'out', s.rating, t.listed_at,
       setweight(to_tsvector('simple', d.words), 'A') || setweight(to_tsvector('simple', d.extra), 'B')
       || search_sales_tiers(p.sales_count)
       || array_to_tsvector(ARRAY(SELECT 'zqp' || c.city_code FROM search_shoppickupcity c
                                   WHERE c.shop_id = t.shop_id))
  FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) WITH ORDINALITY AS d(id, words, extra, brand_key, n)
  JOIN offers_offertext t ON t.id = d.id
  JOIN tenants_shop s ON s.id = t.shop_id
  LEFT JOIN offers_offerprice p ON p.shop_id = t.shop_id AND p.sku_id = t.sku_id
 WHERE s.status = 'active'
 ORDER BY d.n
ON CONFLICT (offer_id) DO UPDATE SET
    shop_id = EXCLUDED.shop_id, product_id = EXCLUDED.product_id, sku_id = EXCLUDED.sku_id,
    category_id = EXCLUDED.category_id, brand = EXCLUDED.brand, brand_key = EXCLUDED.brand_key,
    price = EXCLUDED.price, sales_count = EXCLUDED.sales_count, in_stock = EXCLUDED.in_stock,
    rating = EXCLUDED.rating, listed_at = EXCLUDED.listed_at, tsv = EXCLUDED.tsv
"""


def docs_refresh(offer_ids: Iterable[int], *, ordered: bool = False) -> int:
    """(Re)write the documents of these OfferText rows; returns how many. `ordered`: the ids
    come in the order the rows should be written (the rebuild's (category, brand, sales))."""
    ids = list(dict.fromkeys(offer_ids)) if ordered else sorted(set(offer_ids))
    if not ids:
        return 0
    categories = _Categories()
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        found = OfferText.objects.in_bulk(chunk)
        offers = [found[pk] for pk in chunk if pk in found]
        made = [(offer.pk, *_words(offer, categories)) for offer in offers]
        with connection.cursor() as cursor:
            cursor.execute(UPSERT, [[m[i] for m in made] for i in range(4)])
        written += len(made)
    return written


TIER_LEXEMES = "{" + ",".join(tier_token(k) for k in TIERS) + "}"


def docs_prices_refresh(*, shop_id: int, sku_ids: Iterable[int]) -> int:
    """Copy price, sales and stock of these offers from the offer index; one UPDATE, found
    through the offer index's (shop, sku) key. The words change only when the sales tier does."""
    skus = sorted(set(sku_ids))
    if not skus:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE search_offerdoc d SET price = p.price, sales_count = p.sales_count,
                   in_stock = p.stock_state <> 'out',
                   tsv = CASE WHEN search_sales_tiers(d.sales_count) = search_sales_tiers(p.sales_count) THEN d.tsv
                              ELSE ts_delete(d.tsv, '{TIER_LEXEMES}'::text[]) || search_sales_tiers(p.sales_count)
                         END
              FROM offers_offertext t
              JOIN offers_offerprice p ON p.shop_id = t.shop_id AND p.sku_id = t.sku_id
             WHERE t.shop_id = %s AND t.sku_id = ANY(%s::bigint[]) AND d.offer_id = t.id""", [shop_id, skus])
        return cursor.rowcount


def shop_facts_refresh(shop_id: int) -> int:
    """Copy a shop's rating and pickup cities into all its documents (after either changed)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            WITH cities AS (
                SELECT coalesce(array_agg('zqp' || city_code), '{}') AS tokens
                  FROM search_shoppickupcity WHERE shop_id = %(shop)s)
            UPDATE search_offerdoc d
               SET rating = s.rating,
                   tsv = ts_delete(d.tsv, ARRAY(SELECT lexeme FROM unnest(d.tsv) u WHERE u.lexeme LIKE 'zqp%%'))
                         || array_to_tsvector((SELECT tokens FROM cities))
              FROM tenants_shop s
             WHERE s.id = d.shop_id AND d.shop_id = %(shop)s""", {"shop": shop_id})
        return cursor.rowcount


def shop_visibility_refresh(shop_id: int) -> int:
    """After a shop's status changed: a shop that is not active has no documents (nothing of it
    can be found); an active one gets them all again. Returns documents removed or written."""
    from tenants.models import Shop, ShopStatus

    if Shop.objects.filter(pk=shop_id, status=ShopStatus.ACTIVE).exists():
        return docs_refresh(OfferText.objects.filter(shop_id=shop_id).values_list("pk", flat=True).iterator())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_offerdoc WHERE shop_id = %s", [shop_id])
        return cursor.rowcount


def shop_pickup_refresh(*, shop_id: int, city_codes: Iterable[str]) -> bool:
    """Record the cities where a shop hands goods over; rewrites its documents when they changed.
    Called from the shop's schema when its pickup locations change."""
    from .models import ShopPickupCity

    wanted = {c for c in city_codes if c}
    current = set(ShopPickupCity.objects.filter(shop_id=shop_id).values_list("city_code", flat=True))
    if wanted == current:
        return False
    ShopPickupCity.objects.filter(shop_id=shop_id, city_code__in=current - wanted).delete()
    ShopPickupCity.objects.bulk_create([ShopPickupCity(shop_id=shop_id, city_code=c) for c in sorted(wanted - current)],
                                       ignore_conflicts=True)
    shop_facts_refresh(shop_id)
    from django.core.cache import cache
    from django.db import transaction

    from .query import PICKUP_MAP_KEY

    # Now, for reads later in this transaction; and after commit, in case another process read
    # the old cities back into the cache meanwhile.
    cache.delete(PICKUP_MAP_KEY)
    transaction.on_commit(lambda: cache.delete(PICKUP_MAP_KEY))
    return True


def docs_rebuild() -> int:
    """Every document again, from the whole offer index, written in (category, brand, sales)
    order so the matches of one category or brand share heap pages (see the model)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT t.id FROM offers_offertext t
              LEFT JOIN offers_offerprice p ON p.shop_id = t.shop_id AND p.sku_id = t.sku_id
             ORDER BY t.category_id NULLS LAST, lower(t.brand), p.sales_count DESC NULLS LAST, t.id""")
        ids = [row[0] for row in cursor.fetchall()]
    return docs_refresh(ids, ordered=True)
