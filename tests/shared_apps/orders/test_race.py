"""Buyers racing for the last units through the real checkout, each thread on its own database
connection: never oversold, and never undersold — abandoned payments give their units back to
the buyers who retry, until every unit is sold."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import connections
from django.utils import timezone
from django_tenants.utils import schema_context

from backend.api.errors import Conflict
from shared_apps.accounts import services as accounts
from shared_apps.orders import services
from shared_apps.orders.checkout import checkout_place
from shared_apps.orders.models import Order, OrderStatus
from tenant_apps.inventory.models import StockBalance
from tenant_apps.inventory.selectors import ledger_drift
from tests.factories import UserFactory

from .conftest import fill_cart, stock_shop
from .payments import pay

BUYERS = 200
UNITS = 10




def test_two_hundred_buyers_ten_units_a_third_abandon_exactly_ten_paid(racing_shop):
    stocked = stock_shop(racing_shop, prices=("99.00",), units=0)
    with schema_context(racing_shop.schema_name):
        from tenant_apps.inventory import services as stock

        stock.movement_post(kind="purchase_receipt", actor_user_id=None, lines=[
            stock.MovementLine(sku_id=stocked.skus[0], location_id=stocked.location_id, quantity=UNITS,
                               unit_cost="10.00")])
    buyers = []
    for i in range(BUYERS):
        user = UserFactory(email=f"racer{i}@example.com")
        address = accounts.address_create(user=user, data={
            "recipient_name": "买家", "phone": f"139{i:08d}", "province_code": "440000", "city_code": "440300",
            "district_code": "440305", "detail": "1 号"})
        fill_cart(user, (racing_shop, stocked.skus[0], 1))
        buyers.append((user, address))

    def attempt(index_round):
        index, round_ = index_round
        user, address = buyers[index]
        try:
            checkout_place(user_id=user.pk, data={
                "client_token": f"race-{round_}-{index}", "address_id": address.pk,
                "shops": [{"shop_id": racing_shop.pk, "delivery_method": "express"}]})
            return index
        except Conflict as refused:
            assert refused.code == "insufficient_stock"
            return None
        finally:
            connections.close_all()

    def run(indexes, round_):
        with ThreadPoolExecutor(16) as pool:
            return [i for i in pool.map(attempt, [(i, round_) for i in indexes]) if i is not None]

    winners = run(range(BUYERS), 1)
    assert len(winners) == UNITS  # never oversold
    abandoned = winners[: UNITS // 3]
    for index in winners[UNITS // 3:]:
        pay(Order.objects.get(user_id=buyers[index][0].pk))
    # The abandoned payments time out; their units go back on sale and the others retry.
    assert services.orders_expire(now=timezone.now() + timedelta(hours=1)) == len(abandoned)
    losers = [i for i in range(BUYERS) if i not in winners]  # their carts still hold the item
    second = run(losers, 2)
    assert len(second) == len(abandoned)
    for index in second:
        pay(Order.objects.get(user_id=buyers[index][0].pk, status=OrderStatus.PENDING_PAYMENT))
    assert Order.objects.filter(status=OrderStatus.PAID).count() == UNITS  # never undersold
    with schema_context(racing_shop.schema_name):
        balance = StockBalance.objects.get(sku_id=stocked.skus[0], location_id=stocked.location_id)
        assert (balance.on_hand, balance.reserved) == (0, 0)
        assert ledger_drift() == []
