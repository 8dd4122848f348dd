"""The payments API on the mall host."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.payments import interface
from tests.conftest import MALL, client_for

from .conftest import open_payment

pytestmark = pytest.mark.django_db


def test_the_owner_sees_the_payment_and_its_refunds(payable, shopper, merchant_a):
    open_payment("F20260001", provider="offline", user_id=shopper.pk)
    interface.offline_confirm(number="F20260001", actor_user_id=merchant_a.pk)
    interface.refund_request(number="F20260001", amount=Decimal("8.00"), refund_no="FR-1", reason="scratch")
    interface.offline_refund_confirm(refund_no="FR-1", actor_user_id=merchant_a.pk)
    interface.refund_request(number="F20260001", amount=Decimal("2.00"), refund_no="FR-2", reason="late")
    client = client_for(MALL, shopper)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/payments/F20260001/")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("number", "kind", "reference", "provider", "amount", "status", "pay_url",
                                 "refunded_amount", "currency")} == {
        "number": "F20260001", "kind": "testorder", "reference": "CK-F20260001", "provider": "offline",
        "amount": "88.00", "status": "succeeded", "pay_url": "", "refunded_amount": "8.00", "currency": "CNY"}
    assert [(r["refund_no"], r["amount"], r["status"]) for r in body["refunds"]] == [
        ("FR-1", "8.00", "succeeded"), ("FR-2", "2.00", "pending")]
    payment_queries = [q for q in queries.captured_queries if "payments_" in q["sql"]]
    assert len(payment_queries) == 2  # the payment with its refunded total, then its refunds


def test_others_get_404_and_strangers_must_sign_in(payable, shopper, make_user):
    open_payment(user_id=shopper.pk)
    response = client_for(MALL, make_user()).get("/api/v1/payments/P20260001/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client_for(MALL, shopper).get("/api/v1/payments/NOPE0001/").status_code == 404
    assert client_for(MALL).get("/api/v1/payments/P20260001/").status_code in (401, 403)
