"""The purchasing API: a whole purchase over HTTP, bad input naming the field and writing
nothing, list endpoints with a fixed number of queries, and the OpenAPI document."""

import pytest
from django_tenants.utils import schema_context
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tenant_apps.catalog.models import SKU
from tenant_apps.inventory.models import StockMovement
from tenant_apps.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt

from .conftest import create_order, line_ids, make_supplier, on_hand

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/purchasing/"
JSON = "application/json"


def post(client, path, data=None):
    return client.post(API + path, data or {}, content_type=JSON)


def test_a_purchase_over_the_api(owner_a, shop_a, buy_a):
    r = post(
        owner_a, "suppliers/", {"name": "Huawei Dist", "code": "HW", "payment_terms": "30 days net"}
    )
    assert r.status_code == 201 and r.json()["code"] == "HW"
    supplier = r.json()["id"]
    r = post(
        owner_a,
        "orders/",
        {
            "supplier_id": supplier,
            "location_id": buy_a["wh"],
            "expected_date": "2030-01-31",
            "lines": [
                {"sku_id": buy_a["sku1"], "quantity": 10, "unit_cost": "5.00"},
                {"sku_id": buy_a["sku2"], "quantity": 4, "unit_cost": "2.50"},
            ],
        },
    )
    assert r.status_code == 201, r.json()
    order = r.json()
    assert order["status"] == "draft" and order["number"].startswith("PO-")
    assert [(x["sku_code"], x["quantity_ordered"], x["unit_cost"]) for x in order["lines"]] == [
        ("A-1", 10, "5.00"),
        ("A-2", 4, "2.50"),
    ]
    oid, (l1, l2) = order["id"], [x["id"] for x in order["lines"]]
    r = owner_a.patch(API + f"orders/{oid}/", {"note": "call first"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["note"] == "call first"
    assert post(owner_a, f"orders/{oid}/order/").json()["status"] == "ordered"
    r = post(
        owner_a,
        f"orders/{oid}/receipts/",
        {
            "idempotency_key": "k1",
            "lines": [{"line_id": l1, "quantity": 10}, {"line_id": l2, "quantity": 1}],
        },
    )
    assert r.status_code == 201, r.json()
    assert [
        (x["sku_code"], x["quantity"], x["cost_before"], x["cost_after"]) for x in r.json()["lines"]
    ] == [("A-1", 10, None, "5.00"), ("A-2", 1, None, "2.50")]
    again = post(
        owner_a,
        f"orders/{oid}/receipts/",
        {"idempotency_key": "k1", "lines": [{"line_id": l1, "quantity": 10}]},
    )
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    r = post(
        owner_a,
        f"orders/{oid}/returns/",
        {"reason": "dented", "lines": [{"line_id": l1, "quantity": 2}]},
    )
    assert r.status_code == 201 and r.json()["lines"] == [
        {"line_id": l1, "sku_code": "A-1", "quantity": 2}
    ]
    detail = owner_a.get(API + f"orders/{oid}/").json()
    assert detail["status"] == "partially_received"
    assert [(h["from_status"], h["to_status"]) for h in detail["history"]] == [
        ("", "draft"),
        ("draft", "ordered"),
        ("ordered", "partially_received"),
    ]
    assert [(x["quantity_received"], x["quantity_returned"]) for x in detail["lines"]] == [
        (10, 2),
        (1, 0),
    ]
    assert len(detail["receipts"]) == 1 and len(detail["returns"]) == 1
    assert on_hand(shop_a, buy_a["wh"], buy_a["sku1"]) == (8, 0)
    listed = owner_a.get(API + "orders/?status=partially_received").json()
    assert listed["count"] == 1 and listed["results"][0]["total_amount"] == "60.00"
    assert owner_a.get(API + "orders/?status=received").json()["count"] == 0
    assert (
        post(owner_a, f"orders/{oid}/cancel/", {"reason": "rest never comes"}).json()["status"]
        == "cancelled"
    )
    r = post(owner_a, f"orders/{oid}/receipts/", {"lines": [{"line_id": l2, "quantity": 1}]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "order_not_receivable"


def test_settings_tolerance(owner_a, shop_a):
    assert owner_a.get(API + "settings/").json() == {"over_receipt_tolerance_percent": "0.00"}
    r = owner_a.patch(
        API + "settings/", {"over_receipt_tolerance_percent": "5.5"}, content_type=JSON
    )
    assert r.status_code == 200 and r.json() == {"over_receipt_tolerance_percent": "5.50"}
    r = owner_a.patch(
        API + "settings/", {"over_receipt_tolerance_percent": "101"}, content_type=JSON
    )
    assert r.status_code == 400 and "over_receipt_tolerance_percent" in r.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        (
            {"lines": [{"sku_id": "S1", "quantity": 1.5, "unit_cost": "1.00"}]},
            "lines[0].quantity",
            400,
        ),
        (
            {"lines": [{"sku_id": "S1", "quantity": -2, "unit_cost": "1.00"}]},
            "lines[0].quantity",
            400,
        ),
        (
            {"lines": [{"sku_id": "S1", "quantity": 2, "unit_cost": "1.005"}]},
            "lines[0].unit_cost",
            400,
        ),
        (
            {"lines": [{"sku_id": "S1", "quantity": 2, "unit_cost": "-1"}]},
            "lines[0].unit_cost",
            400,
        ),
        (
            {"lines": [{"sku_id": 999999, "quantity": 2, "unit_cost": "1.00"}]},
            "lines[0].sku_id",
            404,
        ),
        (
            {
                "lines": [
                    {"sku_id": "S1", "quantity": 2, "unit_cost": "1"},
                    {"sku_id": "S1", "quantity": 1, "unit_cost": "1"},
                ]
            },
            "lines[1].sku_id",
            400,
        ),
        ({"supplier_id": 999999}, "supplier_id", 404),
        ({"location_id": 999999}, "location_id", 404),
    ],
)
def test_bad_order_input_names_the_field_and_writes_nothing(
    owner_a, shop_a, buy_a, body, field, status
):
    data = {"supplier_id": buy_a["supplier"], "location_id": buy_a["wh"], "lines": []}
    for key, value in body.items():
        data[key] = (
            [{k: buy_a["sku1"] if v == "S1" else v for k, v in line.items()} for line in value]
            if key == "lines"
            else value
        )
    r = post(owner_a, "orders/", data)
    assert r.status_code == status, r.json()
    assert field in r.json()["error"]["fields"]
    with schema_context(shop_a.schema_name):
        assert PurchaseOrder.objects.count() == 0 and PurchaseOrderLine.objects.count() == 0


@pytest.mark.parametrize(
    ("lines", "field", "status"),
    [
        ([{"line_id": "L", "quantity": 0.5}], "lines[0].quantity", 400),
        ([{"line_id": "L", "quantity": 0}], "lines[0].quantity", 400),
        ([{"line_id": 999999, "quantity": 1}], "lines[0].line_id", 404),
        ([{"line_id": "L", "quantity": 6}], "lines[0].quantity", 409),
        ([], "lines", 400),
    ],
)
def test_bad_receipts_name_the_field_and_receive_nothing(
    owner_a, shop_a, buy_a, merchant_a, lines, field, status
):
    oid = create_order(shop_a, buy_a, [("sku1", 5, "2.00")], actor=merchant_a)
    (line,) = line_ids(shop_a, oid)
    r = post(
        owner_a,
        f"orders/{oid}/receipts/",
        {"lines": [{k: line if v == "L" else v for k, v in x.items()} for x in lines]},
    )
    assert r.status_code == status, r.json()
    assert field in r.json()["error"]["fields"]
    with schema_context(shop_a.schema_name):
        assert Receipt.objects.count() == 0 and StockMovement.objects.count() == 0
        assert SKU.objects.get(pk=buy_a["sku1"]).cost_price is None


def test_list_endpoints_do_not_query_per_row(
    owner_a, shop_a, buy_a, merchant_a, django_assert_max_num_queries
):
    for i in range(2):
        make_supplier(shop_a, f"S{i}")
    for _ in range(3):
        create_order(shop_a, buy_a, [("sku1", 2, "1.00"), ("sku2", 1, "1.00")], actor=merchant_a)

    def counted(path):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert owner_a.get(API + path).status_code == 200
        return len(ctx.captured_queries)

    counted("orders/")  # the first request of a session reads more (staff record, language)
    few = {path: counted(path) for path in ("orders/", "suppliers/")}
    for _ in range(5):
        create_order(shop_a, buy_a, [("sku1", 2, "1.00")], actor=merchant_a)
    for i in range(5):
        make_supplier(shop_a, f"T{i}")
    with django_assert_max_num_queries(12):
        assert counted("orders/") == few["orders/"]
    assert counted("suppliers/") == few["suppliers/"]
    with django_assert_max_num_queries(20):
        oid = create_order(shop_a, buy_a, [("sku1", 1, "1.00")], actor=merchant_a, place=False)
    with django_assert_max_num_queries(14):
        owner_a.get(API + f"orders/{oid}/")


def test_purchasing_api_schema_is_valid_and_warning_free():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.tenant_apps.purchasing.schema_urls").get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular warned about the purchasing API"
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert len(operations) == 14
    assert all(op["tags"] == ["purchasing"] and op["summary"] for op in operations)
    assert len({op["operationId"] for op in operations}) == 14
