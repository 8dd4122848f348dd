"""Stock reports (I5): figures of a hand-computed June, period edges in Asia/Shanghai, bad input,
roles, shop isolation, CSV/XLSX downloads, query counts, the sale price on the sale path and
the dashboard chart.

The June scenario (shop A, SKUs A-1 and A-2, locations WH then ST, supplier SUP):

    A-1  05-20 receipt PO1 10 @ 10.00 at WH           (opening; average cost 10.00)
         06-01 00:00 receipt PO2 10 @ 13.00 at WH     (first instant of June; average 11.50)
         06-03 sale of 4 @ 25.00 (reserve → commit)   (cost 11.50 recorded)
         06-05 sale of 2 without a price              (revenue unknown)
         06-10 sale return of 1 @ 25.00, cost 11.50
         06-12 purchase return of 2 to SUP (PO2)      (@ 13.00)
         06-15 transfer of 5 WH → ST
         06-20 stocktake at ST counts 4 of 5          (variance −1)
    A-2  05-31 23:59:59.999999 direct receipt 2 @ 5.00 at ST   (last instant of May)
         06-02 direct receipt 6 @ 5.00 at ST (no purchase order); cost price set to 5.00
         06-30 23:59:59.999999 sale of 1 @ 9.90 at ST           (last instant of June)
         07-01 00:00 sale of 1 @ 9.90 at ST                      (first instant of July)
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django_tenants.utils import schema_context
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from python_calamine import CalamineWorkbook

from backend.api.errors import ServiceError
from tenant_apps.catalog.models import SKU
from tenant_apps.inventory import reports, services
from tenant_apps.inventory.api_urls import report_urlpatterns
from tenant_apps.inventory.models import Reservation, StockMovement
from tenant_apps.inventory.services import MovementLine
from tenant_apps.purchasing import services as purchasing
from tenant_apps.purchasing.models import PurchaseOrderLine, PurchaseReturn, Receipt
from tenant_apps.purchasing.services import OrderLineInput, QuantityInput

from .conftest import add_staff, host_client, make_location, make_skus

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/reports/"
PAGES = "/console/inventory/reports/"
TZ = reports.REPORT_TZ
JUNE = "date_from=2026-06-01&date_to=2026-06-30"
D = Decimal
# Only the reports API, for its OpenAPI document (SchemaGenerator takes this module as urlconf).
urlpatterns = [path("api/v1/shop/reports/", include(report_urlpatterns))]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


class Ledger:
    """Posts through the services, then dates what was just written to a scenario instant."""

    def __init__(self, shop):
        self.shop = shop

    def dated(self, when: datetime, post):
        with schema_context(self.shop.schema_name):
            marks = [
                model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                for model in (StockMovement, Receipt, PurchaseReturn)
            ]
            result = post()
            for model, mark in zip((StockMovement, Receipt, PurchaseReturn), marks, strict=True):
                model.objects.filter(pk__gt=mark).update(created_at=when)
            return result


@pytest.fixture
def june(shop_a, merchant_a):
    """The scenario above; returns the ids."""
    a1, a2 = make_skus(shop_a, 2, "A")
    wh, st = make_location(shop_a, "WH"), make_location(shop_a, "ST", kind="store")
    ledger = Ledger(shop_a)
    with schema_context(shop_a.schema_name):
        supplier = purchasing.supplier_create(data={"name": "Supplier SUP", "code": "SUP"}).pk

    def order(quantity, unit_cost):
        order = purchasing.order_create(
            supplier_id=supplier,
            location_id=wh,
            actor_user_id=merchant_a.pk,
            lines=[OrderLineInput(a1, quantity, unit_cost)],
        )
        purchasing.order_place(order_id=order.pk, actor=merchant_a, shop_id=shop_a.pk)
        line = PurchaseOrderLine.objects.get(order=order).pk
        purchasing.receipt_post(
            order_id=order.pk,
            lines=[QuantityInput(line, quantity)],
            actor=merchant_a,
            shop_id=shop_a.pk,
        )
        return order.pk, line

    def post(kind, sku, loc, quantity, cost=None, price=None, reference=""):
        return lambda: services.movement_post(
            lines=[MovementLine(sku, loc, quantity, cost, price)],
            kind=kind,
            reference=reference,
            actor_user_id=merchant_a.pk,
        )

    ledger.dated(at(2026, 5, 20, 10), lambda: order(10, "10.00"))
    ledger.dated(
        at(2026, 5, 31, 23, 59, 59, 999999),
        post("purchase_receipt", a2, st, 2, "5.00", reference="DIRECT-1"),
    )
    po2, po2_line = ledger.dated(at(2026, 6, 1), lambda: order(10, "13.00"))
    ledger.dated(
        at(2026, 6, 2, 9), post("purchase_receipt", a2, st, 6, "5.00", reference="DIRECT-2")
    )
    with schema_context(shop_a.schema_name):
        SKU.objects.filter(pk=a2).update(cost_price=D("5.00"))

    def checkout():
        services.reserve(reference="SUB-1", items=[(a1, 4, "25.00")])
        services.commit(reference="SUB-1")

    ledger.dated(at(2026, 6, 3, 12), checkout)
    ledger.dated(at(2026, 6, 5, 12), post("sale", a1, wh, -2, reference="POS-1"))
    ledger.dated(
        at(2026, 6, 10, 12), post("sale_return", a1, wh, 1, "11.50", "25.00", reference="SUB-1")
    )
    ledger.dated(
        at(2026, 6, 12, 12),
        lambda: purchasing.return_post(
            order_id=po2,
            lines=[QuantityInput(po2_line, 2)],
            actor=merchant_a,
            shop_id=shop_a.pk,
            reason="damaged",
        ),
    )
    ledger.dated(
        at(2026, 6, 15, 12),
        lambda: services.transfer(
            from_location_id=wh, to_location_id=st, items=[(a1, 5)], actor_user_id=merchant_a.pk
        ),
    )

    def count():
        take = services.stocktake_open(location_id=st, actor_user_id=merchant_a.pk)
        services.stocktake_count(stocktake_id=take.pk, code="A-1", quantity=4, mode="set")
        services.stocktake_post(stocktake_id=take.pk, actor=merchant_a, shop_id=shop_a.pk)

    ledger.dated(at(2026, 6, 20, 12), count)
    ledger.dated(
        at(2026, 6, 30, 23, 59, 59, 999999),
        post("sale", a2, st, -1, price="9.90", reference="SUB-2"),
    )
    ledger.dated(at(2026, 7, 1), post("sale", a2, st, -1, price="9.90", reference="SUB-3"))
    return {"a1": a1, "a2": a2, "wh": wh, "st": st, "supplier": supplier}


def rows_by_code(body) -> dict:
    return {row["sku_code"]: row for row in body["results"]}


def pick(row: dict, *keys) -> tuple:
    return tuple(row[k] for k in keys)


# --- figures -----------------------------------------------------------------------------------


def test_sale_path_records_price_and_cost(june, shop_a):
    with schema_context(shop_a.schema_name):
        sale = StockMovement.objects.get(reference="SUB-1", kind="sale")
        assert (sale.quantity, sale.unit_price, sale.unit_cost) == (-4, D("25.00"), D("11.50"))
        assert Reservation.objects.get(reference="SUB-1").unit_price == D("25.00")
        unpriced = StockMovement.objects.get(reference="POS-1")
        assert (unpriced.unit_price, unpriced.unit_cost) == (None, D("11.50"))


def test_stock_summary_over_all_locations(june, owner_a):
    body = owner_a.get(f"{API}stock-summary/?{JUNE}").json()
    assert (body["date_from"], body["date_to"], body["location_id"], body["count"]) == (
        "2026-06-01",
        "2026-06-30",
        None,
        2,
    )
    rows = rows_by_code(body)
    figures = ("opening", "in_quantity", "out_quantity", "closing")
    # Transfers are neither in nor out over all locations.
    assert pick(rows["A-1"], *figures) == (10, 11, 9, 12)
    assert pick(
        rows["A-1"],
        "purchase_receipt",
        "sale",
        "sale_return",
        "purchase_return",
        "transfer_out",
        "transfer_in",
        "adjustment",
        "stocktake_variance",
    ) == (10, -6, 1, -2, -5, 5, 0, -1)
    assert pick(rows["A-2"], *figures) == (2, 6, 1, 7)
    assert pick(body["totals"], *figures) == (12, 17, 10, 19)


def test_stock_summary_per_location_counts_transfers(june, owner_a):
    figures = ("opening", "in_quantity", "out_quantity", "closing")
    wh = owner_a.get(f"{API}stock-summary/?{JUNE}&location={june['wh']}").json()
    assert wh["location_id"] == june["wh"]
    assert {code: pick(row, *figures) for code, row in rows_by_code(wh).items()} == {
        "A-1": (10, 11, 13, 8)
    }
    st = owner_a.get(f"{API}stock-summary/?{JUNE}&location={june['st']}").json()
    assert {code: pick(row, *figures) for code, row in rows_by_code(st).items()} == {
        "A-1": (0, 5, 1, 4),
        "A-2": (2, 6, 1, 7),
    }
    assert pick(st["totals"], *figures) == (2, 11, 2, 11)


def test_purchases_per_sku_and_per_supplier(june, owner_a):
    body = owner_a.get(f"{API}purchases/?{JUNE}").json()
    figures = (
        "received_quantity",
        "received_amount",
        "returned_quantity",
        "returned_amount",
        "net_quantity",
        "net_amount",
    )
    rows = rows_by_code(body)
    assert pick(rows["A-1"], *figures) == (10, "130.00", 2, "26.00", 8, "104.00")
    assert pick(rows["A-2"], *figures) == (6, "30.00", 0, "0.00", 6, "30.00")
    assert pick(body["totals"], *figures) == (16, "160.00", 2, "26.00", 14, "134.00")
    by_supplier = owner_a.get(f"{API}purchases/by-supplier/?{JUNE}").json()
    assert [
        pick(r, "supplier_code", "supplier_name", *figures) for r in by_supplier["results"]
    ] == [
        ("SUP", "Supplier SUP", 10, "130.00", 2, "26.00", 8, "104.00"),
        (None, None, 6, "30.00", 0, "0.00", 6, "30.00"),
    ]
    assert by_supplier["totals"]["net_amount"] == "134.00"


def test_sales_count_unpriced_units_apart(june, owner_a):
    body = owner_a.get(f"{API}sales/?{JUNE}").json()
    figures = (
        "sold_quantity",
        "returned_quantity",
        "net_quantity",
        "revenue",
        "unpriced_quantity",
        "cost",
    )
    rows = rows_by_code(body)
    assert pick(rows["A-1"], *figures) == (6, 1, 5, "75.00", 2, "57.50")
    assert pick(rows["A-2"], *figures) == (1, 0, 1, "9.90", 0, "5.00")
    assert pick(body["totals"], *figures) == (7, 1, 6, "84.90", 2, "62.50")
    only_unpriced = owner_a.get(f"{API}sales/?date_from=2026-06-05&date_to=2026-06-05").json()
    assert pick(
        only_unpriced["results"][0], "sku_code", "net_quantity", "revenue", "unpriced_quantity"
    ) == ("A-1", 2, None, 2)
    assert only_unpriced["totals"]["revenue"] is None


def test_gross_margin_only_over_priced_sales(june, owner_a):
    body = owner_a.get(f"{API}margin/?{JUNE}").json()
    figures = ("net_quantity", "revenue", "cost", "margin", "margin_percent")
    rows = rows_by_code(body)
    assert pick(rows["A-1"], *figures) == (3, "75.00", "34.50", "40.50", "54.00")
    assert pick(rows["A-2"], *figures) == (1, "9.90", "5.00", "4.90", "49.49")
    assert pick(body["totals"], *figures) == (4, "84.90", "39.50", "45.40", "53.47")


def test_valuation_at_the_end_of_a_past_day_and_today(june, owner_a):
    body = owner_a.get(f"{API}valuation/?as_of=2026-06-30").json()
    rows = rows_by_code(body)
    assert pick(rows["A-1"], "on_hand", "average_cost", "value") == (12, "11.50", "138.00")
    assert pick(rows["A-2"], "on_hand", "average_cost", "value") == (7, "5.00", "35.00")
    assert pick(body["totals"], "on_hand", "value", "uncosted_skus") == (19, "173.00", 0)
    assert [pick(r, "location_code", "on_hand", "value") for r in body["by_location"]] == [
        ("WH", 8, "92.00"),
        ("ST", 11, "81.00"),
    ]
    may = owner_a.get(
        f"{API}valuation/?as_of=2026-05-25"
    ).json()  # before the second receipt: cost 10.00
    assert [pick(r, "sku_code", "on_hand", "average_cost", "value") for r in may["results"]] == [
        ("A-1", 10, "10.00", "100.00")
    ]
    now = owner_a.get(f"{API}valuation/").json()
    assert now["as_of"] == reports.today().isoformat()
    assert pick(now["totals"], "on_hand", "value") == (18, "168.00")
    st = owner_a.get(f"{API}valuation/?as_of=2026-06-30&location={june['st']}").json()
    assert pick(st["totals"], "on_hand", "value") == (11, "81.00")
    assert [r["location_code"] for r in st["by_location"]] == ["ST"]


def test_valuation_without_a_cost_is_unknown(shop_a, owner_a):
    (sku,) = make_skus(shop_a, 1, "N")
    wh = make_location(shop_a, "WH")
    with schema_context(shop_a.schema_name):
        services.movement_post(
            lines=[MovementLine(sku, wh, 3)], kind="purchase_receipt", actor_user_id=None
        )
    body = owner_a.get(f"{API}valuation/").json()
    assert pick(body["results"][0], "on_hand", "average_cost", "value") == (3, None, None)
    assert pick(body["totals"], "on_hand", "value", "uncosted_skus") == (3, "0.00", 1)
    assert "1 SKUs have no cost yet" in owner_a.get(f"{PAGES}valuation/").content.decode()


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        # The last instant of a day belongs to it, midnight to the next day.
        ("date_from=2026-06-30&date_to=2026-06-30", {"A-2": 1}, ()),
        ("date_from=2026-07-01&date_to=2026-07-01", {"A-2": 1}, ()),
        ("date_from=2026-06-29&date_to=2026-06-29", {}, ("A-2",)),
    ],
)
def test_period_edges_are_days_in_shanghai(june, owner_a, query, present, absent):
    rows = rows_by_code(owner_a.get(f"{API}sales/?{query}").json())
    assert {code: rows[code]["net_quantity"] for code in present} == present
    assert not set(absent) & set(rows)


def test_opening_ends_at_midnight(june, owner_a):
    # May's last instant is before June: opening; June's first instant is in June.
    rows = rows_by_code(owner_a.get(f"{API}stock-summary/?{JUNE}").json())
    assert pick(rows["A-2"], "opening", "purchase_receipt") == (2, 6)
    assert pick(rows["A-1"], "opening", "purchase_receipt") == (10, 10)
    may31 = rows_by_code(
        owner_a.get(f"{API}stock-summary/?date_from=2026-05-31&date_to=2026-05-31").json()
    )
    assert pick(may31["A-2"], "opening", "in_quantity", "closing") == (0, 2, 2)
    assert pick(may31["A-1"], "opening", "in_quantity", "closing") == (
        10,
        0,
        10,
    )  # stock, no movement


def test_default_period_is_this_month(shop_a, owner_a):
    body = owner_a.get(f"{API}sales/").json()
    today = reports.today()
    assert (body["date_from"], body["date_to"]) == (
        today.replace(day=1).isoformat(),
        today.isoformat(),
    )


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2026-06-30&date_to=2026-06-01", "date_from"),
        ("date_from=yesterday&date_to=2026-06-01", "date_from"),
        ("date_from=2026-06-01&date_to=2026-13-01", "date_to"),
        ("date_from=20260601&date_to=2026-06-30", "date_from"),
        ("date_from=2026-06-01", "date_to"),
        ("date_to=2026-06-01", "date_from"),
        ("date_from=2025-01-01&date_to=2026-01-02", "date_to"),
        ("date_from=1999-12-31&date_to=2000-01-01", "date_from"),
        ("date_from=2026-06-01&date_to=9999-12-31", "date_to"),
        ("location=99999", "location"),
        ("location=abc", "location"),
        ("location=%C2%B2", "location"),
    ],
)
def test_bad_period_or_location_is_400_naming_the_field(june, owner_a, query, field):
    for report in ("purchases/", "purchases/by-supplier/", "sales/", "margin/", "stock-summary/"):
        response = owner_a.get(f"{API}{report}?{query}")
        assert response.status_code == 400, (report, response.content)
        error = response.json()["error"]
        assert field in error["fields"] and error["message"].startswith(f"{field}:")
    page = owner_a.get(f"{PAGES}sales/?{query}")
    assert page.status_code == 400
    assert 'aria-invalid="true"' in page.content.decode() or field == "location"
    assert error["fields"][field][0] in page.content.decode()


def test_a_year_of_366_days_is_allowed(june, owner_a):
    assert owner_a.get(f"{API}sales/?date_from=2024-01-01&date_to=2024-12-31").status_code == 200


@pytest.mark.parametrize("value", ["garbage", "2026-02-30", "2100-01-01"])
def test_bad_valuation_day_is_400(june, owner_a, value):
    response = owner_a.get(f"{API}valuation/?as_of={value}")
    assert response.status_code == 400 and "as_of" in response.json()["error"]["fields"]
    assert owner_a.get(f"{PAGES}valuation/?as_of={value}").status_code == 400


def test_page_past_the_end_is_404_not_500(june, owner_a):
    assert owner_a.get(f"{API}sales/?{JUNE}&page=9").status_code == 404
    assert (
        owner_a.get(f"{PAGES}sales/?{JUNE}&page=9").status_code == 200
    )  # the page shows the last page


def test_period_parsing_directly():
    assert reports.period_from({"date_from": "2026-02-01", "date_to": "2026-02-28"}).end == at(
        2026, 3, 1
    )
    with pytest.raises(ServiceError) as exc:
        reports.period_from({"date_from": "2026-02-01", "date_to": "2027-02-02"})
    assert "date_to" in exc.value.fields


# --- pages and downloads -----------------------------------------------------------------------


def test_report_pages_show_the_table_and_totals(june, owner_a):
    index = owner_a.get(PAGES).content.decode()
    for slug in ("stock", "purchases", "sales", "margin", "valuation"):
        assert f"{PAGES}{slug}/" in index
        response = owner_a.get(f"{PAGES}{slug}/?{JUNE}&as_of=2026-06-30")
        assert response.status_code == 200, slug
        assert "<tfoot>" in response.content.decode()
    sales = owner_a.get(f"{PAGES}sales/?{JUNE}").content.decode()
    assert "¥84.90" in sales and "2 units were sold without a known price" in sales
    assert (
        "—"
        in owner_a.get(f"{PAGES}sales/?date_from=2026-06-05&date_to=2026-06-05").content.decode()
    )
    assert "¥45.40" in owner_a.get(f"{PAGES}margin/?{JUNE}").content.decode()
    stock = owner_a.get(f"{PAGES}stock/?{JUNE}&location={june['wh']}").content.decode()
    assert ">13<" in stock and 'value="2026-06-01"' in stock
    by_supplier = owner_a.get(f"{PAGES}purchases/?{JUNE}&group=supplier").content.decode()
    assert "Supplier SUP" in by_supplier and "¥134.00" in by_supplier
    valuation = owner_a.get(f"{PAGES}valuation/?as_of=2026-06-30").content.decode()
    assert "¥173.00" in valuation and "By location" in valuation and "¥92.00" in valuation


def test_console_navigation_has_reports(june, owner_a):
    html = owner_a.get("/console/").content.decode()
    assert '<a href="/console/inventory/reports/">Reports</a>' in html


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(0).to_python()


def _number(value) -> Decimal:
    return D(str(value)).quantize(D("0.01"))


@pytest.mark.parametrize("slug", ["sales", "margin", "stock", "purchases", "valuation"])
def test_csv_and_xlsx_hold_the_same_numbers(june, owner_a, slug):
    query = f"{JUNE}&as_of=2026-06-30"
    api = {"stock": "stock-summary"}.get(slug, slug)
    body = owner_a.get(f"{API}{api}/?{query}").json()
    csv_rows = _csv(owner_a.get(f"{PAGES}{slug}/?{query}&export=csv"))
    xlsx_rows = _xlsx(owner_a.get(f"{PAGES}{slug}/?{query}&export=xlsx"))
    header = csv_rows[0]
    assert xlsx_rows[0] == header and header[0] == "sku_code"
    assert [r[0] for r in csv_rows[1:]] == [r["sku_code"] for r in body["results"]] + ["TOTAL"]
    assert [r[0] for r in xlsx_rows[1:]] == [r["sku_code"] for r in body["results"]] + ["TOTAL"]
    expected = [*body["results"], body["totals"]]
    for got_csv, got_xlsx, want in zip(csv_rows[1:], xlsx_rows[1:], expected, strict=True):
        for index, key in enumerate(header):
            if key in ("sku_code", "title") or key not in want:
                continue
            if want[key] is None:
                assert got_csv[index] == "" and got_xlsx[index] == "", key
            else:
                assert _number(got_csv[index]) == _number(want[key]) == _number(got_xlsx[index]), (
                    key
                )


def test_csv_keeps_unknown_revenue_empty(june, owner_a):
    rows = _csv(owner_a.get(f"{PAGES}sales/?date_from=2026-06-05&date_to=2026-06-05&export=csv"))
    revenue = rows[0].index("revenue")
    assert rows[1][0] == "A-1" and rows[1][revenue] == "" and rows[2][revenue] == ""


# --- roles and shops ---------------------------------------------------------------------------


REPORTS_API = ["purchases/", "purchases/by-supplier/", "sales/", "margin/", "valuation/", "daily/"]


def test_roles(june, shop_a, make_user):
    clerk, keeper, manager = (
        make_user(email=f"{r}@alpha.example") for r in ("clerk", "warehouse", "manager")
    )
    for user, role in ((clerk, "clerk"), (keeper, "warehouse"), (manager, "manager")):
        add_staff(shop_a, user, role)
    clerk_c, keeper_c, manager_c = (host_client(shop_a, u) for u in (clerk, keeper, manager))
    for report in [*REPORTS_API, "stock-summary/"]:
        assert clerk_c.get(API + report).status_code == 403, report
        assert manager_c.get(API + report).status_code == 200, report
    for report in REPORTS_API:
        assert keeper_c.get(API + report).status_code == 403, report
    assert keeper_c.get(f"{API}stock-summary/?{JUNE}").json()["totals"]["closing"] == 19
    for slug in ("", "stock/", "purchases/", "sales/", "margin/", "valuation/"):
        assert clerk_c.get(PAGES + slug).status_code == 403, slug
    assert [
        keeper_c.get(PAGES + s).status_code for s in ("", "stock/", "sales/", "valuation/")
    ] == [200, 200, 403, 403]
    index = keeper_c.get(PAGES).content.decode()
    assert f"{PAGES}stock/" in index and f"{PAGES}sales/" not in index
    assert "/console/inventory/reports/" not in clerk_c.get("/console/").content.decode()


def test_shop_b_sees_none_of_shop_a(june, shop_a, shop_b, merchant_b):
    b_home = host_client(shop_b, merchant_b)
    for report in ["purchases/", "sales/", "margin/", "stock-summary/", "valuation/"]:
        body = b_home.get(f"{API}{report}?{JUNE}&as_of=2026-06-30").json()
        assert body["count"] == 0 and body["results"] == [], report
    assert b_home.get(f"{API}sales/?{JUNE}").json()["totals"]["revenue"] is None
    assert b_home.get(f"{API}valuation/").json()["totals"]["value"] == "0.00"
    # A's location id means nothing on B's host.
    assert b_home.get(f"{API}sales/?location={june['st']}").status_code == 400
    a_host = host_client(shop_a, merchant_b)
    for report in [*REPORTS_API, "stock-summary/"]:
        assert a_host.get(API + report).status_code == 403, report
    for slug in ("", "stock/", "sales/", "valuation/"):
        assert a_host.get(f"{PAGES}{slug}?export=csv").status_code == 403, slug


def test_anonymous_is_refused(shop_a):
    client = host_client(shop_a)
    assert client.get(f"{API}sales/").status_code in (401, 403)
    assert client.get(f"{PAGES}sales/").status_code == 302


# --- query counts ------------------------------------------------------------------------------


def _many(shop, n: int, prefix: str) -> None:
    skus = make_skus(shop, n, prefix)
    wh = make_location(shop, f"W{prefix}")
    with schema_context(shop.schema_name):
        SKU.objects.filter(pk__in=skus).update(cost_price=D("2.00"))
        services.movement_post(
            lines=[MovementLine(s, wh, 5, "2.00") for s in skus],
            kind="purchase_receipt",
            actor_user_id=None,
        )
        services.movement_post(
            lines=[MovementLine(s, wh, -1, None, "3.00") for s in skus],
            kind="sale",
            actor_user_id=None,
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        f"{API}stock-summary/",
        f"{API}sales/",
        f"{API}margin/",
        f"{API}purchases/",
        f"{API}purchases/by-supplier/",
        f"{API}valuation/",
        f"{API}daily/",
        f"{PAGES}stock/",
        f"{PAGES}sales/",
        f"{PAGES}valuation/",
        f"{PAGES}margin/?export=csv",
        f"{PAGES}stock/?export=xlsx",
        "/console/",
    ],
)
def test_query_count_does_not_grow_with_skus(shop_a, owner_a, url):
    _many(shop_a, 3, "S")
    owner_a.get(url)  # the first request of a session also loads the shop and the session
    few = _queries(owner_a, url)
    _many(shop_a, 40, "M")
    assert _queries(owner_a, url) == few


def test_stock_summary_endpoint_query_budget(shop_a, owner_a, django_assert_max_num_queries):
    _many(shop_a, 30, "Q")
    owner_a.get(f"{API}stock-summary/")  # loads the shop and the session
    # user, staff record, totals, count, page: each after the tenant's SET search_path
    with django_assert_max_num_queries(10):
        assert owner_a.get(f"{API}stock-summary/?page_size=100").json()["count"] == 30


# --- sale price on the sale path ---------------------------------------------------------------


def test_reservation_refuses_two_prices_for_one_sku_and_bad_prices(shop_a, stock_a):
    with schema_context(shop_a.schema_name):
        services.movement_post(
            lines=[MovementLine(stock_a["sku1"], stock_a["wh"], 5, "1.00")],
            kind="purchase_receipt",
            actor_user_id=None,
        )
        with pytest.raises(ServiceError) as exc:
            services.reserve(
                reference="X1", items=[(stock_a["sku1"], 1, "2.00"), (stock_a["sku1"], 1, "3.00")]
            )
        assert "items[1].unit_price" in exc.value.fields
        with pytest.raises(ServiceError) as exc:
            services.reserve(reference="X1", items=[(stock_a["sku1"], 1, "2.001")])
        assert "items[0].unit_price" in exc.value.fields
        with pytest.raises(ServiceError) as exc:
            services.movement_post(
                lines=[MovementLine(stock_a["sku1"], stock_a["wh"], 1, None, "2.00")],
                kind="purchase_receipt",
                actor_user_id=None,
            )
        assert "lines[0].unit_price" in exc.value.fields
        assert not Reservation.objects.exists()
        held = services.reserve(
            reference="X2", items=[(stock_a["sku1"], 2, "2.00"), (stock_a["sku1"], 1, "2.00")]
        )
        assert [(r.quantity, r.unit_price) for r in held] == [(3, D("2.00"))]


def test_api_sale_carries_a_price(shop_a, stock_a, owner_a):
    owner_a.post(
        "/api/v1/shop/inventory/movements/",
        {
            "kind": "purchase_receipt",
            "lines": [
                {
                    "sku_id": stock_a["sku1"],
                    "location_id": stock_a["wh"],
                    "quantity": 3,
                    "unit_cost": "1.00",
                }
            ],
        },
        content_type="application/json",
    )
    r = owner_a.post(
        "/api/v1/shop/inventory/movements/",
        {
            "kind": "sale",
            "lines": [
                {
                    "sku_id": stock_a["sku1"],
                    "location_id": stock_a["wh"],
                    "quantity": 2,
                    "unit_price": "4.50",
                }
            ],
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()[0]["unit_price"] == "4.50"
    today = reports.today().isoformat()
    assert (
        owner_a.get(f"{API}sales/?date_from={today}&date_to={today}").json()["totals"]["revenue"]
        == "9.00"
    )


# --- dashboard chart ---------------------------------------------------------------------------


def test_dashboard_chart_of_the_last_30_days(shop_a, stock_a, owner_a, make_user):
    with schema_context(shop_a.schema_name):
        services.movement_post(
            lines=[MovementLine(stock_a["sku1"], stock_a["wh"], 7, "1.00")],
            kind="purchase_receipt",
            actor_user_id=None,
        )
        services.movement_post(
            lines=[MovementLine(stock_a["sku1"], stock_a["wh"], -3, None, "12.00")],
            kind="sale",
            actor_user_id=None,
        )
        services.transfer(
            from_location_id=stock_a["wh"],
            to_location_id=stock_a["st"],
            items=[(stock_a["sku1"], 2)],
            actor_user_id=None,
        )
        days = reports.daily_flow(days=30)
    assert len(days) == 30 and days[-1]["day"] == reports.today()
    assert (days[-1]["in_quantity"], days[-1]["out_quantity"], days[-1]["revenue"]) == (
        7,
        3,
        D("36.00"),
    )
    html = owner_a.get("/console/").content.decode()
    assert html.count("<svg") == 2 and '<title id="flow-title">' in html and 'role="img"' in html
    assert "In total 7 units in and 3 units out." in html and "In total ¥36.00." in html
    assert f"{reports.today():%Y-%m-%d}: in 7, out 3" in html
    keeper = make_user(email="keeper@alpha.example")
    add_staff(shop_a, keeper, "warehouse")
    keeper_html = host_client(shop_a, keeper).get("/console/").content.decode()
    assert keeper_html.count("<svg") == 1 and "¥36.00" not in keeper_html
    clerk = make_user(email="clerk@alpha.example")
    add_staff(shop_a, clerk, "clerk")
    assert "<svg" not in host_client(shop_a, clerk).get("/console/").content.decode()
    api = owner_a.get(f"{API}daily/?date_from={reports.today()}&date_to={reports.today()}").json()
    assert api == [
        {
            "day": reports.today().isoformat(),
            "in_quantity": 7,
            "out_quantity": 3,
            "revenue": "36.00",
        }
    ]


def test_dashboard_chart_when_nothing_moved(shop_a, owner_a):
    html = owner_a.get("/console/").content.decode()
    assert html.count("<svg") == 1 and "No sales with a known price in the last 30 days." in html


def test_chart_scale_is_round():
    from tenant_apps.inventory.report_views import _nice_ceiling

    assert [_nice_ceiling(v, least=2) for v in (0, 3, 5, 7, 11, 950)] == [2, 4, 6, 8, 20, 1000]


# --- OpenAPI -----------------------------------------------------------------------------------


def test_reports_api_schema_is_valid_and_warning_free():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.tenant_apps.inventory.test_reports").get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular warned about the reports API"
    operations = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
    assert operations == {
        "reports_purchases",
        "reports_purchases_by_supplier",
        "reports_sales",
        "reports_margin",
        "reports_stock_summary",
        "reports_valuation",
        "reports_daily",
    }
    assert date(2026, 1, 1)  # dates in the schema are plain YYYY-MM-DD
