"""Shop B never reaches shop A's orders, parcels or buyers: not on its own host by A's order
numbers (pages and API), not on A's host (B's staff have no record there), and A's host never
shows B's parcels or accepts pushes for them."""

import pytest

from shared_apps.orders.models import SubOrder
from tenant_apps.fulfilment import services
from tenant_apps.fulfilment.models import Shipment

from .conftest import host_client, in_shop, line_ids, make_sub_order

pytestmark = pytest.mark.django_db
PAGES = "/console/fulfilment/"
API = "/api/v1/shop/fulfilment/"
JSON = "application/json"


@pytest.fixture
def b_on_b(shop_b, merchant_b):
    return host_client(shop_b, merchant_b)


@pytest.fixture
def b_parcel(shop_b, shopper):
    """Shop B's own order, shipped in a parcel with tracking number SFB0001."""
    sub = make_sub_order(shop_b, shopper, lines=(("B-1", 1, "30.00"),))
    with in_shop(shop_b):
        services.shipment_create(
            shop=shop_b,
            number=sub.number,
            carrier="sf",
            tracking_number="SFB0001",
            actor_user_id=None,
        )
    return sub


def test_b_cannot_list_see_or_act_on_a_orders_from_its_own_host(b_on_b, shop_a, paid_a, b_parcel):
    listed = b_on_b.get(API + "orders/").json()
    assert [r["number"] for r in listed["results"]] == [b_parcel.number]
    assert paid_a.number not in b_on_b.get(PAGES).content.decode()
    assert "No orders." in b_on_b.get(PAGES + f"?q={paid_a.number}").content.decode()
    assert b_on_b.get(API + f"orders/?q={paid_a.number}").json()["count"] == 0
    assert b_on_b.get(API + "orders/?q=A-1").json()["count"] == 0
    (l1, _l2) = line_ids(paid_a)
    for path, body in (
        (f"orders/{paid_a.number}/shipments/", {"carrier": "sf", "tracking_number": "SF0001"}),
        (
            f"orders/{paid_a.number}/shipments/",
            {
                "carrier": "sf",
                "tracking_number": "SF0001",
                "lines": [{"order_line_id": l1, "quantity": 1}],
            },
        ),
        (f"orders/{paid_a.number}/confirm/", {}),
        (
            "shipments/bulk/",
            {"rows": [{"number": paid_a.number, "carrier": "sf", "tracking_number": "SF0002"}]},
        ),
    ):
        r = b_on_b.post(API + path, body, content_type=JSON)
        if path.startswith("shipments/bulk/"):
            assert r.json()[0]["error"]["code"] == "not_found"
        else:
            assert r.status_code == 404, path
    assert b_on_b.get(API + f"orders/{paid_a.number}/").status_code == 404
    for path in (
        f"{paid_a.number}/",
        f"{paid_a.number}/packing-list/",
        f"packing-lists/?n={paid_a.number}",
    ):
        assert b_on_b.get(PAGES + path).status_code == 404, path
    assert (
        b_on_b.post(
            PAGES + f"{paid_a.number}/ship/", {"carrier": "sf", "tracking_number": "SF0003"}
        ).status_code
        == 404
    )
    assert b_on_b.post(PAGES + f"{paid_a.number}/confirm/").status_code == 404
    assert SubOrder.objects.get(pk=paid_a.pk).status == "paid"
    with in_shop(shop_a):
        assert not Shipment.objects.exists()


def test_b_cannot_check_a_pickup_code_of_a(b_on_b, shop_a, shopper):
    pickup = make_sub_order(shop_a, shopper, delivery_method="pickup", pickup_code="246810")
    r = b_on_b.post(
        API + "pickup/verify/", {"number": pickup.number, "code": "246810"}, content_type=JSON
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "wrong_pickup_code"
    assert b_on_b.post(API + f"pickup/{pickup.number}/hand-over/").status_code == 403
    assert b_on_b.get(PAGES + f"pickup/{pickup.number}/").status_code == 302
    assert SubOrder.objects.get(pk=pickup.pk).status == "paid"


def test_b_staff_have_no_access_on_a_host(shop_a, merchant_b, paid_a):
    b_on_a = host_client(shop_a, merchant_b)
    for path in (
        "",
        f"{paid_a.number}/",
        "bulk-ship/",
        "pickup/",
        f"{paid_a.number}/packing-list/",
    ):
        assert b_on_a.get(PAGES + path).status_code == 403, path
    for path in ("orders/", f"orders/{paid_a.number}/", "carriers/"):
        assert b_on_a.get(API + path).status_code == 403, path
    r = b_on_a.post(
        API + f"orders/{paid_a.number}/shipments/",
        {"carrier": "sf", "tracking_number": "SF0001"},
        content_type=JSON,
    )
    assert r.status_code == 403
    assert (
        b_on_a.post(
            API + "pickup/verify/", {"number": paid_a.number, "code": "1"}, content_type=JSON
        ).status_code
        == 403
    )


def test_a_host_never_shows_b_parcels(owner_a, shop_a, shop_b, b_parcel, paid_a):
    assert owner_a.get(API + f"orders/{b_parcel.number}/").status_code == 404
    assert owner_a.get(PAGES + f"{b_parcel.number}/").status_code == 404
    with in_shop(shop_b):
        b_shipment = Shipment.objects.get()
    assert owner_a.post(API + f"shipments/{b_shipment.pk}/delivered/").status_code == 404
    # The same tracking number is free in A's schema: parcels are per shop.
    r = owner_a.post(
        API + f"orders/{paid_a.number}/shipments/",
        {"carrier": "sf", "tracking_number": "SFB0001"},
        content_type=JSON,
    )
    assert r.status_code == 201
    detail = owner_a.get(API + f"orders/{paid_a.number}/").json()
    assert [s["id"] for s in detail["shipments"]] == [r.json()["id"]]
    with in_shop(shop_b):
        assert Shipment.objects.get().status == "created"  # A's call touched nothing of B's
