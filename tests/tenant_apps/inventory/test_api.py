"""The stock API: operations, bad input naming the field, and the OpenAPI document."""

import pytest
from django_tenants.utils import schema_context
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tenant_apps.inventory.models import StockMovement, StockTake

from .conftest import on_hand

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/inventory/"
JSON = "application/json"


def post(client, path, data):
    return client.post(API + path, data, content_type=JSON)


def test_receipt_adjust_transfer_and_lists(owner_a, shop_a, stock_a):
    s, wh, st = stock_a["sku1"], stock_a["wh"], stock_a["st"]
    r = post(owner_a, "movements/", {"kind": "purchase_receipt", "reference": "PO9",
                                      "lines": [{"sku_id": s, "location_id": wh, "quantity": 5, "unit_cost": "3.20"}]})
    assert r.status_code == 201 and r.json()[0]["quantity"] == 5
    assert post(owner_a, "adjustments/", {"sku_id": s, "location_id": wh, "quantity": -1, "reason": "dented"}).status_code == 201
    assert post(owner_a, "transfers/", {"from_location_id": wh, "to_location_id": st, "items": [{"sku_id": s, "quantity": 2}]}).status_code == 201
    assert on_hand(shop_a, wh, s) == (2, 0) and on_hand(shop_a, st, s) == (2, 0)
    rows = owner_a.get(API + "balances/?sku=A-1").json()["results"]
    assert [(r["location_code"], r["on_hand"], r["available"]) for r in rows] == [("WH", 2, 2), ("ST", 2, 2)]
    assert owner_a.get(API + "movements/?kind=transfer_in").json()["count"] == 1
    assert [loc["code"] for loc in owner_a.get(API + "locations/").json()["results"]] == ["WH", "ST"]


@pytest.mark.parametrize(
    ("path", "body", "field", "status"),
    [
        ("movements/", {"kind": "purchase_receipt", "lines": [{"sku_id": "S", "location_id": "W", "quantity": 1.5}]}, "lines[0].quantity", 400),
        ("movements/", {"kind": "purchase_receipt", "lines": [{"sku_id": "S", "location_id": "W", "quantity": -3}]}, "lines[0].quantity", 400),
        ("movements/", {"kind": "purchase_receipt", "lines": [{"sku_id": "S", "location_id": "W", "quantity": 1, "unit_cost": "1.234"}]}, "lines[0].unit_cost", 400),
        ("movements/", {"kind": "purchase_receipt", "lines": [{"sku_id": 99999, "location_id": "W", "quantity": 1}]}, "sku_id", 404),
        ("movements/", {"kind": "adjustment", "lines": [{"sku_id": "S", "location_id": "W", "quantity": 1}]}, "kind", 400),
        ("movements/", {"kind": "sale", "lines": [{"sku_id": "S", "location_id": "W", "quantity": 1}]}, "lines", 409),
        ("adjustments/", {"sku_id": "S", "location_id": 99999, "quantity": 1, "reason": "x"}, "location_id", 404),
        ("adjustments/", {"sku_id": "S", "location_id": "W", "quantity": 1}, "reason", 400),
        ("locations/", {"name": "X", "code": "WH"}, "code", 409),
        ("locations/", {"name": "X", "code": "Y", "city_code": "12ab56"}, "city_code", 400),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(owner_a, shop_a, stock_a, path, body, field, status):
    def fill(value):
        return {"S": stock_a["sku1"], "W": stock_a["wh"]}.get(value, value) if isinstance(value, str) else value

    body = {k: ([{kk: fill(vv) for kk, vv in line.items()} for line in v] if k == "lines" else fill(v)) for k, v in body.items()}
    response = post(owner_a, path, body)
    assert response.status_code == status, response.json()
    assert field in response.json()["error"]["fields"]
    with schema_context(shop_a.schema_name):
        assert StockMovement.objects.count() == 0


def test_stocktake_over_the_api_posts_once(owner_a, shop_a, stock_a):
    post(owner_a, "movements/", {"kind": "purchase_receipt", "lines": [{"sku_id": stock_a["sku1"], "location_id": stock_a["wh"], "quantity": 4}]})
    take = post(owner_a, "stocktakes/", {"location_id": stock_a["wh"]}).json()
    assert [(line["sku_code"], line["expected"]) for line in take["lines"]] == [("A-1", 4)]
    assert post(owner_a, f"stocktakes/{take['id']}/counts/", {"code": "6900000000001"}).json()["counted"] == 1
    assert post(owner_a, f"stocktakes/{take['id']}/counts/", {"code": "A-1", "quantity": 1.5, "mode": "set"}).status_code == 400
    assert post(owner_a, f"stocktakes/{take['id']}/post/", {}).json()["lines"][0]["variance"] == -3
    second = post(owner_a, f"stocktakes/{take['id']}/post/", {})
    assert second.status_code == 409 and second.json()["error"]["code"] == "stocktake_closed"
    with schema_context(shop_a.schema_name):
        assert StockMovement.objects.filter(kind="stocktake_variance").count() == 1
        assert StockTake.objects.get().status == "posted"


def test_thresholds_and_low_stock(owner_a, stock_a):
    assert post(owner_a, "thresholds/", {"sku_id": stock_a["sku1"], "threshold": 3}).status_code == 200
    assert owner_a.get(API + "low-stock/").json()[0]["on_hand"] == 0
    assert post(owner_a, "thresholds/", {"sku_id": stock_a["sku1"], "threshold": 0}).status_code == 204


def test_reorder_locations(owner_a, stock_a):
    r = post(owner_a, "locations/reorder/", {"ordered_ids": [stock_a["st"], stock_a["wh"]]})
    assert [loc["code"] for loc in r.json()] == ["ST", "WH"]
    assert post(owner_a, "locations/reorder/", {"ordered_ids": [stock_a["st"]]}).status_code == 400


def test_list_endpoints_do_not_query_per_row(owner_a, shop_a, stock_a, django_assert_max_num_queries):
    for _ in range(3):
        post(owner_a, "movements/", {"kind": "purchase_receipt", "lines": [
            {"sku_id": stock_a["sku1"], "location_id": stock_a["wh"], "quantity": 1},
            {"sku_id": stock_a["sku2"], "location_id": stock_a["st"], "quantity": 1}]})
    with django_assert_max_num_queries(12):
        assert owner_a.get(API + "movements/").json()["count"] == 6
    with django_assert_max_num_queries(12):
        assert owner_a.get(API + "balances/").json()["count"] == 2


def test_inventory_api_schema_is_valid_and_warning_free():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.tenant_apps.inventory.schema_urls").get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular warned about the inventory API"
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert len(operations) == 17
    assert all(op["tags"] == ["inventory"] and op["summary"] for op in operations)
