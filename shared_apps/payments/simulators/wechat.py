"""A local WeChat Pay APIv3 server: Native orders, query, close, refunds, and encrypted
notifications signed with the simulator's private key (acting as the platform certificate's).

    sim = WechatSimulator(mchid="1900000109", appid="wx0000000000000001", merchant_public_pem=…,
                          merchant_serial="MERCHANTSERIAL", platform_private_pem=…,
                          platform_serial="PLATFORMSERIAL", api_v3_key=b"…32 bytes…").start()
    sim.pay(out_trade_no)        # the buyer scans and pays; TRANSACTION.SUCCESS is POSTed
    sim.stop()

Requests must carry a valid `WECHATPAY2-SHA256-RSA2048` Authorization (401 SIGN_ERROR
otherwise). Refunds answer PROCESSING and are settled by `settle_refunds()`, which sends the
REFUND.SUCCESS notifications (refund_mode="sync" answers SUCCESS at once instead).

The trade bill: `GET /v3/bill/tradebill?bill_date=yyyy-MM-dd` (bill_type ALL, the default)
answers a signed `{"hash_type": "SHA1", "hash_value", "download_url"}`; the download URL, good
for 30 seconds and called with the same Authorization, gives the file unsigned (its SHA-1 is
the proof). A day without a successful payment or refund has no bill (400 NO_STATEMENT_EXIST).
simulators/bills.py has the format.
"""

import base64
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared_apps.payments.providers import keys

from . import bills
from .base import Reply, SimulatorServer

CHINA = timezone(timedelta(hours=8))
AUTH = re.compile(r'^WECHATPAY2-SHA256-RSA2048 (.+)$')


def _now() -> str:
    return datetime.now(CHINA).isoformat(timespec="seconds")


@dataclass
class Order:
    out_trade_no: str
    total: int
    description: str
    notify_url: str
    prepay: str = field(default_factory=lambda: secrets.token_hex(8))
    transaction_id: str = field(default_factory=lambda: f"42000{secrets.randbelow(10**23):023d}")
    trade_state: str = "NOTPAY"
    success_time: str = ""


@dataclass
class RefundRow:
    out_refund_no: str
    out_trade_no: str
    refund: int
    total: int
    notify_url: str
    refund_id: str = field(default_factory=lambda: f"50300{secrets.randbelow(10**23):023d}")
    status: str = "PROCESSING"
    success_time: str = ""


@dataclass
class Sent:
    body: str
    headers: dict
    status: int
    answer: str


class WechatSimulator(SimulatorServer):
    def __init__(self, *, mchid: str, appid: str, merchant_public_pem: bytes, merchant_serial: str,
                 platform_private_pem: bytes, platform_serial: str, api_v3_key: bytes, refund_mode: str = "async",
                 fee_rate: str = "0.006", host: str = "127.0.0.1", port: int = 0):
        super().__init__(host, port)
        self.mchid, self.appid = mchid, appid
        self.fee_rate = Decimal(fee_rate)
        self.bill_files: dict[str, tuple[float, bytes]] = {}  # token → (expires, file)
        self.merchant_public = keys.load_public(merchant_public_pem)
        self.merchant_serial = merchant_serial
        self.private = keys.load_private(platform_private_pem)
        self.platform_serial = platform_serial
        self.api_v3_key = api_v3_key
        self.refund_mode = refund_mode
        self.orders: dict[str, Order] = {}
        self.refunds: dict[str, RefundRow] = {}
        self.sent: list[Sent] = []
        self.refused_auth = 0

    # ---- signing ----

    def signed_headers(self, body: str, *, timestamp: int | None = None, serial: str | None = None) -> dict:
        timestamp = int(time.time()) if timestamp is None else timestamp
        nonce = secrets.token_hex(16)
        signature = keys.sign(self.private, f"{timestamp}\n{nonce}\n{body}\n")
        return {"Wechatpay-Timestamp": str(timestamp), "Wechatpay-Nonce": nonce, "Wechatpay-Signature": signature,
                "Wechatpay-Serial": serial or self.platform_serial}

    def _reply(self, status: int, data: dict | None) -> Reply:
        if data is None:
            return Reply(status)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return Reply(status, text, {"Content-Type": "application/json", **self.signed_headers(text)})

    def _authorized(self, method: str, target: str, headers, body: bytes) -> bool:
        match = AUTH.match(headers.get("Authorization", ""))
        if not match:
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', match.group(1)))
        if fields.get("mchid") != self.mchid or fields.get("serial_no") != self.merchant_serial:
            return False
        try:
            if abs(time.time() - int(fields.get("timestamp", "0"))) > 300:
                return False
        except ValueError:
            return False
        message = f"{method}\n{target}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n{body.decode()}\n"
        return keys.verify(self.merchant_public, message, fields.get("signature", ""))

    # ---- the API ----

    def handle(self, method, path, query, headers, body) -> Reply:
        if method == "GET" and path.startswith("/scan/"):
            return self._scan(path.removeprefix("/scan/"))
        target = path + (f"?{query}" if query else "")
        if not self._authorized(method, target, headers, body):
            self.refused_auth += 1
            return self._reply(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return self._reply(400, {"code": "PARAM_ERROR", "message": "body is not JSON"})
        with self.lock:
            if method == "POST" and path == "/v3/pay/transactions/native":
                return self._native(data)
            match = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)(/close)?", path)
            if match and method == "GET" and not match.group(2):
                if parse_qs(query).get("mchid") != [self.mchid]:
                    return self._reply(400, {"code": "PARAM_ERROR", "message": "mchid"})
                return self._query(match.group(1))
            if match and method == "POST" and match.group(2):
                return self._close(match.group(1))
            if method == "GET" and path == "/v3/bill/tradebill":
                return self._tradebill(parse_qs(query))
            if method == "GET" and path == "/v3/billdownload/file":
                return self._bill_file(parse_qs(query).get("token", [""])[0])
            if method == "POST" and path == "/v3/refund/domestic/refunds":
                return self._refund(data)
            match = re.fullmatch(r"/v3/refund/domestic/refunds/([^/]+)", path)
            if match and method == "GET":
                row = self.refunds.get(match.group(1))
                return self._reply(200, self._refund_json(row)) if row else \
                    self._reply(404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
        return self._reply(404, {"code": "NOT_FOUND", "message": "no such API"})

    def _native(self, data: dict) -> Reply:
        if data.get("mchid") != self.mchid or data.get("appid") != self.appid:
            return self._reply(400, {"code": "PARAM_ERROR", "message": "appid/mchid"})
        try:
            total = int(data["amount"]["total"])
            out_trade_no = str(data["out_trade_no"])
        except (KeyError, TypeError, ValueError):
            return self._reply(400, {"code": "PARAM_ERROR", "message": "amount/out_trade_no"})
        order = self.orders.get(out_trade_no)
        if order and order.total != total:
            return self._reply(400, {"code": "INVALID_REQUEST", "message": "订单号重复"})
        if order is None:
            order = self.orders[out_trade_no] = Order(out_trade_no, total, data.get("description", ""),
                                                      data.get("notify_url", ""))
        return self._reply(200, {"code_url": f"{self.base_url}/scan/{order.prepay}"})

    def _transaction(self, order: Order) -> dict:
        data = {"appid": self.appid, "mchid": self.mchid, "out_trade_no": order.out_trade_no,
                "trade_state": order.trade_state, "amount": {"total": order.total, "currency": "CNY"}}
        if order.trade_state == "SUCCESS":
            data.update({"transaction_id": order.transaction_id, "success_time": order.success_time,
                         "trade_type": "NATIVE", "payer": {"openid": "o-simulated-payer"},
                         "amount": {"total": order.total, "payer_total": order.total, "currency": "CNY"}})
        return data

    def _query(self, out_trade_no: str) -> Reply:
        order = self.orders.get(out_trade_no)
        if order is None:
            return self._reply(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
        return self._reply(200, self._transaction(order))

    def _close(self, out_trade_no: str) -> Reply:
        order = self.orders.get(out_trade_no)
        if order is None:
            return self._reply(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
        if order.trade_state == "NOTPAY":
            order.trade_state = "CLOSED"
        return self._reply(204, None)

    def _refund_json(self, row: RefundRow) -> dict:
        return {"refund_id": row.refund_id, "out_refund_no": row.out_refund_no, "out_trade_no": row.out_trade_no,
                "status": row.status, "amount": {"refund": row.refund, "total": row.total, "currency": "CNY"}}

    def _refund(self, data: dict) -> Reply:
        try:
            out_refund_no, out_trade_no = str(data["out_refund_no"]), str(data["out_trade_no"])
            refund, total = int(data["amount"]["refund"]), int(data["amount"]["total"])
        except (KeyError, TypeError, ValueError):
            return self._reply(400, {"code": "PARAM_ERROR", "message": "refund fields"})
        if out_refund_no in self.refunds:
            return self._reply(200, self._refund_json(self.refunds[out_refund_no]))
        order = self.orders.get(out_trade_no)
        if order is None or order.trade_state not in ("SUCCESS", "REFUND"):
            return self._reply(400, {"code": "INVALID_REQUEST", "message": "订单未支付"})
        refunded = sum(r.refund for r in self.refunds.values() if r.out_trade_no == out_trade_no)
        if total != order.total or refunded + refund > order.total:
            return self._reply(403, {"code": "NOT_ENOUGH", "message": "退款金额超过可退金额"})
        row = self.refunds[out_refund_no] = RefundRow(out_refund_no, out_trade_no, refund, total,
                                                      data.get("notify_url", ""))
        order.trade_state = "REFUND"
        if self.refund_mode == "sync":
            row.status, row.success_time = "SUCCESS", _now()
        return self._reply(200, self._refund_json(row))

    def _tradebill(self, params: dict) -> Reply:
        try:
            day = date.fromisoformat(params.get("bill_date", [""])[0])
        except ValueError:
            return self._reply(400, {"code": "PARAM_ERROR", "message": "bill_date 格式应为 yyyy-MM-dd"})
        if params.get("bill_type", ["ALL"]) != ["ALL"] or "tar_type" in params:
            return self._reply(400, {"code": "PARAM_ERROR", "message": "the simulator serves bill_type ALL, untarred"})
        data = bills.wechat_trade_bill(self, day) if day <= datetime.now(CHINA).date() else None
        if data is None:
            return self._reply(400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"})
        token = secrets.token_urlsafe(24)
        self.bill_files[token] = (time.monotonic() + 30, data)
        return self._reply(200, {"hash_type": "SHA1", "hash_value": bills.sha1_hex(data),
                                 "download_url": f"{self.base_url}/v3/billdownload/file?token={token}"})

    def _bill_file(self, token: str) -> Reply:
        expires, data = self.bill_files.get(token, (0.0, b""))
        if time.monotonic() > expires:
            return self._reply(400, {"code": "INVALID_REQUEST", "message": "下载链接已失效"})
        return Reply(200, data, {"Content-Type": "application/octet-stream"})  # unsigned: hash_value vouches

    # ---- the buyer and the notifier ----

    def _scan(self, prepay: str) -> Reply:
        order = next((o for o in self.orders.values() if o.prepay == prepay), None)
        if order is None:
            return Reply(404, "no such code")
        if order.trade_state == "NOTPAY":
            self.pay(order.out_trade_no)
        return Reply(200, f"paid {order.out_trade_no}", {"Content-Type": "text/plain; charset=utf-8"})

    def pay(self, out_trade_no: str, *, deliver: bool = True) -> Sent | None:
        with self.lock:
            order = self.orders[out_trade_no]
            if order.trade_state != "NOTPAY":
                raise ValueError(f"order is {order.trade_state}")
            order.trade_state, order.success_time = "SUCCESS", _now()
        return self.notify_transaction(out_trade_no) if deliver else None

    def envelope(self, event_type: str, resource: dict, *, original_type: str, key: bytes | None = None,
                 tamper_ciphertext: bool = False) -> str:
        nonce = secrets.token_hex(6)
        associated = original_type
        ciphertext = AESGCM(key or self.api_v3_key).encrypt(
            nonce.encode(), json.dumps(resource, ensure_ascii=False).encode(), associated.encode())
        if tamper_ciphertext:
            ciphertext = bytes([ciphertext[0] ^ 1]) + ciphertext[1:]
        return json.dumps({
            "id": str(uuid.uuid4()), "create_time": _now(), "resource_type": "encrypt-resource",
            "event_type": event_type, "summary": "支付成功" if event_type.startswith("TRANSACTION") else "退款成功",
            "resource": {"original_type": original_type, "algorithm": "AEAD_AES_256_GCM",
                         "ciphertext": base64.b64encode(ciphertext).decode(), "associated_data": associated,
                         "nonce": nonce}}, ensure_ascii=False, separators=(",", ":"))

    def transaction_body(self, out_trade_no: str, **kwargs) -> str:
        return self.envelope("TRANSACTION.SUCCESS", self._transaction(self.orders[out_trade_no]),
                             original_type="transaction", **kwargs)

    def notify_transaction(self, out_trade_no: str, body: str | None = None, headers: dict | None = None) -> Sent:
        body = body or self.transaction_body(out_trade_no)
        return self.send(self.orders[out_trade_no].notify_url, body, headers)

    def send(self, url: str, body: str, headers: dict | None = None) -> Sent:
        headers = headers or self.signed_headers(body)
        answer = self.deliver(url, body.encode(), {"Content-Type": "application/json", **headers})
        sent = Sent(body, headers, answer.status, answer.text)
        with self.lock:
            self.sent.append(sent)
        return sent

    def settle_refunds(self) -> list[Sent]:
        """The platform finishes the refunds it is processing and tells the mall."""
        out = []
        with self.lock:
            rows = [row for row in self.refunds.values() if row.status == "PROCESSING"]
            for row in rows:
                row.status, row.success_time = "SUCCESS", _now()
        for row in rows:
            resource = {"mchid": self.mchid, "out_trade_no": row.out_trade_no,
                        "transaction_id": self.orders[row.out_trade_no].transaction_id,
                        "out_refund_no": row.out_refund_no, "refund_id": row.refund_id, "refund_status": "SUCCESS",
                        "success_time": row.success_time, "amount": {"total": row.total, "refund": row.refund,
                                                           "payer_total": row.total, "payer_refund": row.refund}}
            out.append(self.send(row.notify_url, self.envelope("REFUND.SUCCESS", resource, original_type="refund")))
        return out
