"""Settlement runs over real orders: a completed order settles only after its after-sales window,
with exact amounts (commission half-up per line at the rate of the day of payment, the shop's
share of the fee), once; a refund after settlement is clawed back in the next statement; money the
shop took itself nets its commission against the payable; a run that dies leaves nothing and a
second run at the same time is refused — the ledger balanced throughout."""

from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.utils import timezone

from backend.api.errors import Conflict
from shared_apps.orders import refunds, services
from shared_apps.orders.models import SubOrder
from shared_apps.payments import interface as payments
from shared_apps.settlement import runs, selectors
from shared_apps.settlement import services as ledger
from shared_apps.settlement.models import RunStatus, SettledLine, SettlementRun, Statement
from tests.conftest import database_url

from .conftest import lines_of
from .test_checkout import place

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def five_percent(db):
    return ledger.commission_rule_create(rate="0.0500", effective_from=date(2020, 1, 1))


def complete(sub: SubOrder) -> SubOrder:
    services.sub_order_shipped(shop_id=sub.shop_id, number=sub.number, actor_user_id=None)
    services.sub_order_delivered(shop_id=sub.shop_id, number=sub.number)
    services.sub_orders_complete_delivered(now=timezone.now() + timedelta(days=8))
    sub.refresh_from_db()
    assert sub.status == "completed"
    return sub


def later(days: int):
    return timezone.now() + timedelta(days=days)


def test_a_completed_order_settles_after_its_window_with_exact_amounts(five_percent, paid):
    sub = complete(paid)
    assert runs.run_start(cutoff=later(6)).lines_settled == 0  # the after-sales window is still open
    run = runs.run_start(cutoff=later(8))
    assert (run.status, run.lines_settled) == (RunStatus.FINISHED, 2)
    statement = Statement.objects.get(run=run, shop_id=sub.shop_id)
    # 2 × ¥100 and 1 × ¥50 plus ¥14 shipping, paid 264.00; 5 % commission on the goods per line
    # (10.00 + 2.50); the shop's share of the sandbox fee 1.58 (see test_ledger_postings).
    assert (statement.gross_sales, statement.commission, statement.fees, statement.refunds) == (
        D("264.00"), D("-12.50"), D("-1.58"), D("0.00"))
    assert statement.net_payable == D("264.00") - D("12.50") - D("1.58") == D("249.92")
    assert sorted(SettledLine.objects.filter(statement=statement).values_list("net_paid", "commission")) == [
        (D("50.00"), D("2.50")), (D("200.00"), D("10.00"))]
    assert statement.line_count == 2 and statement.period_start is None
    assert selectors.ledger_balanced()
    again = runs.run_start(cutoff=later(9))  # nothing new: nothing settled twice
    assert (again.lines_settled, again.statements_made) == (0, 0)


def test_a_refund_after_settlement_is_clawed_back_in_the_next_statement(five_percent, paid,
                                                                       django_capture_on_commit_callbacks):
    sub = complete(paid)
    first = runs.run_start(cutoff=later(8))
    line = lines_of(sub)[0]  # paid 200.00
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_create(number=sub.number, shop_id=sub.shop_id, requested_by="shop", reason="broken",
                              lines=[{"line": line.pk, "amount": "50.00"}])
    second = runs.run_start(cutoff=later(9))
    statement = Statement.objects.get(run=second)
    # The 50.00 refund, and the commission on it given back: 5 % of 150 − 5 % of 200 = −2.50.
    assert (statement.refunds, statement.commission, statement.net_payable) == (D("-50.00"), D("2.50"), D("-47.50"))
    assert statement.period_start == Statement.objects.get(run=first).period_end
    clawback = SettledLine.objects.get(statement=statement)
    assert (clawback.version, clawback.net_paid, clawback.commission) == (2, D("-50.00"), D("-2.50"))
    total = sum(Statement.objects.filter(shop_id=sub.shop_id).values_list("net_payable", flat=True))
    payable = selectors.balance(ledger.account_for_shop(shop_id=sub.shop_id, kind="shop_payable"))
    assert total == payable  # every fen the shop is owed is in exactly one statement
    assert selectors.ledger_balanced()


def test_money_taken_at_the_counter_nets_its_commission(five_percent, shopper, address, alpha, merchant_a,
                                                       django_capture_on_commit_callbacks):
    from .conftest import fill_cart

    fill_cart(shopper, (alpha.shop, alpha.skus[1], 2))
    order = place(shopper, address, [{"shop_id": alpha.shop.pk, "delivery_method": "pickup",
                                      "pickup_location_id": alpha.store_id, "payment_mode": "at_pickup"}])
    sub = order.sub_orders.get()
    with django_capture_on_commit_callbacks(execute=True):
        payments.offline_confirm(number=sub.offline_payment_number, actor_user_id=merchant_a.pk)
    services.sub_order_picked_up(shop_id=alpha.shop.pk, number=sub.number, actor_user_id=merchant_a.pk)
    statement = Statement.objects.get(run=runs.run_start(cutoff=later(8)))
    # 2 × ¥50 taken at the counter: no cash for the platform, 5.00 commission owed by the shop.
    assert (statement.offline_sales, statement.gross_sales, statement.offline_commission) == (
        D("100.00"), D("0.00"), D("-5.00"))
    assert statement.net_payable == D("-5.00")
    receivable = selectors.balance(ledger.account_for_shop(shop_id=alpha.shop.pk, kind="shop_receivable"))
    assert receivable == 0 and selectors.ledger_balanced()


def test_a_run_that_dies_leaves_nothing_and_the_next_settles_once(five_percent, paid, monkeypatch):
    complete(paid)

    def die(params):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(runs, "_total", die)
    with pytest.raises(RuntimeError):
        runs.run_start(cutoff=later(8))
    failed = SettlementRun.objects.get()
    assert (failed.status, failed.error) == (RunStatus.FAILED, "worker killed")
    assert not Statement.objects.exists() and not SettledLine.objects.exists()
    monkeypatch.undo()
    assert runs.run_start(cutoff=later(8)).lines_settled == 2
    assert selectors.ledger_balanced()


def test_a_second_run_while_one_runs_is_refused(paid):
    # The test database (advisory locks are per database), on a second connection.
    with psycopg.connect(database_url(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", list(runs.RUN_LOCK))
        with pytest.raises(Conflict) as refused:
            runs.run_start(cutoff=later(8))
    assert refused.value.code == "run_in_progress"
