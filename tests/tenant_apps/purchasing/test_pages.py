"""The purchasing pages: suppliers, a purchase order typed by SKU code, ordering, the phone
receiving form (a double submit receives once), returns, settings, and refusals on the page."""

import re
from decimal import Decimal

import pytest
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.purchasing.models import PurchaseOrder, Receipt, Supplier

from .conftest import cost, create_order, line_ids, on_hand

pytestmark = pytest.mark.django_db
BASE = "/console/purchasing/"


def test_owner_opens_every_purchasing_page(owner_a, shop_a, buy_a, merchant_a):
    oid = create_order(shop_a, buy_a, [("sku1", 2, "1.00")], actor=merchant_a)
    draft = create_order(shop_a, buy_a, [("sku1", 2, "1.00")], actor=merchant_a, place=False)
    for path in [
        "",
        "?status=ordered",
        "suppliers/",
        f"suppliers/{buy_a['supplier']}/",
        "orders/new/",
        f"orders/{oid}/",
        f"orders/{draft}/edit/",
        f"orders/{oid}/receive/",
        f"orders/{oid}/return/",
        "settings/",
    ]:
        response = owner_a.get(BASE + path)
        assert response.status_code == 200, path
        assert (
            '<a href="/console/purchasing/" class="active">Purchasing</a>'
            in response.content.decode()
        ), path


def test_supplier_pages(owner_a, shop_a):
    r = owner_a.post(
        BASE + "suppliers/",
        {"name": "Xiaomi Dist", "code": "XM", "phone": "010-1234", "is_active": "on"},
    )
    assert r.status_code == 302
    r = owner_a.post(BASE + "suppliers/", {"name": "Again", "code": "XM"})
    assert r.status_code == 409 and "another supplier has this code" in r.content.decode()
    with schema_context(shop_a.schema_name):
        supplier = Supplier.objects.get(code="XM")
    r = owner_a.post(
        BASE + f"suppliers/{supplier.pk}/", {"name": "Xiaomi Distribution", "code": "XM"}
    )
    assert r.status_code == 302
    with schema_context(shop_a.schema_name):
        supplier.refresh_from_db()
        assert (supplier.name, supplier.phone, supplier.is_active) == (
            "Xiaomi Distribution",
            "",
            False,
        )
    assert "Xiaomi Distribution" in owner_a.get(BASE + "suppliers/?q=xiaomi").content.decode()


def test_order_typed_by_sku_code_then_ordered_received_and_returned(owner_a, shop_a, buy_a):
    form = {
        "supplier_id": buy_a["supplier"],
        "location_id": buy_a["wh"],
        "expected_date": "2030-02-01",
        "note": "",
        "sku_code": ["A-1", "A-2", ""],
        "quantity": ["10", "3", ""],
        "unit_cost": ["5.00", "2.00", ""],
    }
    r = owner_a.post(BASE + "orders/new/", form)
    assert r.status_code == 302
    with schema_context(shop_a.schema_name):
        order = PurchaseOrder.objects.get()
    assert r["Location"] == f"{BASE}orders/{order.pk}/"
    assert re.fullmatch(r"PO-\d{8}-0001", order.number)
    page = owner_a.get(r["Location"]).content.decode()
    assert order.number in page and "Send to supplier" in page and "Receive goods" not in page
    assert owner_a.post(BASE + f"orders/{order.pk}/order/").status_code == 302
    receive_page = owner_a.get(BASE + f"orders/{order.pk}/receive/").content.decode()
    l1, l2 = line_ids(shop_a, order.pk)
    assert (
        f'name="qty_{l1}" type="number" min="0" step="1" inputmode="numeric" value="10"'
        in receive_page
    )
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', receive_page).group(1)
    submit = {"idempotency_key": key, f"qty_{l1}": "4", f"qty_{l2}": "0"}
    assert owner_a.post(BASE + f"orders/{order.pk}/receive/", submit).status_code == 302
    assert (
        owner_a.post(BASE + f"orders/{order.pk}/receive/", submit).status_code == 302
    )  # a double tap
    with schema_context(shop_a.schema_name):
        assert Receipt.objects.count() == 1
        assert PurchaseOrder.objects.get(pk=order.pk).status == "partially_received"
    assert on_hand(shop_a, buy_a["wh"], buy_a["sku1"]) == (4, 0)
    assert cost(shop_a, buy_a["sku1"]) == Decimal("5.00")
    r = owner_a.post(BASE + f"orders/{order.pk}/receive/", {f"qty_{l1}": "7"})
    assert (
        r.status_code == 409
        and "A-1: ordered 10, received 4, at most 6 more." in r.content.decode()
    )
    r = owner_a.post(BASE + f"orders/{order.pk}/receive/", {f"qty_{l1}": "1.5"})
    assert r.status_code == 400 and "whole number" in r.content.decode()
    r = owner_a.post(BASE + f"orders/{order.pk}/return/", {f"qty_{l1}": "1", "reason": "scratched"})
    assert r.status_code == 302
    assert on_hand(shop_a, buy_a["wh"], buy_a["sku1"]) == (3, 0)
    detail = owner_a.get(BASE + f"orders/{order.pk}/").content.decode()
    assert (
        "scratched" in detail and "Ordered → Partially received" in detail and "– → 5.00" in detail
    )
    r = owner_a.post(BASE + f"orders/{order.pk}/cancel/", {"reason": "short shipped"}, follow=True)
    assert "The purchase order was cancelled." in r.content.decode()
    r = owner_a.get(BASE + f"orders/{order.pk}/receive/")
    assert r.status_code == 409


def test_order_form_refuses_bad_lines_and_creates_nothing(owner_a, shop_a, buy_a):
    base = {"supplier_id": buy_a["supplier"], "location_id": buy_a["wh"]}
    for lines, status, text in [
        (
            {"sku_code": ["NOPE"], "quantity": ["1"], "unit_cost": ["1.00"]},
            400,
            "Line 1: no SKU with code “NOPE”.",
        ),
        ({"sku_code": ["A-1"], "quantity": ["1.5"], "unit_cost": ["1.00"]}, 400, "whole number"),
        (
            {"sku_code": ["A-1"], "quantity": ["2"], "unit_cost": ["1.001"]},
            400,
            "At most two decimals",
        ),
    ]:
        r = owner_a.post(BASE + "orders/new/", {**base, **lines})
        assert r.status_code == status and text in r.content.decode(), text
    with schema_context(shop_a.schema_name):
        assert PurchaseOrder.objects.count() == 0


def test_settings_page(owner_a, shop_a):
    assert (
        owner_a.post(BASE + "settings/", {"over_receipt_tolerance_percent": "2.5"}).status_code
        == 302
    )
    assert 'value="2.50"' in owner_a.get(BASE + "settings/").content.decode()
    assert (
        owner_a.post(BASE + "settings/", {"over_receipt_tolerance_percent": "abc"}).status_code
        == 400
    )


def test_order_list_page_queries_do_not_grow(owner_a, shop_a, buy_a, merchant_a):
    from django.db import connection

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert owner_a.get(BASE).status_code == 200
        return len(ctx.captured_queries)

    create_order(shop_a, buy_a, [("sku1", 1, "1.00")], actor=merchant_a)
    count()
    few = count()
    for _ in range(6):
        create_order(shop_a, buy_a, [("sku1", 1, "1.00"), ("sku2", 2, "1.00")], actor=merchant_a)
    assert count() == few
