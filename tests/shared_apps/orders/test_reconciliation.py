"""Reconciliation of the sandbox's daily statement with the ledger: everything the mall booked
matches line by line, fees included; a tampered fee is a mismatch finance adjusts (the ledger
then holds what the provider holds); a line the ledger lacks and a booking the file lacks are
listed; the same file twice is one import; a file in another format is refused by line."""

from decimal import Decimal

import pytest
from django.utils import timezone

from backend.api.errors import Conflict, ServiceError
from shared_apps.orders import refunds
from shared_apps.payments.statements import statement_fetch
from shared_apps.settlement import reconciliation, selectors, services
from shared_apps.settlement.models import ItemState, ReconciliationImport, Resolution

from .conftest import lines_of

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def booked(paid, django_capture_on_commit_callbacks):
    """The paid order (304.00, fee 1.82) and a 30.00 refund paid back, all posted."""
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_create(number=paid.number, shop_id=paid.shop_id, requested_by="shop", reason="broken",
                              lines=[{"line": lines_of(paid)[0].pk, "amount": "30.00"}])
    return paid


def today_file() -> bytes:
    return statement_fetch("sandbox", timezone.localdate())


def states(run) -> list[tuple[str, str, str]]:
    return sorted(run.items.values_list("kind", "reference", "state"))


def test_what_was_booked_matches_the_statement(booked, operator):
    run = reconciliation.statement_import(provider="sandbox", content=today_file(), actor_user_id=operator.pk)
    refund_no = booked.refunds.get().payment_refund_no
    assert states(run) == [("payment", booked.order.number, "matched"), ("refund", refund_no, "matched")]
    assert (run.matched, run.mismatched, run.unmatched, run.missing, run.errors) == (2, 0, 0, 0, [])
    payment = run.items.get(kind="payment")
    assert (payment.file_amount, payment.file_fee, payment.ledger_amount, payment.ledger_fee) == (
        D("304.00"), D("1.82"), D("304.00"), D("1.82"))
    again = reconciliation.statement_import(provider="sandbox", content=today_file(), actor_user_id=operator.pk)
    assert again.pk == run.pk and ReconciliationImport.objects.count() == 1  # the same file: the same import


def test_a_tampered_fee_is_adjusted_and_the_ledger_follows(booked, operator):
    content = today_file().decode().replace(",304.00,1.82,", ",304.00,1.92,").encode()
    run = reconciliation.statement_import(provider="sandbox", content=content, actor_user_id=operator.pk)
    item = run.items.get(state=ItemState.MISMATCHED)
    assert (item.file_fee, item.ledger_fee, reconciliation.difference(item)) == (D("1.92"), D("1.82"), D("-0.10"))
    cash = services.provider_cash(provider="sandbox")
    before = selectors.balance(cash)
    with pytest.raises(ServiceError):
        reconciliation.item_adjust(item_id=item.pk, note="  ", actor_user_id=operator.pk)
    adjusted = reconciliation.item_adjust(item_id=item.pk, note="provider fee raised", actor_user_id=operator.pk)
    assert adjusted.resolution == Resolution.ADJUSTED and adjusted.adjustment_entry.memo == "provider fee raised"
    assert selectors.balance(cash) == before - D("0.10") and selectors.ledger_balanced()
    with pytest.raises(Conflict):
        reconciliation.item_resolve(item_id=item.pk, note="twice", actor_user_id=operator.pk)


def test_lines_missing_on_either_side_are_listed(booked, operator):
    original = today_file().decode().splitlines()
    header, rows = original[0], original[1:]
    payment_row = next(row for row in rows if row.startswith("payment,"))
    stranger = payment_row.replace(booked.order.number, "9999999999999999")
    content = "\n".join([header, stranger] + [row for row in rows if row != payment_row]) + "\n"
    run = reconciliation.statement_import(provider="sandbox", content=content.encode(), actor_user_id=operator.pk)
    assert (run.matched, run.unmatched, run.missing) == (1, 1, 1)
    missing = run.items.get(state=ItemState.MISSING)
    assert (missing.reference, missing.ledger_amount) == (booked.order.number, D("304.00"))
    resolved = reconciliation.item_resolve(item_id=missing.pk, note="booked on the next day", actor_user_id=operator.pk)
    assert resolved.resolution == Resolution.RESOLVED


def test_a_file_in_another_format_is_refused_by_line(booked, operator):
    with pytest.raises(ServiceError) as refused:
        reconciliation.statement_import(provider="wechat", content=today_file(), actor_user_id=operator.pk)
    assert refused.value.status_code == 400 and "line" in refused.value.message.lower()
    with pytest.raises(ServiceError):
        reconciliation.statement_import(provider="sandbox", content=b"", actor_user_id=operator.pk)
    with pytest.raises(ServiceError):
        reconciliation.statement_import(provider="paypal", content=b"x", actor_user_id=operator.pk)
    assert not ReconciliationImport.objects.exists()
