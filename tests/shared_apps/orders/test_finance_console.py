"""The finance console on the operator host (/finance/ pages, /api/v1/ops/finance/ API): the
ledger's health, settlement runs and statements, payouts, deposits and penalties, reconciliation,
the ledger browser and commission rules. Finance acts; auditors read and are refused every action;
customer service and shoppers are refused everything; bad input is a 4xx naming its field. The
last test walks the whole way: orders complete, finance runs settlement, pays out, and the
provider's statement matches."""

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.lib import pii
from shared_apps.accounts.models import OperatorRole
from shared_apps.audit.models import AuditEntry
from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount
from shared_apps.orders.models import SubOrder
from shared_apps.settlement import runs, selectors
from shared_apps.settlement import services as ledger
from shared_apps.settlement.models import (
    AccountKind,
    CommissionRule,
    EntryKind,
    JournalEntry,
    Payout,
    PayoutStatus,
    ReconciliationImport,
    Resolution,
    SettlementRun,
    Statement,
)
from tests.conftest import OPS, client_for, database_url
from tests.factories import UserFactory

from . import test_payouts, test_reconciliation, test_settlement_run
from .test_reconciliation import today_file
from .test_settlement_run import complete

# The neighbouring tests' fixtures: settled statements, posted payments and refunds, a 5 % rate.
settled = test_payouts.settled
booked = test_reconciliation.booked
five_percent = test_settlement_run.five_percent

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/ops/finance/"


@pytest.fixture
def finance(db):
    return UserFactory(email="finance@example.com", display_name="Finance", operator_role=OperatorRole.FINANCE)


@pytest.fixture
def fin(finance):
    return client_for(OPS, finance)


def post(client, path, data=None):
    return client.post(path, data if data is not None else {}, content_type="application/json")


def field_of(answer) -> list[str]:
    return list(answer.json()["error"]["fields"])


def payable(shop_id) -> Decimal:
    return selectors.balance(ledger.account_for_shop(shop_id=shop_id, kind="shop_payable"))


def window_passed(order) -> None:
    """Every sub-order of the order completed, delivered long enough ago for its after-sales
    window to have passed, so that a run now settles it."""
    for sub in order.sub_orders.all():
        complete(sub)
    SubOrder.objects.filter(order=order).update(delivered_at=timezone.now() - timedelta(days=10))


def bank_account(shop_id, owner) -> None:
    SettlementBankAccount.objects.create(
        shop_id=shop_id, status=BankAccountStatus.ACTIVE, bank_name="招商银行", bank_branch="深圳分行",
        account_name="阿尔法贸易有限公司", account_number_encrypted=pii.encrypt("6225880112345678"),
        account_last4="5678", requested_by=owner)


def token() -> str:
    return str(uuid.uuid4())


# --- overview ----------------------------------------------------------------------------------


def test_the_overview_shows_a_balanced_ledger_and_what_is_owed(settled, fin):
    page = fin.get("/finance/").content.decode()
    assert "Balanced" in page and "Debits equal credits: the total is zero." in page
    assert "Payable to shop" in page and "Commission revenue" in page and "Adjustments" in page
    assert "No platform default commission rate" not in page
    data = fin.get(f"{API}overview/").json()
    assert data["balanced"] is True and data["total_debit"] == data["total_credit"]
    kinds = {row["kind"]: row for row in data["trial_balance"]}
    assert list(kinds) == list(AccountKind.values)  # every kind, zeros included
    assert kinds["adjustments"] == {"kind": "adjustments", "debit": "0.00", "credit": "0.00", "balance": "0.00"}
    assert (kinds["shop_payable"]["balance"], kinds["commission_revenue"]["balance"]) == ("288.18", "14.00")
    assert data["shops_owed"] == "288.18" == str(payable(settled.shop_id) + payable(
        Statement.objects.exclude(shop_id=settled.shop_id).get().shop_id))
    assert sum(D(r["debit"]) for r in kinds.values()) == D(data["total_debit"])
    assert [p["provider"] for p in data["provider_cash"]] == ["sandbox"]
    assert (data["open_payouts"], data["open_reconciliation_items"]) == (0, 0)
    assert (data["default_rule"]["rate"], data["warnings"]) == ("0.0500", [])


def test_the_overview_warns_when_no_platform_default_rate_is_in_force(paid, fin):
    assert "No platform default commission rate is in force" in fin.get("/finance/").content.decode()
    data = fin.get(f"{API}overview/").json()
    assert data["default_rule"] is None and "0 %" in data["warnings"][0]


# --- runs and statements -----------------------------------------------------------------------


def test_run_now_makes_statements_that_the_pages_show(five_percent, paid, fin):
    window_passed(paid.order)
    answer = fin.post("/finance/runs/start/")
    run = SettlementRun.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/finance/runs/{run.pk}/"
    assert (run.status, run.lines_settled, run.statements_made) == ("finished", 3, 2)
    statement = Statement.objects.get(shop_id=paid.shop_id)
    runs_page = fin.get("/finance/runs/").content.decode()
    assert f"#{run.pk}" in runs_page and "Finished" in runs_page
    run_page = fin.get(f"/finance/runs/{run.pk}/").content.decode()
    assert statement.number in run_page and "¥249.92" in run_page
    listing = fin.get("/finance/statements/?shop=alpha").content.decode()
    assert statement.number in listing and "Beta" not in listing
    assert fin.get(f"/finance/statements/?run={run.pk}").content.decode().count("/finance/statements/ST") == 2
    detail = fin.get(f"/finance/statements/{statement.number}/").content.decode()
    assert "¥264.00" in detail and "-¥12.50" in detail and "¥249.92" in detail
    assert "Tea" in detail and f"/orders/{paid.order.number}/" in detail and paid.number in detail
    assert "run:" in detail and "Payment captured" in detail and "Commission" in detail

    data = fin.get(f"{API}runs/").json()
    assert data["count"] == 1 and data["results"][0]["lines_settled"] == 3
    one = fin.get(f"{API}runs/{run.pk}/").json()
    assert [s["shop"]["subdomain"] for s in one["statements"]] == ["alpha", "beta"]
    statements = fin.get(f"{API}statements/?shop=alpha").json()
    assert [s["number"] for s in statements["results"]] == [statement.number]
    body = fin.get(f"{API}statements/{statement.number}/").json()
    assert (body["gross_sales"], body["commission"], body["fees"], body["net_payable"], body["payout"]) == (
        "264.00", "-12.50", "-1.58", "249.92", None)
    entries = fin.get(f"{API}statements/{statement.number}/entries/").json()["results"]
    captured = next(e for e in entries if e["kind"] == "payment_captured")
    assert captured["order_number"] == paid.order.number and captured["sub_order_number"] == paid.number
    assert sum(D(line["amount"]) for line in captured["lines"]) == 0
    lines = fin.get(f"{API}statements/{statement.number}/lines/").json()
    assert sorted((line["net_paid"], line["commission"], line["title"]) for line in lines["results"]) == [
        ("200.00", "10.00", "Tea"), ("50.00", "2.50", "Tea")]
    assert lines["results"][0]["order_number"] == paid.order.number


def test_a_second_run_while_one_runs_shows_the_409(paid, fin):
    with psycopg.connect(database_url(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", list(runs.RUN_LOCK))
        page = fin.post("/finance/runs/start/")
        api = post(fin, f"{API}runs/")
    assert page.status_code == 409 and "A settlement run is in progress" in page.content.decode()
    assert api.status_code == 409 and api.json()["error"]["code"] == "run_in_progress"


def test_the_api_runs_settlement_and_refuses_a_future_cutoff(five_percent, paid, fin):
    window_passed(paid.order)
    assert field_of(post(fin, f"{API}runs/", {"cutoff": "tomorrow"})) == ["cutoff"]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert field_of(post(fin, f"{API}runs/", {"cutoff": future})) == ["cutoff"]
    answer = post(fin, f"{API}runs/")
    assert answer.status_code == 201 and answer.json()["lines_settled"] == 3
    assert [s["net_payable"] for s in answer.json()["statements"]] == ["249.92", "38.26"]


# --- payouts -----------------------------------------------------------------------------------


def test_finance_prepares_and_sends_a_split_payout_on_the_pages(settled, fin):
    page = fin.post("/finance/payouts/prepare/", {"channel": "sandbox_split"})
    text = page.content.decode()
    assert page.status_code == 200 and "1 payout made" in text
    assert "Beta 商店 (beta)" in text and "It has no approved settlement bank account." in text
    payout = Payout.objects.get()
    assert payout.amount == D("249.92") and payout.status == PayoutStatus.PENDING
    assert payout.number in fin.get("/finance/payouts/?status=pending&channel=sandbox_split").content.decode()
    sent = fin.post(f"/finance/payouts/{payout.number}/send/")
    assert sent.status_code == 302
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID and payable(settled.shop_id) == 0
    detail = fin.get(f"/finance/payouts/{payout.number}/").content.decode()
    assert "pending → sent" in detail and "sent → paid" in detail and Statement.objects.get(
        shop_id=settled.shop_id).number in detail
    again = fin.post(f"/finance/payouts/{payout.number}/send/")
    assert again.status_code == 409 and "not pending" in again.content.decode()
    assert fin.post("/finance/payouts/NOPE/send/").status_code == 404
    assert fin.post("/finance/payouts/prepare/", {"channel": "pigeon"}).status_code == 400
    assert fin.get("/finance/payouts/?status=lost").status_code == 400


def test_the_bank_file_then_the_banks_answers_over_the_api(settled, fin):
    prepared = post(fin, f"{API}payouts/prepare/", {"channel": "bank_transfer"}).json()
    number = prepared["made"][0]["number"]
    assert prepared["skipped"][0]["reason"] == "It has no approved settlement bank account."
    answer = fin.post(f"{API}payouts/bank-file/")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    assert f"{number},Alpha 商店,阿尔法贸易有限公司,招商银行,深圳分行,6225880112345678,249.92" in answer.content.decode()
    assert AuditEntry.objects.filter(action="settlement.bank_file").count() == 1
    listed = fin.get(f"{API}payouts/?status=sent&channel=bank_transfer").json()
    assert [p["number"] for p in listed["results"]] == [number]
    assert field_of(post(fin, f"{API}payouts/{number}/mark-failed/", {"reason": ""})) == ["reason"]
    paid = post(fin, f"{API}payouts/{number}/mark-paid/", {"reference": "B-77"}).json()
    assert (paid["status"], paid["channel_reference"]) == ("paid", "B-77")
    assert [m["to_status"] for m in paid["moves"]] == ["pending", "sent", "paid"]
    assert paid["statements"] == [Statement.objects.get(shop_id=settled.shop_id).number]
    assert post(fin, f"{API}payouts/{number}/mark-failed/", {"reason": "late"}).status_code == 409
    assert post(fin, f"{API}payouts/NOPE/mark-paid/").status_code == 404
    assert field_of(fin.get(f"{API}payouts/?status=lost")) == ["status"]
    assert field_of(post(fin, f"{API}payouts/prepare/", {"channel": "pigeon"})) == ["channel"]


def test_marking_a_payout_failed_on_the_page_needs_a_reason(settled, fin):
    fin.post("/finance/payouts/prepare/", {"channel": "bank_transfer"})
    number = Payout.objects.get().number
    fin.post("/finance/payouts/bank-file/")
    refused = fin.post(f"/finance/payouts/{number}/failed/", {"reason": ""})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    assert fin.post(f"/finance/payouts/{number}/failed/", {"reason": "account closed"}).status_code == 302
    assert Payout.objects.get().status == PayoutStatus.FAILED and payable(settled.shop_id) == D("249.92")
    assert fin.post(f"/finance/payouts/{number}/paid/", {"reference": "x"}).status_code == 409


# --- deposits, penalties and adjustments -------------------------------------------------------


def test_a_deposit_form_sent_twice_posts_once(shop_a, fin):
    form = {"token": token(), "shop": "alpha", "amount": "500.00", "source": "bank", "memo": "deposit"}
    first = fin.post("/finance/postings/deposit_paid/", form)
    entry = JournalEntry.objects.get(kind=EntryKind.DEPOSIT_PAID)
    assert first.status_code == 302 and first["Location"] == f"/finance/ledger/entries/{entry.pk}/"
    assert fin.post("/finance/postings/deposit_paid/", form).status_code == 302
    assert JournalEntry.objects.filter(kind=EntryKind.DEPOSIT_PAID).count() == 1
    deposit = selectors.balance(ledger.account_for_shop(shop_id=shop_a.pk, kind="shop_deposit"))
    assert deposit == D("500.00")
    page = fin.get("/finance/postings/").content.decode()
    assert f"#{entry.pk}" in page and 'name="token"' in page
    withheld = fin.post("/finance/postings/deposit_paid/", {**form, "token": token(), "source": "withheld"})
    assert withheld.status_code == 302 and payable(shop_a.pk) == D("-500.00")


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"amount": "abc"}, "amount", "Enter an amount such as 12.50."),
    ({"amount": "1.001"}, "amount", "At most two decimals (fen)."),
    ({"amount": "-5"}, "amount", "The amount must not be negative."),
    ({"shop": "nowhere"}, "shop", "No such shop."),
    ({"reason": ""}, "reason", "This field is required."),
    ({"token": "not-a-uuid"}, "token", "Enter a valid UUID."),
])
def test_bad_posting_forms_are_refused_by_field(shop_a, fin, form, field, message):
    data = {"token": token(), "shop": "alpha", "amount": "10.00", "reason": "late delivery", **form}
    answer = fin.post("/finance/postings/penalty/", data)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not JournalEntry.objects.exists()


def test_a_deduction_beyond_the_deposit_and_a_negative_adjustment_need_care(shop_a, fin):
    refused = fin.post("/finance/postings/deposit_deducted/", {"token": token(), "shop": "alpha", "amount": "5.00",
                                                               "reason": "penalty cover"})
    assert refused.status_code == 409 and "The deposit holds" in refused.content.decode()
    form = {"token": token(), "shop": "alpha", "amount": "-20.00", "reason": "duplicate capture"}
    first = fin.post("/finance/postings/adjustment/", form)
    text = first.content.decode()
    assert first.status_code == 409 and "confirm to go below zero" in text
    assert 'name="confirm_negative"' in text and form["token"] in text  # the same form, now with the checkbox
    assert not JournalEntry.objects.exists()
    confirmed = fin.post("/finance/postings/adjustment/", {**form, "confirm_negative": "on"})
    assert confirmed.status_code == 302 and payable(shop_a.pk) == D("-20.00")
    assert fin.post("/finance/postings/adjustment/", {**form, "confirm_negative": "on"}).status_code == 302
    assert JournalEntry.objects.filter(kind=EntryKind.ADJUSTMENT).count() == 1  # sent twice: once
    assert AuditEntry.objects.filter(action="settlement.adjustment").count() == 1
    reused = fin.post("/finance/postings/adjustment/", {**form, "amount": "-30.00", "confirm_negative": "on"})
    assert reused.status_code == 409 and "already posted with other amounts" in reused.content.decode()
    assert fin.post("/finance/postings/nonsense/", form).status_code == 404


def test_postings_over_the_api(shop_a, fin):
    key = token()
    body = {"request_key": key, "shop": "alpha", "amount": "300.00", "source": "sandbox"}
    first = post(fin, f"{API}deposits/paid/", body)
    assert first.status_code == 201
    assert sorted(line["amount"] for line in first.json()["lines"]) == ["-300.00", "300.00"]
    assert post(fin, f"{API}deposits/paid/", body).json()["id"] == first.json()["id"]
    deducted = post(fin, f"{API}deposits/deducted/", {"request_key": token(), "shop": "alpha", "amount": "100.00",
                                                      "reason": "covers a penalty"})
    assert deducted.status_code == 201 and deducted.json()["memo"] == "covers a penalty"
    penalty = post(fin, f"{API}penalties/", {"request_key": token(), "shop": "alpha", "amount": "40.00",
                                             "reason": "fake tracking number"})
    assert penalty.status_code == 201 and payable(shop_a.pk) == D("60.00")
    adjust = {"request_key": token(), "shop": "alpha", "amount": "-70.00", "reason": "correction"}
    refused = post(fin, f"{API}adjustments/", adjust)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "balance_would_go_negative"
    assert post(fin, f"{API}adjustments/", {**adjust, "confirm_negative": True}).status_code == 201
    assert payable(shop_a.pk) == D("-10.00") and selectors.ledger_balanced()
    for bad, field in [({"amount": "x"}, "amount"), ({"amount": "1.005"}, "amount"), ({"shop": "nowhere"}, "shop"),
                       ({"request_key": "short"}, "request_key"), ({"source": "paypal"}, "source"),
                       ({"amount": "0"}, "amount")]:
        answer = post(fin, f"{API}deposits/paid/", {**body, "request_key": token(), **bad})
        assert answer.status_code == 400 and field_of(answer) == [field], (bad, answer.content)
    assert field_of(post(fin, f"{API}penalties/", {"request_key": token(), "shop": "alpha", "amount": "1"})) == [
        "reason"]


# --- reconciliation ----------------------------------------------------------------------------


def test_an_uploaded_statement_matches_and_its_bad_rows_are_listed(booked, fin):
    content = today_file()
    answer = fin.post("/finance/reconciliation/upload/", {
        "provider": "sandbox", "file": SimpleUploadedFile("sandbox.csv", content, content_type="text/csv")})
    run = ReconciliationImport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/finance/reconciliation/{run.pk}/"
    assert (run.matched, run.mismatched, run.unmatched, run.missing) == (2, 0, 0, 0)
    page = fin.get(f"/finance/reconciliation/{run.pk}/").content.decode()
    assert "2 lines: 2 matched" in page and booked.order.number in page
    assert f"#{run.pk}" in fin.get("/finance/reconciliation/").content.decode()
    rows = content.decode().splitlines()
    broken = "\n".join([*rows, "payment,T1,P1,,,2026-01-01 10:00:00,ten,0.00,"]) + "\n"
    fin.post("/finance/reconciliation/upload/", {
        "provider": "sandbox", "file": SimpleUploadedFile("broken.csv", broken.encode())})
    second = ReconciliationImport.objects.exclude(pk=run.pk).get()
    assert second.errors and second.errors[0][0] == len(rows) + 1
    shown = fin.get(f"/finance/reconciliation/{second.pk}/").content.decode()
    assert f"Line {len(rows) + 1}" in shown
    api = fin.get(f"{API}reconciliation/{second.pk}/").json()
    assert api["errors"][0]["line_no"] == len(rows) + 1 and api["open_items"] == 0
    wrong = fin.post("/finance/reconciliation/upload/", {
        "provider": "wechat", "file": SimpleUploadedFile("sandbox.csv", content)})
    assert wrong.status_code == 400 and "Line 1" in wrong.content.decode()
    empty = fin.post("/finance/reconciliation/upload/", {"provider": "sandbox"})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    assert fin.get(f"/finance/reconciliation/{run.pk}/?state=bogus").status_code == 400


def test_open_items_are_resolved_or_adjusted_on_the_page_and_the_api(booked, fin):
    content = today_file().decode().replace(",304.00,1.82,", ",304.00,1.92,").encode()
    quiet = post(fin, f"{API}reconciliation/fetch/", {"provider": "sandbox", "day": "2020-01-01"})
    assert quiet.status_code == 201 and (quiet.json()["day"], quiet.json()["lines"]) == ("2020-01-01", 0)
    again = post(fin, f"{API}reconciliation/fetch/", {"provider": "sandbox", "day": "2020-01-01"})
    assert again.json()["id"] == quiet.json()["id"]  # the same file: the same import
    uploaded = fin.post(f"{API}reconciliation/", {
        "provider": "sandbox", "file": SimpleUploadedFile("tampered.csv", content)})
    assert uploaded.status_code == 201 and uploaded.json()["mismatched"] == 1
    run_id = uploaded.json()["id"]
    items = fin.get(f"{API}reconciliation/{run_id}/items/?state=mismatched").json()["results"]
    assert [(i["file_fee"], i["ledger_fee"], i["difference"]) for i in items] == [("1.92", "1.82", "-0.10")]
    item_id = items[0]["id"]
    assert fin.post(f"/finance/reconciliation/items/{item_id}/adjust/", {"note": ""}).status_code == 400
    page = fin.post(f"/finance/reconciliation/items/{item_id}/adjust/", {"note": "provider fee raised"})
    assert page.status_code == 302
    again = fin.post(f"/finance/reconciliation/items/{item_id}/resolve/", {"note": "twice"})
    assert again.status_code == 409 and "already" in again.content.decode()
    resolved = post(fin, f"{API}reconciliation/items/{item_id}/resolve/", {"note": "twice"})
    assert resolved.status_code == 409 and resolved.json()["error"]["code"] == "already_resolved"
    listed = fin.get(f"{API}reconciliation/").json()
    assert listed["results"][0]["open_items"] == 0
    assert post(fin, f"{API}reconciliation/items/999999/resolve/", {"note": "x"}).status_code == 404
    assert field_of(post(fin, f"{API}reconciliation/items/{item_id}/resolve/", {})) == ["note"]
    assert field_of(fin.get(f"{API}reconciliation/{run_id}/items/?state=bogus")) == ["state"]
    assert field_of(post(fin, f"{API}reconciliation/fetch/", {"provider": "sandbox", "day": "2026-02-30"})) == ["day"]
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert field_of(post(fin, f"{API}reconciliation/fetch/", {"provider": "sandbox", "day": future})) == ["day"]
    assert field_of(fin.post(f"{API}reconciliation/", {"provider": "paypal"})) == ["provider", "file"]


def test_fetching_todays_statement_on_the_page(booked, fin):
    answer = fin.post("/finance/reconciliation/fetch/", {"provider": "sandbox", "day": timezone.localdate()})
    run = ReconciliationImport.objects.get()
    assert answer.status_code == 302 and run.matched == 2 and run.filename.startswith("sandbox-")
    bad = fin.post("/finance/reconciliation/fetch/", {"provider": "sandbox", "day": "yesterday"})
    assert bad.status_code == 400 and "Enter a valid date." in bad.content.decode()


# --- the ledger browser ------------------------------------------------------------------------


def test_the_ledger_browser_drills_down_to_order_lines(settled, fin):
    alpha_payable = ledger.account_for_shop(shop_id=settled.shop_id, kind="shop_payable")
    page = fin.get("/finance/ledger/?kind=shop_payable&shop=alpha").content.decode()
    assert alpha_payable.code in page and "¥249.92" in page and f"shop_payable:{settled.shop_id + 1}" not in page
    lines = fin.get(f"/finance/ledger/accounts/{alpha_payable.pk}/?running=1").content.decode()
    assert "Balance after" in lines and "¥249.92" in lines
    commission = JournalEntry.objects.filter(kind=EntryKind.COMMISSION, source_key__contains=f":{settled.shop_id}:")
    entry = JournalEntry.objects.filter(kind=EntryKind.PAYMENT_CAPTURED, sub_order_id=settled.pk).get()
    shown = fin.get(f"/finance/ledger/entries/{entry.pk}/").content.decode()
    assert entry.source_key in shown and f"/orders/{settled.order.number}/" in shown
    assert Statement.objects.get(shop_id=settled.shop_id).number in shown  # the line's statement
    assert commission.exists()

    accounts = fin.get(f"{API}ledger/accounts/?kind=shop_payable").json()
    assert {a["shop"]["subdomain"]: a["balance"] for a in accounts["results"]}["alpha"] == "249.92"
    one = fin.get(f"{API}ledger/accounts/{alpha_payable.pk}/").json()
    assert (one["balance"], one["normal_side"]) == ("249.92", "credit")
    newest_first = fin.get(f"{API}ledger/accounts/{alpha_payable.pk}/lines/?running=true").json()["results"]
    assert newest_first[0]["id"] > newest_first[-1]["id"] and newest_first[0]["running_balance"] == "249.92"
    running = [D(line["running_balance"]) for line in reversed(newest_first)]
    amounts = [-D(line["amount"]) for line in reversed(newest_first)]  # a credit-normal account
    assert running == [sum(amounts[:i + 1]) for i in range(len(amounts))]
    assert fin.get(f"{API}ledger/accounts/{alpha_payable.pk}/lines/").json()["results"][0]["running_balance"] is None
    detail = fin.get(f"{API}ledger/entries/{entry.pk}/").json()
    assert (detail["order_number"], detail["sub_order_number"]) == (settled.order.number, settled.number)


@pytest.mark.parametrize(("path", "status", "field"), [
    ("ledger/accounts/?kind=wealth", 400, "kind"),
    ("ledger/accounts/?shop=nowhere", 400, "shop"),
    ("ledger/accounts/?page=99", 404, "page"),
    ("ledger/accounts/?page=abc", 404, "page"),
    ("statements/?shop=nowhere", 400, "shop"),
    ("statements/?run=abc", 400, "run"),
    ("runs/?page=2", 404, "page"),
    ("ledger/accounts/1/lines/?running=perhaps", 400, "running"),
])
def test_bad_api_queries_name_their_field(settled, fin, path, status, field):
    answer = fin.get(f"{API}{path}")
    assert answer.status_code == status and field_of(answer) == [field], answer.content


@pytest.mark.parametrize("path", [
    "runs/999999/", "statements/NOPE/", "statements/NOPE/lines/", "statements/NOPE/entries/", "payouts/NOPE/", "reconciliation/999999/",
    "reconciliation/999999/items/", "ledger/accounts/999999/", "ledger/entries/999999/",
    "ledger/entries/99999999999999999999/",
])
def test_ids_of_nothing_are_404_in_the_api(fin, path):
    assert fin.get(f"{API}{path}").status_code == 404


@pytest.mark.parametrize("path", [
    "runs/999999/", "statements/NOPE/", "payouts/NOPE/", "reconciliation/999999/", "ledger/accounts/999999/",
    "ledger/entries/999999/", "ledger/entries/99999999999999999999/",
])
def test_ids_of_nothing_are_404_on_the_pages(fin, path):
    assert fin.get(f"/finance/{path}").status_code == 404


def test_bad_page_filters_are_a_400_and_pages_past_the_end_show_the_last(settled, fin):
    assert "No such shop." in fin.get("/finance/statements/?shop=nowhere").content.decode()
    assert fin.get("/finance/statements/?shop=nowhere").status_code == 400
    assert fin.get("/finance/statements/?run=abc").status_code == 400
    assert fin.get("/finance/ledger/?kind=wealth").status_code == 400
    assert fin.get("/finance/ledger/?page=999").status_code == 200
    assert fin.get("/finance/statements/?run=99999999999999999999").status_code == 200
    assert fin.get(f"{API}statements/?run=99999999999999999999").json()["count"] == 0
    account = ledger.account_for_shop(shop_id=settled.shop_id, kind="shop_payable")
    assert fin.get(f"/finance/ledger/accounts/{account.pk}/?running=yes&page=-1").status_code == 200


def test_list_pages_and_endpoints_take_a_fixed_number_of_queries(settled, fin, django_assert_max_num_queries):
    for path in ("/finance/statements/", "/finance/ledger/", "/finance/payouts/", "/finance/runs/",
                 f"{API}statements/", f"{API}ledger/accounts/", f"{API}payouts/", f"{API}reconciliation/"):
        with django_assert_max_num_queries(12):
            assert fin.get(path).status_code == 200, path


# --- commission rules --------------------------------------------------------------------------


def test_commission_rules_are_created_as_percentages_and_ended(shop_a, fin):
    answer = fin.post("/finance/commission-rules/create/", {"rate_percent": "5.5", "effective_from": "2020-01-01"})
    assert answer.status_code == 302
    rule = CommissionRule.objects.get()
    assert (rule.rate, rule.category_id, rule.shop_id) == (D("0.0550"), None, None)
    page = fin.get("/finance/commission-rules/").content.decode()
    assert "5.50 %" in page and "in force" in page and "No platform default" not in page
    shop_rule = fin.post("/finance/commission-rules/create/", {"rate_percent": "3", "shop": "alpha",
                                                               "effective_from": "2020-01-01"})
    assert shop_rule.status_code == 302 and CommissionRule.objects.filter(shop=shop_a, rate=D("0.0300")).exists()
    overlap = fin.post("/finance/commission-rules/create/", {"rate_percent": "6", "effective_from": "2024-01-01"})
    assert overlap.status_code == 409 and "in force for this category and shop" in overlap.content.decode()
    for bad, message in [({"rate_percent": "100"}, "less than or equal to 99.99"),
                         ({"rate_percent": "abc"}, "Enter a number."),
                         ({"effective_from": "2020-13-01"}, "Enter a valid date."),
                         ({"shop": "nowhere"}, "No such shop."),
                         ({"category": "999999"}, "Select a valid choice."),
                         ({"effective_to": "2019-01-01"}, "Give a date on or after the start.")]:
        refused = fin.post("/finance/commission-rules/create/", {"rate_percent": "4", "shop": "alpha",
                                                                 "effective_from": "2021-01-01", **bad})
        assert refused.status_code in (400, 409) and message in refused.content.decode(), bad
    ended = fin.post(f"/finance/commission-rules/{rule.pk}/end/", {"effective_to": "2023-12-31"})
    assert ended.status_code == 302
    rule.refresh_from_db()
    assert rule.effective_to == date(2023, 12, 31)
    assert fin.post(f"/finance/commission-rules/{rule.pk}/end/", {"effective_to": "soon"}).status_code == 400
    assert fin.post(f"/finance/commission-rules/{rule.pk}/end/", {"effective_to": "2019-01-01"}).status_code == 400
    assert fin.post("/finance/commission-rules/999999/end/", {"effective_to": "2023-12-31"}).status_code == 404
    assert "No platform default commission rate" in fin.get("/finance/commission-rules/").content.decode()


def test_commission_rules_over_the_api(shop_a, fin):
    created = post(fin, f"{API}commission-rules/", {"rate": "0.0500", "effective_from": "2020-01-01"})
    assert created.status_code == 201 and (created.json()["rate"], created.json()["in_force"]) == ("0.0500", True)
    rule_id = created.json()["id"]
    assert post(fin, f"{API}commission-rules/", {"rate": "0.0600", "effective_from": "2021-01-01"}).status_code == 409
    ended = post(fin, f"{API}commission-rules/{rule_id}/end/", {"effective_to": "2020-12-31"})
    assert ended.status_code == 200 and ended.json()["effective_to"] == "2020-12-31"
    assert post(fin, f"{API}commission-rules/", {"rate": "0.0600", "effective_from": "2021-01-01",
                                                 "shop": "alpha"}).status_code == 201
    listed = fin.get(f"{API}commission-rules/").json()
    assert listed["count"] == 2
    for bad, field in [({"rate": "1.5"}, "rate"), ({"rate": "0.12345"}, "rate"), ({"rate": "x"}, "rate"),
                       ({"effective_from": "2020-02-30"}, "effective_from"), ({"shop": "nowhere"}, "shop"),
                       ({"category_id": 999999}, "category_id"), ({"effective_to": "2000-01-01"}, "effective_to")]:
        answer = post(fin, f"{API}commission-rules/", {"rate": "0.0100", "effective_from": "2030-01-01", **bad})
        assert answer.status_code == 400 and field_of(answer) == [field], (bad, answer.content)
    assert post(fin, f"{API}commission-rules/999999/end/", {"effective_to": "2020-12-31"}).status_code == 404
    assert field_of(post(fin, f"{API}commission-rules/{rule_id}/end/", {"effective_to": "x"})) == ["effective_to"]


# --- roles -------------------------------------------------------------------------------------

READ_PAGES = ["/finance/", "/finance/runs/", "/finance/statements/", "/finance/payouts/", "/finance/postings/",
              "/finance/reconciliation/", "/finance/ledger/", "/finance/commission-rules/"]
READ_API = ["overview/", "runs/", "statements/", "payouts/", "reconciliation/", "ledger/accounts/",
            "commission-rules/"]
ACTIONS = ["/finance/runs/start/", "/finance/payouts/prepare/", "/finance/payouts/bank-file/",
           "/finance/postings/penalty/", "/finance/reconciliation/fetch/", "/finance/commission-rules/create/",
           "/finance/commission-rules/1/end/", "/finance/payouts/X/send/", "/finance/reconciliation/items/1/resolve/"]
API_ACTIONS = ["runs/", "payouts/prepare/", "payouts/bank-file/", "payouts/X/send/", "payouts/X/mark-paid/",
               "penalties/", "adjustments/", "deposits/paid/", "deposits/deducted/", "reconciliation/",
               "reconciliation/fetch/", "reconciliation/items/1/adjust/", "commission-rules/",
               "commission-rules/1/end/"]


def test_auditors_read_everything_and_act_on_nothing(settled, auditor):
    client = client_for(OPS, auditor)
    for path in READ_PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Run now" not in page.content.decode() and 'name="token"' not in page.content.decode()
    for path in READ_API:
        assert client.get(f"{API}{path}").status_code == 200, path
    for path in ACTIONS:
        assert client.post(path, {"channel": "sandbox_split"}).status_code == 403, path
    for path in API_ACTIONS:
        assert post(client, f"{API}{path}", {"channel": "sandbox_split"}).status_code == 403, path
    assert not Payout.objects.exists() and SettlementRun.objects.count() == 1
    assert 'href="/finance/"' in client.get("/orders/").content.decode()


def test_customer_service_and_shoppers_are_refused_everything(settled, shopper):
    service = UserFactory(email="cs@example.com", display_name="CS", operator_role=OperatorRole.SERVICE)
    for user in (service, shopper):
        client = client_for(OPS, user)
        for path in READ_PAGES:
            assert client.get(path).status_code == 403, path
        for path in ACTIONS:
            assert client.post(path).status_code == 403, path
        for path in READ_API:
            assert client.get(f"{API}{path}").status_code == 403, path
        for path in API_ACTIONS:
            assert post(client, f"{API}{path}").status_code == 403, path
    assert 'href="/finance/"' not in client_for(OPS, service).get("/orders/").content.decode()
    assert client_for(OPS).get("/finance/").status_code == 302  # anonymous: to the sign-in page


def test_finance_sees_the_finance_link(fin):
    assert 'href="/finance/"' in fin.get("/orders/").content.decode()


# --- the whole way -----------------------------------------------------------------------------


def test_orders_complete_then_run_payout_and_reconcile_all_matched(five_percent, paid, merchant_a, fin):
    window_passed(paid.order)
    bank_account(paid.shop_id, merchant_a)
    run_page = fin.post("/finance/runs/start/", follow=True).content.decode()
    statement = Statement.objects.get(shop_id=paid.shop_id)
    assert statement.number in run_page and "¥249.92" in run_page
    assert "¥249.92" in fin.get(f"/finance/statements/{statement.number}/").content.decode()

    prepared = fin.post("/finance/payouts/prepare/", {"channel": "sandbox_split"}).content.decode()
    payout = Payout.objects.get()
    assert payout.number in prepared and payout.amount == D("249.92")
    fin.post(f"/finance/payouts/{payout.number}/send/")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID and payable(paid.shop_id) == 0

    fetched = fin.post("/finance/reconciliation/fetch/", {"provider": "sandbox", "day": timezone.localdate()},
                       follow=True).content.decode()
    run = ReconciliationImport.objects.get()
    assert (run.mismatched, run.unmatched, run.missing, run.errors) == (0, 0, 0, [])
    assert run.matched == run.lines >= 1 and not run.items.filter(resolution=Resolution.OPEN).exists()
    assert re.search(rf"{run.lines} lines: {run.matched} matched, 0 with different amounts", fetched)
    overview = fin.get(f"{API}overview/").json()
    assert overview["balanced"] and overview["open_reconciliation_items"] == 0 and overview["open_payouts"] == 0
