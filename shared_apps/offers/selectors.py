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


@dataclass(frozen=True)
class OfferView:
    """One SKU as the mall shows it in a cart: from the index, with its shop's state."""

    shop_id: int
    shop_subdomain: str
    shop_name: str
    shop_active: bool
    product_id: int
    sku_id: int
    title: str
    spec: dict
    image: str
    price: Decimal
    member_price: Decimal | None
    in_stock: bool


def offers_for(keys) -> dict[tuple[int, int], OfferView]:
    """The index's view of the given (shop_id, sku_id) pairs, in two queries; pairs that are not
    in the index (delisted, never listed) are absent."""
    keys = set(keys)
    if not keys:
        return {}
    shop_ids = {shop for shop, _ in keys}
    sku_ids = {sku for _, sku in keys}
    texts = {(row["shop_id"], row["sku_id"]): row for row in OfferText.objects.filter(
        shop_id__in=shop_ids, sku_id__in=sku_ids).values(
        "shop_id", "sku_id", "product_id", "title", "spec", "image", shop_subdomain=F("shop__subdomain"),
        shop_name=F("shop__name"), shop_status=F("shop__status"))}
    views = {}
    for row in OfferPrice.objects.filter(shop_id__in=shop_ids, sku_id__in=sku_ids).values(
            "shop_id", "sku_id", "price", "member_price", "stock_state"):
        key = (row["shop_id"], row["sku_id"])
        text = texts.get(key)
        if key not in keys or text is None:
            continue
        views[key] = OfferView(
            shop_id=key[0], shop_subdomain=text["shop_subdomain"], shop_name=text["shop_name"],
            shop_active=text["shop_status"] == ShopStatus.ACTIVE, product_id=text["product_id"], sku_id=key[1],
            title=text["title"], spec=text["spec"] or {}, image=text["image"], price=row["price"],
            member_price=row["member_price"], in_stock=row["stock_state"] != "out",
        )
    return views
