"""Flash sales: units carved out of online stock, sold exactly once each at the flash price, one
per person by a database constraint, behind a Redis gate that is rebuilt when lost."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connections
from django.utils import timezone
from django_tenants.utils import schema_context

from backend.api.errors import Conflict
from shared_apps.accounts import services as accounts
from shared_apps.marketing.models import FlashClaim, FlashSaleStatus
from shared_apps.orders import flash, services
from shared_apps.orders.models import Order, OrderStatus
from tenant_apps.inventory.interface import available_online, flash_pool_available
from tenant_apps.inventory.selectors import ledger_drift
from tests.factories import UserFactory

from .conftest import stock_shop
from .payments import pay

UNITS = 10


def start_sale(shop, sku_id, *, quantity=UNITS, limit=1):
    now = timezone.now()
    sale = flash.flash_create(shop=shop, data={
        "sku_id": sku_id, "price": "9.90", "quantity": quantity, "per_person_limit": limit, "hold_minutes": 5,
        "starts_at": now - timedelta(minutes=1), "ends_at": now + timedelta(hours=1)})
    return flash.flash_start(sale_id=sale.pk)


def buyer(i):
    user = UserFactory(email=f"flash{i}@example.com")
    address = accounts.address_create(user=user, data={
        "recipient_name": "抢购", "phone": f"136{i:08d}", "province_code": "440000", "city_code": "440300",
        "district_code": "440305", "detail": "1 号"})
    return user, address


def buy(user, address, sale, token, **kwargs):
    return flash.flash_buy(user_id=user.pk, sale_id=sale.pk,
                           data={"client_token": token, "address_id": address.pk}, **kwargs)


@pytest.mark.django_db
def test_a_sale_carves_units_out_and_sells_them_at_the_flash_price(shop_a, django_capture_on_commit_callbacks):
    stocked = stock_shop(shop_a, units=30)
    sku = stocked.skus[0]
    with django_capture_on_commit_callbacks(execute=True):
        sale = start_sale(shop_a, sku)
    with schema_context(shop_a.schema_name):
        assert flash_pool_available(sku_id=sku) == UNITS
        assert available_online([sku])[sku] == 30 - UNITS  # the warehouse; the store does not sell online
    user, address = buyer(1)
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(user, address, sale, "flash-token-1")
    line = order.sub_orders.get().lines.get()
    assert (line.unit_price, line.quantity) == (Decimal("9.90"), 1)
    assert order.expires_at - order.created_at <= timedelta(minutes=5, seconds=1)
    assert flash.units_left(sale) == UNITS - 1
    with pytest.raises(Conflict) as refused:
        buy(user, address, sale, "flash-token-2")
    assert refused.value.code == "limit_reached"
    assert flash.units_left(sale) == UNITS - 1  # the refused attempt gave its unit back
    assert buy(user, address, sale, "flash-token-1").pk == order.pk  # same token, same order


@pytest.mark.django_db
def test_an_unpaid_flash_order_gives_its_unit_back_to_the_sale(shop_a, django_capture_on_commit_callbacks):
    stocked = stock_shop(shop_a, units=30)
    with django_capture_on_commit_callbacks(execute=True):
        sale = start_sale(shop_a, stocked.skus[0], quantity=1)
    first, first_address = buyer(1)
    second, second_address = buyer(2)
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(first, first_address, sale, "flash-aaaa")
    with pytest.raises(Conflict) as refused:
        buy(second, second_address, sale, "flash-bbbb")
    assert refused.value.code == "sold_out"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.orders_expire(now=order.expires_at + timedelta(seconds=1)) == 1
    assert not FlashClaim.objects.exists() and flash.units_left(sale) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert buy(second, second_address, sale, "flash-cccc").status == OrderStatus.PENDING_PAYMENT


@pytest.mark.django_db
def test_a_lost_counter_is_rebuilt_from_the_pool(shop_a, django_capture_on_commit_callbacks):
    stocked = stock_shop(shop_a, units=30)
    with django_capture_on_commit_callbacks(execute=True):
        sale = start_sale(shop_a, stocked.skus[0], quantity=3)
        buy(*buyer(1), sale, "flash-r111")
    cache.delete(flash._key(sale.pk))  # Redis restarted empty
    assert flash.units_left(sale) == 2
    cache.delete(flash._key(sale.pk))
    with django_capture_on_commit_callbacks(execute=True):
        buy(*buyer(2), sale, "flash-r222")
    assert flash.units_left(sale) == 1


@pytest.mark.django_db
def test_the_end_of_a_sale_puts_unsold_units_back_online(shop_a, django_capture_on_commit_callbacks):
    stocked = stock_shop(shop_a, units=30)
    sku = stocked.skus[0]
    with django_capture_on_commit_callbacks(execute=True):
        sale = start_sale(shop_a, sku)
        buy(*buyer(1), sale, "flash-e111")
        flash.flash_end(sale_id=sale.pk)
    sale.refresh_from_db()
    assert sale.status == FlashSaleStatus.ENDED
    with schema_context(shop_a.schema_name):
        assert flash_pool_available(sku_id=sku) == 0
        assert available_online([sku])[sku] == 30 - 1  # all but the one held by the open order
    with pytest.raises(Conflict) as refused:
        buy(*buyer(2), sale, "flash-e222")
    assert refused.value.code == "not_active"




@pytest.mark.parametrize("use_counter", [True, False], ids=["redis-gate", "row-lock"])
def test_eighty_buyers_on_ten_units_get_exactly_ten_orders(racing_shop, use_counter):
    stocked = stock_shop(racing_shop, units=50)
    sale = start_sale(racing_shop, stocked.skus[0])
    cache.set(flash._key(sale.pk), UNITS, 600)
    buyers = [buyer(i) for i in range(80)]

    def attempt(i):
        user, address = buyers[i]
        try:
            buy(user, address, sale, f"race-token-{i}", use_counter=use_counter)
            return "order"
        except Conflict as refused:
            return refused.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(attempt, range(80)))
    assert outcomes.count("order") == UNITS and set(outcomes) == {"order", "sold_out"}
    assert Order.objects.count() == UNITS and FlashClaim.objects.count() == UNITS
    for order in Order.objects.all():
        pay(order)
    assert Order.objects.filter(status=OrderStatus.PAID).count() == UNITS
    with schema_context(racing_shop.schema_name):
        assert flash_pool_available(sku_id=stocked.skus[0]) == 0
        assert ledger_drift() == []


@pytest.mark.django_db
def test_flash_sales_over_http(shop_a, shop_b, merchant_a, merchant_b, django_capture_on_commit_callbacks):
    from tests.conftest import MALL, client_for
    from tests.tenant_apps.shop.conftest import host_client

    stocked = stock_shop(shop_a, units=30)
    now = timezone.now()
    owner = host_client(shop_a, merchant_a)
    body = {"sku_id": stocked.skus[0], "price": "9.90", "quantity": 2, "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat()}
    created = owner.post("/api/v1/shop/flash-sales/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    sale_id = created.json()["id"]
    for bad in ({"price": "9.999"}, {"quantity": 0}, {"sku_id": 999999}, {"ends_at": body["starts_at"]}, {"starts_at": "soon"}):
        answer = owner.post("/api/v1/shop/flash-sales/", {**body, **bad}, content_type="application/json")
        assert answer.status_code == 400 and answer.json()["error"]["fields"], bad
    # shop B sees only its own sales, and cannot sell A's SKU ids as its own
    other = host_client(shop_b, merchant_b)
    assert other.get("/api/v1/shop/flash-sales/").json() == []
    with django_capture_on_commit_callbacks(execute=True):
        flash.flash_schedule()  # beat starts it
    shopper, address = buyer(1)
    client = client_for(MALL, shopper)
    assert client.get(f"/api/v1/flash/{sale_id}/").json()["left"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        bought = client.post(f"/api/v1/flash/{sale_id}/buy/", {"client_token": "http-flash-1", "address_id": address.pk},
                             content_type="application/json")
    assert bought.status_code == 201 and bought.json()["pay_url"]
    again = client.post(f"/api/v1/flash/{sale_id}/buy/", {"client_token": "http-flash-2", "address_id": address.pk},
                        content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "limit_reached"
    assert client_for(MALL).post(f"/api/v1/flash/{sale_id}/buy/", {}).status_code in (401, 403)
    assert client.post("/api/v1/flash/999999/buy/", {"client_token": "http-flash-3"},
                       content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_the_wsgi_gate_answers_only_signed_in_attempts_on_a_sold_out_sale(shopper):
    import json

    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from backend.flash_gate import FlashSoldOutGate

    passed = []

    def django_app(environ, start_response):
        passed.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"django"]

    gate = FlashSoldOutGate(django_app)
    session = SessionStore()
    session[SESSION_KEY] = str(shopper.pk)
    session["_host"] = "mall.localhost"
    session.create()

    def post(path="/api/v1/flash/7/buy/", host="mall.localhost:8000", cookie=f"sessionid={session.session_key}"):
        answers = []
        body = b"".join(gate({"REQUEST_METHOD": "POST", "PATH_INFO": path, "HTTP_HOST": host, "HTTP_COOKIE": cookie,
                              "HTTP_ACCEPT_LANGUAGE": "zh-CN"}, lambda status, headers: answers.append(status)))
        return answers[0], body

    cache.set(flash._key(7), 0, 60)
    status, body = post()
    assert status == "409 Conflict" and json.loads(body)["error"] == {"code": "sold_out", "message": "已售罄。", "fields": {}}
    assert passed == []
    assert post(cookie="")[1] == b"django"  # anonymous: Django says who may buy
    assert post(host="alpha.mall.localhost")[1] == b"django"  # not the mall host
    assert post(cookie="sessionid=forged")[1] == b"django"
    assert post(path="/api/v1/flash/8/buy/")[1] == b"django"  # no counter: the full path decides
    cache.set(flash._key(7), 3, 60)
    assert post()[1] == b"django"  # units left: Django takes the order
    session["_host"] = "ops.mall.localhost"
    session.save()
    cache.set(flash._key(7), 0, 60)
    assert post()[1] == b"django"  # a session bound to another host is not this shopper's here


@pytest.mark.django_db
def test_flash_sale_pages(shop_a, shop_b, merchant_a, merchant_b, django_capture_on_commit_callbacks):
    from tests.conftest import MALL, client_for
    from tests.tenant_apps.shop.conftest import host_client

    stocked = stock_shop(shop_a, units=30)
    owner = host_client(shop_a, merchant_a)
    assert owner.get("/console/flash-sales/").status_code == 200
    with schema_context(shop_a.schema_name):
        from tenant_apps.catalog.models import SKU

        code = SKU.objects.get(pk=stocked.skus[0]).code
    now = timezone.localtime()
    form = {"sku_code": code, "price": "9.90", "quantity": "1", "per_person_limit": "1", "hold_minutes": "5",
            "starts_at": (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}
    assert owner.post("/console/flash-sales/", {**form, "sku_code": "nope"}).status_code == 400
    assert owner.post("/console/flash-sales/", {**form, "ends_at": "later"}).status_code == 400
    assert owner.post("/console/flash-sales/", form).status_code == 302
    assert host_client(shop_b, merchant_b).get("/console/flash-sales/").content.count(b"Tea") == 0
    with django_capture_on_commit_callbacks(execute=True):
        flash.flash_schedule()
    sale = flash.FlashSale.objects.get()
    shopper, _address = buyer(1)
    client = client_for(MALL, shopper)
    page = client.get(f"/flash/{sale.pk}/")
    assert page.status_code == 200 and "¥9.90".encode() in page.content
    with django_capture_on_commit_callbacks(execute=True):
        bought = client.post(f"/flash/{sale.pk}/", {"client_token": "page-flash-1"})
    assert bought.status_code == 302 and bought["Location"].startswith("/orders/")
    other, _ = buyer(2)
    sold_out = client_for(MALL, other).post(f"/flash/{sale.pk}/", {"client_token": "page-flash-2"})
    assert sold_out.status_code == 409
    assert client_for(MALL).post(f"/flash/{sale.pk}/", {"client_token": "page-flash-3"}).status_code == 302  # sign in
    assert client_for(MALL).get("/flash/999999/").status_code == 404
