"""The fulfilment API: orders list and detail, confirming, shipping one parcel and many orders,
recording deliveries, bad input naming the field and leaving nothing, list queries that do not
grow with the rows, and the OpenAPI document."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from shared_apps.orders.models import SubOrder
from tenant_apps.fulfilment.models import Shipment

from .conftest import CountQueries, host_client, in_shop, line_ids, make_sub_order

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/fulfilment/"
JSON = "application/json"


def post(client, path, data=None):
    return client.post(API + path, data or {}, content_type=JSON)


def test_ship_an_order_in_two_parcels_over_the_api(owner_a, shop_a, paid_a):
    l1, l2 = line_ids(paid_a)
    listed = owner_a.get(API + "orders/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["number"], row["status"], row["payable_amount"], row["units_unshipped"]) == (
        paid_a.number,
        "paid",
        "33.50",
        3,
    )
    assert [
        (x["sku_code"], x["quantity"], x["shipped_quantity"], x["unit_price"]) for x in row["lines"]
    ] == [("A-1", 2, 0, "10.00"), ("A-2", 1, 0, "5.50")]
    r = post(
        owner_a,
        f"orders/{paid_a.number}/shipments/",
        {
            "carrier": "sf",
            "tracking_number": "SF 0001",
            "lines": [{"order_line_id": l1, "quantity": 1}],
        },
    )
    assert r.status_code == 201, r.json()
    first = r.json()
    assert (first["carrier"], first["carrier_name"], first["tracking_number"], first["status"]) == (
        "sf",
        "SF Express",
        "SF0001",
        "created",
    )
    assert first["lines"] == [
        {"order_line_id": l1, "sku_code": "A-1", "title": "A-1 茶叶", "quantity": 1}
    ]
    r = post(
        owner_a,
        f"orders/{paid_a.number}/shipments/",
        {"carrier": "zto", "tracking_number": "ZT0002"},
    )
    assert r.status_code == 201
    assert [(x["order_line_id"], x["quantity"]) for x in r.json()["lines"]] == [(l1, 1), (l2, 1)]
    detail = owner_a.get(API + f"orders/{paid_a.number}/").json()
    assert detail["status"] == "shipped" and detail["units_unshipped"] == 0
    assert [s["tracking_number"] for s in detail["shipments"]] == ["SF0001", "ZT0002"]
    assert [(h["from_status"], h["to_status"]) for h in detail["history"]] == [("paid", "shipped")]
    assert detail["address"] == {
        "recipient_name": "张三",
        "masked_phone": "138****8000",
        "province_name": "广东省",
        "city_name": "深圳市",
        "district_name": "南山区",
        "detail": "科技园 1 号",
        "postal_code": "518000",
    }
    over = post(
        owner_a,
        f"orders/{paid_a.number}/shipments/",
        {"carrier": "sf", "tracking_number": "SF0003"},
    )
    assert over.status_code == 409 and over.json()["error"]["code"] == "nothing_to_ship"


def test_mark_a_parcel_delivered_over_the_api(owner_a, shop_a, paid_a):
    shipment = post(
        owner_a,
        f"orders/{paid_a.number}/shipments/",
        {"carrier": "sf", "tracking_number": "SF0009"},
    )
    r = post(owner_a, f"shipments/{shipment.json()['id']}/delivered/")
    assert r.status_code == 200
    assert r.json()["status"] == "delivered" and r.json()["events"][0]["code"] == "delivered"
    assert SubOrder.objects.get(pk=paid_a.pk).status == "delivered"
    assert post(owner_a, "shipments/999999/delivered/").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (
            {
                "carrier": "sf",
                "tracking_number": "SF1",
                "lines": [{"order_line_id": "x", "quantity": 1}],
            },
            400,
            "lines[0].order_line_id",
        ),
        (
            {
                "carrier": "sf",
                "tracking_number": "SF0001",
                "lines": [{"order_line_id": 1, "quantity": 0}],
            },
            400,
            "lines[0].quantity",
        ),
        (
            {
                "carrier": "sf",
                "tracking_number": "SF0001",
                "lines": [{"order_line_id": "L1", "quantity": 3}],
            },
            409,
            "lines[0].quantity",
        ),
        ({"carrier": "ufo", "tracking_number": "SF0001"}, 400, "carrier"),
        ({"carrier": "sf"}, 400, "tracking_number"),
        ({"tracking_number": "SF0001"}, 400, "carrier"),
        ({"carrier": "sf", "tracking_number": "SF0001", "lines": []}, 400, "lines"),
    ],
)
def test_bad_shipments_name_the_field_and_leave_nothing(
    owner_a, shop_a, paid_a, body, status, field
):
    if body.get("lines") and body["lines"][0]["order_line_id"] == "L1":
        body["lines"][0]["order_line_id"] = line_ids(paid_a)[0]
    r = post(owner_a, f"orders/{paid_a.number}/shipments/", body)
    assert r.status_code == status, r.json()
    assert field in r.json()["error"]["fields"]
    with in_shop(shop_a):
        assert not Shipment.objects.exists()
    assert SubOrder.objects.get(pk=paid_a.pk).status == "paid"


def test_shipping_an_unpaid_order_is_409(owner_a, shop_a, shopper):
    sub = make_sub_order(shop_a, shopper, status="pending_payment")
    r = post(
        owner_a, f"orders/{sub.number}/shipments/", {"carrier": "sf", "tracking_number": "SF0001"}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "unpaid"
    assert (
        post(
            owner_a, "orders/nope-1/shipments/", {"carrier": "sf", "tracking_number": "SF0001"}
        ).status_code
        == 404
    )


def test_confirm_over_the_api(owner_a, shop_a, shopper):
    sub = make_sub_order(shop_a, shopper, requires_confirmation=True)
    refused = post(
        owner_a, f"orders/{sub.number}/shipments/", {"carrier": "sf", "tracking_number": "SF0001"}
    )
    assert refused.json()["error"]["code"] == "not_confirmed"
    r = post(owner_a, f"orders/{sub.number}/confirm/")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert post(owner_a, f"orders/{sub.number}/confirm/").status_code == 409


def test_bulk_shipping_over_the_api(owner_a, shop_a, shopper, paid_a):
    unpaid = make_sub_order(shop_a, shopper, status="pending_payment")
    third = make_sub_order(shop_a, shopper)
    r = post(
        owner_a,
        "shipments/bulk/",
        {
            "rows": [
                {"number": paid_a.number, "carrier": "sf", "tracking_number": "SF1001"},
                {"number": unpaid.number, "carrier": "sf", "tracking_number": "SF1002"},
                {"number": third.number, "carrier": "sim"},
            ]
        },
    )
    assert r.status_code == 200
    results = r.json()
    assert [(x["number"], x["shipped"]) for x in results] == [
        (paid_a.number, True),
        (unpaid.number, False),
        (third.number, True),
    ]
    assert results[0]["shipment"]["tracking_number"] == "SF1001" and results[0]["error"] is None
    assert results[1]["error"]["code"] == "unpaid" and results[1]["shipment"] is None
    assert results[2]["shipment"]["tracking_number"].startswith("SIM")
    assert [
        s.status
        for s in SubOrder.objects.filter(pk__in=[paid_a.pk, unpaid.pk, third.pk]).order_by("pk")
    ] == ["shipped", "pending_payment", "shipped"]
    for rows, field in (
        ([], "rows"),
        ([{"number": paid_a.number}], "rows[0].carrier"),
        ([{"number": third.number, "carrier": "sf", "tracking_number": "SF7777"}] * 2, "rows"),
    ):
        bad = post(owner_a, "shipments/bulk/", {"rows": rows})
        assert bad.status_code == 400 and field in bad.json()["error"]["fields"], bad.json()


def test_carriers_are_listed(owner_a):
    carriers = owner_a.get(API + "carriers/").json()
    assert carriers[0] == {
        "code": "sim",
        "name": "Simulated carrier",
        "tracks": True,
        "issues_waybills": True,
    }
    assert {
        "code": "sf",
        "name": "SF Express",
        "tracks": False,
        "issues_waybills": False,
    } in carriers


def test_filters_and_search(owner_a, shop_a, shopper, paid_a):
    cup = make_sub_order(shop_a, shopper, status="pending_payment", lines=(("CUP-9", 1, "3.00"),))

    def numbers(query):
        return [r["number"] for r in owner_a.get(API + "orders/" + query).json()["results"]]

    assert numbers("") == [cup.number, paid_a.number]
    assert numbers("?status=paid") == [paid_a.number]
    assert numbers("?q=cup-9") == [cup.number]
    assert numbers(f"?q={paid_a.number[:12]}") == [cup.number, paid_a.number]
    assert numbers("?status=bogus") == [cup.number, paid_a.number]
    assert owner_a.get(API + "orders/?page=9").status_code == 404


def test_the_order_list_does_not_query_per_row(owner_a, shop_a, shopper):
    def count() -> int:
        with CountQueries() as queries:
            assert owner_a.get(API + "orders/").status_code == 200
        return queries.count

    make_sub_order(shop_a, shopper)
    count()  # the first request of a session writes the session
    few = count()
    for _ in range(5):
        make_sub_order(shop_a, shopper)
    assert count() == few


def test_a_warehouse_clerk_ships_and_api_tokens_are_refused(
    shop_a, paid_a, warehouse_a, merchant_a
):
    assert (
        post(
            host_client(shop_a, warehouse_a),
            f"orders/{paid_a.number}/shipments/",
            {"carrier": "sf", "tracking_number": "SF0001"},
        ).status_code
        == 201
    )
    from tenant_apps.shop import services as shop_services

    with in_shop(shop_a):
        from tenant_apps.shop.models import StaffMember

        owner = StaffMember.objects.get(user_id=merchant_a.pk)
        issued = shop_services.api_token_create(
            shop=shop_a,
            member=owner,
            actor=merchant_a,
            ip=None,
            name="ERP",
            scopes=["catalog:read", "catalog:write", "stock:read", "stock:write"],
            expires_at=None,
        )
    erp = host_client(shop_a)
    r = erp.get(API + "orders/", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert r.status_code == 403
    assert anonymous_status(shop_a) == 403


def anonymous_status(shop) -> int:
    return host_client(shop).get(API + "orders/").status_code


def test_fulfilment_api_schema_is_valid_and_warning_free():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.tenant_apps.fulfilment.schema_urls").get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular warned about the fulfilment API"
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert sorted(op["operationId"] for op in operations) == [
        "fulfilment_carrier_events_receive",
        "fulfilment_carriers_list",
        "fulfilment_order_refunds_create",
        "fulfilment_order_refunds_list",
        "fulfilment_orders_confirm",
        "fulfilment_orders_list",
        "fulfilment_orders_retrieve",
        "fulfilment_pickup_hand_over",
        "fulfilment_pickup_take_payment",
        "fulfilment_pickup_verify",
        "fulfilment_refunds_handed_back",
        "fulfilment_refunds_list",
        "fulfilment_refunds_retry",
        "fulfilment_shipments_bulk_create",
        "fulfilment_shipments_create",
        "fulfilment_shipments_mark_delivered",
    ]
    assert all(op["tags"] == ["fulfilment"] and op["summary"] for op in operations)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"lines": "x", "carrier": 5}',
        '{"lines": [1, 2], "carrier": "sf"}',
        '{"rows": {"a": 1}}',
        '{"rows": [1]}',
        '{"number": ["x"], "code": {"a": 1}}',
        '{"number": "' + "9" * 300 + '", "code": "1"}',
        '{"note": 5}',
        '{"number": "1\\u0000", "code": "1\\u0000", "carrier": "sf\\u0000", "tracking_number": "S\\u0000"}',
        '{"rows": [{"number": "1\\u0000", "carrier": "sf", "tracking_number": "SF0001"}]}',
    ],
)
def test_garbage_never_makes_a_500(owner_a, shop_a, paid_a, body):
    paths = [
        f"orders/{paid_a.number}/shipments/",
        f"orders/{paid_a.number}/confirm/",
        "shipments/bulk/",
        "shipments/1/delivered/",
        "pickup/verify/",
        f"pickup/{paid_a.number}/payment/",
        f"pickup/{paid_a.number}/hand-over/",
        "carrier/sim/events/",
    ]
    for path in paths:
        r = owner_a.post(API + path, body, content_type=JSON)
        assert r.status_code < 500, (path, r.status_code)
    for path in ("orders/?page=x", "orders/?status=%00", f"orders/{'x' * 300}/", "orders/%20/"):
        assert owner_a.get(API + path).status_code < 500, path
    for path in (
        "?page=x&status=zz",
        "?q=%00",
        "x" * 300 + "/",
        "%00/",
        "pickup/" + "x" * 300 + "/",
        "pickup/%00/",
        "packing-lists/?n=%00",
        "%00/packing-list/",
    ):
        assert owner_a.get("/console/fulfilment/" + path).status_code < 500, path
    page_posts = [
        ("pickup/", {"number": "1\x00", "code": "1\x00"}),
        ("%00/ship/", {"carrier": "sf"}),
        ("%00/confirm/", {}),
        ("pickup/%00/hand-over/", {}),
        ("pickup/%00/payment/", {}),
        ("bulk-ship/", {"number": ["1\x00"], "ship": ["1\x00"]}),
    ]
    for path, data in page_posts:
        assert owner_a.post("/console/fulfilment/" + path, data).status_code < 500, path
