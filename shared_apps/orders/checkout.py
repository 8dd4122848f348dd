"""Checkout: the cart's selected lines become one order, one sub-order per shop, the stock
holds in every shop's schema and one payment — in one database transaction, all or nothing.

`checkout_quote` works everything out without writing (the checkout page shows it);
`checkout_place` does it again under locks and writes. Prices are the shops' own, read from
their schemas at this moment (the index only shows them); shipping is each shop's freight
template for the chosen method; coupons are split over the lines they cover to the fen by
largest remainder. Shops are visited in id order and each shop's stock rows are locked in
(location, SKU) order, so concurrent checkouts over the same shops never deadlock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, ServiceError, field_error
from backend.lib.money import allocate
from shared_apps.cart.models import Cart
from tenants.models import Shop, ShopStatus

from . import numbers
from .models import (
    AFTER_SALES_FLOOR_DAYS,
    DeliveryMethod,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMode,
    SubOrder,
    SubOrderStatus,
)
from .services import history_add

RESERVATION_GRACE = timedelta(minutes=10)  # the order's own expiry releases first
PICKUP_PAYMENT_DAYS = 3  # a pay-at-pickup sub-order holds its stock this long
MAX_SHOPS = 20



@dataclass
class LinePlan:
    shop_id: int
    sku_id: int
    quantity: int
    sellable: object  # catalog.interface.SellableSku
    goods: Decimal
    unit_price: Decimal = Decimal("0.00")
    shop_discount: Decimal = Decimal("0.00")
    platform_discount: Decimal = Decimal("0.00")

    @property
    def payable(self) -> Decimal:
        return self.goods - self.shop_discount - self.platform_discount


@dataclass
class ShopPlan:
    shop: Shop
    index: int  # field prefix shops[index]
    delivery_method: str
    payment_mode: str
    pickup_location_id: int | None
    pickup_location: dict
    invoice: dict
    note: str
    requires_confirmation: bool
    payment_minutes: int
    auto_complete_days: int = 7
    after_sales_days: int = 7
    lines: list[LinePlan] = field(default_factory=list)
    shipping: Decimal = Decimal("0.00")
    shop_coupon: object = None  # marketing Coupon

    @property
    def goods(self) -> Decimal:
        return sum((line.goods for line in self.lines), Decimal("0.00"))

    @property
    def shop_discount(self) -> Decimal:
        return sum((line.shop_discount for line in self.lines), Decimal("0.00"))

    @property
    def platform_discount(self) -> Decimal:
        return sum((line.platform_discount for line in self.lines), Decimal("0.00"))

    @property
    def payable(self) -> Decimal:
        return self.goods - self.shop_discount - self.platform_discount + self.shipping


@dataclass
class Plan:
    shops: list[ShopPlan]
    address: dict
    platform_coupon: object = None

    @property
    def lines(self) -> list[LinePlan]:
        return [line for shop in self.shops for line in shop.lines]

    def total(self, name: str) -> Decimal:
        return sum((getattr(shop, name) for shop in self.shops), Decimal("0.00"))

    @property
    def online_amount(self) -> Decimal:
        return sum((s.payable for s in self.shops if s.payment_mode == PaymentMode.ONLINE), Decimal("0.00"))

    @property
    def payment_minutes(self) -> int:
        online = [s.payment_minutes for s in self.shops if s.payment_mode == PaymentMode.ONLINE]
        return min(online or [30])


# --- reading the request -----------------------------------------------------------------------


def _choices(data: dict) -> dict[int, tuple[int, dict]]:
    shops = data.get("shops")
    if not isinstance(shops, list) or not shops:
        raise field_error("shops", _("Choose delivery for each shop in the order."))
    if len(shops) > MAX_SHOPS:
        raise field_error("shops", _("At most %(n)d shops in one order.") % {"n": MAX_SHOPS})
    chosen: dict[int, tuple[int, dict]] = {}
    for index, choice in enumerate(shops):
        if not isinstance(choice, dict):
            raise field_error(f"shops[{index}]", _("Each shop's choice is an object."))
        try:
            shop_id = int(choice.get("shop_id"))
        except (TypeError, ValueError):
            raise field_error(f"shops[{index}].shop_id", _("Not a shop id.")) from None
        if shop_id in chosen:
            raise field_error(f"shops[{index}].shop_id", _("This shop is listed twice."))
        chosen[shop_id] = (index, choice)
    return chosen


def _invoice(value, prefix: str) -> dict:
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        raise field_error(prefix, _("An invoice request is an object."))
    kind = value.get("kind")
    title = str(value.get("title") or "").strip()
    if kind not in ("personal", "company"):
        raise field_error(f"{prefix}.kind", _("Choose personal or company."))
    if not 1 <= len(title) <= 100:
        raise field_error(f"{prefix}.title", _("Give the invoice title (up to 100 characters)."))
    if kind == "personal":
        return {"kind": kind, "title": title}
    tax_number = str(value.get("tax_number") or "").strip().upper()
    if not (15 <= len(tax_number) <= 20 and tax_number.isalnum()):
        raise field_error(f"{prefix}.tax_number", _("A company's tax number has 15 to 20 letters and digits."))
    return {"kind": kind, "title": title, "tax_number": tax_number}


def _cart_lines(user_id: int) -> dict[int, list]:
    cart = Cart.objects.filter(user_id=user_id).first()
    lines = list(cart.lines.filter(selected=True)) if cart else []
    by_shop: dict[int, list] = {}
    for line in lines:
        by_shop.setdefault(line.shop_id, []).append(line)
    return by_shop


# --- working it out ----------------------------------------------------------------------------


def _shop_plan(shop: Shop, index: int, choice: dict, cart_lines: list, address: dict | None) -> ShopPlan:
    """Inside the shop's schema: today's prices, the delivery and its freight."""
    from tenant_apps.catalog.interface import sellable_skus
    from tenant_apps.freight.interface import FreightItem, quote
    from tenant_apps.inventory.interface import pickup_location
    from tenant_apps.shop.interface import order_settings

    prefix = f"shops[{index}]"
    method = choice.get("delivery_method")
    if method not in DeliveryMethod.values:
        raise field_error(f"{prefix}.delivery_method", _("Choose express, expedited, same_city or pickup."))
    payment_mode = choice.get("payment_mode") or PaymentMode.ONLINE
    if payment_mode not in PaymentMode.values:
        raise field_error(f"{prefix}.payment_mode", _("Choose online or at_pickup."))
    if payment_mode == PaymentMode.AT_PICKUP and method != DeliveryMethod.PICKUP:
        raise field_error(f"{prefix}.payment_mode", _("Paying at pickup needs pickup delivery."))
    note = str(choice.get("note") or "").strip()
    if len(note) > 200:
        raise field_error(f"{prefix}.note", _("At most 200 characters."))
    settings_ = order_settings()
    plan = ShopPlan(shop=shop, index=index, delivery_method=method, payment_mode=payment_mode,
                    pickup_location_id=None, pickup_location={}, invoice=_invoice(choice.get("invoice"), f"{prefix}.invoice"),
                    note=note, requires_confirmation=settings_["confirm_orders"],
                    payment_minutes=settings_["payment_minutes"], auto_complete_days=settings_["auto_complete_days"],
                    after_sales_days=settings_["after_sales_days"])
    sellable = sellable_skus([line.sku_id for line in cart_lines])
    gone = [str(line.sku_id) for line in cart_lines if line.sku_id not in sellable]
    if gone:
        raise Conflict(_("Some items of %(shop)s are no longer on sale; remove them from your cart.")
                       % {"shop": shop.name}, code="not_on_sale", fields={f"{prefix}.lines": gone})
    for line in cart_lines:
        sku = sellable[line.sku_id]
        plan.lines.append(LinePlan(shop_id=shop.pk, sku_id=line.sku_id, quantity=line.quantity, sellable=sku,
                                   goods=sku.sale_price * line.quantity, unit_price=sku.sale_price))
    if method == DeliveryMethod.PICKUP:
        try:
            location_id = int(choice.get("pickup_location_id"))
        except (TypeError, ValueError):
            raise field_error(f"{prefix}.pickup_location_id", _("Choose the store to pick up from.")) from None
        location = pickup_location(location_id)
        if location is None:
            raise field_error(f"{prefix}.pickup_location_id", _("This store does not do pickup."))
        plan.pickup_location_id, plan.pickup_location = location_id, location
    else:
        if address is None:
            raise field_error("address_id", _("Choose a delivery address."))
        # The weights came with the SKUs' prices (sellable_skus): no second read of the catalog.
        items = [FreightItem(sku_id=line.sku_id, quantity=line.quantity, weight_grams=line.sellable.weight_grams or 0,
                             amount=line.goods) for line in plan.lines]
        plan.shipping = quote(method=method, region_code=address["district_code"], items=items).amount
    return plan


def _coupon(code, *, prefix: str, user_id: int, shop_id: int | None):
    from shared_apps.marketing.services import coupon_usable

    code = str(code or "").strip()
    if not code:
        return None
    return coupon_usable(code=code, user_id=user_id, shop_id=shop_id, field=prefix)


def _discounts(plan: Plan) -> None:
    """Shop coupons over their shop's lines, then the platform coupon over every line, each split
    by the lines' amounts to the fen (largest remainder)."""
    for shop in plan.shops:
        coupon = shop.shop_coupon
        if coupon is None:
            continue
        if shop.goods < coupon.min_goods_amount:
            raise field_error(f"shops[{shop.index}].coupon", _("This coupon needs goods of at least ¥%(min)s from this shop.")
                       % {"min": coupon.min_goods_amount})
        amount = min(coupon.amount_off, shop.goods)
        for line, share in zip(shop.lines, allocate(amount, [line.goods for line in shop.lines]), strict=True):
            line.shop_discount = share
    coupon = plan.platform_coupon
    if coupon is not None:
        lines = plan.lines
        base = sum((line.goods - line.shop_discount for line in lines), Decimal("0.00"))
        if base < coupon.min_goods_amount:
            raise field_error("platform_coupon", _("This coupon needs goods of at least ¥%(min)s.") % {"min": coupon.min_goods_amount})
        amount = min(coupon.amount_off, base)
        for line, share in zip(lines, allocate(amount, [line.goods - line.shop_discount for line in lines]), strict=True):
            line.platform_discount = share


def checkout_quote(*, user_id: int, data: dict) -> Plan:
    """Everything the order would be, without writing anything."""
    from shared_apps.accounts.interface import address_get

    if not isinstance(data, dict):
        raise ServiceError(_("The body is a JSON object."))
    chosen = _choices(data)
    cart_lines = _cart_lines(user_id)
    if not cart_lines:
        raise Conflict(_("Your cart has nothing selected to order."), code="cart_empty")
    missing = sorted(set(cart_lines) - set(chosen))
    if missing:
        raise field_error("shops", _("Choose delivery for every shop in your cart (missing shop ids: %(ids)s).")
                   % {"ids": ", ".join(map(str, missing))})
    extra = sorted(set(chosen) - set(cart_lines))
    if extra:
        raise field_error(f"shops[{chosen[extra[0]][0]}].shop_id", _("Nothing is selected in your cart from this shop."))
    address = None
    if data.get("address_id") not in (None, ""):
        try:
            found = address_get(user_id=user_id, address_id=int(data["address_id"]))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise field_error("address_id", _("No such address in your address book."))
        address = _address_snapshot(found)
    shops = {shop.pk: shop for shop in Shop.objects.filter(pk__in=cart_lines)}
    plans = []
    for shop_id in sorted(cart_lines):
        shop = shops.get(shop_id)
        index, choice = chosen[shop_id]
        if shop is None or shop.status != ShopStatus.ACTIVE:
            raise Conflict(_("%(shop)s is not open at the moment; remove its items from your cart.")
                           % {"shop": shop.name if shop else shop_id}, code="shop_closed",
                           fields={f"shops[{index}].shop_id": [_("This shop is not open.")]})
        with schema_context(shop.schema_name):
            plan = _shop_plan(shop, index, choice, cart_lines[shop_id], address)
        plan.shop_coupon = _coupon(choice.get("coupon"), prefix=f"shops[{index}].coupon", user_id=user_id, shop_id=shop_id)
        plans.append(plan)
    plan = Plan(shops=plans, address=address or {},
                platform_coupon=_coupon(data.get("platform_coupon"), prefix="platform_coupon", user_id=user_id, shop_id=None))
    _discounts(plan)
    return plan


def _address_snapshot(found) -> dict:
    """The address as the order keeps it: the phone encrypted (PII at rest), masked for display."""
    from backend.lib import pii

    snapshot = asdict(found)
    snapshot["phone_encrypted"] = pii.encrypt(snapshot.pop("phone"))
    return snapshot


# --- placing it --------------------------------------------------------------------------------


def _client_token(data: dict) -> str:
    token = str(data.get("client_token") or "").strip()
    if not 8 <= len(token) <= 64 or not token.isprintable():
        raise field_error("client_token", _("Send a client token of 8 to 64 characters, new for each order."))
    return token


def _provider(value) -> str:
    from shared_apps.payments.interface import PROVIDERS

    provider = value or "sandbox"
    if provider not in PROVIDERS or provider == "offline":
        raise field_error("provider", _("Choose a payment method: %(list)s.") % {"list": ", ".join(p for p in PROVIDERS if p != "offline")})
    return provider


@transaction.atomic
def checkout_place(*, user_id: int, data: dict, provider: str | None = None) -> Order:
    """Place the order. The same client token again returns the order it placed (a double click
    or a retried request never makes two orders)."""
    from shared_apps.cart.services import lines_remove_ordered
    from shared_apps.marketing.services import coupons_take

    token = _client_token(data)
    existing = Order.objects.filter(user_id=user_id, client_token=token).first()
    if existing is not None:
        return existing
    provider = _provider(provider or data.get("provider"))
    plan = checkout_quote(user_id=user_id, data=data)
    order = order_write(plan=plan, user_id=user_id, token=token, provider=provider)
    coupons_take(order_number=order.number, user_id=user_id,
                 uses=[(c, a) for c, a in _coupon_uses(plan) if c is not None])
    lines_remove_ordered(user_id=user_id, keys={(line.shop_id, line.sku_id) for line in plan.lines})
    return order


def order_write(*, plan: Plan, user_id: int, token: str, provider: str, minutes: int | None = None,
                pool_location_id: int | None = None) -> Order:
    """Write a worked-out plan: the order, its sub-orders and lines, the stock holds in each
    shop's schema (from `pool_location_id` only, for a flash sale) and the payments. Inside the
    caller's transaction."""
    from shared_apps.payments.interface import payment_open
    from tenant_apps.inventory.interface import hold

    now = timezone.now()
    expires_at = now + timedelta(minutes=minutes or plan.payment_minutes)
    order = Order.objects.create(
        number=numbers.order_number(), user_id=user_id, client_token=token,
        goods_amount=plan.total("goods"), shipping_amount=plan.total("shipping"),
        shop_discount=plan.total("shop_discount"), platform_discount=plan.total("platform_discount"),
        payable_amount=plan.total("payable"), online_amount=plan.online_amount,
        payment_provider=provider if plan.online_amount else "", address=plan.address, expires_at=expires_at,
    )
    for position, shop_plan in enumerate(plan.shops, start=1):
        sub = SubOrder.objects.create(
            order=order, number=numbers.sub_order_number(order.number, position), shop=shop_plan.shop,
            user_id=user_id, delivery_method=shop_plan.delivery_method,
            pickup_location_id=shop_plan.pickup_location_id, pickup_location=shop_plan.pickup_location,
            pickup_code=numbers.pickup_code() if shop_plan.pickup_location_id else "",
            payment_mode=shop_plan.payment_mode, goods_amount=shop_plan.goods, shipping_amount=shop_plan.shipping,
            shop_discount=shop_plan.shop_discount, platform_discount=shop_plan.platform_discount,
            payable_amount=shop_plan.payable, invoice=shop_plan.invoice, buyer_note=shop_plan.note,
            requires_confirmation=shop_plan.requires_confirmation, auto_complete_days=shop_plan.auto_complete_days,
            after_sales_days=max(shop_plan.after_sales_days, AFTER_SALES_FLOOR_DAYS),
            shop_coupon_code=shop_plan.shop_coupon.code if shop_plan.shop_coupon else "",
        )
        history_add(sub, "", SubOrderStatus.PENDING_PAYMENT, actor_user_id=user_id)
        OrderLine.objects.bulk_create([OrderLine(
            sub_order=sub, sku_id=line.sku_id, product_id=line.sellable.product_id, sku_code=line.sellable.code,
            title=line.sellable.title, spec=line.sellable.spec, image=line.sellable.image,
            category_id=line.sellable.category_id, tax_rate=line.sellable.tax_rate,
            unit_price=line.unit_price, quantity=line.quantity, goods_amount=line.goods,
            shop_discount=line.shop_discount, platform_discount=line.platform_discount, payable_amount=line.payable,
        ) for line in shop_plan.lines])
        until = (expires_at + RESERVATION_GRACE if shop_plan.payment_mode == PaymentMode.ONLINE
                 else now + timedelta(days=PICKUP_PAYMENT_DAYS))
        with schema_context(shop_plan.shop.schema_name):
            hold(reference=sub.number, pickup_location_id=shop_plan.pickup_location_id, until=until,
                 location_id=pool_location_id,
                 items=[(line.sku_id, line.quantity, line.unit_price) for line in shop_plan.lines])
        if shop_plan.payment_mode == PaymentMode.AT_PICKUP:
            payment = payment_open(kind="sub_order", reference=sub.number, number=sub.number,
                                   amount=shop_plan.payable, subject=shop_plan.shop.name, provider="offline",
                                   expires_at=until, user_id=user_id)
            sub.offline_payment_number = payment.number
            sub.save(update_fields=["offline_payment_number"])
    if order.online_amount:
        payment_open(kind="checkout", reference=order.number, number=order.number, amount=order.online_amount,
                     subject=_("Mall order %(number)s") % {"number": order.number}, provider=provider,
                     expires_at=expires_at, user_id=user_id)
    else:
        order.status = OrderStatus.PAID  # nothing to pay online: the pickup sub-orders are paid at the counter
        order.save(update_fields=["status"])
    return order


def _coupon_uses(plan: Plan):
    for shop in plan.shops:
        yield shop.shop_coupon, shop.shop_discount
    yield plan.platform_coupon, plan.total("platform_discount")
