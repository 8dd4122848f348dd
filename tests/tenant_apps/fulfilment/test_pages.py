"""The order pages of the console: list with filter and search, detail (lines, money, address,
pickup store, invoice, history), confirm, ship, record a delivery, bulk shipping, packing
lists, and the menu link."""

import re

import pytest

from shared_apps.orders.models import SubOrder
from tenant_apps.fulfilment.models import Shipment

from .conftest import CountQueries, host_client, in_shop, line_ids, make_sub_order

pytestmark = pytest.mark.django_db
PAGES = "/console/fulfilment/"


def status_of(sub) -> str:
    return SubOrder.objects.get(pk=sub.pk).status


def test_the_menu_links_to_orders_for_roles_that_open_them(owner_a, shop_a, warehouse_a):
    for client in (owner_a, host_client(shop_a, warehouse_a)):
        html = client.get(PAGES).content.decode()
        assert '<a href="/console/fulfilment/" class="active">Orders</a>' in html


def test_the_list_filters_and_searches(owner_a, shop_a, shopper, paid_a):
    cup = make_sub_order(shop_a, shopper, status="pending_payment", lines=(("CUP-9", 1, "3.00"),))
    page = owner_a.get(PAGES)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(cup.number) < html.index(paid_a.number)
    assert "A-1 × 2, A-2 × 1" in html and "¥33.50" in html
    only_paid = owner_a.get(PAGES + "?status=paid").content.decode()
    assert paid_a.number in only_paid and cup.number not in only_paid
    by_sku = owner_a.get(PAGES + "?q=CUP-9").content.decode()
    assert cup.number in by_sku and paid_a.number not in by_sku
    assert "No orders." in owner_a.get(PAGES + "?q=nothing").content.decode()


def test_the_list_does_not_query_per_row(owner_a, shop_a, shopper):
    def count() -> int:
        with CountQueries() as queries:
            assert owner_a.get(PAGES).status_code == 200
        return queries.count

    make_sub_order(shop_a, shopper)
    count()
    few = count()
    for _ in range(6):
        make_sub_order(shop_a, shopper)
    assert count() == few


def test_the_detail_shows_this_shops_part_only(owner_a, shop_a, shopper, paid_a):
    paid_a.invoice = {
        "kind": "company",
        "title": "深圳某某科技有限公司",
        "tax_number": "91440300MA5TEST01",
    }
    paid_a.buyer_note = "请用纸箱"
    paid_a.save(update_fields=["invoice", "buyer_note"])
    html = owner_a.get(PAGES + f"{paid_a.number}/").content.decode()
    assert "张三 · 138****8000" in html and "广东省 深圳市 南山区 科技园 1 号 · 518000" in html
    assert "深圳某某科技有限公司 · tax number 91440300MA5TEST01" in html and "请用纸箱" in html
    assert "13800138000" not in html and "phone_encrypted" not in html
    assert "¥33.50" in html and "Ship a parcel" in html and "No parcels yet." in html
    pickup = make_sub_order(shop_a, shopper, delivery_method="pickup", pickup_code="123456")
    html = owner_a.get(PAGES + f"{pickup.number}/").content.decode()
    assert (
        "Alpha 南山店 · 南山大道 8 号" in html
        and "Ship to" not in html
        and "Ship a parcel" not in html
    )
    assert "123456" not in html  # the code is the buyer's to show
    assert owner_a.get(PAGES + "nope-1/").status_code == 404


def test_ship_a_parcel_from_the_detail_page(owner_a, shop_a, paid_a):
    l1, l2 = line_ids(paid_a)
    r = owner_a.post(
        PAGES + f"{paid_a.number}/ship/",
        {"carrier": "sf", "tracking_number": "SF0101", f"qty_{l1}": "1", f"qty_{l2}": "0"},
    )
    assert r.status_code == 302 and r["Location"] == PAGES + f"{paid_a.number}/"
    html = owner_a.get(r["Location"]).content.decode()
    assert f"Parcel SF0101 of order {paid_a.number} was shipped." in html
    assert (
        "SF Express SF0101" in html and "A-1 · A-1 茶叶 × 1" in html and "Record delivery" in html
    )
    over = owner_a.post(
        PAGES + f"{paid_a.number}/ship/",
        {"carrier": "sf", "tracking_number": "SF0102", f"qty_{l1}": "5"},
    )
    assert over.status_code == 409
    assert "A-1: 5 to ship, but only 1 of 2 remain unshipped." in over.content.decode()
    assert (
        owner_a.post(
            PAGES + f"{paid_a.number}/ship/",
            {"carrier": "sf", "tracking_number": "SF0102", f"qty_{l1}": "x"},
        ).status_code
        == 400
    )
    with in_shop(shop_a):
        parcel_id = Shipment.objects.get().pk
    delivered = owner_a.post(PAGES + f"shipments/{parcel_id}/delivered/", follow=True)
    assert "Parcel SF0101 was recorded as delivered." in delivered.content.decode()
    assert "recorded by the shop" in delivered.content.decode()
    assert status_of(paid_a) == "shipped"  # A-2 still to ship


def test_shipping_an_unpaid_order_from_the_page_is_409(owner_a, shop_a, shopper):
    sub = make_sub_order(shop_a, shopper, status="pending_payment")
    r = owner_a.post(PAGES + f"{sub.number}/ship/", {"carrier": "sf", "tracking_number": "SF0101"})
    assert r.status_code == 409 and f"Order {sub.number} is not paid yet" in r.content.decode()


def test_confirm_from_the_page(owner_a, shop_a, shopper):
    sub = make_sub_order(shop_a, shopper, requires_confirmation=True)
    html = owner_a.get(PAGES + f"{sub.number}/").content.decode()
    assert "Confirm order" in html and "Ship a parcel" not in html
    r = owner_a.post(PAGES + f"{sub.number}/confirm/", follow=True)
    assert (
        f"Order {sub.number} was confirmed." in r.content.decode()
        and "Ship a parcel" in r.content.decode()
    )
    assert owner_a.post(PAGES + f"{sub.number}/confirm/").status_code == 409


def test_bulk_shipping_page(owner_a, shop_a, shopper, paid_a):
    second = make_sub_order(shop_a, shopper)
    skipped = make_sub_order(shop_a, shopper)
    pickup = make_sub_order(shop_a, shopper, delivery_method="pickup", pickup_code="111111")
    unpaid = make_sub_order(shop_a, shopper, status="pending_payment")
    page = owner_a.get(PAGES + "bulk-ship/").content.decode()
    rows = re.findall(r'name="number" value="([^"]+)"', page)
    assert sorted(rows) == sorted([paid_a.number, second.number, skipped.number])
    assert pickup.number not in page and unpaid.number not in page
    r = owner_a.post(
        PAGES + "bulk-ship/",
        {
            "number": [paid_a.number, second.number, skipped.number],
            f"carrier:{paid_a.number}": "sf",
            f"tracking:{paid_a.number}": "SF5001",
            f"carrier:{second.number}": "sf",
            f"tracking:{second.number}": "SF5001",  # a typo: the same number
            f"carrier:{skipped.number}": "sf",
            f"tracking:{skipped.number}": "",
        },
    )
    assert r.status_code == 409
    html = r.content.decode()
    assert "1 order was shipped." in html
    assert f"{second.number}: Tracking number SF5001 is already on another parcel." in html
    assert 'value="SF5001"' in html  # what was typed is kept on the failed row
    assert [status_of(s) for s in (paid_a, second, skipped)] == ["shipped", "paid", "paid"]
    r = owner_a.post(
        PAGES + "bulk-ship/",
        {
            "number": [second.number, skipped.number],
            f"carrier:{second.number}": "sf",
            f"tracking:{second.number}": "SF5002",
            f"carrier:{skipped.number}": "sim",
            "ship": [skipped.number],
        },
    )
    assert r.status_code == 302
    assert [status_of(s) for s in (second, skipped)] == ["shipped", "shipped"]
    assert (
        "No orders are waiting to be shipped." in owner_a.get(PAGES + "bulk-ship/").content.decode()
    )
    assert owner_a.post(PAGES + "bulk-ship/", {}).status_code == 400


def test_packing_lists_print_one_page_per_order(owner_a, shop_a, shopper, paid_a):
    l1, _l2 = line_ids(paid_a)
    owner_a.post(
        PAGES + f"{paid_a.number}/ship/",
        {"carrier": "sf", "tracking_number": "SF0101", f"qty_{l1}": "1"},
    )
    single = owner_a.get(PAGES + f"{paid_a.number}/packing-list/")
    assert single.status_code == 200
    html = single.content.decode()
    assert "Packing list · Alpha 商店" in html and "@media print" in html and 'id="print"' in html
    assert re.search(
        r"<td>A-1</td><td>A-1 茶叶 · L</td><td class=\"n\">2</td><td class=\"n\">1</td>"
        r"<td class=\"n\"><strong>1</strong></td>",
        html,
    )
    assert "<script>" not in html  # the print button is wired by a static file (CSP)
    other = make_sub_order(shop_a, shopper)
    both = owner_a.get(
        PAGES + f"packing-lists/?n={paid_a.number}&n={other.number}&n=nope-1"
    ).content.decode()
    assert both.count('<section class="sheet">') == 2
    assert owner_a.get(PAGES + "packing-lists/?n=nope-1").status_code == 404
    assert owner_a.get(PAGES + "packing-lists/").status_code == 404
