"""The shop side of the mall offer index: a transactional outbox and its drain.

Catalog (and later stock) changes write an `OfferOutbox` row in the same transaction as the
change. After commit a Celery task drains this shop's outbox into the public offer index; Celery
beat sweeps every few seconds for outboxes a lost task left behind. Draining is idempotent: it
re-reads the product's current state and makes the index match it.
"""

from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import schema_context

from backend.lib.pagecache import storefront_changed
from shared_apps.offers.interface import (
    OfferPriceData,
    OfferTextData,
    prices_update,
    product_offers_replace,
)

from .models import SKU, OfferOutbox, Product, ProductStatus

TEXT = "text"
PRICE = "price"


def outbox_record(*, kind: str, product_id: int, sku_id: int | None = None) -> None:
    """Note that a product's offers (TEXT) or one SKU's price/stock (PRICE) changed; the index
    follows right after commit."""
    outbox_record_many(kind=kind, items=[(product_id, sku_id)])


def outbox_record_many(*, kind: str, items: list[tuple[int, int | None]]) -> None:
    """The same for many (product_id, sku_id) pairs at once, with one queued drain."""
    OfferOutbox.objects.bulk_create([OfferOutbox(kind=kind, product_id=p, sku_id=s) for p, s in items])
    storefront_changed()  # what the shop's own pages show changed too
    schema = connection.schema_name

    def enqueue():
        from shared_apps.offers.tasks import drain_shop_outbox

        # One queued drain per shop at a time: the drain clears the flag before it reads the
        # outbox, so a change committed after that queues the next drain and nothing is missed.
        # (Cache keys carry the schema; set and clear the flag from the shop's schema.)
        with schema_context(schema):
            if cache.add(drain_flag(schema), 1, timeout=DRAIN_FLAG_SECONDS):
                drain_shop_outbox.apply_async(headers={"_schema_name": schema})

    # robust: with Redis down the change still stands; the beat sweep drains it later.
    transaction.on_commit(enqueue, robust=True)


DRAIN_FLAG_SECONDS = 10  # a lost task delays the next drain at most this long (and beat sweeps)


def drain_flag(schema: str) -> str:
    return f"offer-drain-queued:{schema}"


def current_shop_id() -> int:
    """The platform id of the shop whose schema the connection is in."""
    tenant = getattr(connection, "tenant", None)
    if getattr(tenant, "pk", None) and tenant.schema_name == connection.schema_name:
        return tenant.pk
    from tenants.models import Shop

    return Shop.objects.values_list("pk", flat=True).get(schema_name=connection.schema_name)


def _stock_states(sku_ids) -> dict[int, str]:
    """in_stock / out per SKU from the shop's online stock."""
    from tenant_apps.inventory.interface import available_online

    available = available_online(sku_ids)
    return {pk: "in_stock" if available.get(pk, 0) > 0 else "out" for pk in sku_ids}


def _offers(product: Product) -> tuple[list[OfferTextData], list[OfferPriceData]]:
    if product.status != ProductStatus.LISTED:
        return [], []
    skus = [sku for sku in product.skus.all() if sku.is_active]
    states = _stock_states([sku.pk for sku in skus])
    images = list(product.images.all())
    image = (images[0].thumbnail.name or images[0].image.name) if images else ""
    texts, prices = [], []
    for sku in skus:
        texts.append(OfferTextData(
            sku_id=sku.pk, title=product.title, brand=product.brand, model=product.model,
            category_id=product.platform_category_id, standard_product_id=product.standard_product_id,
            attributes=product.attributes or {}, spec=sku.spec or {}, gtin=sku.gtin, image=image,
            listed_at=product.listed_at,
        ))
        prices.append(_price(sku, states[sku.pk]))
    return texts, prices


def _price(sku: SKU, stock_state: str) -> OfferPriceData:
    return OfferPriceData(sku_id=sku.pk, product_id=sku.product_id, price=sku.sale_price,
                          member_price=sku.member_price, market_price=sku.market_price, stock_state=stock_state)


def drain(*, limit: int = 1000) -> int:
    """Apply up to `limit` outbox rows of the current shop schema. Returns rows applied.

    Rows are claimed with SKIP LOCKED, so two drains of one shop never apply the same row, and
    deleted in the transaction that applied them.
    """
    shop_id = current_shop_id()
    with transaction.atomic():
        rows = list(OfferOutbox.objects.select_for_update(skip_locked=True).order_by("id")[:limit])
        if not rows:
            return 0
        text_products = {r.product_id for r in rows if r.kind == TEXT}
        price_skus = {r.sku_id for r in rows if r.kind == PRICE and r.product_id not in text_products}
        products = {p.pk: p for p in Product.objects.filter(pk__in=text_products)
                    .prefetch_related("skus", "images")}
        for product_id in sorted(text_products):
            product = products.get(product_id)
            texts, prices = _offers(product) if product else ([], [])
            product_offers_replace(shop_id=shop_id, product_id=product_id, texts=texts, prices=prices)
        skus = list(SKU.objects.filter(pk__in=price_skus, is_active=True, product__status=ProductStatus.LISTED))
        states = _stock_states([sku.pk for sku in skus])
        prices_update(shop_id=shop_id, prices=[_price(sku, states[sku.pk]) for sku in skus])
        OfferOutbox.objects.filter(pk__in=[r.pk for r in rows]).delete()
        storefront_changed()  # again: a bump lost to a Redis outage at the change's commit
        return len(rows)


def drain_all() -> int:
    cache.delete(drain_flag(connection.schema_name))
    total = 0
    while applied := drain():
        total += applied
    return total


def rebuild() -> int:
    """Queue every product of this shop for re-projection (the index then matches the catalog)."""
    ids = list(Product.objects.values_list("pk", flat=True))
    OfferOutbox.objects.bulk_create([OfferOutbox(kind=TEXT, product_id=pk) for pk in ids])
    from shared_apps.offers.interface import shop_offers_clear

    shop_offers_clear(shop_id=current_shop_id(), keep_product_ids=set(ids))
    return len(ids)


def drift() -> dict[str, int]:
    """How far the index is from this shop's catalog: offers missing, extra, or priced wrong."""
    from shared_apps.offers.models import OfferPrice, OfferText

    shop_id = current_shop_id()
    expected = {
        sku.pk: sku for sku in SKU.objects.filter(is_active=True, product__status=ProductStatus.LISTED)
    }
    indexed = set(OfferText.objects.filter(shop_id=shop_id).values_list("sku_id", flat=True))
    prices = dict(OfferPrice.objects.filter(shop_id=shop_id).values_list("sku_id", "price"))
    return {
        "missing": len(expected.keys() - indexed),
        "extra": len(indexed - expected.keys()),
        "wrong_price": sum(1 for pk, sku in expected.items() if pk in prices and prices[pk] != sku.sale_price),
    }
