"""How a shop's catalog feeds the mall offer index: plain data in, no ORM rows out."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from shared_apps.comparison.interface import offers_changed

from .models import OfferPrice, OfferText


@dataclass(frozen=True)
class OfferTextData:
    sku_id: int
    title: str
    brand: str = ""
    model: str = ""
    category_id: int | None = None
    standard_product_id: int | None = None
    attributes: dict = field(default_factory=dict)
    spec: dict = field(default_factory=dict)
    gtin: str = ""
    image: str = ""
    listed_at: datetime | None = None


@dataclass(frozen=True)
class OfferPriceData:
    sku_id: int
    product_id: int
    price: Decimal
    member_price: Decimal | None = None
    market_price: Decimal | None = None
    stock_state: str = "in_stock"
    sales_count: int = 0


TEXT_FIELDS = ["title", "brand", "model", "category_id", "standard_product_id", "attributes", "spec",
               "gtin", "image", "listed_at"]
PRICE_FIELDS = ["price", "member_price", "market_price", "stock_state", "sales_count"]


@transaction.atomic
def product_offers_replace(*, shop_id: int, product_id: int, texts: list[OfferTextData],
                           prices: list[OfferPriceData]) -> None:
    """Make the index hold exactly these offers for one product (none: the product left the mall).

    Text rows are rewritten only when a searchable value changed, so listing a product again or
    touching its price never churns the text-indexed table.
    """
    keep = {t.sku_id for t in texts}
    offers_changed(shop_id=shop_id, product_id=product_id)  # comparison, after commit
    OfferText.objects.filter(shop_id=shop_id, product_id=product_id).exclude(sku_id__in=keep).delete()
    OfferPrice.objects.filter(shop_id=shop_id, product_id=product_id).exclude(sku_id__in=keep).delete()
    if not texts:
        return
    existing = {o.sku_id: o for o in OfferText.objects.filter(shop_id=shop_id, sku_id__in=keep)}
    changed = []
    for text in texts:
        values = {name: getattr(text, name) for name in TEXT_FIELDS}
        row = existing.get(text.sku_id)
        if row is None:
            changed.append(OfferText(shop_id=shop_id, product_id=product_id, sku_id=text.sku_id, **values))
        elif any(getattr(row, name) != value for name, value in values.items()) or row.product_id != product_id:
            changed.append(OfferText(shop_id=shop_id, product_id=product_id, sku_id=text.sku_id, **values))
    if changed:
        OfferText.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["shop", "sku_id"],
            update_fields=["product_id", *TEXT_FIELDS, "updated_at"],
        )
    prices_update(shop_id=shop_id, prices=[p for p in prices if p.sku_id in keep])
    if changed:
        from shared_apps.search.index import docs_refresh

        docs_refresh(OfferText.objects.filter(shop_id=shop_id, sku_id__in=[o.sku_id for o in changed])
                     .values_list("pk", flat=True))


def prices_update(*, shop_id: int, prices: list[OfferPriceData]) -> int:
    """Upsert the fast-changing part of offers that are in the index, any number of products in
    two statements. Returns rows written."""
    if not prices:
        return 0
    indexed = set(OfferText.objects.filter(shop_id=shop_id, sku_id__in=[p.sku_id for p in prices])
                  .values_list("sku_id", flat=True))
    rows = [
        OfferPrice(shop_id=shop_id, product_id=p.product_id, sku_id=p.sku_id,
                   **{name: getattr(p, name) for name in PRICE_FIELDS})
        for p in prices if p.sku_id in indexed
    ]
    OfferPrice.objects.bulk_create(rows, update_conflicts=True, unique_fields=["shop", "sku_id"],
                                   update_fields=[*PRICE_FIELDS, "updated_at"])
    from shared_apps.search.index import docs_prices_refresh

    docs_prices_refresh(shop_id=shop_id, sku_ids=[row.sku_id for row in rows])
    offers_changed(shop_id=shop_id, sku_ids=[row.sku_id for row in rows])  # comparison, after commit
    return len(rows)


def shop_offers_clear(*, shop_id: int, keep_product_ids: set[int] | None = None) -> int:
    """Remove a shop's offers (all, or all but those products). Used by the rebuild."""
    query = Q(shop_id=shop_id)
    if keep_product_ids is not None:
        query &= ~Q(product_id__in=keep_product_ids)
    OfferPrice.objects.filter(query).delete()
    return OfferText.objects.filter(query).delete()[0]
