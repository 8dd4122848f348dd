"""The WeChat Pay APIv3-protocol provider against the local WeChat Pay simulator."""

import json
import time
from decimal import Decimal

import pytest

from shared_apps.payments import httpclient, interface, services
from shared_apps.payments.models import Payment, PaymentNotification
from shared_apps.payments.providers import keys
from shared_apps.payments.providers import wechat as wechat_provider
from tests.conftest import MALL, client_for

from .conftest import WECHAT_MCHID, client_delivery, open_payment

pytestmark = pytest.mark.django_db
NUMBER = "W20260001"


def post(body: str, headers: dict):
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return client_for(MALL).generic("POST", "/pay/notify/wechat/", body.encode(), content_type="application/json",
                                    **extra)


@pytest.mark.django_db(transaction=True)
def test_native_pay_notification_and_refund_end_to_end(wechat, mall_live, payable, shopper, test_keys):
    port = mall_live.url.rsplit(":", 1)[1]
    open_payment(NUMBER, provider="wechat", user_id=shopper.pk)
    client = client_for(MALL, shopper)
    page = client.get(f"/pay/go/{NUMBER}/")
    assert page.status_code == 200
    code_url = Payment.objects.get().provider_data["code_url"]
    assert code_url.startswith(wechat.base_url + "/scan/")
    html = page.content.decode()
    assert code_url in html and "<svg" in html and "¥88.00" in html
    assert client.get(f"/pay/go/{NUMBER}/").status_code == 200  # the code is kept, not asked for again
    order = wechat.orders[NUMBER]
    assert (order.total, order.notify_url) == (8800, f"http://{MALL}:{port}/pay/notify/wechat/")

    scanned = httpclient.request("GET", code_url)  # the buyer pays; WeChat notifies the live server

    assert scanned.status == 200
    sent = wechat.sent[-1]
    assert (sent.status, sent.answer) == (204, "")
    stored = Payment.objects.get()
    assert (stored.status, stored.provider_trade_no, stored.fee) == ("succeeded", order.transaction_id, Decimal("0.53"))
    assert len(payable.paid) == 1
    replay = wechat.notify_transaction(NUMBER, body=sent.body)  # same event id, fresh signature
    assert replay.status == 204
    assert len(payable.paid) == 1 and PaymentNotification.objects.get().received_count == 2

    refund = interface.refund_request(number=NUMBER, amount=Decimal("18.80"), refund_no="WR-1", reason="size")
    assert refund.status == "pending"
    assert interface.refund_get(refund_no="WR-1").status == "pending"  # WeChat answered PROCESSING
    (settled,) = wechat.settle_refunds()
    assert settled.status == 204
    done = interface.refund_get(refund_no="WR-1")
    assert (done.status, done.provider_refund_no) == ("succeeded", wechat.refunds["WR-1"].refund_id)
    assert [(ref, r.refund_no, r.amount) for ref, r in payable.refunded] == [(f"CK-{NUMBER}", "WR-1", Decimal("18.80"))]


@pytest.fixture
def ordered(wechat, payable):
    open_payment(NUMBER, provider="wechat")
    assert client_for(MALL).get(f"/pay/go/{NUMBER}/").status_code == 200
    wechat.deliver = client_delivery
    return wechat


def test_requests_carry_an_apiv3_signature(ordered, test_keys):
    cfg = wechat_provider.config()
    header = wechat_provider.authorization(cfg, "GET", "/v3/x?mchid=1", "", timestamp=1700000000, nonce="abc")
    assert header.startswith(f'WECHATPAY2-SHA256-RSA2048 mchid="{WECHAT_MCHID}",nonce_str="abc",signature="')
    assert header.endswith('",timestamp="1700000000",serial_no="5157F09EFDC096DE15EBE81A47057A72"')
    signature = header.split('signature="')[1].split('"')[0]
    assert keys.verify(keys.load_public(test_keys["merchant"][1]), "GET\n/v3/x?mchid=1\n1700000000\nabc\n\n", signature)
    assert ordered.refused_auth == 0


def test_bad_signature_stale_timestamp_and_unknown_serial_are_refused(ordered, payable):
    ordered.pay(NUMBER, deliver=False)
    body = ordered.transaction_body(NUMBER)
    other_body = ordered.transaction_body(NUMBER)
    cases = [
        ordered.signed_headers(other_body),  # signed for another body
        ordered.signed_headers(body, timestamp=int(time.time()) - 301),
        ordered.signed_headers(body, serial="SOME-OTHER-SERIAL"),
        {**ordered.signed_headers(body), "Wechatpay-Signature": "AAAA"},
    ]
    for headers in cases:
        response = post(body, headers)
        assert response.status_code == 401
        assert response.json()["code"] == "FAIL"
    assert Payment.objects.get().status == "pending" and payable.paid == []
    assert list(PaymentNotification.objects.values_list("verified", "outcome")) == [(False, "bad_signature")] * 4
    assert post(body, ordered.signed_headers(body)).status_code == 204
    assert Payment.objects.get().status == "succeeded"


def test_tampered_ciphertext_and_a_foreign_apiv3_key_do_not_decrypt(ordered, payable):
    ordered.pay(NUMBER, deliver=False)
    tampered = ordered.transaction_body(NUMBER, tamper_ciphertext=True)
    foreign = ordered.transaction_body(NUMBER, key=b"z" * 32)
    for body in (tampered, foreign):
        response = post(body, ordered.signed_headers(body))  # the signature itself is fine
        assert response.status_code == 401
        assert "does not decrypt" in response.json()["message"]
    assert Payment.objects.get().status == "pending"
    assert sorted(PaymentNotification.objects.values_list("detail", flat=True)) == [
        "The resource does not decrypt (AEAD tag)."] * 2


def test_amount_in_fen_must_match_and_the_merchant_must_be_us(ordered, payable):
    ordered.pay(NUMBER, deliver=False)
    transaction = ordered._transaction(ordered.orders[NUMBER])
    wrong_amount = ordered.envelope("TRANSACTION.SUCCESS", {**transaction, "amount": {"total": 8799}},
                                    original_type="transaction")
    response = post(wrong_amount, ordered.signed_headers(wrong_amount))
    assert response.status_code == 409
    assert response.json()["message"] == "amount mismatch: provider says 87.99, payment is 88.00"
    other_merchant = ordered.envelope("TRANSACTION.SUCCESS", {**transaction, "mchid": "1999999999"},
                                      original_type="transaction")
    assert post(other_merchant, ordered.signed_headers(other_merchant)).status_code == 400
    assert Payment.objects.get().status == "pending" and payable.paid == []
    assert sorted(PaymentNotification.objects.values_list("verified", "outcome")) == [
        (True, "refused"), (True, "refused")]


@pytest.mark.parametrize(("body", "headers", "status"), [
    ("{}", {}, 400),
    ("not json", "signed", 400),
    (json.dumps({"resource": {"algorithm": "RSA"}}), "signed", 400),
    (json.dumps({"resource": {"algorithm": "AEAD_AES_256_GCM", "ciphertext": "%%%", "nonce": "n"}}), "signed", 400),
    ('{"resource": []}', "signed", 400),
])
def test_garbage_notifications(ordered, body, headers, status):
    response = post(body, ordered.signed_headers(body) if headers == "signed" else headers)
    assert response.status_code == status
    assert Payment.objects.get().status == "pending"


def test_a_lost_notification_is_found_by_query(ordered, payable):
    ordered.pay(NUMBER, deliver=False)
    payment = services.payment_sync(payment_id=Payment.objects.get().pk)
    assert payment.status == "succeeded" and len(payable.paid) == 1
    assert PaymentNotification.objects.get().source == "query"


def test_close_and_a_synchronous_refund(ordered, payable, django_capture_on_commit_callbacks):
    open_payment("W20260002", provider="wechat")
    client_for(MALL).get("/pay/go/W20260002/")
    with django_capture_on_commit_callbacks(execute=True):
        interface.payment_close(number="W20260002")
    assert ordered.orders["W20260002"].trade_state == "CLOSED"
    assert client_for(MALL).get("/pay/go/W20260002/").status_code == 409

    ordered.refund_mode = "sync"
    ordered.pay(NUMBER)
    with django_capture_on_commit_callbacks(execute=True):
        interface.refund_request(number=NUMBER, amount=Decimal("88.00"), refund_no="WR-2", reason="")
    assert interface.payment_get(number=NUMBER).refunded_amount == Decimal("88.00")


def test_a_request_with_a_bad_signature_is_refused_by_wechat(wechat, payable, settings, test_keys):
    settings.PAYMENTS_WECHAT_MERCHANT_PRIVATE_KEY = test_keys["stranger"][0].decode()
    open_payment(NUMBER, provider="wechat")
    page = client_for(MALL).get(f"/pay/go/{NUMBER}/")
    assert page.status_code == 503
    assert "cannot be reached" in page.content.decode()
    assert wechat.refused_auth == 1 and not wechat.orders


def test_answers_with_a_bad_signature_are_not_trusted(wechat, payable, settings, test_keys):
    settings.PAYMENTS_WECHAT_PLATFORM_PUBLIC_KEY = test_keys["stranger"][1].decode()
    open_payment(NUMBER, provider="wechat")
    assert client_for(MALL).get(f"/pay/go/{NUMBER}/").status_code == 503
    assert NUMBER in wechat.orders  # WeChat made the order; we did not trust its answer
    assert not Payment.objects.get().provider_data
