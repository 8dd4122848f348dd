"""Fulfilment fixtures: sub-orders written straight into the public schema (the checkout is not
needed to ship them), shop-host clients and a few staff personas."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from shared_apps.orders.models import Order, OrderLine, SubOrder
from tests.tenant_apps.shop.conftest import (  # noqa: F401  (fixtures re-exported)
    _media,
    add_staff,
    clerk_a,
    clerk_user,
    host_client,
    manager_a,
    manager_user,
    owner_a,
)

ADDRESS = {
    "id": 7,
    "user_id": 0,
    "recipient_name": "张三",
    "masked_phone": "138****8000",
    "phone_encrypted": "x",
    "province_code": "440000",
    "city_code": "440300",
    "district_code": "440305",
    "province_name": "广东省",
    "city_name": "深圳市",
    "district_name": "南山区",
    "detail": "科技园 1 号",
    "postal_code": "518000",
    "label": "",
    "is_default": True,
    "full_text": "广东省深圳市南山区科技园 1 号",
}
STORE = {
    "id": 3,
    "name": "Alpha 南山店",
    "address": "南山大道 8 号",
    "opening_hours": "10:00-22:00",
    "phone": "",
}
_numbers = itertools.count(1)


def make_sub_order(
    shop,
    user,
    *,
    status="paid",
    lines=(("A-1", 2, "10.00"), ("A-2", 1, "5.50")),
    delivery_method="express",
    payment_mode="online",
    pickup_code="",
    requires_confirmation=False,
    invoice=None,
    buyer_note="",
    number=None,
) -> SubOrder:
    """A checkout of one sub-order in `shop` for `user`: lines of (SKU code, quantity, unit price)."""
    n = next(_numbers)
    order_number = number or f"26112200{n:08d}"
    goods = sum(Decimal(price) * qty for _code, qty, price in lines)
    shipping = Decimal("0.00") if delivery_method == "pickup" else Decimal("8.00")
    payable = goods + shipping
    online = payable if payment_mode == "online" else Decimal("0.00")
    paid = status not in ("pending_payment", "cancelled")
    order = Order.objects.create(
        number=order_number,
        user_id=user.pk,
        status="paid" if paid else "pending_payment",
        goods_amount=goods,
        shipping_amount=shipping,
        shop_discount=0,
        platform_discount=0,
        payable_amount=payable,
        online_amount=online,
        address={} if delivery_method == "pickup" else {**ADDRESS, "user_id": user.pk},
        client_token=f"token-{order_number}",
        expires_at=timezone.now() + timedelta(minutes=30),
        paid_at=timezone.now() if paid else None,
    )
    sub = SubOrder.objects.create(
        order=order,
        number=f"{order_number}-1",
        shop=shop,
        user_id=user.pk,
        status=status,
        delivery_method=delivery_method,
        pickup_location=STORE if delivery_method == "pickup" else {},
        pickup_location_id=3 if delivery_method == "pickup" else None,
        pickup_code=pickup_code,
        payment_mode=payment_mode,
        offline_payment_number=f"{order_number}-1" if payment_mode == "at_pickup" else "",
        goods_amount=goods,
        shipping_amount=shipping,
        shop_discount=0,
        platform_discount=0,
        payable_amount=payable,
        paid_amount=payable if paid else 0,
        invoice=invoice or {},
        buyer_note=buyer_note,
        requires_confirmation=requires_confirmation,
        paid_at=timezone.now() if paid else None,
    )
    for index, (code, qty, price) in enumerate(lines):
        amount = Decimal(price) * qty
        OrderLine.objects.create(
            sub_order=sub,
            sku_id=100 + index,
            product_id=50,
            sku_code=code,
            title=f"{code} 茶叶",
            spec={"size": "L"},
            unit_price=Decimal(price),
            quantity=qty,
            goods_amount=amount,
            payable_amount=amount,
            paid_amount=amount if paid else 0,
        )
    return sub


def line_ids(sub) -> list[int]:
    return list(sub.lines.order_by("id").values_list("pk", flat=True))


@pytest.fixture
def warehouse_a(shop_a, make_user):
    """A warehouse clerk of shop A (the warehouse role opens the orders section)."""
    user = make_user(email="wh@alpha.example", display_name="Wu Warehouse")
    add_staff(shop_a, user, "warehouse")
    return user


@pytest.fixture
def paid_a(shop_a, shopper):
    """A paid express sub-order of shop A: A-1 × 2 at ¥10.00 and A-2 × 1 at ¥5.50."""
    return make_sub_order(shop_a, shopper)


def in_shop(shop):
    return schema_context(shop.schema_name)


class CountQueries(CaptureQueriesContext):
    """Queries run inside the block, leaving out django-tenants' `SET search_path`."""

    def __init__(self):
        super().__init__(connection)

    @property
    def count(self) -> int:
        return sum(not q["sql"].startswith("SET search_path") for q in self.captured_queries)
