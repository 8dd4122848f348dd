"""The sandbox provider end to end: cashier page, signed asynchronous notifications with
retries, replays, tampering, amount mismatches, late money, the statement."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from shared_apps.payments import httpclient, interface, sandbox_gateway, services, tasks
from shared_apps.payments.models import (
    Payment,
    PaymentNotification,
    Refund,
    SandboxDelivery,
    SandboxTrade,
)
from tests.conftest import MALL, client_for

from .conftest import open_payment

pytestmark = pytest.mark.django_db
CASHIER = "/pay/sandbox/P20260001/"


def statuses(number: str = "P20260001") -> list[tuple[str, str, str]]:
    payment = Payment.objects.get(number=number)
    return [(t.from_status, t.to_status, t.source) for t in payment.transitions.all()]


def post_notification(params: dict, client: Client | None = None):
    return (client or client_for(MALL)).post("/pay/notify/sandbox/", urlencode(params),
                                             content_type="application/x-www-form-urlencoded")


def pay(client, capture, action: str = "pay"):
    with capture(execute=True):
        return client.post(CASHIER, {"action": action})


@pytest.mark.django_db(transaction=True)
def test_full_flow_notification_goes_over_real_http(mall_live, payable, shopper):
    port = mall_live.url.rsplit(":", 1)[1]
    payment = open_payment(user_id=shopper.pk)
    assert payment.pay_url == f"http://{MALL}:{port}/pay/sandbox/P20260001/"
    assert (payment.status, payment.amount, payment.refunded_amount) == ("pending", Decimal("88.00"), Decimal("0.00"))
    client = client_for(MALL, shopper)
    page = client.get(CASHIER)
    assert page.status_code == 200
    html = page.content.decode()
    assert "¥88.00" in html and "Test order 测试订单" in html and "csrfmiddlewaretoken" in html

    response = client.post(CASHIER, {"action": "pay"})

    assert response.status_code == 302
    assert response["Location"] == f"http://{MALL}:{port}/pay/return/P20260001/"
    # The sandbox's notification reached the live server over HTTP while the POST committed.
    delivery = SandboxDelivery.objects.get()
    assert (delivery.attempts, delivery.last_answer, delivery.next_attempt_at) == (1, "200 success", None)
    assert delivery.url == f"http://{MALL}:{port}/pay/notify/sandbox/"
    stored = Payment.objects.get()
    assert stored.status == "succeeded"
    assert stored.fee == Decimal("0.53")  # 0.6 % of 88.00 = 0.528, to the fen
    assert stored.provider_trade_no == SandboxTrade.objects.get().trade_no
    assert [(ref, data.status, data.amount) for ref, data in payable.paid] == [
        ("CK-P20260001", "succeeded", Decimal("88.00"))]
    note = PaymentNotification.objects.get()
    assert (note.verified, note.outcome, note.source, note.received_count) == (True, "processed", "notification", 1)
    assert statuses() == [("", "pending", "open"), ("pending", "succeeded", "notification")]
    result = client.get("/pay/return/P20260001/")
    assert "Paid" in result.content.decode() and 'href="/orders/CK-P20260001/"' in result.content.decode()


def test_cashier_is_csrf_protected_and_for_the_owner_only(payable, shopper, make_user):
    open_payment(user_id=shopper.pk)
    strict = Client(HTTP_HOST=MALL, enforce_csrf_checks=True)
    strict.force_login(shopper, backend="shared_apps.accounts.backends.IdentifierBackend")
    assert strict.post(CASHIER, {"action": "pay"}).status_code == 403
    assert client_for(MALL, make_user()).get(CASHIER).status_code == 404
    assert client_for(MALL).get(CASHIER).status_code == 404
    assert SandboxTrade.objects.get().status == "waiting"


def test_fail_and_cancel_then_pay(payable, in_process_delivery, django_capture_on_commit_callbacks):
    open_payment()
    client = client_for(MALL)
    pay(client, django_capture_on_commit_callbacks, "fail")
    assert Payment.objects.get().status == "failed"
    pay(client, django_capture_on_commit_callbacks, "cancel")
    assert Payment.objects.get().status == "cancelled"
    assert "You can try again" in client.get(CASHIER).content.decode()
    assert payable.paid == []
    pay(client, django_capture_on_commit_callbacks)
    assert statuses() == [("", "pending", "open"), ("pending", "failed", "notification"),
                          ("failed", "cancelled", "notification"), ("cancelled", "succeeded", "notification")]
    assert len(payable.paid) == 1
    assert [answer for _path, _body, answer, _content in in_process_delivery] == [200, 200, 200]
    again = client.post(CASHIER, {"action": "pay"})
    assert again.status_code == 409 and "already paid" in again.content.decode()


def test_replayed_notification_changes_nothing_and_still_answers_success(
        payable, in_process_delivery, django_capture_on_commit_callbacks):
    open_payment()
    pay(client_for(MALL), django_capture_on_commit_callbacks)
    params = SandboxDelivery.objects.get().params
    for _ in range(3):
        response = post_notification(params)
        assert (response.status_code, response.content) == (200, b"success")
    assert statuses()[-1] == ("pending", "succeeded", "notification") and len(statuses()) == 2
    assert len(payable.paid) == 1
    note = PaymentNotification.objects.get()
    assert (note.outcome, note.received_count) == ("processed", 4)


def test_tampered_signature_is_refused_and_kept(payable, in_process_delivery):
    open_payment()
    trade = SandboxTrade.objects.get()
    params = sandbox_gateway.sign({"notify_id": "n1", "notify_type": "trade_status_sync", "out_trade_no": "P20260001",
                                   "trade_no": trade.trade_no, "trade_status": "TRADE_SUCCESS",
                                   "total_amount": "88.00"})
    forged = {**params, "total_amount": "0.01"}
    response = post_notification(forged)
    assert (response.status_code, response.content) == (400, b"fail")
    response = post_notification({**params, "sign": "0" * 64})
    assert response.status_code == 400
    assert Payment.objects.get().status == "pending" and payable.paid == []
    rows = list(PaymentNotification.objects.order_by("id").values_list("verified", "outcome", "dedupe_key"))
    assert rows == [(False, "bad_signature", None), (False, "bad_signature", None)]
    # The genuine message still goes through afterwards.
    assert post_notification(params).content == b"success"
    assert Payment.objects.get().status == "succeeded"


def test_amount_mismatch_is_refused_and_the_payment_untouched(payable, caplog):
    open_payment()
    trade = SandboxTrade.objects.get()
    params = sandbox_gateway.sign({"notify_id": "n2", "notify_type": "trade_status_sync", "out_trade_no": "P20260001",
                                   "trade_no": trade.trade_no, "trade_status": "TRADE_SUCCESS",
                                   "total_amount": "80.00"})
    response = post_notification(params)
    assert (response.status_code, response.content) == (409, b"fail")
    assert "reports 80.00 but the payment is 88.00" in caplog.text
    assert Payment.objects.get().status == "pending" and payable.paid == []
    note = PaymentNotification.objects.get()
    assert (note.verified, note.outcome) == (True, "refused")
    assert note.detail == "amount mismatch: provider says 80.00, payment is 88.00"
    assert post_notification(params).status_code == 409  # a replay is refused the same way
    assert PaymentNotification.objects.get().received_count == 2


def test_payable_that_no_longer_wants_the_money_gets_it_refunded(
        payable, in_process_delivery, django_capture_on_commit_callbacks):
    payable.accept = False  # e.g. the checkout expired a moment before the money came
    open_payment()
    pay(client_for(MALL), django_capture_on_commit_callbacks)
    payment = interface.payment_get(number="P20260001")
    assert payment.status == "succeeded"
    assert payment.auto_refund_reason == "the testorder CK-P20260001 could not take the payment"
    assert payment.refunded_amount == Decimal("88.00")
    refund = Refund.objects.get()
    assert (refund.refund_no, refund.amount, refund.automatic, refund.status) == (
        "P20260001-AUTO", Decimal("88.00"), True, "succeeded")
    assert [t.to_status for t in refund.transitions.all()] == ["pending", "succeeded"]
    assert len(payable.paid) == 1 and payable.refunded == []  # automatic refunds are not reported
    assert sandbox_gateway.trade_for("P20260001").refunds.get().status == "succeeded"


def test_money_for_a_closed_payment_is_recorded_then_refunded(
        payable, in_process_delivery, django_capture_on_commit_callbacks):
    open_payment()
    client_for(MALL).post(CASHIER, {"action": "pay"})  # paid, but the notification is not sent yet
    with django_capture_on_commit_callbacks(execute=True):
        interface.payment_close(number="P20260001", reason="checkout expired")
    assert SandboxTrade.objects.get().status == "paid"  # too late to close at the sandbox
    delivery = SandboxDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sandbox_deliver(delivery.pk)
    payment = Payment.objects.get()
    assert payment.status == "succeeded"
    assert payment.auto_refund_reason == "paid after the payment was closed (checkout expired)"
    assert statuses()[1:] == [("pending", "closed", "system"), ("closed", "succeeded", "notification")]
    assert payable.paid == []  # a closed payment does not ask the payable
    assert Refund.objects.get().status == "succeeded"


def test_closing_stops_the_cashier(payable, django_capture_on_commit_callbacks):
    open_payment()
    with django_capture_on_commit_callbacks(execute=True):
        closed = interface.payment_close(number="P20260001")
    assert closed.status == "closed"
    assert SandboxTrade.objects.get().status == "closed"
    page = client_for(MALL).get(CASHIER)
    assert "can no longer be paid" in page.content.decode()
    assert client_for(MALL).post(CASHIER, {"action": "pay"}).status_code == 409
    assert interface.payment_close(number="P20260001").status == "closed"  # twice is fine


def test_notifications_are_retried_with_backoff_until_the_mall_answers(
        payable, in_process_delivery, monkeypatch, django_capture_on_commit_callbacks):
    open_payment()
    routed = httpclient.post
    calls = []

    def flaky(url, body, headers=None, *, timeout=10.0):
        calls.append(url)
        if len(calls) <= 2:
            raise httpclient.Unreachable("ConnectionRefusedError: the mall is down")
        return routed(url, body, headers, timeout=timeout)

    monkeypatch.setattr(httpclient, "post", flaky)
    pay(client_for(MALL), django_capture_on_commit_callbacks)
    delivery = SandboxDelivery.objects.get()
    first_due = delivery.next_attempt_at - timezone.now()
    assert delivery.attempts == 1 and timedelta(seconds=13) < first_due <= timedelta(seconds=15)
    assert "the mall is down" in delivery.last_answer
    assert Payment.objects.get().status == "pending"
    assert tasks.payments_reconcile()["deliveries"] == 0  # not due yet

    SandboxDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))  # 15 s pass
    tasks.payments_reconcile()
    delivery.refresh_from_db()
    second_due = delivery.next_attempt_at - timezone.now()
    assert delivery.attempts == 2 and timedelta(seconds=28) < second_due <= timedelta(seconds=30)

    SandboxDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))  # 30 s pass
    with django_capture_on_commit_callbacks(execute=True):
        tasks.payments_reconcile()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at, delivery.last_answer) == (3, None, "200 success")
    assert Payment.objects.get().status == "succeeded" and len(payable.paid) == 1


def test_deliveries_stop_after_the_last_backoff_step(payable, monkeypatch, settings, django_capture_on_commit_callbacks):
    settings.PAYMENTS_SANDBOX_NOTIFY_BACKOFF = "15,30"
    monkeypatch.setattr(httpclient, "post", lambda *a, **k: httpclient.Answer(200, b"fail"))
    open_payment()
    pay(client_for(MALL), django_capture_on_commit_callbacks)
    for _ in range(3):
        SandboxDelivery.objects.filter(next_attempt_at__isnull=False).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1))
        tasks.payments_reconcile()
    delivery = SandboxDelivery.objects.get()
    assert (delivery.attempts, delivery.next_attempt_at, delivery.last_answer) == (3, None, "200 fail")


def test_result_page_asks_the_provider_when_the_notification_is_late(payable, shopper, in_process_delivery,
                                                                     django_capture_on_commit_callbacks):
    open_payment(user_id=shopper.pk)
    client = client_for(MALL, shopper)
    client.post(CASHIER, {"action": "pay"})  # the notification is still on its way
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get("/pay/return/P20260001/")
    assert "Thank you, the payment has arrived." in page.content.decode()
    assert statuses()[-1] == ("pending", "succeeded", "query")
    assert len(payable.paid) == 1
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sandbox_deliver(SandboxDelivery.objects.get().pk)  # the notification arrives after all
    assert SandboxDelivery.objects.get().last_answer == "200 success"
    assert list(PaymentNotification.objects.order_by("id").values_list("source", "outcome")) == [
        ("query", "processed"), ("notification", "duplicate")]
    assert len(payable.paid) == 1


def test_result_page_of_a_pending_payment_refreshes(payable, shopper):
    open_payment(user_id=shopper.pk)
    page = client_for(MALL, shopper).get("/pay/return/P20260001/")
    assert page.status_code == 200 and page["Refresh"] == "5"
    assert "Waiting for the payment provider" in page.content.decode()
    assert client_for(MALL).get("/pay/return/P20260001/").status_code == 404


def test_reconcile_finds_a_lost_notification(payable, settings, django_capture_on_commit_callbacks):
    open_payment()
    client_for(MALL).post(CASHIER, {"action": "pay"})  # paid; the notification is lost
    SandboxDelivery.objects.update(next_attempt_at=None)
    Payment.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.payments_reconcile() == {"payments": 1, "refunds": 0, "deliveries": 0}
    assert Payment.objects.get().status == "succeeded"
    assert len(payable.paid) == 1


def test_statement_lists_payments_fees_and_refunds(payable, operator, shopper, in_process_delivery,
                                                   django_capture_on_commit_callbacks, tmp_path):
    open_payment()
    pay(client_for(MALL), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        interface.refund_request(number="P20260001", amount=Decimal("8.80"), refund_no="R1", reason="one cup broke")
    trade = SandboxTrade.objects.get()
    sandbox_refund = trade.refunds.get()
    today = timezone.localdate().isoformat()
    response = client_for(MALL, operator).get(f"/api/v1/payments/sandbox/statements/{today}/")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "record_type,trade_no,out_trade_no,refund_no,out_refund_no,finished_at,amount,fee,refund_amount"
    assert [line.split(",")[:5] + line.split(",")[6:] for line in lines[1:]] == [
        ["payment", trade.trade_no, "P20260001", "", "", "88.00", "0.53", "0.00"],
        ["refund", trade.trade_no, "P20260001", sandbox_refund.refund_no, "R1", "0.00", "0.00", "8.80"]]
    assert client_for(MALL, shopper).get(f"/api/v1/payments/sandbox/statements/{today}/").status_code == 403
    bad = client_for(MALL, operator).get("/api/v1/payments/sandbox/statements/2026-13-01/")
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"day": ["Give a date as YYYY-MM-DD."]}
    target = tmp_path / "statement.csv"
    call_command("payments_sandbox_statement", "--date", today, "--output", str(target))
    assert target.read_text().splitlines() == lines


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b"", "application/x-www-form-urlencoded", 400),
    (b"\xff\xfe\x00", "application/x-www-form-urlencoded", 400),
    (b"a=1&a=2", "application/x-www-form-urlencoded", 400),
    (b"%%%===&&&", "application/x-www-form-urlencoded", 400),
    (b'{"json": true}', "application/json", 400),
    (b"out_trade_no=P1&trade_no=T&notify_type=x&sign=abc", "application/x-www-form-urlencoded", 400),
])
def test_garbage_notifications_get_a_4xx(body, content_type, status, payable):
    response = client_for(MALL).generic("POST", "/pay/notify/sandbox/", body, content_type=content_type)
    assert response.status_code == status
    assert PaymentNotification.objects.get().verified is False


def test_oversized_unknown_and_wrong_method_notifications(payable):
    client = client_for(MALL)
    huge = client.generic("POST", "/pay/notify/sandbox/", b"a=" + b"x" * 70_000,
                          content_type="application/x-www-form-urlencoded")
    assert huge.status_code == 413
    assert client.post("/pay/notify/nosuch/", {}).status_code == 404
    assert client.post("/pay/notify/offline/", {}).status_code == 404
    assert client.post("/pay/notify/alipay/", {}).status_code == 404  # not configured here
    assert client.get("/pay/notify/sandbox/").status_code == 405
    assert not PaymentNotification.objects.exists()


def test_notification_for_an_unknown_payment_is_refused(payable):
    params = sandbox_gateway.sign({"notify_id": "n9", "notify_type": "trade_status_sync", "out_trade_no": "NOPE0001",
                                   "trade_no": "SB1", "trade_status": "TRADE_SUCCESS", "total_amount": "1.00"})
    assert post_notification(params).status_code == 409
    assert PaymentNotification.objects.get().outcome == "unknown_payment"


def test_a_failing_payable_makes_the_provider_try_again(payable, django_capture_on_commit_callbacks):
    open_payment()
    client_for(MALL).post(CASHIER, {"action": "pay"})
    params = SandboxDelivery.objects.get().params

    def broken(reference, payment):
        raise RuntimeError("orders database hiccup")

    interface.payable_register("testorder", on_paid=broken)
    response = post_notification(params)
    assert (response.status_code, response.content) == (503, b"fail")
    assert Payment.objects.get().status == "pending"
    assert PaymentNotification.objects.get().outcome == "error"
    interface.payable_register("testorder", on_paid=payable.on_paid)
    assert post_notification(params).content == b"success"  # the retry is processed afresh
    assert Payment.objects.get().status == "succeeded" and len(payable.paid) == 1


def test_sandbox_answers_are_signed(payable):
    open_payment()
    answer = sandbox_gateway.trade_query(out_trade_no="P20260001")
    assert sandbox_gateway.verify(answer) and answer["trade_status"] == "WAIT_BUYER_PAY"
    assert not sandbox_gateway.verify({**answer, "total_amount": "1.00"})
    payment = Payment.objects.get()
    assert services.payment_sync(payment_id=payment.pk).status == "pending"


def test_the_testing_helper_pays_like_the_cashier(payable):
    from shared_apps.payments.testing import sandbox_pay

    open_payment()
    assert sandbox_pay("P20260001", action="fail").status == "failed"
    paid = sandbox_pay("P20260001")
    assert (paid.status, paid.fee) == ("succeeded", Decimal("0.53")) and len(payable.paid) == 1
    with pytest.raises(sandbox_gateway.SandboxRefused):
        sandbox_pay("P20260001")
