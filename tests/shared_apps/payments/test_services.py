"""Opening and closing payments: validation, idempotency, the table of allowed moves."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from backend.api.errors import Conflict, ServiceError
from shared_apps.payments import interface, services
from shared_apps.payments.models import Payment, PaymentStatus, PaymentTransition, SandboxTrade
from shared_apps.payments.transitions import PAYMENT_ALLOWED, REFUND_ALLOWED

from .conftest import KIND, open_payment

pytestmark = pytest.mark.django_db


def opening(**overrides):
    data = {"kind": KIND, "reference": "CK-1", "number": "P20260001", "amount": Decimal("88.00"),
            "subject": "Tea", "provider": "sandbox", "expires_at": timezone.now() + timedelta(minutes=30),
            "user_id": None}
    return interface.payment_open(**{**data, **overrides})


def test_open_is_idempotent_on_the_number(payable):
    first = opening()
    assert first == opening()
    assert Payment.objects.count() == SandboxTrade.objects.count() == PaymentTransition.objects.count() == 1
    assert first.expires_at is not None and first.paid_at is None


@pytest.mark.parametrize(("override", "fields"), [
    ({"amount": Decimal("88.01")}, ["amount"]),
    ({"reference": "CK-2"}, ["reference"]),
    ({"provider": "offline"}, ["provider"]),
])
def test_the_same_number_for_something_else_is_a_conflict(payable, override, fields):
    opening()
    with pytest.raises(Conflict) as caught:
        opening(**override)
    assert caught.value.code == "payment_number_taken"
    assert list(caught.value.fields) == fields


@pytest.mark.parametrize(("override", "field"), [
    ({"amount": Decimal(0)}, "amount"),
    ({"amount": Decimal(-5)}, "amount"),
    ({"amount": Decimal("1.234")}, "amount"),
    ({"amount": "lots"}, "amount"),
    ({"number": "P1"}, "number"),
    ({"number": "P 2026 0001"}, "number"),
    ({"number": "P" * 33}, "number"),
    ({"kind": "nosuchkind"}, "kind"),
    ({"reference": ""}, "reference"),
    ({"reference": "x" * 65}, "reference"),
    ({"subject": "   "}, "subject"),
    ({"provider": "paypal"}, "provider"),
    ({"provider": "alipay"}, "provider"),  # not configured here
    ({"expires_at": timezone.now() - timedelta(seconds=1)}, "expires_at"),
    ({"expires_at": timezone.now().replace(tzinfo=None) + timedelta(hours=1)}, "expires_at"),
])
def test_bad_input_is_refused_and_leaves_nothing(payable, override, field):
    with pytest.raises(ServiceError) as caught:
        opening(**override)
    assert list(caught.value.fields) == [field] and caught.value.status_code == 400
    assert not Payment.objects.exists() and not SandboxTrade.objects.exists()


def test_a_rolled_back_checkout_leaves_no_payment(payable):
    with pytest.raises(RuntimeError), transaction.atomic():
        opening()
        raise RuntimeError("the checkout failed after opening the payment")
    assert not Payment.objects.exists() and not SandboxTrade.objects.exists()


def test_a_long_subject_is_cut_to_what_providers_take(payable):
    opening(subject="茶" * 200)
    assert Payment.objects.get().subject == "茶" * 127


def test_closing_a_paid_payment_is_refused(payable, merchant_a):
    open_payment("F20260001", provider="offline")
    interface.offline_confirm(number="F20260001", actor_user_id=merchant_a.pk)
    with pytest.raises(Conflict) as caught:
        interface.payment_close(number="F20260001")
    assert caught.value.code == "already_paid"


def test_every_illegal_move_is_refused(payable):
    open_payment()
    payment = Payment.objects.get()
    for from_status, allowed in PAYMENT_ALLOWED.items():
        for to_status in PaymentStatus.values:
            if to_status in allowed:
                continue
            payment.status = from_status
            with pytest.raises(Conflict) as caught:
                services._move(payment, to_status, source="system")
            assert caught.value.code == "illegal_transition"
    assert PaymentTransition.objects.count() == 1
    assert REFUND_ALLOWED["succeeded"] == frozenset() and REFUND_ALLOWED["failed"] == frozenset()


def test_a_closed_payment_cannot_be_paid_on_the_go_page(payable, shopper):
    from tests.conftest import MALL, client_for

    open_payment(user_id=shopper.pk)
    interface.payment_close(number="P20260001")
    client = client_for(MALL, shopper)
    response = client.get("/pay/go/P20260001/")
    assert response.status_code == 409 and "can no longer be paid" in response.content.decode()
    assert "This payment is closed" in client.get("/pay/return/P20260001/").content.decode()


def test_kinds_must_be_simple_names():
    with pytest.raises(ValueError):
        interface.payable_register("Bad Kind", on_paid=lambda r, p: True)
