"""Shop B's staff cannot see or change shop A's stock; A's ids mean nothing on B's host; roles
without the inventory section are refused."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.inventory.models import Location, StockMovement

from .conftest import add_staff, host_client, make_location

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/inventory/"
PAGES = ["", "locations/", "stock/", "movements/", "adjust/", "transfer/", "stocktakes/"]


def test_merchant_b_is_refused_on_a_host(shop_a, shop_b, merchant_b, stock_a):
    client = host_client(shop_a, merchant_b)
    for page in PAGES:
        assert client.get(f"/console/inventory/{page}").status_code == 403
    assert client.get(f"/console/inventory/locations/{stock_a['wh']}/").status_code == 403
    for path in ["locations/", "balances/", "movements/", "stocktakes/", "low-stock/"]:
        assert client.get(API + path).status_code == 403
    r = client.post(API + "adjustments/", {"sku_id": stock_a["sku1"], "location_id": stock_a["wh"], "quantity": 5, "reason": "x"},
                    content_type="application/json")
    assert r.status_code == 403
    with schema_context(shop_a.schema_name):
        assert StockMovement.objects.count() == 0


def test_a_ids_mean_nothing_on_b_host(shop_a, shop_b, merchant_b, stock_a):
    b = host_client(shop_b, merchant_b)
    make_location(shop_b, "B-ONLY")
    assert b.get(f"/console/inventory/locations/{stock_a['st']}/").status_code == 404  # B has only id 1
    r = b.patch(API + f"locations/{stock_a['st']}/", {"name": "taken"}, content_type="application/json")
    assert r.status_code == 404
    r = b.post(API + "adjustments/", {"sku_id": stock_a["sku1"], "location_id": stock_a["wh"], "quantity": 5, "reason": "x"},
               content_type="application/json")
    assert r.status_code == 404
    assert [loc["code"] for loc in b.get(API + "locations/").json()["results"]] == ["B-ONLY"]
    with schema_context(shop_a.schema_name):
        assert Location.objects.get(pk=stock_a["st"]).name == "ST"


def test_clerk_has_no_inventory_section(shop_a, make_user, stock_a):
    clerk = make_user(email="clerk@alpha.example")
    add_staff(shop_a, clerk, "clerk")
    client = host_client(shop_a, clerk)
    assert client.get("/console/inventory/").status_code == 403
    assert client.get(API + "balances/").status_code == 403
    keeper = make_user(email="keeper@alpha.example")
    add_staff(shop_a, keeper, "warehouse")
    assert host_client(shop_a, keeper).get(API + "balances/").status_code == 200


def test_anonymous_is_sent_to_sign_in(shop_a):
    assert host_client(shop_a).get("/console/inventory/").status_code == 302
