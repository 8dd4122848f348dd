"""Refunds: partial and full, capped by what was paid, idempotent on the refund number."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.payments import interface, providers, tasks
from shared_apps.payments.models import Payment, Refund
from shared_apps.payments.providers.base import ProviderError
from tests.conftest import MALL, client_for

from .conftest import open_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(payable, in_process_delivery, django_capture_on_commit_callbacks):
    open_payment(amount="100.00")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(MALL).post("/pay/sandbox/P20260001/", {"action": "pay"})
    assert Payment.objects.get().status == "succeeded"
    return payable


def refund(capture, amount: str, refund_no: str, reason: str = "damaged"):
    with capture(execute=True):
        return interface.refund_request(number="P20260001", amount=Decimal(amount), refund_no=refund_no, reason=reason)


def test_partial_refunds_up_to_the_amount_paid(paid, django_capture_on_commit_callbacks):
    first = refund(django_capture_on_commit_callbacks, "30.00", "R-1")
    assert (first.status, first.amount, first.automatic) == ("pending", Decimal("30.00"), False)
    second = refund(django_capture_on_commit_callbacks, "70.00", "R-2")
    assert interface.refund_get(refund_no="R-1").status == "succeeded"
    assert interface.refund_get(refund_no="R-2").status == "succeeded"
    assert second.payment_number == "P20260001"
    payment = interface.payment_get(number="P20260001")
    assert payment.refunded_amount == Decimal("100.00")
    assert [(ref, data.refund_no, data.status, data.amount) for ref, data in paid.refunded] == [
        ("CK-P20260001", "R-1", "succeeded", Decimal("30.00")),
        ("CK-P20260001", "R-2", "succeeded", Decimal("70.00"))]
    with pytest.raises(Conflict) as caught:
        refund(django_capture_on_commit_callbacks, "0.01", "R-3")
    assert caught.value.code == "refund_exceeds_payment"
    assert caught.value.message == ("A refund of ¥0.01 is more than is left: paid ¥100.00, refunded or being "
                                    "refunded ¥100.00, left ¥0.00.")
    assert Refund.objects.count() == 2


def test_over_refund_counts_refunds_still_pending(paid):
    interface.refund_request(number="P20260001", amount=Decimal("60.00"), refund_no="R-1", reason="")  # pending
    with pytest.raises(Conflict) as caught:
        interface.refund_request(number="P20260001", amount=Decimal("40.01"), refund_no="R-2", reason="")
    assert "refunded or being refunded ¥60.00, left ¥40.00" in caught.value.message
    assert caught.value.fields == {"amount": [caught.value.message]}
    assert interface.refund_request(number="P20260001", amount=Decimal("40.00"), refund_no="R-2",
                                    reason="").amount == Decimal("40.00")


def test_refund_number_is_idempotent(paid, django_capture_on_commit_callbacks):
    first = refund(django_capture_on_commit_callbacks, "10.00", "R-1")
    again = refund(django_capture_on_commit_callbacks, "10.00", "R-1")
    assert again.id == first.id and Refund.objects.count() == 1
    with pytest.raises(Conflict) as caught:
        refund(django_capture_on_commit_callbacks, "12.00", "R-1")
    assert caught.value.code == "refund_no_taken"
    assert caught.value.message == "Refund number R-1 is already used for ¥10.00 of payment P20260001."
    assert len(paid.refunded) == 1
    assert interface.payment_get(number="P20260001").refunded_amount == Decimal("10.00")


@pytest.mark.parametrize(("amount", "field_message"), [
    ("0", "The amount must be positive."), ("-1", "The amount must be positive."),
    ("1.001", "At most two decimals (fen)."), ("abc", "Enter an amount such as 12.50."),
    ("NaN", "Enter an amount such as 12.50."),
])
def test_bad_refund_amounts(paid, amount, field_message):
    with pytest.raises(ServiceError) as caught:
        interface.refund_request(number="P20260001", amount=amount, refund_no="R-1", reason="")
    assert caught.value.fields == {"amount": [field_message]}
    assert not Refund.objects.exists()


def test_refunds_need_a_paid_payment(payable):
    open_payment()
    with pytest.raises(Conflict) as caught:
        interface.refund_request(number="P20260001", amount=Decimal("1.00"), refund_no="R-1", reason="")
    assert caught.value.code == "not_paid"
    with pytest.raises(NotFound):
        interface.refund_request(number="NOPE0001", amount=Decimal("1.00"), refund_no="R-1", reason="")
    with pytest.raises(ServiceError) as caught:
        interface.refund_request(number="P20260001", amount=Decimal("1.00"), refund_no="bad no!", reason="")
    assert list(caught.value.fields) == ["refund_no"]


def test_a_refund_the_provider_cannot_take_now_stays_pending_and_is_asked_again(
        paid, monkeypatch, django_capture_on_commit_callbacks):
    sandbox = providers.get("sandbox")
    real_refund = sandbox.refund

    def down(payment, refund_row):
        raise ProviderError("sandbox is down")

    monkeypatch.setattr(sandbox, "refund", down)
    pending = refund(django_capture_on_commit_callbacks, "5.00", "R-1")
    assert Refund.objects.get().submit_attempts == 1 and pending.status == "pending"
    monkeypatch.setattr(sandbox, "refund", real_refund)
    Refund.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.payments_reconcile()["refunds"] == 1
    assert interface.refund_get(refund_no="R-1").status == "succeeded"
    assert Refund.objects.get().submit_attempts == 2


def test_a_refund_the_provider_refuses_fails_and_frees_the_amount(paid, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    from shared_apps.payments import sandbox_gateway

    real_apply = sandbox_gateway.refund_apply
    monkeypatch.setattr(sandbox_gateway, "refund_apply",
                        lambda **kw: sandbox_gateway.sign({"code": "SELLER_BALANCE_NOT_ENOUGH"}))
    failed = refund(django_capture_on_commit_callbacks, "100.00", "R-1")
    assert failed.status == "pending"
    row = Refund.objects.get()
    assert (row.status, row.failure_reason) == ("failed", "SELLER_BALANCE_NOT_ENOUGH")
    assert [t.to_status for t in row.transitions.all()] == ["pending", "failed"]
    assert paid.refunded == []
    monkeypatch.setattr(sandbox_gateway, "refund_apply", real_apply)
    retried = refund(django_capture_on_commit_callbacks, "100.00", "R-2")
    assert interface.refund_get(refund_no=retried.refund_no).status == "succeeded"
