"""Alipay open-platform protocol (支付宝开放平台): page pay, query, refund, close, notifications.

Requests are signed RSA2 (SHA256withRSA) with the app's private key over the sorted `k=v&…`
string of the non-empty parameters except `sign`. Answers and asynchronous notifications are
verified with Alipay's public key: an answer over the exact JSON text of its `*_response`
member, a notification over its sorted parameters except `sign` and `sign_type`.

Settings: PAYMENTS_ALIPAY_APP_ID, PAYMENTS_ALIPAY_SELLER_ID (the PID; checked when set),
PAYMENTS_ALIPAY_APP_PRIVATE_KEY, PAYMENTS_ALIPAY_PUBLIC_KEY (Alipay's), PAYMENTS_ALIPAY_GATEWAY
(default https://openapi.alipay.com/gateway.do), PAYMENTS_ALIPAY_FEE_RATE (default 0.006).
"""

import io
import json
import logging
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

from django.utils import timezone

from backend.lib import hosts

from .. import conf, httpclient
from ..models import Outcome, Payment, PaymentStatus, Refund, RefundStatus
from . import keys
from .base import (
    MAX_STATEMENT_BYTES,
    BadNotification,
    Checkout,
    NoStatement,
    Provider,
    ProviderError,
    ProviderEvent,
    RefundResult,
)
from .forms import amount, local_time, parse_form, required

log = logging.getLogger(__name__)

GATEWAY = "https://openapi.alipay.com/gateway.do"
BILL_METHOD = "alipay.data.dataservice.bill.downloadurl.query"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_TRADE_STATUS = {"TRADE_SUCCESS": PaymentStatus.SUCCEEDED, "TRADE_FINISHED": PaymentStatus.SUCCEEDED,
                 "TRADE_CLOSED": PaymentStatus.CLOSED, "WAIT_BUYER_PAY": PaymentStatus.PENDING}
# Business refusals that asking again will not change (others, e.g. 20000, are retried).
_FINAL_REFUND_ERRORS = {"40004", "40002"}


def signing_string(params: dict, *, exclude: tuple[str, ...] = ("sign",)) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in exclude and params[k] not in ("", None))


@lru_cache(maxsize=8)
def _private(pem: bytes):
    return keys.load_private(pem)


@lru_cache(maxsize=8)
def _public(pem: bytes):
    return keys.load_public(pem)


@dataclass(frozen=True)
class AlipayConfig:
    app_id: str
    seller_id: str
    private_pem: bytes
    public_pem: bytes
    gateway: str


def config() -> AlipayConfig:
    return AlipayConfig(
        app_id=str(conf.value("PAYMENTS_ALIPAY_APP_ID", "")), seller_id=str(conf.value("PAYMENTS_ALIPAY_SELLER_ID", "")),
        private_pem=conf.pem("PAYMENTS_ALIPAY_APP_PRIVATE_KEY"), public_pem=conf.pem("PAYMENTS_ALIPAY_PUBLIC_KEY"),
        gateway=str(conf.value("PAYMENTS_ALIPAY_GATEWAY", GATEWAY)))


def response_text(text: str, method: str) -> tuple[str, str]:
    """(the exact JSON text of the `<method>_response` member, the `sign`) of a gateway answer:
    Alipay signs the text as sent, so it is cut out of the answer rather than re-serialized."""
    key = method.replace(".", "_") + "_response"
    try:
        document = json.loads(text)
        marker = text.index(f'"{key}"')
        start = text.index(":", marker + len(key) + 2) + 1
        while text[start] in " \t\r\n":
            start += 1
        _value, end = json.JSONDecoder().raw_decode(text, start)
    except (ValueError, IndexError) as exc:
        raise ProviderError(f"Alipay's answer to {method} is not readable.") from exc
    return text[start:end], str(document.get("sign", ""))


class AlipayProvider(Provider):
    code = "alipay"
    fee_rate_setting = "PAYMENTS_ALIPAY_FEE_RATE"
    default_fee_rate = "0.006"

    def enabled(self) -> bool:
        cfg = config()
        return bool(cfg.app_id and cfg.private_pem and cfg.public_pem)

    # ---- requests ----

    def _signed(self, method: str, biz: dict, **extra) -> dict:
        cfg = config()
        params = {
            "app_id": cfg.app_id, "method": method, "format": "JSON", "charset": "utf-8", "sign_type": "RSA2",
            "timestamp": timezone.localtime().strftime(TIME_FORMAT), "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")), **extra,
        }
        params = {k: v for k, v in params.items() if v not in ("", None)}
        params["sign"] = keys.sign(_private(cfg.private_pem), signing_string(params))
        return params

    def _call(self, method: str, biz: dict) -> dict:
        """POST a method to the gateway; the verified `*_response` member."""
        cfg = config()
        body = urlencode(self._signed(method, biz)).encode()
        try:
            answer = httpclient.post(cfg.gateway, body, {
                "Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}, timeout=conf.http_timeout())
        except httpclient.Unreachable as exc:
            raise ProviderError(f"Alipay is unreachable: {exc}") from exc
        if answer.status != 200:
            raise ProviderError(f"Alipay answered {method} with HTTP {answer.status}.")
        text, signature = response_text(answer.text, method)
        if not keys.verify(_public(cfg.public_pem), text, signature):
            raise ProviderError(f"Alipay's answer to {method} does not verify.")
        return json.loads(text)

    def start(self, payment: Payment) -> str:
        return hosts.mall_url(f"/pay/go/{payment.number}/")

    def page_pay_url(self, payment: Payment) -> str:
        """The signed alipay.trade.page.pay request as a GET URL of the gateway."""
        biz = {"out_trade_no": payment.number, "product_code": "FAST_INSTANT_TRADE_PAY",
               "total_amount": f"{payment.amount:.2f}", "subject": payment.subject,
               "time_expire": timezone.localtime(payment.expires_at).strftime(TIME_FORMAT)}
        params = self._signed("alipay.trade.page.pay", biz, notify_url=conf.notify_url(self.code),
                              return_url=conf.return_url(payment.number))
        return config().gateway + "?" + urlencode(params)

    def checkout(self, payment: Payment) -> Checkout:
        return Checkout(redirect_url=self.page_pay_url(payment))

    # ---- notifications ----

    def parse_notification(self, *, body: bytes, headers) -> ProviderEvent:
        cfg = config()
        params = parse_form(body)
        required(params, "sign", "out_trade_no", "app_id")
        content = signing_string(params, exclude=("sign", "sign_type"))
        if params.get("sign_type", "RSA2") != "RSA2" or not keys.verify(_public(cfg.public_pem), content, params["sign"]):
            raise BadNotification("The signature does not verify.", outcome=Outcome.BAD_SIGNATURE,
                                  parsed={"out_trade_no": params["out_trade_no"][:64]})
        parsed = {k: v for k, v in params.items() if k not in ("sign", "sign_type")}
        if params["app_id"] != cfg.app_id or (cfg.seller_id and params.get("seller_id") != cfg.seller_id):
            raise BadNotification("The notification is for another app or seller.", outcome=Outcome.REFUSED,
                                  verified=True, parsed=parsed)
        required(params, "trade_no", "trade_status", "total_amount")
        if params.get("out_biz_no") and params.get("gmt_refund"):
            # A refund happened on the trade; the refund's own number is out_biz_no.
            return ProviderEvent(target="refund", out_trade_no=params["out_trade_no"], status=RefundStatus.SUCCEEDED,
                                 trade_no=params["trade_no"], out_refund_no=params["out_biz_no"],
                                 notify_id=params.get("notify_id", ""), parsed=parsed)
        status = _TRADE_STATUS.get(params["trade_status"])
        if status is None:
            raise BadNotification("Unknown trade_status.", verified=True, parsed=parsed)
        return ProviderEvent(
            target="payment", out_trade_no=params["out_trade_no"], status=status, trade_no=params["trade_no"],
            amount=amount(params["total_amount"], field="total_amount"), paid_at=local_time(params.get("gmt_payment")),
            notify_id=params.get("notify_id", ""), parsed=parsed)

    # ---- queries and money back ----

    def query(self, payment: Payment) -> ProviderEvent | None:
        answer = self._call("alipay.trade.query", {"out_trade_no": payment.number})
        if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return None  # the shopper never reached the cashier
        if answer.get("code") != "10000":
            raise ProviderError(f"alipay.trade.query: {answer.get('sub_code', answer.get('code'))}")
        status = _TRADE_STATUS.get(answer.get("trade_status", ""), PaymentStatus.PENDING)
        return ProviderEvent(
            target="payment", out_trade_no=answer.get("out_trade_no", payment.number), status=status,
            trade_no=answer.get("trade_no", ""), amount=amount(answer.get("total_amount"), field="total_amount"),
            paid_at=local_time(answer.get("send_pay_date")), parsed=answer)

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        answer = self._call("alipay.trade.refund", {
            "out_trade_no": payment.number, "refund_amount": f"{refund.amount:.2f}",
            "out_request_no": refund.refund_no, "refund_reason": refund.reason[:80]})
        if answer.get("code") != "10000":
            message = f"{answer.get('sub_code', answer.get('code'))}: {answer.get('sub_msg', answer.get('msg', ''))}"
            if answer.get("code") in _FINAL_REFUND_ERRORS:
                return RefundResult(RefundStatus.FAILED, message=message[:300])
            raise ProviderError(message)
        if answer.get("fund_change") == "Y":
            return RefundResult(RefundStatus.SUCCEEDED, provider_refund_no=answer.get("trade_no", ""))
        # fund_change N: asked before, or still moving; the refund query says which.
        found = self._call("alipay.trade.fastpay.refund.query",
                           {"out_trade_no": payment.number, "out_request_no": refund.refund_no})
        if found.get("code") == "10000" and found.get("refund_status") == "REFUND_SUCCESS":
            return RefundResult(RefundStatus.SUCCEEDED, provider_refund_no=found.get("trade_no", ""))
        return RefundResult(RefundStatus.PENDING)

    def close(self, payment: Payment) -> None:
        self._call("alipay.trade.close", {"out_trade_no": payment.number})

    # ---- the daily bill (对账单) ----

    def statement_download(self, day: date) -> bytes:
        """The day's trade detail file (…_业务明细.csv, GBK) as Alipay wrote it. The signed answer
        to the bill query gives a download URL, valid 30 seconds, whose zip is not signed: the URL
        is the secret, as in Alipay's protocol."""
        answer = self._call(BILL_METHOD, {"bill_type": "trade", "bill_date": day.isoformat()})
        if answer.get("code") != "10000" or not answer.get("bill_download_url"):
            sub_code = answer.get("sub_code", answer.get("code"))
            error = NoStatement if sub_code == "isp.bill_not_exist" else ProviderError
            raise error(f"{BILL_METHOD}: {sub_code} {answer.get('sub_msg', '')}".strip())
        try:
            download = httpclient.request("GET", str(answer["bill_download_url"]), timeout=conf.http_timeout(),
                                          max_bytes=MAX_STATEMENT_BYTES + 1)
        except httpclient.Unreachable as exc:
            raise ProviderError(f"Alipay's bill download failed: {exc}") from exc
        if download.status != 200:
            raise ProviderError(f"Alipay's bill download answered HTTP {download.status}.")
        if len(download.body) > MAX_STATEMENT_BYTES:
            raise ProviderError("Alipay's bill is larger than we accept.")
        return _detail_member(download.body)


def _detail_member(data: bytes) -> bytes:
    """The 业务明细 file of an Alipay bill zip (not the 业务明细(汇总) one). Alipay names members
    in GBK without the zip's UTF-8 flag, which Python then reads as CP437."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = info.filename if info.flag_bits & 0x800 else info.filename.encode("cp437").decode("gbk", "replace")
                if name.endswith(".csv") and "汇总" not in name:
                    if info.file_size > MAX_STATEMENT_BYTES:
                        raise ProviderError("Alipay's bill is larger than we accept.")
                    return archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, ValueError, RuntimeError,
            NotImplementedError) as exc:  # damaged, encrypted or exotic zips
        raise ProviderError("Alipay's bill is not a readable zip.") from exc
    raise ProviderError("Alipay's bill zip has no 业务明细 (detail) file.")
