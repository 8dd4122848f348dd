"""Operators read payments: the list, one payment with its moves, refunds and provider messages,
and the notification log where forged messages show up; administrators, finance and auditors
only."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client

from shared_apps.accounts.models import OperatorRole
from shared_apps.payments import interface, sandbox_gateway
from shared_apps.payments.models import SandboxTrade
from tests.conftest import MALL, OPS, client_for
from tests.factories import UserFactory

from .conftest import open_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(db):
    return UserFactory(email="finance@example.com", display_name="Finance", operator_role=OperatorRole.FINANCE)


@pytest.fixture
def paid_and_forged(payable, in_process_delivery, django_capture_on_commit_callbacks):
    open_payment(amount="100.00")
    trade = SandboxTrade.objects.get()
    forged = sandbox_gateway.sign({"notify_id": "n1", "notify_type": "trade_status_sync", "out_trade_no": "P20260001",
                                   "trade_no": trade.trade_no, "trade_status": "TRADE_SUCCESS",
                                   "total_amount": "100.00"})
    Client(HTTP_HOST=MALL).post("/pay/notify/sandbox/", urlencode({**forged, "total_amount": "0.01"}),
                                content_type="application/x-www-form-urlencoded")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(MALL).post("/pay/sandbox/P20260001/", {"action": "pay"})
    with django_capture_on_commit_callbacks(execute=True):
        interface.refund_request(number="P20260001", amount=Decimal("30.00"), refund_no="R-1", reason="broken cup")
    open_payment("P20260002", amount="5.00")


def test_finance_reads_payments_and_their_history(paid_and_forged, finance):
    client = client_for(OPS, finance)
    listing = client.get("/payments/?status=succeeded").content.decode()
    assert "P20260001" in listing and "P20260002" not in listing
    page = client.get("/payments/P20260001/").content.decode()
    assert "R-1" in page and "broken cup" in page and "Processed" in page and "¥30.00" in page
    assert client.get("/payments/NOPE/").status_code == 404
    forged = client.get("/payments/notifications/?outcome=bad_signature").content.decode()
    assert "Bad signature" in forged and "not verified" in forged and "P20260001" in forged
    api = client.get("/api/v1/ops/payments/?provider=sandbox").json()
    assert [p["number"] for p in api["results"]] == ["P20260002", "P20260001"]
    detail = client.get("/api/v1/ops/payments/P20260001/").json()
    assert (detail["status"], detail["refunded_amount"]) == ("succeeded", "30.00")
    assert [m["to_status"] for m in detail["moves"]] == ["pending", "succeeded"]
    assert [(r["refund_no"], r["status"]) for r in detail["refunds"]] == [("R-1", "succeeded")]
    assert {n["outcome"] for n in detail["notifications"]} >= {"processed"}
    notes = client.get("/api/v1/ops/payments/notifications/?outcome=bad_signature").json()
    assert notes["count"] == 1 and notes["results"][0]["verified"] is False
    assert client.get("/api/v1/ops/payments/?status=bogus").json()["count"] == 2  # unknown filter: ignored


def test_other_operator_roles_and_shoppers_are_refused(paid_and_forged, shopper):
    service = UserFactory(email="cs@example.com", display_name="CS", operator_role=OperatorRole.SERVICE)
    for user in (service, shopper):
        client = client_for(OPS, user)
        assert client.get("/payments/").status_code == 403
        assert client.get("/api/v1/ops/payments/").status_code == 403
        assert client.get("/api/v1/ops/payments/notifications/").status_code == 403
    assert "/payments/" not in client_for(OPS, service).get("/orders/").content.decode()
