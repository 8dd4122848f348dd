"""WeChat Pay APIv3 protocol (微信支付 APIv3): Native pay, query, refund, close, notifications.

Every request carries `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",
signature="…",timestamp="…",serial_no="…"`, the signature being SHA256withRSA with the
merchant's API key over `METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n`. Answers and notifications
are verified against the platform's public key (or certificate) over
`TIMESTAMP\\nNONCE\\nBODY\\n` from the Wechatpay-* headers, and a notification older than five
minutes is refused (replay). The notification's `resource` is AEAD_AES_256_GCM-encrypted with
the APIv3 key. We answer 204 on success: the work done in the request is one short
transaction, well within WeChat's 5 s.

Settings: PAYMENTS_WECHAT_MCHID, PAYMENTS_WECHAT_APPID, PAYMENTS_WECHAT_MERCHANT_PRIVATE_KEY,
PAYMENTS_WECHAT_MERCHANT_SERIAL_NO, PAYMENTS_WECHAT_API_V3_KEY (32 characters),
PAYMENTS_WECHAT_PLATFORM_PUBLIC_KEY (PEM key or certificate), PAYMENTS_WECHAT_PLATFORM_SERIAL,
PAYMENTS_WECHAT_BASE_URL (default https://api.mch.weixin.qq.com), PAYMENTS_WECHAT_FEE_RATE.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.http import HttpResponse, JsonResponse
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

BASE_URL = "https://api.mch.weixin.qq.com"
SCHEMA = "WECHATPAY2-SHA256-RSA2048"
MAX_SKEW_SECONDS = 300
_TRADE_STATE = {"SUCCESS": PaymentStatus.SUCCEEDED, "REFUND": PaymentStatus.SUCCEEDED,
                "NOTPAY": PaymentStatus.PENDING, "USERPAYING": PaymentStatus.PENDING,
                "CLOSED": PaymentStatus.CLOSED, "REVOKED": PaymentStatus.CANCELLED,
                "PAYERROR": PaymentStatus.FAILED}
_REFUND_STATUS = {"SUCCESS": RefundStatus.SUCCEEDED, "PROCESSING": RefundStatus.PENDING,
                  "CLOSED": RefundStatus.FAILED, "ABNORMAL": RefundStatus.FAILED}


@dataclass(frozen=True)
class WechatConfig:
    mchid: str
    appid: str
    private_pem: bytes
    serial_no: str
    api_v3_key: bytes
    platform_pem: bytes
    platform_serial: str
    base_url: str


def config() -> WechatConfig:
    return WechatConfig(
        mchid=str(conf.value("PAYMENTS_WECHAT_MCHID", "")), appid=str(conf.value("PAYMENTS_WECHAT_APPID", "")),
        private_pem=conf.pem("PAYMENTS_WECHAT_MERCHANT_PRIVATE_KEY"),
        serial_no=str(conf.value("PAYMENTS_WECHAT_MERCHANT_SERIAL_NO", "")),
        api_v3_key=str(conf.value("PAYMENTS_WECHAT_API_V3_KEY", "")).encode(),
        platform_pem=conf.pem("PAYMENTS_WECHAT_PLATFORM_PUBLIC_KEY"),
        platform_serial=str(conf.value("PAYMENTS_WECHAT_PLATFORM_SERIAL", "")),
        base_url=str(conf.value("PAYMENTS_WECHAT_BASE_URL", BASE_URL)).rstrip("/"))


@lru_cache(maxsize=8)
def _private(pem: bytes):
    return keys.load_private(pem)


@lru_cache(maxsize=8)
def _public(pem: bytes):
    return keys.load_public(pem)


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


def from_fen(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadNotification("amount.total is not a whole number of fen.", verified=True)
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def rfc3339(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def parse_rfc3339(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def authorization(cfg: WechatConfig, method: str, url_path: str, body: str, *,
                  timestamp: int | None = None, nonce: str | None = None) -> str:
    timestamp = timestamp or int(time.time())
    nonce = nonce or secrets.token_hex(16)
    message = f"{method}\n{url_path}\n{timestamp}\n{nonce}\n{body}\n"
    signature = keys.sign(_private(cfg.private_pem), message)
    return (f'{SCHEMA} mchid="{cfg.mchid}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{timestamp}",serial_no="{cfg.serial_no}"')


def decrypt(api_v3_key: bytes, resource: dict) -> bytes:
    """AEAD_AES_256_GCM: the ciphertext ends with its 16-byte tag, as AESGCM expects."""
    return AESGCM(api_v3_key).decrypt(
        str(resource["nonce"]).encode(), base64.b64decode(str(resource["ciphertext"]), validate=True),
        str(resource.get("associated_data") or "").encode() or None)


class WechatProvider(Provider):
    code = "wechat"
    fee_rate_setting = "PAYMENTS_WECHAT_FEE_RATE"
    default_fee_rate = "0.006"

    def enabled(self) -> bool:
        cfg = config()
        return bool(cfg.mchid and cfg.appid and cfg.private_pem and cfg.serial_no and len(cfg.api_v3_key) == 32
                    and cfg.platform_pem and cfg.platform_serial)

    # ---- requests ----

    def _verify_signed(self, cfg: WechatConfig, headers, body: str) -> bool:
        timestamp, nonce = headers.get("Wechatpay-Timestamp", ""), headers.get("Wechatpay-Nonce", "")
        signature, serial = headers.get("Wechatpay-Signature", ""), headers.get("Wechatpay-Serial", "")
        if serial != cfg.platform_serial or not timestamp or not nonce:
            return False
        return keys.verify(_public(cfg.platform_pem), f"{timestamp}\n{nonce}\n{body}\n", signature)

    def _request(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        """Call APIv3; (HTTP status, JSON answer). Answers with a body must verify."""
        cfg = config()
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) if payload is not None else ""
        headers = {"Authorization": authorization(cfg, method, path, body), "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        try:
            answer = httpclient.request(method, cfg.base_url + path, body=body.encode(), headers=headers,
                                        timeout=conf.http_timeout())
        except httpclient.Unreachable as exc:
            raise ProviderError(f"WeChat Pay is unreachable: {exc}") from exc
        if answer.status >= 500:
            raise ProviderError(f"WeChat Pay answered HTTP {answer.status}.")
        if not answer.body:
            return answer.status, {}
        if answer.status < 300 and not self._verify_signed(cfg, answer.headers, answer.text):
            raise ProviderError("WeChat Pay's answer does not verify.")
        try:
            return answer.status, json.loads(answer.text)
        except ValueError as exc:
            raise ProviderError("WeChat Pay's answer is not JSON.") from exc

    def start(self, payment: Payment) -> str:
        return hosts.mall_url(f"/pay/go/{payment.number}/")

    def checkout(self, payment: Payment) -> Checkout:
        """A Native order: the code_url the shopper scans with WeChat. The same order asked
        again answers the same code_url."""
        cfg = config()
        status, answer = self._request("POST", "/v3/pay/transactions/native", {
            "appid": cfg.appid, "mchid": cfg.mchid, "description": payment.subject[:127],
            "out_trade_no": payment.number, "time_expire": rfc3339(payment.expires_at),
            "notify_url": conf.notify_url(self.code),
            "amount": {"total": to_fen(payment.amount), "currency": "CNY"}})
        if status != 200 or not answer.get("code_url"):
            raise ProviderError(f"WeChat Pay refused the order: {answer.get('code')} {answer.get('message')}")
        return Checkout(code_url=answer["code_url"])

    # ---- notifications ----

    def parse_notification(self, *, body: bytes, headers) -> ProviderEvent:
        cfg = config()
        for name in ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"):
            if not headers.get(name):
                raise BadNotification(f"The {name} header is missing.")
        try:
            text = body.decode("utf-8")
            stamp = int(headers["Wechatpay-Timestamp"])
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadNotification("Unreadable body or timestamp.") from exc
        if headers["Wechatpay-Serial"] != cfg.platform_serial:
            raise BadNotification("Signed with an unknown platform certificate.", outcome=Outcome.BAD_SIGNATURE,
                                  status=401)
        if abs(time.time() - stamp) > MAX_SKEW_SECONDS:
            raise BadNotification("The timestamp is more than five minutes off.", outcome=Outcome.BAD_SIGNATURE,
                                  status=401)
        if not self._verify_signed(cfg, headers, text):
            raise BadNotification("The signature does not verify.", outcome=Outcome.BAD_SIGNATURE, status=401)
        try:
            envelope = json.loads(text)
            resource = envelope["resource"]
            if resource.get("algorithm") != "AEAD_AES_256_GCM":
                raise ValueError("algorithm")
            plain = json.loads(decrypt(cfg.api_v3_key, resource))
        except InvalidTag as exc:
            raise BadNotification("The resource does not decrypt (AEAD tag).", outcome=Outcome.BAD_SIGNATURE,
                                  status=401) from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BadNotification("The notification is not a WeChat Pay envelope.") from exc
        if not isinstance(plain, dict):
            raise BadNotification("The resource is not an object.")
        notify_id = str(envelope.get("id", ""))[:64]
        event_type = str(envelope.get("event_type", ""))
        if plain.get("mchid") != cfg.mchid or ("appid" in plain and plain.get("appid") != cfg.appid):
            raise BadNotification("The notification is for another merchant.", outcome=Outcome.REFUSED,
                                  verified=True, parsed=_kept(plain))
        if event_type.startswith("REFUND."):
            return self._refund_event(plain, notify_id)
        if event_type != "TRANSACTION.SUCCESS":
            raise BadNotification(f"Unknown event type {event_type[:40]}.", verified=True, parsed=_kept(plain))
        return self._transaction_event(plain, notify_id)

    def _transaction_event(self, plain: dict, notify_id: str = "") -> ProviderEvent:
        try:
            total = plain["amount"]["total"]
            out_trade_no = str(plain["out_trade_no"])
        except (KeyError, TypeError) as exc:
            raise BadNotification("The transaction lacks out_trade_no or amount.", verified=True) from exc
        return ProviderEvent(
            target="payment", out_trade_no=out_trade_no,
            status=_TRADE_STATE.get(str(plain.get("trade_state")), PaymentStatus.PENDING),
            trade_no=str(plain.get("transaction_id", "")), amount=from_fen(total),
            paid_at=parse_rfc3339(plain.get("success_time")), notify_id=notify_id, parsed=_kept(plain))

    def _refund_event(self, plain: dict, notify_id: str = "") -> ProviderEvent:
        try:
            refund_fen = plain["amount"]["refund"]
            out_refund_no = str(plain["out_refund_no"])
        except (KeyError, TypeError) as exc:
            raise BadNotification("The refund lacks out_refund_no or amount.", verified=True) from exc
        return ProviderEvent(
            target="refund", out_trade_no=str(plain.get("out_trade_no", "")),
            status=_REFUND_STATUS.get(str(plain.get("refund_status") or plain.get("status")), RefundStatus.PENDING),
            trade_no=str(plain.get("transaction_id", "")), amount=from_fen(refund_fen), out_refund_no=out_refund_no,
            provider_refund_no=str(plain.get("refund_id", "")), notify_id=notify_id, parsed=_kept(plain))

    def answer(self, *, ok: bool, message: str = "", status: int | None = None) -> HttpResponse:
        if ok:
            return HttpResponse(status=204)
        return JsonResponse({"code": "FAIL", "message": message[:200] or "fail"}, status=status or 400)

    # ---- queries and money back ----

    def query(self, payment: Payment) -> ProviderEvent | None:
        cfg = config()
        status, answer = self._request(
            "GET", f"/v3/pay/transactions/out-trade-no/{quote(payment.number)}?mchid={quote(cfg.mchid)}")
        if status == 404:
            return None
        if status != 200:
            raise ProviderError(f"WeChat Pay query: {answer.get('code')} {answer.get('message')}")
        try:
            return self._transaction_event(answer)
        except BadNotification as exc:
            raise ProviderError(exc.message) from exc

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        status, answer = self._request("POST", "/v3/refund/domestic/refunds", {
            "out_trade_no": payment.number, "out_refund_no": refund.refund_no, "reason": refund.reason[:80],
            "notify_url": conf.notify_url(self.code),
            "amount": {"refund": to_fen(refund.amount), "total": to_fen(payment.amount), "currency": "CNY"}})
        if status >= 400:
            return RefundResult(RefundStatus.FAILED, message=f"{answer.get('code')}: {answer.get('message')}"[:300])
        return RefundResult(_REFUND_STATUS.get(str(answer.get("status")), RefundStatus.PENDING),
                            provider_refund_no=str(answer.get("refund_id", "")))

    def close(self, payment: Payment) -> None:
        cfg = config()
        self._request("POST", f"/v3/pay/transactions/out-trade-no/{quote(payment.number)}/close",
                      {"mchid": cfg.mchid})

    # ---- the daily bill (对账单) ----

    def statement_download(self, day: date) -> bytes:
        """The day's trade bill (bill_type ALL, UTF-8) as WeChat Pay wrote it. The signed answer
        to /v3/bill/tradebill names the download URL and the file's SHA-1; the file itself comes
        unsigned, so the hash is what proves it. A day without successful payments or refunds
        has no bill (NoStatement)."""
        cfg = config()
        status, answer = self._request("GET", f"/v3/bill/tradebill?bill_date={day.isoformat()}&bill_type=ALL")
        if status == 400 and answer.get("code") == "NO_STATEMENT_EXIST":
            raise NoStatement(f"WeChat Pay has no bill for {day.isoformat()}: {answer.get('message', '')}")
        url = str(answer.get("download_url", "")) if status == 200 else ""
        if not url:
            raise ProviderError(f"WeChat Pay's bill query: {answer.get('code')} {answer.get('message')}")
        parts, base = urlsplit(url), urlsplit(cfg.base_url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise ProviderError("WeChat Pay's bill download URL points to another host.")  # our signature stays home
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            download = httpclient.request("GET", url, timeout=conf.http_timeout(), max_bytes=MAX_STATEMENT_BYTES + 1,
                                          headers={"Authorization": authorization(cfg, "GET", target, "")})
        except httpclient.Unreachable as exc:
            raise ProviderError(f"WeChat Pay's bill download failed: {exc}") from exc
        if download.status != 200:
            raise ProviderError(f"WeChat Pay's bill download answered HTTP {download.status}.")
        if len(download.body) > MAX_STATEMENT_BYTES:
            raise ProviderError("WeChat Pay's bill is larger than we accept.")
        digest = hashlib.sha1(download.body).hexdigest()  # the hash WeChat Pay states
        if answer.get("hash_type") != "SHA1" or not hmac.compare_digest(digest, str(answer.get("hash_value", "")).lower()):
            raise ProviderError("WeChat Pay's bill does not match the SHA-1 in the signed answer.")
        return download.body


def _kept(plain: dict) -> dict:
    """What to store of a decrypted resource: no payer identifiers."""
    return {k: v for k, v in plain.items() if k not in ("payer", "promotion_detail")}
