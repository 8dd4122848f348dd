"""The merchant's side of settlement on the shop's host: balance, statements (with their lines,
claw-backs and downloads) and payouts, in the console (/console/finance/) and the shop API
(/api/v1/shop/finance/).

Real money moves first (the fixtures of test_settlement_run and test_payouts): alpha sells
2 × ¥100 + 1 × ¥50 + ¥14 shipping and beta ¥30 + ¥10; both settle; alpha is paid out through the
sandbox; a ¥50 refund after settlement is clawed back in alpha's second statement; then alpha
sells ¥50 + ¥10 shipping that is not settled yet. Every figure is exact to the fen and the same
on the page, in the API, in the CSV and in the XLSX; only the owner and the manager see any of
it, and neither shop ever sees the other's.
"""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from backend.lib import pii
from backend.lib.money import format_cny
from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount
from shared_apps.orders import refunds
from shared_apps.orders.checkout import checkout_place
from shared_apps.payments.testing import sandbox_pay
from shared_apps.settlement import interface, payouts, runs, selectors, statement_files
from shared_apps.settlement import services as ledger
from shared_apps.settlement.models import JournalLine, Statement, StatementEntry
from tests.tenant_apps.shop.conftest import add_staff, host_client
from tests.tenant_apps.shop.test_api_tokens import issue, on

from .conftest import express, fill_cart, lines_of
from .test_settlement_run import complete, five_percent  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/shop/finance/"
PAGES = "/console/finance/"


def later(days: int):
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def books(five_percent, paid, alpha, beta, shopper, address, merchant_a, operator,  # noqa: F811
          django_capture_on_commit_callbacks):
    for sub in paid.order.sub_orders.all():
        complete(sub)
    runs.run_start(cutoff=later(8))
    SettlementBankAccount.objects.create(
        shop_id=alpha.shop.pk, status=BankAccountStatus.ACTIVE, bank_name="招商银行", bank_branch="深圳分行",
        account_name="阿尔法贸易有限公司", account_number_encrypted=pii.encrypt("6225880112345678"),
        account_last4="5678", requested_by=merchant_a)
    made, _skipped = payouts.payouts_prepare(channel="sandbox_split", actor_user_id=operator.pk)
    payout = payouts.payout_send(number=made[0].number, actor_user_id=operator.pk)
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_create(number=paid.number, shop_id=alpha.shop.pk, requested_by="shop", reason="broken",
                              lines=[{"line": lines_of(paid)[0].pk, "amount": "50.00"}])
    runs.run_start(cutoff=later(9))
    fill_cart(shopper, (alpha.shop, alpha.skus[1], 1))
    unsettled = checkout_place(user_id=shopper.pk, data={"client_token": "token-later", "address_id": address.pk,
                                                         "shops": express(alpha.shop)})
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(unsettled.number)
    first, second = Statement.objects.filter(shop_id=alpha.shop.pk).order_by("id")
    return SimpleNamespace(a=alpha.shop, b=beta.shop, first=first, second=second, payout=payout,
                           b_statement=Statement.objects.get(shop_id=beta.shop.pk), sub=paid)


@pytest.fixture
def owner_a(books, merchant_a):
    return host_client(books.a, merchant_a)


@pytest.fixture
def owner_b(books, merchant_b):
    return host_client(books.b, merchant_b)


def staff_client(shop, make_user, role: str):
    user = make_user(email=f"{role}@alpha.example", display_name=role.title())
    add_staff(shop, user, role)
    return host_client(shop, user)


def uncovered_payable(shop_id: int) -> Decimal:
    """What the ledger owes the shop outside any statement, computed apart from the interface:
    its payable lines that no statement covers, leaving out payouts (never in a statement: they
    pay statements)."""
    lines = JournalLine.objects.filter(account__shop_id=shop_id, account__kind="shop_payable").exclude(
        pk__in=StatementEntry.objects.values("journal_line_id")).exclude(entry__kind__startswith="payout_")
    return -sum((line.amount for line in lines), D("0.00"))


# --- the figures ---------------------------------------------------------------------------------


def test_the_statements_hold_the_exact_amounts(books):
    assert (books.first.gross_sales, books.first.commission, books.first.fees, books.first.net_payable) == (
        D("264.00"), D("-12.50"), D("-1.58"), D("249.92"))
    assert (books.second.refunds, books.second.commission, books.second.net_payable) == (
        D("-50.00"), D("2.50"), D("-47.50"))
    assert books.first.payout_id == books.payout.pk and books.second.payout_id is None


def test_the_balance_splits_what_is_owed_exactly(books, owner_a):
    # Owed: the second statement (−47.50, its claw-back waits for later sales) and the new sale
    # not settled yet: ¥50 + ¥10 shipping paid, less the shop's share of the sandbox fee 0.36.
    expected = {"owed": "12.14", "in_statements": "-47.50", "not_settled": "59.64", "in_transit": "0.00",
                "deposit": "0.00"}
    assert owner_a.get(f"{API}balance/").json() == expected
    balance = interface.shop_balance(shop_id=books.a.pk)
    assert balance.owed == selectors.balance(ledger.account_for_shop(shop_id=books.a.pk, kind="shop_payable"))
    assert balance.owed == balance.in_statements + balance.not_settled
    assert balance.not_settled == uncovered_payable(books.a.pk)
    page = owner_a.get(PAGES).content.decode()
    shown = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', page))
    assert shown == {key: format_cny(D(value)) for key, value in expected.items()}


def test_a_payout_moves_the_money_from_statements_to_on_the_way_to_paid(books, owner_b, merchant_b, operator):
    """Beta's statement through a bank transfer: pending (still owed, still in statements), sent
    (out of the payable, on the way), paid."""
    net = str(books.b_statement.net_payable)
    SettlementBankAccount.objects.create(
        shop_id=books.b.pk, status=BankAccountStatus.ACTIVE, bank_name="工商银行", account_name="贝塔贸易有限公司",
        account_number_encrypted=pii.encrypt("6222020200001234"), account_last4="1234", requested_by=merchant_b)
    before = owner_b.get(f"{API}balance/").json()
    assert before == {"owed": net, "in_statements": net, "not_settled": "0.00", "in_transit": "0.00",
                      "deposit": "0.00"}
    made, _skipped = payouts.payouts_prepare(channel="bank_transfer", actor_user_id=operator.pk,
                                             shop_ids=[books.b.pk])
    assert owner_b.get(f"{API}balance/").json() == before  # pending: nothing has moved yet
    payouts.bank_file(actor=operator)
    assert owner_b.get(f"{API}balance/").json() == {"owed": "0.00", "in_statements": "0.00", "not_settled": "0.00",
                                                   "in_transit": net, "deposit": "0.00"}
    payouts.payout_mark_paid(number=made[0].number, actor_user_id=operator.pk, reference="B-1")
    assert owner_b.get(f"{API}balance/").json()["in_transit"] == "0.00"
    listed = owner_b.get(f"{API}payouts/").json()["results"]
    assert [(p["number"], p["amount"], p["status"], p["account_last4"]) for p in listed] == [
        (made[0].number, net, "paid", "1234")]


def test_the_statement_list_is_newest_first_and_the_same_on_page_and_api(books, owner_a):
    body = owner_a.get(f"{API}statements/").json()
    assert body["count"] == 2
    assert [(s["number"], s["net_payable"], s["payout_number"], s["payout_status"]) for s in body["results"]] == [
        (books.second.number, "-47.50", "", ""),
        (books.first.number, "249.92", books.payout.number, "paid")]
    page = owner_a.get(f"{PAGES}statements/").content.decode()
    assert re.findall(r'data-net="([^"]+)"', page) == ["-47.50", "249.92"]
    assert books.b_statement.number not in page


def totals_of(statement: Statement) -> dict[str, str]:
    keys = [*interface.STATEMENT_TOTALS, "net_payable"]
    return {key: str(getattr(statement, key)) for key in keys}


def csv_parts(content: bytes) -> tuple[dict, list[list[str]]]:
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    gap = rows.index([])
    assert rows[0] == ["item", "label", "value"] and rows[gap + 1][:3] == ["sub_order", "sku_code", "title"]
    return {item: value for item, _label, value in rows[1:gap]}, rows[gap + 2:]


def xlsx_parts(content: bytes) -> tuple[dict, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["summary", "lines"]
    summary = book.get_sheet_by_name("summary").to_python()
    lines = book.get_sheet_by_name("lines").to_python()
    return {row[0]: row[2] for row in summary[1:]}, lines[1:]


def fen(value) -> str:
    """A spreadsheet number back to a fen string (floats hold two decimals exactly enough)."""
    return f"{D(str(value)).quantize(D('0.01'))}"


def test_one_statement_agrees_on_page_api_csv_and_xlsx(books, owner_a):
    st = books.first
    detail = owner_a.get(f"{API}statements/{st.pk}/").json()
    expected = totals_of(st)
    assert {key: detail["statement"][key] for key in expected} == expected
    assert expected["gross_sales"] == "264.00" and expected["net_payable"] == "249.92"
    assert detail["payout"]["number"] == books.payout.number and detail["payout"]["statement_numbers"] == [st.number]
    assert detail["payout"]["account_last4"] == "5678" and "account_number" not in detail["payout"]
    entries = {(e["kind"], e["account_kind"]): e["amount"] for e in detail["entries"]}
    assert entries == {("payment_captured", "shop_payable"): "264.00", ("commission", "shop_payable"): "-12.50",
                       ("fee_charged", "shop_payable"): "-1.58"}
    api_lines = [(line["sub_order_number"], line["sku_code"], line["title"], line["quantity"], line["net_paid"],
                  line["platform_discount"], line["commission_rate"], line["commission"], line["version"])
                 for line in detail["lines"]["results"]]
    assert api_lines == [
        (books.sub.number, "alpha-Tea-0", "Tea", 2, "200.00", "0.00", "0.0500", "10.00", 1),
        (books.sub.number, "alpha-Tea-1", "Tea", 1, "50.00", "0.00", "0.0500", "2.50", 1)]

    page = owner_a.get(f"{PAGES}statements/{st.pk}/").content.decode()
    assert dict(re.findall(r'data-total="(\w+)" data-amount="([^"]+)"', page)) == expected
    assert re.findall(r'data-net="([^"]+)"', page) == ["200.00", "50.00"]
    assert re.findall(r'data-commission="([^"]+)"', page) == ["10.00", "2.50"]
    assert "¥249.92" in page and books.payout.number in page

    for download in (f"{PAGES}statements/{st.pk}/download.csv", f"{API}statements/{st.pk}/download/"):
        response = owner_a.get(download)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{st.number}.csv"'
        summary, lines = csv_parts(response.content)
        assert {key: summary[key] for key in expected} == expected
        assert (summary["statement"], summary["shop"], summary["payout"]) == (st.number, "Alpha 商店",
                                                                            books.payout.number)
        assert [tuple(row[:9]) for row in lines] == [tuple(str(v) for v in line) for line in api_lines]

    for download in (f"{PAGES}statements/{st.pk}/download.xlsx", f"{API}statements/{st.pk}/download/?file_format=xlsx"):
        response = owner_a.get(download)
        assert response["Content-Disposition"] == f'attachment; filename="{st.number}.xlsx"'
        summary, lines = xlsx_parts(b"".join(response.streaming_content))
        assert {key: fen(summary[key]) for key in expected} == expected  # numbers, not text
        assert all(isinstance(summary[key], float) for key in expected)
        assert (summary["line_count"], summary["statement"], summary["payout_status"]) == (2, st.number, "paid")
        assert [(r[0], r[1], r[2], int(r[3]), fen(r[4]), fen(r[5]), f"{D(str(r[6])):.4f}", fen(r[7]), int(r[8]))
                for r in lines] == api_lines


def test_a_claw_back_shows_as_version_two_everywhere(books, owner_a):
    st = books.second
    line = owner_a.get(f"{API}statements/{st.pk}/").json()["lines"]["results"]
    assert [(x["sku_code"], x["net_paid"], x["commission"], x["version"]) for x in line] == [
        ("alpha-Tea-0", "-50.00", "-2.50", 2)]
    page = owner_a.get(f"{PAGES}statements/{st.pk}/").content.decode()
    assert "Claw-back after a refund" in page and "Not paid out yet." in page
    summary, lines = csv_parts(owner_a.get(f"{PAGES}statements/{st.pk}/download.csv").content)
    assert (summary["refunds"], summary["commission"], summary["net_payable"]) == ("-50.00", "2.50", "-47.50")
    assert [row[4:9] for row in lines] == [["-50.00", "0.00", "0.0500", "-2.50", "2"]]


def test_payouts_list_with_their_statements_and_moves(books, owner_a):
    body = owner_a.get(f"{API}payouts/").json()
    assert body["count"] == 1
    payout = body["results"][0]
    assert (payout["number"], payout["amount"], payout["status"], payout["channel"], payout["statement_numbers"]) == (
        books.payout.number, "249.92", "paid", "sandbox_split", [books.first.number])
    assert [(m["from_status"], m["to_status"]) for m in payout["moves"]] == [
        ("", "pending"), ("pending", "sent"), ("sent", "paid")]
    page = owner_a.get(f"{PAGES}payouts/").content.decode()
    assert re.findall(r'data-amount="([^"]+)"', page) == ["249.92"] and "···· 5678" in page


# --- who sees it --------------------------------------------------------------------------------


def every_url(books) -> list[str]:
    st = books.first.pk
    return [PAGES, f"{PAGES}statements/", f"{PAGES}statements/{st}/", f"{PAGES}statements/{st}/download.csv",
            f"{PAGES}statements/{st}/download.xlsx", f"{PAGES}payouts/", f"{API}balance/", f"{API}statements/",
            f"{API}statements/{st}/", f"{API}statements/{st}/download/", f"{API}payouts/"]


def test_the_owner_and_the_manager_see_it_clerks_and_warehouse_do_not(books, owner_a, make_user):
    manager = staff_client(books.a, make_user, "manager")
    for url in every_url(books):
        assert owner_a.get(url).status_code == 200, url
        assert manager.get(url).status_code == 200, url
    for role in ("clerk", "warehouse", "service"):
        client = staff_client(books.a, make_user, role)
        for url in every_url(books):
            assert client.get(url).status_code == 403, (role, url)
    assert '<a href="/console/finance/">Finance</a>' in owner_a.get("/console/").content.decode()
    assert "/console/finance/" not in client.get("/console/").content.decode()


def test_no_api_token_opens_finance(books, merchant_a):
    _token, secret = issue(books.a, merchant_a, ["catalog:read", "catalog:write", "stock:read", "stock:write"])
    client = on(books.a, secret)
    for url in every_url(books):
        if url.startswith(API):
            assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in_or_refused(books):
    anonymous = host_client(books.a)
    assert anonymous.get(PAGES)["Location"] == "/accounts/login/?next=/console/finance/"
    assert anonymous.get(f"{API}balance/").status_code in (401, 403)


def test_shop_b_sees_only_its_own_and_nothing_of_a(books, owner_b, merchant_b):
    body = owner_b.get(f"{API}statements/").json()
    assert [s["number"] for s in body["results"]] == [books.b_statement.number]
    # beta: ¥30 + ¥10 shipping paid, less 5 % of the ¥30 goods and its share of the sandbox fee
    # (0.24); no bank account, so unpaid.
    assert owner_b.get(f"{API}balance/").json()["in_statements"] == str(books.b_statement.net_payable) == "38.26"
    assert owner_b.get(f"{API}payouts/").json() == {"count": 0, "next": None, "previous": None, "results": []}
    for page in (PAGES, f"{PAGES}statements/", f"{PAGES}payouts/"):
        html = owner_b.get(page).content.decode()
        assert books.first.number not in html and books.second.number not in html and books.payout.number not in html
    a_statement = books.first.pk
    for url in (f"{PAGES}statements/{a_statement}/", f"{PAGES}statements/{a_statement}/download.csv",
                f"{PAGES}statements/{a_statement}/download.xlsx", f"{API}statements/{a_statement}/",
                f"{API}statements/{a_statement}/download/"):
        assert owner_b.get(url).status_code == 404, url
    assert owner_b.get(f"{API}statements/{a_statement}/").json()["error"]["code"] == "statement_not_found"
    on_a = host_client(books.a, merchant_b)  # B's owner on A's host: not on A's staff
    for url in every_url(books):
        assert on_a.get(url).status_code == 403, url
    assert list(interface.shop_statement_lines(shop_id=books.b.pk, statement_id=a_statement)) == []
    assert interface.shop_statement(shop_id=books.b.pk, statement_id=a_statement) is None


def test_bad_page_numbers_and_ids_never_fail(books, owner_a):
    st = books.first.pk
    for page in ("0", "-1", "abc", "99999", "1.5", "9" * 30):
        for url in (f"{PAGES}statements/", f"{PAGES}payouts/", f"{PAGES}statements/{st}/"):
            assert owner_a.get(url, {"page": page}).status_code == 200, (url, page)  # the nearest page
        for url in (f"{API}statements/", f"{API}payouts/", f"{API}statements/{st}/"):
            response = owner_a.get(url, {"page": page})
            assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", (url, page)
        assert owner_a.get(f"{API}statements/", {"page_size": page}).status_code == 200
    for missing in ("999999999", "0", str(2**63)):
        assert owner_a.get(f"{PAGES}statements/{missing}/").status_code == 404
        assert owner_a.get(f"{PAGES}statements/{missing}/download.csv").status_code == 404
        assert owner_a.get(f"{API}statements/{missing}/").status_code == 404
        assert owner_a.get(f"{API}statements/{missing}/download/").status_code == 404
    assert owner_a.get(f"{PAGES}statements/abc/").status_code == 404
    refused = owner_a.get(f"{API}statements/{st}/download/", {"file_format": "pdf"})
    assert refused.status_code == 400 and refused.json()["error"]["fields"] == {"file_format": ["Use csv or xlsx."]}


def test_the_lines_page_through(books, owner_a):
    st = books.first.pk
    first = owner_a.get(f"{API}statements/{st}/", {"page_size": 1}).json()["lines"]
    assert first["count"] == 2 and first["previous"] is None and "page=2" in first["next"]
    second = owner_a.get(f"{API}statements/{st}/", {"page_size": 1, "page": 2}).json()["lines"]
    assert [x["sku_code"] for x in first["results"] + second["results"]] == ["alpha-Tea-0", "alpha-Tea-1"]
    assert second["next"] is None


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_lists_cost_the_same_few_queries(books, owner_a, owner_b):
    """Alpha has two statements and beta one: the same queries (each page's rows are read at
    once, the order lines of a page of settled lines in one more query)."""
    for client in (owner_a, owner_b):
        client.get(f"{API}balance/")  # the session's first request does more
    for url in (f"{API}statements/", f"{PAGES}statements/"):
        assert queries(owner_a, url) == queries(owner_b, url), url
    assert queries(owner_a, PAGES) == queries(owner_b, PAGES) + 2  # beta has no payouts: no moves to read
    # host, search path, session, user, staff record: then the statements, one query.
    assert queries(owner_a, f"{API}statements/") == 5
    assert queries(owner_a, f"{API}payouts/") == 7  # … payouts, the statements they pay, their moves
    # … statement with its payout, ledger by kind, the payout's statements and moves, line count,
    # lines, their order lines
    assert queries(owner_a, f"{API}statements/{books.first.pk}/") == 10
    assert queries(owner_a, f"{API}statements/{books.second.pk}/") == 8  # no payout: two fewer


def test_the_operations_are_documented():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="tests.tenant_apps.shop.schema_urls").get_schema(request=None, public=True)
    operations = {(method.upper(), path): op["operationId"] for path, item in schema["paths"].items()
                  for method, op in item.items() if op["tags"] == ["finance"]}
    assert operations == {
        ("GET", "/api/v1/shop/finance/balance/"): "shop_finance_balance",
        ("GET", "/api/v1/shop/finance/statements/"): "shop_finance_statements_list",
        ("GET", "/api/v1/shop/finance/statements/{statement_id}/"): "shop_finance_statements_retrieve",
        ("GET", "/api/v1/shop/finance/statements/{statement_id}/download/"): "shop_finance_statements_download",
        ("GET", "/api/v1/shop/finance/payouts/"): "shop_finance_payouts_list",
    }
    download = schema["paths"]["/api/v1/shop/finance/statements/{statement_id}/download/"]["get"]
    assert set(download["responses"]["200"]["content"]) == {"text/csv", statement_files.XLSX_TYPE}
