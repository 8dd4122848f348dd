"""The storefront page cache: anonymous visitors get stored pages, which every change a visitor
could see (price, stock state, listing, profile) replaces at once; nothing personal is stored and
one shop never sees another's pages."""

import re

from django.db import connection
from django_tenants.utils import schema_context

from tenant_apps.catalog import review, services
from tenant_apps.inventory import services as stock
from tenant_apps.shop import services as shop_services
from tenant_apps.shop.models import StaffMember
from tests.conftest import client_for, shop_host

from .conftest import host_client, make_product


def cache_state(response) -> str | None:
    return response.get("X-Page-Cache")


def get(client, path):
    connection.set_schema_to_public()  # as a fresh request would find the connection
    return client.get(path)


def test_second_anonymous_visit_is_served_from_cache(shop_a, merchant_a):
    product = make_product(shop_a, merchant_a, title="Cached tea", listed=True)
    first = get(host_client(shop_a), f"/products/{product.pk}/")
    second = get(host_client(shop_a), f"/products/{product.pk}/")
    assert (cache_state(first), cache_state(second)) == ("miss", "hit")
    assert first.status_code == second.status_code == 200
    assert b"Cached tea" in second.content
    listing = [cache_state(get(host_client(shop_a), "/products/")) for _ in range(2)]
    assert listing == ["miss", "hit"]


def test_price_change_shows_at_once(shop_a, merchant_a, django_capture_on_commit_callbacks):
    product = make_product(shop_a, merchant_a, title="Priced", listed=True, skus=1)
    client = host_client(shop_a)
    assert "¥100.50".encode() in get(client, f"/products/{product.pk}/").content
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        sku = product.skus.get()
        services.sku_price_update(actor=merchant_a, shop_id=shop_a.pk, sku_id=sku.pk, prices={"sale_price": "177.00"})
    page = get(client, f"/products/{product.pk}/")
    assert cache_state(page) == "miss"
    assert "¥177.00".encode() in page.content and "¥100.50".encode() not in page.content
    assert "¥177.00".encode() in get(client, "/products/").content


def test_stock_crossing_zero_changes_the_page(shop_a, merchant_a, django_capture_on_commit_callbacks):
    product = make_product(shop_a, merchant_a, title="Stocked", listed=True, skus=1)
    client = host_client(shop_a)
    assert b"Out of stock" in get(client, f"/products/{product.pk}/").content
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        location = stock.location_create(data={"name": "Main", "code": "MAIN"})
        sku_id = product.skus.get().pk
        stock.movement_post(kind="purchase_receipt", actor_user_id=merchant_a.pk, lines=[
            stock.MovementLine(sku_id=sku_id, location_id=location.pk, quantity=3, unit_cost="10.00")])
    page = get(client, f"/products/{product.pk}/")
    assert b"Out of stock" not in page.content and b"In stock" in page.content
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        stock.reserve(reference="order-1", items=[(sku_id, 3)])
    assert b"Out of stock" in get(client, f"/products/{product.pk}/").content


def test_delisting_removes_the_cached_page(shop_a, merchant_a, django_capture_on_commit_callbacks):
    product = make_product(shop_a, merchant_a, title="Going away", listed=True)
    client = host_client(shop_a)
    assert get(client, f"/products/{product.pk}/").status_code == 200
    assert get(client, f"/products/{product.pk}/").status_code == 200
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        review.product_delist(product_id=product.pk, actor_user_id=merchant_a.pk)
    assert get(client, f"/products/{product.pk}/").status_code == 404
    assert b"Going away" not in get(client, "/products/").content


def test_profile_change_shows_at_once(shop_a, merchant_a, django_capture_on_commit_callbacks):
    make_product(shop_a, merchant_a, listed=True)
    client = host_client(shop_a)
    get(client, "/products/")
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        member = StaffMember.objects.get(user_id=merchant_a.pk)
        shop_services.profile_update(shop=shop_a, member=member, actor=merchant_a, data={"name": "Renamed Tea House"})
    assert b"Renamed Tea House" in get(client, "/products/").content


def test_signed_in_visitors_are_neither_served_nor_stored(shop_a, merchant_a, shopper):
    product = make_product(shop_a, merchant_a, listed=True)
    member = client_for(shop_host(shop_a), shopper)
    signed_in = get(member, f"/products/{product.pk}/")
    assert cache_state(signed_in) is None and str(shopper).encode() in signed_in.content
    anonymous = get(host_client(shop_a), f"/products/{product.pk}/")
    assert cache_state(anonymous) == "miss" and str(shopper).encode() not in anonymous.content
    assert cache_state(get(member, f"/products/{product.pk}/")) is None


def test_each_visitor_gets_a_working_csrf_token_of_their_own(shop_a, merchant_a):
    product = make_product(shop_a, merchant_a, listed=True)
    get(host_client(shop_a), f"/products/{product.pk}/")  # stored
    tokens = []
    for _ in range(2):
        visitor = client_for(shop_host(shop_a), None)
        visitor.handler.enforce_csrf_checks = True
        page = get(visitor, f"/products/{product.pk}/")
        assert cache_state(page) == "hit"
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
        tokens.append(token)
        assert "csrftoken" in page.cookies  # set on the hit, as rendering would have
        switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/products/",
                                                   "csrfmiddlewaretoken": token})
        assert switched.status_code == 302
    assert tokens[0] != tokens[1]


def test_languages_are_stored_apart(shop_a, merchant_a):
    product = make_product(shop_a, merchant_a, listed=True, skus=1)
    english, chinese = host_client(shop_a), client_for(shop_host(shop_a), None)
    chinese.cookies.pop("django_language", None)
    chinese.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    assert b"Out of stock" in get(english, f"/products/{product.pk}/").content
    page = get(chinese, f"/products/{product.pk}/")
    assert cache_state(page) == "miss" and b"Out of stock" not in page.content
    assert cache_state(get(chinese, f"/products/{product.pk}/")) == "hit"


def test_shops_never_see_each_others_pages(shop_a, shop_b, merchant_a, merchant_b):
    a = make_product(shop_a, merchant_a, title="Only in A", listed=True)
    b = make_product(shop_b, merchant_b, title="Only in B", listed=True)
    assert a.pk == b.pk  # same id, same path, in two schemas
    assert b"Only in A" in get(host_client(shop_a), f"/products/{a.pk}/").content
    page_b = get(host_client(shop_b), f"/products/{b.pk}/")
    assert cache_state(page_b) == "miss" and b"Only in B" in page_b.content and b"Only in A" not in page_b.content
    listing_b = get(host_client(shop_b), "/products/")
    assert b"Only in A" not in listing_b.content


def test_not_found_and_errors_are_not_stored(shop_a, merchant_a):
    client = host_client(shop_a)
    for _ in range(2):
        missing = get(client, "/products/999999/")
        assert missing.status_code == 404 and cache_state(missing) is None


def test_pages_render_while_redis_is_down(shop_a, merchant_a, settings):
    product = make_product(shop_a, merchant_a, title="Still here", listed=True)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    page = get(host_client(shop_a), f"/products/{product.pk}/")
    assert page.status_code == 200 and b"Still here" in page.content and cache_state(page) is None
