"""Checkout across shops: one order, a sub-order per shop, stock held in each shop's schema, money
split to the fen; payment sells the held stock, expiry gives it back; nothing half-written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, ServiceError
from shared_apps.cart.models import CartLine
from shared_apps.marketing import services as coupons
from shared_apps.marketing.models import Coupon, CouponUse
from shared_apps.orders import services
from shared_apps.orders.checkout import checkout_place, checkout_quote
from shared_apps.orders.models import Order, OrderLine, OrderStatus, SubOrder, SubOrderStatus
from tenant_apps.inventory.models import Reservation, ReservationStatus, StockBalance, StockMovement
from tenants.services import shop_change_status

from .conftest import express, fill_cart
from .payments import pay

pytestmark = pytest.mark.django_db


def place(user, address, shops, **extra):
    return checkout_place(user_id=user.pk, data={"client_token": extra.pop("token", "token-0001"),
                                                 "address_id": address.pk, "shops": shops, **extra})


def held(shop, reference):
    with schema_context(shop.schema_name):
        return sorted(Reservation.objects.filter(reference=reference).values_list("sku_id", "quantity", "status"))


def test_one_checkout_makes_an_order_a_sub_order_per_shop_and_holds_stock(shopper, address, alpha, beta):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 2), (alpha.shop, alpha.skus[1], 1), (beta.shop, beta.skus[0], 3))
    order = place(shopper, address, express(alpha.shop, beta.shop))
    subs = {s.shop_id: s for s in order.sub_orders.all()}
    a, b = subs[alpha.shop.pk], subs[beta.shop.pk]
    # alpha: 2×100 + 1×50 goods, 3 pieces: 10 + 2×2 shipping; beta: 3×30, 10 + 2×2.
    assert (a.goods_amount, a.shipping_amount, a.payable_amount) == (Decimal("250.00"), Decimal("14.00"), Decimal("264.00"))
    assert (b.goods_amount, b.shipping_amount, b.payable_amount) == (Decimal("90.00"), Decimal("14.00"), Decimal("104.00"))
    assert order.payable_amount == order.online_amount == Decimal("368.00")
    assert order.status == OrderStatus.PENDING_PAYMENT and a.status == SubOrderStatus.PENDING_PAYMENT
    assert a.number == f"{order.number}-1" and b.number == f"{order.number}-2"
    assert held(alpha.shop, a.number) == [(alpha.skus[0], 2, "held"), (alpha.skus[1], 1, "held")]
    assert held(beta.shop, b.number) == [(beta.skus[0], 3, "held")]
    assert not CartLine.objects.filter(cart__user_id=shopper.pk).exists()
    assert order.address["phone_encrypted"] and "13800138000" not in str(order.address)
    from shared_apps.payments.interface import payment_get

    payment = payment_get(number=order.number)
    assert payment.amount == Decimal("368.00") and payment.status == "pending"


def test_the_same_client_token_places_one_order(shopper, address, alpha):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    first = place(shopper, address, express(alpha.shop))
    again = place(shopper, address, express(alpha.shop))
    assert first.pk == again.pk and Order.objects.count() == 1


def test_coupons_split_to_the_fen_over_the_lines_they_cover(shopper, address, alpha, beta):
    now = timezone.now()
    window = {"valid_from": now - timedelta(days=1), "valid_until": now + timedelta(days=1), "total_quantity": 5}
    coupons.coupon_create(shop_id=None, data={"code": "MALL10", "name": "Mall", "amount_off": "10.00", **window})
    coupons.coupon_create(shop_id=alpha.shop.pk, data={"code": "ALPHA7", "name": "Alpha", "amount_off": "7.00",
                                                       "min_goods_amount": "100", **window})
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1), (alpha.shop, alpha.skus[1], 1), (beta.shop, beta.skus[0], 1))
    shops = express(alpha.shop, beta.shop)
    shops[0]["coupon"] = "alpha7"
    order = place(shopper, address, shops, platform_coupon="MALL10")
    lines = list(OrderLine.objects.filter(sub_order__order=order).order_by("sub_order__number", "id"))
    # shop coupon 7.00 over 100 and 50 → 4.67 / 2.33 (largest remainder); platform 10.00 over
    # 95.33, 47.67, 30.00 → 5.51, 2.76, 1.73 — and every line adds up.
    assert [line.shop_discount for line in lines] == [Decimal("4.67"), Decimal("2.33"), Decimal("0.00")]
    assert sum(line.platform_discount for line in lines) == Decimal("10.00")
    for line in lines:
        assert line.payable_amount == line.goods_amount - line.shop_discount - line.platform_discount
    assert order.payable_amount == Decimal("180.00") + Decimal("22.00") - Decimal("17.00")
    assert Coupon.objects.get(code="MALL10").used_quantity == 1
    assert CouponUse.objects.filter(order_number=order.number).count() == 2


def test_short_stock_leaves_nothing_behind(shopper, address, alpha, beta):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1), (beta.shop, beta.skus[0], 11))
    with pytest.raises(Conflict) as refused:
        place(shopper, address, express(alpha.shop, beta.shop))
    assert refused.value.code == "insufficient_stock"
    assert not Order.objects.exists() and not SubOrder.objects.exists()
    with schema_context(alpha.shop.schema_name):
        assert not Reservation.objects.exists()
    assert CartLine.objects.filter(cart__user_id=shopper.pk).count() == 2  # the cart is kept


@pytest.mark.parametrize(("change", "code"), [
    ({"shops": []}, "invalid"),
    ({"shops": [{"shop_id": "x", "delivery_method": "express"}]}, "invalid"),
    ({"shops": [{"delivery_method": "teleport"}]}, "invalid"),
    ({"platform_coupon": "NOPE"}, "coupon_invalid"),
    ({"address_id": 999999}, "invalid"),
    ({"client_token": "short"}, "invalid"),
    ({"provider": "bitcoin"}, "invalid"),
])
def test_bad_checkout_input_is_refused_by_name(shopper, address, alpha, change, code):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    data = {"client_token": "token-0002", "address_id": address.pk, "shops": express(alpha.shop), **change}
    if change.get("shops") and "shop_id" not in change["shops"][0]:
        data["shops"] = [{"shop_id": alpha.shop.pk, **change["shops"][0]}]
    with pytest.raises(ServiceError) as refused:
        checkout_place(user_id=shopper.pk, data=data)
    assert refused.value.code == code and refused.value.fields
    assert not Order.objects.exists()


def test_an_address_outside_every_freight_region_is_refused(shopper, alpha):
    from shared_apps.accounts import services as accounts
    from tenant_apps.freight.models import FreightTemplate

    with schema_context(alpha.shop.schema_name):
        FreightTemplate.objects.update(excluded_regions=["650000"])
    far = accounts.address_create(user=shopper, data={
        "recipient_name": "李四", "phone": "13900139000", "province_code": "650000", "city_code": "650100",
        "district_code": "650102", "detail": "1 号"})
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    with pytest.raises(ServiceError) as refused:
        place(shopper, far, express(alpha.shop))
    assert refused.value.code == "not_deliverable"


def test_a_suspended_shop_cannot_be_ordered_from(shopper, address, alpha, operator):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    shop_change_status(shop_id=alpha.shop.pk, to_status="suspended", actor=operator, reason="audit")
    with pytest.raises(Conflict) as refused:
        place(shopper, address, express(alpha.shop))
    assert refused.value.code == "shop_closed"


def test_payment_sells_the_held_stock(shopper, address, alpha, beta):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 2), (beta.shop, beta.skus[0], 1))
    order = place(shopper, address, express(alpha.shop, beta.shop))
    pay(order)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    for sub in order.sub_orders.all():
        assert sub.status == SubOrderStatus.PAID and sub.paid_amount == sub.payable_amount
        assert all(line.paid_amount == line.payable_amount for line in sub.lines.all())
    a = order.sub_orders.get(shop=alpha.shop)
    assert held(alpha.shop, a.number) == [(alpha.skus[0], 2, ReservationStatus.COMMITTED)]
    with schema_context(alpha.shop.schema_name):
        sale = StockMovement.objects.get(reference=a.number)
        assert (sale.kind, sale.quantity, sale.unit_price) == ("sale", -2, Decimal("100.00"))
        assert StockBalance.objects.get(sku_id=alpha.skus[0], location_id=alpha.location_id).on_hand == 8


def test_unpaid_orders_expire_and_give_everything_back(shopper, address, alpha):
    now = timezone.now()
    coupons.coupon_create(shop_id=None, data={"code": "ONCE", "name": "Once", "amount_off": "1.00",
                                              "valid_from": now - timedelta(days=1),
                                              "valid_until": now + timedelta(days=1), "total_quantity": 1})
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 10))
    order = place(shopper, address, express(alpha.shop), platform_coupon="ONCE")
    assert services.orders_expire(now=now + timedelta(minutes=5)) == 0  # not yet
    assert services.orders_expire(now=order.expires_at + timedelta(seconds=1)) == 1
    order.refresh_from_db()
    sub = order.sub_orders.get()
    assert order.status == OrderStatus.EXPIRED and sub.status == SubOrderStatus.CANCELLED
    assert held(alpha.shop, sub.number) == [(alpha.skus[0], 10, ReservationStatus.RELEASED)]
    assert Coupon.objects.get(code="ONCE").used_quantity == 0 and not CouponUse.objects.exists()
    from shared_apps.payments.interface import payment_get

    assert payment_get(number=order.number).status == "closed"
    assert [h.to_status for h in sub.status_changes.all()] == ["pending_payment", "cancelled"]


def test_a_payment_after_expiry_is_refunded_not_accepted(shopper, address, alpha):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    order = place(shopper, address, express(alpha.shop))
    services.orders_expire(now=order.expires_at + timedelta(seconds=1))
    assert services.checkout_paid(order.number, type("P", (), {"amount": order.online_amount})()) is False
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED


def test_the_shopper_cancels_an_unpaid_order(shopper, address, alpha):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 3))
    order = place(shopper, address, express(alpha.shop))
    services.order_cancel(user_id=shopper.pk, number=order.number)
    sub = order.sub_orders.get()
    assert held(alpha.shop, sub.number) == [(alpha.skus[0], 3, ReservationStatus.RELEASED)]
    with pytest.raises(Conflict):
        services.order_cancel(user_id=shopper.pk, number=order.number)


def test_pickup_with_payment_at_the_store(shopper, address, alpha):
    fill_cart(shopper, (alpha.shop, alpha.skus[1], 2))
    order = place(shopper, address, [{"shop_id": alpha.shop.pk, "delivery_method": "pickup",
                                      "pickup_location_id": alpha.store_id, "payment_mode": "at_pickup"}])
    sub = order.sub_orders.get()
    assert order.online_amount == 0 and order.status == OrderStatus.PAID  # nothing to pay online
    assert sub.shipping_amount == 0 and len(sub.pickup_code) == 6 and sub.offline_payment_number
    assert held(alpha.shop, sub.number) == [(alpha.skus[1], 2, "held")]
    with schema_context(alpha.shop.schema_name):
        assert Reservation.objects.get(reference=sub.number).location_id == alpha.store_id


def test_quote_writes_nothing(shopper, address, alpha):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    plan = checkout_quote(user_id=shopper.pk, data={"address_id": address.pk, "shops": express(alpha.shop)})
    assert plan.total("payable") == Decimal("110.00")
    assert not Order.objects.exists()
    with schema_context(alpha.shop.schema_name):
        assert not Reservation.objects.exists()


def test_illegal_moves_are_refused(shopper, address, alpha):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    order = place(shopper, address, express(alpha.shop))
    sub = order.sub_orders.get()
    with pytest.raises(Conflict) as refused:
        services.sub_order_shipped(shop_id=alpha.shop.pk, number=sub.number, actor_user_id=None)
    assert refused.value.code == "illegal_transition"
    with pytest.raises(Conflict):
        services.sub_order_delivered(shop_id=alpha.shop.pk, number=sub.number)


def test_delivered_orders_complete_after_the_shops_number_of_days(shopper, address, alpha):
    from tenant_apps.shop.models import ShopProfile

    with schema_context(alpha.shop.schema_name):
        ShopProfile.objects.update(auto_complete_days=3, after_sales_days=15)
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    order = place(shopper, address, express(alpha.shop))
    pay(order)
    sub = order.sub_orders.get()
    assert (sub.auto_complete_days, sub.after_sales_days) == (3, 15)  # the shop's settings, kept on the order
    services.sub_order_shipped(shop_id=alpha.shop.pk, number=sub.number, actor_user_id=None)
    services.sub_order_delivered(shop_id=alpha.shop.pk, number=sub.number)
    sub.refresh_from_db()
    assert services.sub_orders_complete_delivered(now=sub.delivered_at + timedelta(days=2)) == 0
    assert services.sub_orders_complete_delivered(now=sub.delivered_at + timedelta(days=3, seconds=1)) == 1
    sub.refresh_from_db()
    assert sub.status == SubOrderStatus.COMPLETED
