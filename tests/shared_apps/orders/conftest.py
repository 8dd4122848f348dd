"""A small mall to buy in: listed SKUs with stock and freight in two shops, a shopper with an
address, and helpers to fill the cart and pay."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from shared_apps.accounts import services as accounts
from shared_apps.cart import services as cart
from shared_apps.orders.checkout import checkout_place
from shared_apps.orders.models import OrderLine, SubOrderStatus
from shared_apps.payments.testing import sandbox_pay
from tenant_apps.catalog import outbox
from tenant_apps.catalog.models import SKU, Product, ProductStatus
from tenant_apps.freight import services as freight
from tenant_apps.inventory import services as stock
from tests.shared_apps.payments.conftest import in_process_delivery  # noqa: F401  (fixture)


@dataclass
class Stocked:
    shop: object
    skus: list[int]
    location_id: int
    store_id: int


def stock_shop(shop, *, prices=("100.00", "50.00"), units=10, title="Tea") -> Stocked:
    """Listed SKUs at `prices` with `units` each in a warehouse, a pickup store, an express
    template (¥10 first piece, ¥2 each further), all projected into the offer index."""
    with schema_context(shop.schema_name):
        product = Product.objects.create(title=title, brand="Bench", status=ProductStatus.LISTED,
                                         listed_at=timezone.now(), weight_grams=500)
        skus = [SKU.objects.create(product=product, code=f"{shop.subdomain}-{title}-{i}", sale_price=Decimal(p),
                                   spec={"size": f"s{i}"}) for i, p in enumerate(prices)]
        warehouse = stock.location_create(data={"name": "Warehouse", "code": "WH"})
        store = stock.location_create(data={"name": "Store", "code": "ST", "kind": "store", "does_pickup": True,
                                             "sells_online": False, "province_code": "440000",
                                             "city_code": "440300", "district_code": "440305"})
        if units:
            stock.movement_post(kind="purchase_receipt", actor_user_id=None, lines=[
                stock.MovementLine(sku_id=s.pk, location_id=warehouse.pk, quantity=units, unit_cost="10.00")
                for s in skus] + [
                stock.MovementLine(sku_id=s.pk, location_id=store.pk, quantity=units, unit_cost="10.00")
                for s in skus])
        freight.template_create(data={"name": "Express", "method": "express", "first_units": 1,
                                      "first_price": "10.00", "additional_units": 1, "additional_price": "2.00"})
        outbox.rebuild()
        outbox.drain_all()
        return Stocked(shop=shop, skus=[s.pk for s in skus], location_id=warehouse.pk, store_id=store.pk)


@pytest.fixture
def address(shopper):
    return accounts.address_create(user=shopper, data={
        "recipient_name": "张三", "phone": "13800138000", "province_code": "440000", "city_code": "440300",
        "district_code": "440305", "detail": "科技园 1 号"})


def fill_cart(user, *items):
    """items: (shop, sku_id, quantity)."""
    mine = cart.cart_for(user_id=user.pk)
    for shop, sku_id, quantity in items:
        cart.line_add(cart=mine, shop_id=shop.pk, sku_id=sku_id, quantity=quantity)
    return mine


def express(*shops, **extra):
    return [{"shop_id": s.pk, "delivery_method": "express", **extra} for s in shops]


@pytest.fixture
def alpha(shop_a):
    return stock_shop(shop_a)


@pytest.fixture
def beta(shop_b):
    return stock_shop(shop_b, prices=("30.00",), title="Cup")


@pytest.fixture
def paid(shopper, address, alpha, beta, in_process_delivery, django_capture_on_commit_callbacks):  # noqa: F811
    """alpha: 2 × ¥100 + 1 × ¥50 + ¥14 shipping; beta: 1 × ¥30 + ¥10 shipping; paid in the sandbox."""
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 2), (alpha.shop, alpha.skus[1], 1), (beta.shop, beta.skus[0], 1))
    order = checkout_place(user_id=shopper.pk, data={"client_token": "token-paid", "address_id": address.pk,
                                                     "shops": express(alpha.shop, beta.shop)})
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(order.number)
    sub = order.sub_orders.get(shop=alpha.shop)
    assert sub.status == SubOrderStatus.PAID
    return sub


def lines_of(sub):
    return list(OrderLine.objects.filter(sub_order=sub).order_by("id"))
