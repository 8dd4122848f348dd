"""Shop B's staff cannot see or change shop A's purchasing; A's ids mean nothing on B's host;
roles without the inventory section are refused."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.inventory.models import StockMovement
from tenant_apps.purchasing.models import PurchaseOrder, Receipt, Supplier

from .conftest import add_staff, create_order, host_client, line_ids, make_supplier

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/purchasing/"
JSON = "application/json"


def test_merchant_b_is_refused_on_a_host(shop_a, shop_b, merchant_b, merchant_a, buy_a):
    oid = create_order(shop_a, buy_a, [("sku1", 5, "2.00")], actor=merchant_a)
    (line,) = line_ids(shop_a, oid)
    client = host_client(shop_a, merchant_b)
    for page in [
        "",
        "suppliers/",
        f"suppliers/{buy_a['supplier']}/",
        "orders/new/",
        f"orders/{oid}/",
        f"orders/{oid}/receive/",
        f"orders/{oid}/return/",
        "settings/",
    ]:
        assert client.get(f"/console/purchasing/{page}").status_code == 403, page
    assert (
        client.post(f"/console/purchasing/orders/{oid}/receive/", {f"qty_{line}": "5"}).status_code
        == 403
    )
    assert client.post(f"/console/purchasing/orders/{oid}/cancel/").status_code == 403
    for path in ["suppliers/", "orders/", f"orders/{oid}/", "settings/"]:
        assert client.get(API + path).status_code == 403, path
    r = client.post(
        API + f"orders/{oid}/receipts/",
        {"lines": [{"line_id": line, "quantity": 5}]},
        content_type=JSON,
    )
    assert r.status_code == 403
    assert (
        client.post(API + "suppliers/", {"name": "x", "code": "x"}, content_type=JSON).status_code
        == 403
    )
    with schema_context(shop_a.schema_name):
        assert Receipt.objects.count() == 0 and StockMovement.objects.count() == 0
        assert PurchaseOrder.objects.get(pk=oid).status == "ordered"
        assert Supplier.objects.count() == 1


def test_a_ids_mean_nothing_on_b_host(shop_a, shop_b, merchant_a, merchant_b, buy_a):
    oid = create_order(shop_a, buy_a, [("sku1", 5, "2.00")], actor=merchant_a)
    (line,) = line_ids(shop_a, oid)
    b = host_client(shop_b, merchant_b)
    for page in [
        f"orders/{oid}/",
        f"orders/{oid}/receive/",
        f"orders/{oid}/return/",
        f"suppliers/{buy_a['supplier']}/",
    ]:
        assert b.get(f"/console/purchasing/{page}").status_code == 404, page
    assert b.post(f"/console/purchasing/orders/{oid}/order/").status_code == 404
    assert b.post(f"/console/purchasing/orders/{oid}/cancel/").status_code == 404
    assert b.get(API + f"orders/{oid}/").status_code == 404
    assert b.get(API + f"suppliers/{buy_a['supplier']}/").status_code == 404
    r = b.post(
        API + f"orders/{oid}/receipts/",
        {"lines": [{"line_id": line, "quantity": 5}]},
        content_type=JSON,
    )
    assert r.status_code == 404
    assert b.post(API + f"orders/{oid}/cancel/", {}, content_type=JSON).status_code == 404
    r = b.post(
        API + "orders/",
        {"supplier_id": buy_a["supplier"], "location_id": buy_a["wh"], "lines": []},
        content_type=JSON,
    )
    assert r.status_code == 404 and "supplier_id" in r.json()["error"]["fields"]
    make_supplier(shop_b, "B-ONLY")
    assert [s["code"] for s in b.get(API + "suppliers/").json()["results"]] == ["B-ONLY"]
    assert b.get(API + "orders/").json()["count"] == 0
    with schema_context(shop_a.schema_name):
        assert (
            PurchaseOrder.objects.get(pk=oid).status == "ordered" and Receipt.objects.count() == 0
        )


def test_only_roles_with_the_inventory_section(shop_a, make_user, buy_a):
    clerk = make_user(email="clerk@alpha.example")
    add_staff(shop_a, clerk, "clerk")
    client = host_client(shop_a, clerk)
    assert client.get("/console/purchasing/").status_code == 403
    assert client.get(API + "orders/").status_code == 403
    assert "/console/purchasing/" not in client.get("/console/").content.decode()
    keeper = make_user(email="keeper@alpha.example")
    add_staff(shop_a, keeper, "warehouse")
    keeper_client = host_client(shop_a, keeper)
    assert keeper_client.get(API + "orders/").status_code == 200
    assert keeper_client.get("/console/purchasing/").status_code == 200


def test_anonymous_is_sent_to_sign_in(shop_a):
    assert host_client(shop_a).get("/console/purchasing/").status_code == 302
    assert host_client(shop_a).get(API + "orders/").status_code in (401, 403)
