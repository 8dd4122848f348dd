"""The Alipay-protocol provider against the local Alipay simulator (RSA2 test keys)."""

import json
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from shared_apps.payments import httpclient, interface, services
from shared_apps.payments.models import Payment, PaymentNotification, Refund
from shared_apps.payments.providers import alipay as alipay_provider
from shared_apps.payments.providers import keys
from tests.conftest import MALL, client_for

from .conftest import ALIPAY_APP_ID, ALIPAY_SELLER_ID, client_delivery, open_payment

pytestmark = pytest.mark.django_db
NUMBER = "A20260001"


def start_cashier(client, sim) -> dict:
    """Follow /pay/go/ to the gateway, as the shopper's browser would; the signed parameters."""
    response = client.get(f"/pay/go/{NUMBER}/")
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith(sim.gateway_url + "?")
    cashier = httpclient.request("GET", url)
    assert cashier.status == 200 and "¥88.00" in cashier.text
    return dict(parse_qsl(urlsplit(url).query))


def post(params: dict):
    return client_for(MALL).post("/pay/notify/alipay/", urlencode(params),
                                 content_type="application/x-www-form-urlencoded")


@pytest.mark.django_db(transaction=True)
def test_page_pay_notification_and_refund_end_to_end(alipay, mall_live, payable, shopper, test_keys):
    port = mall_live.url.rsplit(":", 1)[1]
    payment = open_payment(NUMBER, provider="alipay", user_id=shopper.pk)
    assert payment.pay_url == f"http://{MALL}:{port}/pay/go/{NUMBER}/"
    params = start_cashier(client_for(MALL, shopper), alipay)
    # The request is RSA2-signed over the sorted non-empty parameters without `sign`.
    assert params["method"] == "alipay.trade.page.pay" and params["sign_type"] == "RSA2"
    assert keys.verify(keys.load_public(test_keys["app"][1]),
                       alipay_provider.signing_string(params), params["sign"])
    biz = json.loads(params["biz_content"])
    assert (biz["out_trade_no"], biz["total_amount"], biz["product_code"]) == (NUMBER, "88.00", "FAST_INSTANT_TRADE_PAY")
    assert params["notify_url"] == f"http://{MALL}:{port}/pay/notify/alipay/"
    assert params["return_url"] == f"http://{MALL}:{port}/pay/return/{NUMBER}/"

    sent = alipay.pay(NUMBER)  # Alipay's notification, over HTTP to the live server

    assert (sent.status, sent.answer) == (200, "success")
    stored = Payment.objects.get()
    assert (stored.status, stored.provider_trade_no, stored.fee) == ("succeeded", alipay.trades[NUMBER].trade_no,
                                                                     Decimal("0.53"))
    assert len(payable.paid) == 1
    replay = alipay.notify(NUMBER, sent.params)
    assert (replay.status, replay.answer) == (200, "success")
    assert len(payable.paid) == 1 and PaymentNotification.objects.get().received_count == 2

    refund = interface.refund_request(number=NUMBER, amount=Decimal("8.00"), refund_no="AR-1", reason="late")
    assert refund.status == "pending"  # the gateway is asked after commit
    assert interface.refund_get(refund_no="AR-1").status == "succeeded"
    assert alipay.trades[NUMBER].refunds == {"AR-1": "8.00"}
    assert [(ref, r.refund_no) for ref, r in payable.refunded] == [(f"CK-{NUMBER}", "AR-1")]


@pytest.fixture
def cashier(alipay, payable):
    open_payment(NUMBER, provider="alipay")
    start_cashier(client_for(MALL), alipay)
    alipay.deliver = client_delivery
    return alipay


def test_tampered_or_foreign_signatures_are_refused(cashier, payable, test_keys):
    cashier.pay(NUMBER, deliver=False)
    genuine = cashier.notification(NUMBER)
    tampered = {**genuine, "total_amount": "0.01"}
    response = post(tampered)
    assert (response.status_code, response.content) == (400, b"fail")
    stranger = keys.load_private(test_keys["stranger"][0])
    forged = dict(genuine)
    forged["sign"] = keys.sign(stranger, alipay_provider.signing_string(forged, exclude=("sign", "sign_type")))
    assert post(forged).status_code == 400
    assert post({**genuine, "sign": "not base64!"}).status_code == 400
    assert Payment.objects.get().status == "pending" and payable.paid == []
    assert list(PaymentNotification.objects.values_list("verified", "outcome")) == [(False, "bad_signature")] * 3
    assert post(genuine).content == b"success"
    assert Payment.objects.get().status == "succeeded"


@pytest.mark.parametrize(("override", "detail"), [
    ({"app_id": "2021999999999999"}, "The notification is for another app or seller."),
    ({"seller_id": "2088999999999999"}, "The notification is for another app or seller."),
    ({"total_amount": "8.80"}, "amount mismatch: provider says 8.80, payment is 88.00"),
])
def test_notifications_for_another_app_seller_or_amount_are_refused(cashier, payable, override, detail):
    cashier.pay(NUMBER, deliver=False)
    response = post(cashier.notification(NUMBER, **override))  # genuinely signed by "Alipay"
    assert response.status_code in (400, 409) and response.content == b"fail"
    note = PaymentNotification.objects.get()
    assert (note.verified, note.outcome, note.detail) == (True, "refused", detail)
    assert Payment.objects.get().status == "pending" and payable.paid == []


def test_unpaid_and_closed_trade_statuses_change_nothing(cashier, payable):
    assert post(cashier.notification(NUMBER, trade_status="WAIT_BUYER_PAY")).content == b"success"
    assert post(cashier.notification(NUMBER, trade_status="TRADE_CLOSED")).content == b"success"
    assert Payment.objects.get().status == "pending"
    assert list(PaymentNotification.objects.values_list("outcome", flat=True)) == ["ignored", "ignored"]


def test_trade_finished_counts_as_paid(cashier, payable):
    cashier.pay(NUMBER, deliver=False)
    assert post(cashier.notification(NUMBER, trade_status="TRADE_FINISHED")).content == b"success"
    assert Payment.objects.get().status == "succeeded"


def test_a_lost_notification_is_found_by_query(cashier, payable):
    cashier.pay(NUMBER, deliver=False)
    payment = services.payment_sync(payment_id=Payment.objects.get().pk)
    assert payment.status == "succeeded" and len(payable.paid) == 1
    assert PaymentNotification.objects.get().source == "query"
    assert cashier.requests[-1]["method"] == "alipay.trade.query"


def test_closing_closes_the_trade_and_late_money_is_refunded(cashier, payable, django_capture_on_commit_callbacks):
    open_payment("A20260002", provider="alipay")
    httpclient.request("GET", client_for(MALL).get("/pay/go/A20260002/")["Location"])  # the shopper looks
    with django_capture_on_commit_callbacks(execute=True):
        interface.payment_close(number="A20260002", reason="expired")
    assert cashier.trades["A20260002"].status == "TRADE_CLOSED"

    cashier.pay(NUMBER, deliver=False)  # paid a moment before the close
    with django_capture_on_commit_callbacks(execute=True):
        interface.payment_close(number=NUMBER, reason="expired")
    with django_capture_on_commit_callbacks(execute=True):
        assert cashier.notify(NUMBER).answer == "success"
    payment = interface.payment_get(number=NUMBER)
    assert (payment.status, payment.refunded_amount) == ("succeeded", Decimal("88.00"))
    assert cashier.trades[NUMBER].refunds == {f"{NUMBER}-AUTO": "88.00"}
    assert payable.paid == []


def test_a_request_signed_with_the_wrong_key_is_refused_by_the_gateway(cashier, payable, settings, test_keys, caplog):
    settings.PAYMENTS_ALIPAY_APP_PRIVATE_KEY = test_keys["stranger"][0].decode()
    cashier.pay(NUMBER, deliver=False)
    payment = services.payment_sync(payment_id=Payment.objects.get().pk)
    assert payment.status == "pending"
    assert "does not verify" in caplog.text  # the gateway's unsigned 40002 answer is not trusted


def test_refund_asked_twice_is_looked_up_not_repeated(cashier, payable, django_capture_on_commit_callbacks):
    cashier.pay(NUMBER)
    with django_capture_on_commit_callbacks(execute=True):
        interface.refund_request(number=NUMBER, amount=Decimal("88.00"), refund_no="AR-9", reason="")
    Refund.objects.update(status="pending")  # as if the answer had been lost
    services.refund_submit(refund_id=Refund.objects.get().pk)
    assert Refund.objects.get().status == "succeeded"
    assert [r["method"] for r in cashier.requests[-2:]] == ["alipay.trade.refund", "alipay.trade.fastpay.refund.query"]
    assert cashier.trades[NUMBER].refunds == {"AR-9": "88.00"}


def test_providers_available_follow_the_settings(alipay, settings):
    assert interface.enabled_codes() == list(interface.PROVIDERS) == ["sandbox", "alipay", "offline"]
    assert "alipay" in interface.PROVIDERS and "wechat" not in interface.PROVIDERS
    assert interface.ALL_PROVIDERS == ["sandbox", "alipay", "wechat", "offline"]
    settings.PAYMENTS_SANDBOX_ENABLED = "false"
    assert ", ".join(interface.PROVIDERS) == "alipay, offline"
    assert (ALIPAY_APP_ID, ALIPAY_SELLER_ID) == (alipay.app_id, alipay.seller_id)


def test_keys_may_be_files_and_a_broken_key_is_never_a_500(cashier, payable, settings, test_keys, tmp_path):
    key_file = tmp_path / "app_private.pem"
    key_file.write_bytes(test_keys["app"][0])
    settings.PAYMENTS_ALIPAY_APP_PRIVATE_KEY = str(key_file)
    cashier.pay(NUMBER, deliver=False)
    genuine = cashier.notification(NUMBER)
    settings.PAYMENTS_ALIPAY_PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\\ngarbage\\n-----END PUBLIC KEY-----"
    response = post(genuine)
    assert (response.status_code, response.content) == (503, b"fail")
    assert PaymentNotification.objects.get().outcome == "error"
    settings.PAYMENTS_ALIPAY_PUBLIC_KEY = test_keys["alipay"][1].decode()
    assert post(genuine).content == b"success"
    assert services.payment_sync(payment_id=Payment.objects.get().pk).status == "succeeded"  # signed from the file
    settings.PAYMENTS_ALIPAY_APP_PRIVATE_KEY = str(tmp_path / "missing.pem")
    assert "alipay" not in interface.enabled_codes()
