"""The cart, checkout and order API and pages on the mall host: guests, sign-in merge, bad input,
and one shopper never seeing another's orders."""

import uuid

import pytest

from shared_apps.cart.models import CartLine
from shared_apps.orders.models import Order
from tests.conftest import MALL, client_for
from tests.factories import UserFactory

from .conftest import express, fill_cart

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def test_a_guest_cart_joins_the_shoppers_cart_at_sign_in(alpha, shopper):
    guest = client_for(MALL)
    added = post(guest, f"{API}cart/lines/", {"shop_id": alpha.shop.pk, "sku_id": alpha.skus[0], "quantity": 2})
    assert added.status_code == 201, added.content
    assert added.json()["item_count"] == 2 and added.json()["groups"][0]["shop_name"] == "Alpha 商店"
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    guest.force_login(shopper)
    mine = CartLine.objects.get(cart__user_id=shopper.pk)
    assert mine.quantity == 3


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2.0", "", True, 1000])
def test_bad_quantities_are_refused_by_name(alpha, quantity):
    guest = client_for(MALL)
    answer = post(guest, f"{API}cart/lines/", {"shop_id": alpha.shop.pk, "sku_id": alpha.skus[0], "quantity": quantity})
    assert answer.status_code == 400 and "quantity" in answer.json()["error"]["fields"]


def test_items_not_on_sale_cannot_be_added(alpha, shop_b):
    guest = client_for(MALL)
    assert post(guest, f"{API}cart/lines/", {"shop_id": alpha.shop.pk, "sku_id": 999999}).status_code == 404
    # A's SKU id under B's shop id is not an offer either.
    assert post(guest, f"{API}cart/lines/", {"shop_id": shop_b.pk, "sku_id": alpha.skus[0]}).status_code == 404
    assert post(guest, f"{API}cart/lines/", {"shop_id": "x", "sku_id": "y"}).status_code == 400


def test_checkout_over_the_api_and_orders_stay_private(alpha, shopper, address):
    client = client_for(MALL, shopper)
    post(client, f"{API}cart/lines/", {"shop_id": alpha.shop.pk, "sku_id": alpha.skus[0], "quantity": 1})
    body = {"client_token": uuid.uuid4().hex, "address_id": address.pk, "shops": express(alpha.shop)}
    quote = post(client, f"{API}checkout/quote/", body)
    assert quote.status_code == 200 and quote.json()["payable"] == "110.00"
    placed = post(client, f"{API}checkout/", body)
    assert placed.status_code == 201, placed.content
    order = placed.json()
    assert order["payable_amount"] == "110.00" and order["pay_url"] and order["sub_orders"][0]["lines"][0]["quantity"] == 1
    assert post(client, f"{API}checkout/", body).json()["number"] == order["number"]  # double click
    assert Order.objects.count() == 1
    listed = client.get(f"{API}orders/").json()
    assert [o["number"] for o in listed["results"]] == [order["number"]]
    other = client_for(MALL, UserFactory(email="other@example.com"))
    assert other.get(f"{API}orders/{order['number']}/").status_code == 404
    assert post(other, f"{API}orders/{order['number']}/cancel/").status_code == 404
    assert other.get(f"/orders/{order['number']}/").status_code == 404
    assert client_for(MALL).get(f"{API}orders/").status_code in (401, 403)


def test_checkout_errors_are_clear(alpha, shopper, address):
    client = client_for(MALL, shopper)
    empty = post(client, f"{API}checkout/", {"client_token": uuid.uuid4().hex, "shops": express(alpha.shop)})
    assert empty.status_code == 409 and empty.json()["error"]["code"] == "cart_empty"
    post(client, f"{API}cart/lines/", {"shop_id": alpha.shop.pk, "sku_id": alpha.skus[0], "quantity": 1})
    no_address = post(client, f"{API}checkout/", {"client_token": uuid.uuid4().hex, "shops": express(alpha.shop)})
    assert no_address.status_code == 400 and "address_id" in no_address.json()["error"]["fields"]
    garbage = client.post(f"{API}checkout/", "[1, 2]", content_type="application/json")
    assert garbage.status_code == 400


def test_pages_cart_checkout_and_order(alpha, shopper, address):
    client = client_for(MALL, shopper)
    add = client.get(f"/cart/add/?shop_id={alpha.shop.pk}&sku_id={alpha.skus[0]}")
    assert add.status_code == 200 and b"Tea" in add.content
    assert client.post("/cart/add/", {"shop_id": alpha.shop.pk, "sku_id": alpha.skus[0], "quantity": "2"}).status_code == 302
    cart = client.get("/cart/")
    assert cart.status_code == 200 and "¥200.00".encode() in cart.content
    page = client.get("/orders/checkout/")
    assert page.status_code == 200 and "¥212.00".encode() in page.content  # 200 + 10 + 2 for the second piece
    token = page.context["data"]["client_token"]
    form = {"client_token": token, "address_id": address.pk, f"shop-{alpha.shop.pk}-method": "express",
            "provider": "sandbox", "action": "place"}
    placed = client.post("/orders/checkout/", form)
    assert placed.status_code == 302
    order = Order.objects.get()
    assert placed["Location"] == f"/orders/{order.number}/"
    detail = client.get(placed["Location"])
    assert detail.status_code == 200 and order.number.encode() in detail.content
    assert client.post("/orders/checkout/", form).status_code == 302  # the same token: no second order
    assert Order.objects.count() == 1
    assert client.get("/orders/").status_code == 200
    assert client.get("/cart/add/?shop_id=x").status_code == 400


def test_the_order_list_costs_the_same_queries_for_one_order_or_many(alpha, shopper, address,
                                                                       django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shared_apps.orders.checkout import checkout_place

    client = client_for(MALL, shopper)

    def order_one(n):
        fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
        checkout_place(user_id=shopper.pk, data={"client_token": f"list-token-{n}", "address_id": address.pk,
                                                  "shops": express(alpha.shop)})

    order_one(0)
    client.get(f"{API}orders/")
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"{API}orders/").json()["results"]) == 1
    for n in range(1, 4):
        order_one(n)
    with django_assert_max_num_queries(len(one)):
        page = client.get(f"{API}orders/").json()["results"]
    assert len(page) == 4 and all(order["pay_url"] for order in page)


def test_one_shoppers_cart_lines_are_out_of_reach_of_another(alpha, shopper):
    mine = fill_cart(shopper, (alpha.shop, alpha.skus[0], 2))
    line = mine.lines.get()
    other = client_for(MALL, UserFactory(email="cart-other@example.com"))
    assert other.patch(f"{API}cart/lines/{line.pk}/", {"quantity": 9}, content_type="application/json").status_code == 404
    assert other.delete(f"{API}cart/lines/{line.pk}/").status_code == 404
    assert client_for(MALL).delete(f"{API}cart/lines/{line.pk}/").status_code == 404  # a guest
    assert other.get(f"{API}cart/").json()["groups"] == []
    line.refresh_from_db()
    assert line.quantity == 2
