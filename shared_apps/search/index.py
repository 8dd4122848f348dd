"""Keeping the search documents (OfferDoc) in step with the mall offer index.

The offer index calls `docs_refresh` for offers whose words changed and `docs_prices_refresh` for
offers whose price, sales or stock changed, inside its own transaction, so search shows a change
the moment the offer index does; a delisted offer's document goes with its OfferText row
(cascade). `docs_rebuild` writes every document again (after a tokenizer or dictionary change).
The words are made in Python (the shared tokenizer, jieba); each batch is one INSERT … ON
CONFLICT with to_tsvector('simple', …), joined to the prices in SQL.
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


def _words(offer: OfferText, chains: dict[int, list[int]]) -> tuple[str, str]:
    """(the document's words with its filter tokens, the brand key)."""
    values = " ".join(str(v) for v in (offer.attributes or {}).values() if isinstance(v, str | int | float))
    words = text.document(offer.title, offer.brand, f"{offer.model} {values}")
    key = brand_key(offer.brand)
    filters = [category_token(c) for c in chains.get(offer.category_id, [])] if offer.category_id else []
    filters.append(shop_token(offer.shop_id))
    if key:
        filters.append(brand_token(key))
    return f"{words} {' '.join(filters)}", key


UPSERT = """
INSERT INTO search_offerdoc (offer_id, shop_id, product_id, sku_id, category_id, brand, brand_key, price,
                             sales_count, in_stock, listed_at, tsv)
SELECT t.id, t.shop_id, t.product_id, t.sku_id, t.category_id, t.brand, d.brand_key, p.price,
       coalesce(p.sales_count, 0), coalesce(p.stock_state, '') <> 'out', t.listed_at,
       to_tsvector('simple', d.words)
  FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS d(id, words, brand_key)
  JOIN offers_offertext t ON t.id = d.id
  LEFT JOIN offers_offerprice p ON p.shop_id = t.shop_id AND p.sku_id = t.sku_id
ON CONFLICT (offer_id) DO UPDATE SET
    shop_id = EXCLUDED.shop_id, product_id = EXCLUDED.product_id, sku_id = EXCLUDED.sku_id,
    category_id = EXCLUDED.category_id, brand = EXCLUDED.brand, brand_key = EXCLUDED.brand_key,
    price = EXCLUDED.price, sales_count = EXCLUDED.sales_count, in_stock = EXCLUDED.in_stock,
    listed_at = EXCLUDED.listed_at, tsv = EXCLUDED.tsv
"""


def docs_refresh(offer_ids: Iterable[int]) -> int:
    """(Re)write the documents of these OfferText rows; returns how many."""
    ids = sorted(set(offer_ids))
    if not ids:
        return 0
    chains = _ancestors()
    written = 0
    for start in range(0, len(ids), BATCH):
        offers = list(OfferText.objects.filter(pk__in=ids[start:start + BATCH]))
        made = [(offer.pk, *_words(offer, chains)) for offer in offers]
        with connection.cursor() as cursor:
            cursor.execute(UPSERT, [[m[0] for m in made], [m[1] for m in made], [m[2] for m in made]])
        written += len(made)
    return written


def docs_prices_refresh(*, shop_id: int, sku_ids: Iterable[int]) -> int:
    """Copy price, sales and stock of these offers from the offer index; one UPDATE."""
    skus = sorted(set(sku_ids))
    if not skus:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE search_offerdoc d SET price = p.price, sales_count = p.sales_count,
                   in_stock = p.stock_state <> 'out'
              FROM offers_offerprice p
             WHERE d.shop_id = %s AND d.sku_id = ANY(%s::bigint[])
               AND p.shop_id = d.shop_id AND p.sku_id = d.sku_id""", [shop_id, skus])
        return cursor.rowcount


def docs_rebuild() -> int:
    """Every document again, from the whole offer index."""
    return docs_refresh(OfferText.objects.values_list("pk", flat=True).iterator())
