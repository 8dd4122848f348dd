"""What real commits prove: the database refuses to commit an unbalanced entry written past the
services, and transactions racing on their own connections make one account, post a source
key once, and never pay out one balance twice."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, transaction

from backend.api.errors import Conflict
from shared_apps.settlement import services
from shared_apps.settlement.models import Account, AccountKind, EntryKind, JournalEntry, JournalLine
from tests.conftest import run_threads

from .conftest import payable

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def insert_entry(cursor, key: str) -> int:
    cursor.execute("INSERT INTO settlement_journalentry (kind, source_key, memo, reference, occurred_at, posted_at)"
                   " VALUES ('adjustment', %s, '', '', now(), now()) RETURNING id", [key])
    return cursor.fetchone()[0]


def insert_line(cursor, entry_id: int, account: Account, amount: str) -> None:
    cursor.execute("INSERT INTO settlement_journalline (entry_id, account_id, amount) VALUES (%s, %s, %s)",
                   [entry_id, account.pk, amount])


@pytest.fixture
def two_accounts(alpha):
    return (services.provider_cash(provider="sandbox"),
            services.account_for_shop(shop_id=alpha.pk, kind=AccountKind.SHOP_PAYABLE))


def test_the_database_refuses_to_commit_an_unbalanced_entry(two_accounts):
    cash, payable_account = two_accounts
    with (pytest.raises(IntegrityError, match="does not balance: its lines add up to 0.01"),
          transaction.atomic(), connection.cursor() as cursor):
        entry = insert_entry(cursor, "sql:unbalanced")
        insert_line(cursor, entry, cash, "10.00")
        insert_line(cursor, entry, payable_account, "-9.99")
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


def test_the_database_refuses_an_entry_without_lines(two_accounts):
    with pytest.raises(IntegrityError, match="has no lines"), transaction.atomic(), connection.cursor() as cursor:
        insert_entry(cursor, "sql:empty")
    assert not JournalEntry.objects.exists()


def test_the_database_refuses_lines_that_unbalance_an_old_entry(two_accounts):
    cash, payable_account = two_accounts
    entry = services.entry_post(kind=EntryKind.ADJUSTMENT, source_key="k",
                                lines=[(cash, D("5.00")), (payable_account, D("-5.00"))])
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic(), connection.cursor() as cursor:
        insert_line(cursor, entry.pk, cash, "1.00")
    assert JournalLine.objects.count() == 2


def test_lines_that_balance_within_one_transaction_commit(two_accounts):
    """The check waits for the end of the transaction: lines inserted one by one pass."""
    cash, payable_account = two_accounts
    with transaction.atomic(), connection.cursor() as cursor:
        entry = insert_entry(cursor, "sql:balanced")
        insert_line(cursor, entry, cash, "10.00")
        insert_line(cursor, entry, payable_account, "-4.00")
        insert_line(cursor, entry, payable_account, "-6.00")
    assert JournalLine.objects.filter(entry_id=entry).count() == 3


def test_racing_transactions_create_one_account(alpha):
    outcomes = run_threads(THREADS, lambda i: services.account_for_shop(shop_id=alpha.pk,
                                                                       kind=AccountKind.SHOP_DEPOSIT).pk)
    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], int), outcomes
    assert Account.objects.filter(kind=AccountKind.SHOP_DEPOSIT).count() == 1


def test_one_source_key_posted_at_once_by_many_is_posted_once(alpha, beta):
    def post(i):
        return services.post_payment_captured(
            source_key="payment:P1:captured", provider="alipay", amount=D("88.80"), fee=D("0.53"),
            shop_amounts={alpha.pk: D("80.00"), beta.pk: D("8.80")}).pk

    outcomes = run_threads(THREADS, post)
    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], int), outcomes
    assert JournalEntry.objects.count() == 1 and JournalLine.objects.count() == 4
    assert payable(alpha) == D("80.00")


def test_racing_payouts_never_spend_one_balance_twice(alpha):
    services.post_payment_captured(source_key="p:1", provider="sandbox", amount=D("100.00"), fee=D(0),
                                   shop_amounts={alpha.pk: D("100.00")})

    def payout(i):
        return services.post_payout_sent(source_key=f"payout:PO{i}:sent", shop_id=alpha.pk, amount=D("60.00")).pk

    outcomes = run_threads(THREADS, payout)
    posted = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(posted) == 1 and len(refused) == THREADS - 1, outcomes
    assert {c.code for c in refused} == {"payout_exceeds_payable"}
    assert payable(alpha) == D("40.00")


def test_racing_overlapping_commission_rules_one_wins():
    from datetime import date

    def create(i):
        return services.commission_rule_create(rate=D("0.05"), effective_from=date(2026, 1, 1 + i)).pk

    outcomes = run_threads(4, create)
    assert len([o for o in outcomes if isinstance(o, int)]) == 1, outcomes
    assert {o.code for o in outcomes if isinstance(o, Conflict)} == {"commission_rule_overlap"}
