"""The cart as the shopper sees it: lines grouped by shop, read from the mall offer index, with
what changed since they were added flagged before checkout."""

from dataclasses import dataclass, field
from decimal import Decimal

from shared_apps.offers.selectors import OfferView, offers_for

from .models import Cart, CartLine


@dataclass
class CartLineView:
    line: CartLine
    offer: OfferView | None

    @property
    def problem(self) -> str:
        """"" when the line can be checked out, else why not: gone / shop_closed / out_of_stock."""
        if self.offer is None:
            return "gone"
        if not self.offer.shop_active:
            return "shop_closed"
        if not self.offer.in_stock:
            return "out_of_stock"
        return ""

    @property
    def price_changed(self) -> bool:
        return self.offer is not None and self.offer.price != self.line.price_when_added

    @property
    def image_url(self) -> str:
        from backend.views import media_url

        return media_url(self.offer.image) if self.offer and self.offer.image else ""

    @property
    def amount(self) -> Decimal:
        return self.offer.price * self.line.quantity if self.offer else Decimal("0.00")


@dataclass
class CartShopGroup:
    shop_id: int
    shop_name: str
    shop_subdomain: str
    lines: list[CartLineView] = field(default_factory=list)

    @property
    def selected_amount(self) -> Decimal:
        return sum((v.amount for v in self.lines if v.line.selected and not v.problem), Decimal("0.00"))


@dataclass
class CartView:
    groups: list[CartShopGroup]

    @property
    def lines(self) -> list[CartLineView]:
        return [v for g in self.groups for v in g.lines]

    @property
    def item_count(self) -> int:
        return sum(v.line.quantity for v in self.lines)

    @property
    def selected_amount(self) -> Decimal:
        return sum((g.selected_amount for g in self.groups), Decimal("0.00"))

    @property
    def has_problems(self) -> bool:
        return any(v.line.selected and (v.problem or v.price_changed) for v in self.lines)


def cart_view(cart: Cart | None) -> CartView:
    """Two queries for the lines and the index, whatever the number of shops and lines."""
    if cart is None:
        return CartView(groups=[])
    lines = list(cart.lines.all())
    offers = offers_for([(line.shop_id, line.sku_id) for line in lines])
    groups: dict[int, CartShopGroup] = {}
    for line in lines:
        offer = offers.get((line.shop_id, line.sku_id))
        group = groups.get(line.shop_id)
        if group is None:
            group = groups[line.shop_id] = CartShopGroup(
                shop_id=line.shop_id, shop_name=offer.shop_name if offer else "",
                shop_subdomain=offer.shop_subdomain if offer else "")
        elif not group.shop_name and offer is not None:
            group.shop_name, group.shop_subdomain = offer.shop_name, offer.shop_subdomain
        group.lines.append(CartLineView(line=line, offer=offer))
    return CartView(groups=list(groups.values()))
