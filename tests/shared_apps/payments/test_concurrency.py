"""Real threads, each with its own database connection, telling the mall the same news at once."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest

from backend.api.errors import Conflict
from shared_apps.payments import interface, sandbox_gateway
from shared_apps.payments.models import (
    Payment,
    PaymentNotification,
    PaymentTransition,
    Refund,
    SandboxTrade,
)
from shared_apps.payments.testing import sandbox_pay
from tests.conftest import MALL, client_for, run_threads

from .conftest import open_payment

pytestmark = pytest.mark.django_db(transaction=True)




def success_params(notify_id: str) -> dict:
    trade = SandboxTrade.objects.get()
    return sandbox_gateway.sign({"notify_id": notify_id, "notify_type": "trade_status_sync", "out_trade_no": "P20260001",
                                 "trade_no": trade.trade_no, "trade_status": "TRADE_SUCCESS", "total_amount": "88.00",
                                 "fee": "0.53"})


def post(params: dict):
    response = client_for(MALL).post("/pay/notify/sandbox/", urlencode(params),
                                     content_type="application/x-www-form-urlencoded")
    return response.status_code, response.content


def test_the_same_notification_eight_times_at_once_pays_once(payable):
    open_payment()
    params = success_params("same")
    answers = run_threads(8, lambda i: post(params))
    assert answers == [(200, b"success")] * 8, answers
    assert PaymentTransition.objects.filter(to_status="succeeded").count() == 1
    assert len(payable.paid) == 1
    note = PaymentNotification.objects.get()
    assert (note.outcome, note.received_count) == ("processed", 8)


def test_different_notifications_of_one_payment_at_once_make_one_transition(payable):
    open_payment()
    answers = run_threads(6, lambda i: post(success_params(f"n{i}")))
    assert answers == [(200, b"success")] * 6
    assert PaymentTransition.objects.filter(to_status="succeeded").count() == 1
    assert Payment.objects.get().status == "succeeded" and len(payable.paid) == 1
    assert sorted(PaymentNotification.objects.values_list("outcome", flat=True)) == ["duplicate"] * 5 + ["processed"]


def test_concurrent_refunds_never_exceed_the_amount_paid(payable):
    open_payment()
    sandbox_pay("P20260001")  # paid on the sandbox's side too, so its refunds go through

    def ask(i):
        try:
            return interface.refund_request(number="P20260001", amount=Decimal("20.00"), refund_no=f"R-{i}",
                                            reason="").status
        except Conflict as exc:
            return exc.code

    outcomes = run_threads(6, ask)
    assert sorted(map(str, outcomes)) == ["pending"] * 4 + ["refund_exceeds_payment"] * 2
    assert sum(r.amount for r in Refund.objects.all()) == Decimal("80.00")


def test_the_same_payment_opened_twice_at_once_is_one_payment(payable):
    outcomes = run_threads(4, lambda i: open_payment().id)
    assert len(set(outcomes)) == 1 and Payment.objects.count() == 1 and SandboxTrade.objects.count() == 1
