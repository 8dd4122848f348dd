"""A test payable kind, test keys generated at run time, the provider simulators, and ways to
carry the sandbox's notifications to the mall (real HTTP to a live server, or the test client)."""

import threading
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from shared_apps.payments import httpclient, interface
from shared_apps.payments.providers import keys
from shared_apps.payments.simulators.alipay import AlipaySimulator
from shared_apps.payments.simulators.wechat import WechatSimulator

KIND = "testorder"
ALIPAY_APP_ID = "2021000000000001"
ALIPAY_SELLER_ID = "2088000000000001"
WECHAT_MCHID = "1900000109"
WECHAT_APPID = "wx8888888888888888"
WECHAT_MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A72"
WECHAT_PLATFORM_SERIAL = "7132D72A03E93CDDF8C03BBD1F37EEDF"
WECHAT_API_V3_KEY = b"a" * 16 + b"B" * 16


class TestPayable:
    """Stands in for orders: records every callback; `accept` is what on_paid answers."""

    __test__ = False

    def __init__(self):
        self.accept = True
        self.paid: list = []
        self.refunded: list = []
        self.lock = threading.Lock()

    def on_paid(self, reference, payment) -> bool:
        with self.lock:
            self.paid.append((reference, payment))
        return self.accept

    def on_refunded(self, reference, refund) -> None:
        with self.lock:
            self.refunded.append((reference, refund))


@pytest.fixture
def payable():
    recorder = TestPayable()
    interface.payable_register(KIND, on_paid=recorder.on_paid, on_refunded=recorder.on_refunded)
    return recorder


def open_payment(number: str = "P20260001", *, amount: str = "88.00", provider: str = "sandbox",
                 user_id: int | None = None, minutes: int = 30, reference: str | None = None):
    return interface.payment_open(
        kind=KIND, reference=reference or f"CK-{number}", number=number, amount=Decimal(amount),
        subject="Test order 测试订单", provider=provider, expires_at=timezone.now() + timedelta(minutes=minutes),
        user_id=user_id)


@pytest.fixture
def mall_live(live_server, settings):
    """The live server as the mall: links between hosts (and so notify URLs) carry its port."""
    settings.MALL_PORT = str(urlsplit(live_server.url).port)
    return live_server


@pytest.fixture
def in_process_delivery(monkeypatch):
    """Carry the sandbox's notification POSTs (the exact signed bytes) through the test client
    instead of the network, for tests that run inside one transaction."""
    sent: list[tuple[str, bytes, int, bytes]] = []
    real_post = httpclient.post

    def post(url, body, headers=None, *, timeout=10.0):
        parts = urlsplit(url)
        if not parts.hostname or not parts.hostname.endswith("localhost"):
            return real_post(url, body, headers, timeout=timeout)
        response = Client(HTTP_HOST=parts.netloc).generic(
            "POST", parts.path, body, content_type=(headers or {}).get("Content-Type", ""))
        sent.append((parts.path, body, response.status_code, response.content))
        return httpclient.Answer(response.status_code, response.content, httpclient.Headers(response.items()))

    monkeypatch.setattr(httpclient, "post", post)
    return sent


def client_delivery(url: str, body: bytes, headers: dict) -> httpclient.Answer:
    """A simulator's notification carried by the test client (same bytes, same headers)."""
    parts = urlsplit(url)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
             if name.lower() != "content-type"}
    response = Client(HTTP_HOST=parts.netloc).generic("POST", parts.path, body,
                                                       content_type=headers.get("Content-Type", ""), **extra)
    return httpclient.Answer(response.status_code, response.content, httpclient.Headers(response.items()))


@pytest.fixture(scope="session")
def test_keys():
    """RSA pairs made for this run only: (private PEM, public PEM) per role."""
    return {role: keys.generate_pair() for role in ("app", "alipay", "merchant", "platform", "stranger")}


@pytest.fixture
def alipay(settings, test_keys):
    sim = AlipaySimulator(app_id=ALIPAY_APP_ID, seller_id=ALIPAY_SELLER_ID, app_public_pem=test_keys["app"][1],
                          alipay_private_pem=test_keys["alipay"][0]).start()
    settings.PAYMENTS_ALIPAY_APP_ID = ALIPAY_APP_ID
    settings.PAYMENTS_ALIPAY_SELLER_ID = ALIPAY_SELLER_ID
    settings.PAYMENTS_ALIPAY_APP_PRIVATE_KEY = test_keys["app"][0].decode()
    settings.PAYMENTS_ALIPAY_PUBLIC_KEY = test_keys["alipay"][1].decode()
    settings.PAYMENTS_ALIPAY_GATEWAY = sim.gateway_url
    yield sim
    sim.stop()


@pytest.fixture
def wechat(settings, test_keys):
    sim = WechatSimulator(
        mchid=WECHAT_MCHID, appid=WECHAT_APPID, merchant_public_pem=test_keys["merchant"][1],
        merchant_serial=WECHAT_MERCHANT_SERIAL, platform_private_pem=test_keys["platform"][0],
        platform_serial=WECHAT_PLATFORM_SERIAL, api_v3_key=WECHAT_API_V3_KEY).start()
    settings.PAYMENTS_WECHAT_MCHID = WECHAT_MCHID
    settings.PAYMENTS_WECHAT_APPID = WECHAT_APPID
    settings.PAYMENTS_WECHAT_MERCHANT_PRIVATE_KEY = test_keys["merchant"][0].decode()
    settings.PAYMENTS_WECHAT_MERCHANT_SERIAL_NO = WECHAT_MERCHANT_SERIAL
    settings.PAYMENTS_WECHAT_API_V3_KEY = WECHAT_API_V3_KEY.decode()
    settings.PAYMENTS_WECHAT_PLATFORM_PUBLIC_KEY = test_keys["platform"][1].decode()
    settings.PAYMENTS_WECHAT_PLATFORM_SERIAL = WECHAT_PLATFORM_SERIAL
    settings.PAYMENTS_WECHAT_BASE_URL = sim.base_url
    yield sim
    sim.stop()

