"""Reads of the mall offer index for the mall's pages. Only offers of active shops count."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Min

from tenants.models import ShopStatus

from .models import OfferPrice, OfferText


@dataclass(frozen=True)
class ProductCard:
    shop_id: int
    shop_subdomain: str
    shop_name: str
    product_id: int
    title: str
    image: str
    price_from: Decimal
    in_stock: bool


def latest_products(*, limit: int = 24) -> list[ProductCard]:
    """The newest listed products across the mall, one card per product: three queries whatever
    the number of shops, products or SKUs."""
    texts = (
        OfferText.objects.filter(shop__status=ShopStatus.ACTIVE)
        .order_by("-listed_at", "-id")
        .values("shop_id", "product_id", "title", "image", shop_subdomain=F("shop__subdomain"),
                shop_name=F("shop__name"))
    )
    seen: dict[tuple[int, int], dict] = {}
    for row in texts[: limit * 8]:
        key = (row["shop_id"], row["product_id"])
        if key not in seen:
            seen[key] = row
        if len(seen) >= limit:
            break
    if not seen:
        return []
    product_ids = {pid for _, pid in seen}
    prices = {}
    for row in (OfferPrice.objects.filter(product_id__in=product_ids, shop_id__in={s for s, _ in seen})
                .values("shop_id", "product_id", "stock_state").annotate(low=Min("price"))):
        key = (row["shop_id"], row["product_id"])
        best = prices.setdefault(key, {"low": row["low"], "in_stock": False})
        best["low"] = min(best["low"], row["low"])
        best["in_stock"] = best["in_stock"] or row["stock_state"] != "out"
    cards = []
    for key, row in seen.items():
        if key not in prices:
            continue
        cards.append(ProductCard(
            shop_id=row["shop_id"], shop_subdomain=row["shop_subdomain"], shop_name=row["shop_name"],
            product_id=row["product_id"], title=row["title"], image=row["image"],
            price_from=prices[key]["low"], in_stock=prices[key]["in_stock"],
        ))
    return cards
