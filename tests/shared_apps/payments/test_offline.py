"""Offline payment: pay at pickup or by bank transfer, confirmed by the merchant."""

from decimal import Decimal

import pytest

from backend.api.errors import Conflict, NotFound
from shared_apps.payments import interface
from shared_apps.payments.models import Payment, Refund
from tests.conftest import MALL, client_for

from .conftest import open_payment

pytestmark = pytest.mark.django_db


def test_merchant_confirms_the_money_once(payable, merchant_a):
    opened = open_payment("F20260001", provider="offline", amount="45.50")
    assert (opened.pay_url, opened.status) == ("", "pending")
    confirmed = interface.offline_confirm(number="F20260001", actor_user_id=merchant_a.pk, note="cash at the counter")
    assert (confirmed.status, confirmed.fee, confirmed.provider_trade_no) == ("succeeded", Decimal("0.00"),
                                                                              "OFFLINE-F20260001")
    again = interface.offline_confirm(number="F20260001", actor_user_id=merchant_a.pk)
    assert again.paid_at == confirmed.paid_at
    transition = Payment.objects.get().transitions.last()
    assert (transition.to_status, transition.source, transition.actor_user_id, transition.reason) == (
        "succeeded", "merchant", merchant_a.pk, "cash at the counter")
    assert [(ref, p.status) for ref, p in payable.paid] == [("CK-F20260001", "succeeded")]


def test_offline_refund_waits_for_the_merchant(payable, merchant_a):
    open_payment("F20260001", provider="offline", amount="45.50")
    interface.offline_confirm(number="F20260001", actor_user_id=merchant_a.pk)
    refund = interface.refund_request(number="F20260001", amount=Decimal("5.50"), refund_no="FR-1", reason="gift")
    assert refund.status == "pending" and payable.refunded == []
    done = interface.offline_refund_confirm(refund_no="FR-1", actor_user_id=merchant_a.pk, note="cash back")
    assert done.status == "succeeded"
    assert interface.offline_refund_confirm(refund_no="FR-1", actor_user_id=merchant_a.pk).status == "succeeded"
    assert [(ref, r.refund_no) for ref, r in payable.refunded] == [("CK-F20260001", "FR-1")]
    transition = Refund.objects.get().transitions.last()
    assert (transition.source, transition.actor_user_id) == ("merchant", merchant_a.pk)
    assert interface.payment_get(number="F20260001").refunded_amount == Decimal("5.50")


def test_offline_rules(payable, merchant_a, in_process_delivery):
    open_payment("P20260001")
    with pytest.raises(Conflict) as caught:
        interface.offline_confirm(number="P20260001", actor_user_id=merchant_a.pk)
    assert caught.value.code == "not_offline"
    with pytest.raises(NotFound):
        interface.offline_confirm(number="NOPE0001", actor_user_id=merchant_a.pk)
    with pytest.raises(NotFound):
        interface.offline_refund_confirm(refund_no="nope", actor_user_id=merchant_a.pk)


def test_a_confirmation_after_the_close_is_refunded(payable, merchant_a):
    open_payment("F20260001", provider="offline")
    interface.payment_close(number="F20260001", reason="pickup window passed")
    paid = interface.offline_confirm(number="F20260001", actor_user_id=merchant_a.pk, note="late bank transfer")
    assert paid.status == "succeeded" and payable.paid == []
    assert paid.auto_refund_reason == "paid after the payment was closed (pickup window passed)"
    refund = Refund.objects.get()
    assert (refund.status, refund.automatic, refund.amount) == ("pending", True, Decimal("88.00"))


def test_offline_pages(payable, shopper):
    open_payment("F20260001", provider="offline", user_id=shopper.pk)
    client = client_for(MALL, shopper)
    assert client.get("/pay/go/F20260001/")["Location"] == "/pay/return/F20260001/"
    page = client.get("/pay/return/F20260001/")
    assert "Pay at pickup or by bank transfer" in page.content.decode() and "Refresh" not in page
