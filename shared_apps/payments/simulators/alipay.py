"""A local Alipay open-platform gateway: page pay, query, refund, refund query, close, and
asynchronous notifications, signed RSA2 with the simulator's private key (acting as Alipay's).

    sim = AlipaySimulator(app_id="2021000000000001", seller_id="2088000000000001",
                          app_public_pem=our_public_pem, alipay_private_pem=its_private_pem).start()
    # settings: PAYMENTS_ALIPAY_GATEWAY = sim.gateway_url, PAYMENTS_ALIPAY_PUBLIC_KEY = its public PEM
    sim.pay(out_trade_no)         # the buyer pays; the notification is POSTed to the notify_url
    sim.stop()

The trade bill: `alipay.data.dataservice.bill.downloadurl.query` ({"bill_type": "trade",
"bill_date": "yyyy-MM-dd"}) answers a `bill_download_url`, good for 30 seconds, whose GET
gives the zip of the day's CSV files (simulators/bills.py has the format).

Requests whose signature does not verify with the app's public key are refused with
`40002 isv.invalid-signature`, as the real gateway does.
"""

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, parse_qsl, urlencode

from shared_apps.payments.providers import keys

from . import bills
from .base import Reply, SimulatorServer

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def signing_string(params: dict, exclude: tuple[str, ...]) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in exclude and params[k] not in ("", None))


@dataclass
class Trade:
    out_trade_no: str
    total_amount: str
    subject: str
    notify_url: str
    return_url: str
    trade_no: str = field(default_factory=lambda: f"2026{secrets.randbelow(10**24):024d}")
    status: str = "WAIT_BUYER_PAY"
    paid_at: str = ""
    refunds: dict[str, str] = field(default_factory=dict)  # out_request_no → amount
    created_at: str = field(default_factory=lambda: datetime.now().strftime(TIME_FORMAT))
    refunded_at: dict[str, str] = field(default_factory=dict)  # out_request_no → when


@dataclass
class Sent:
    params: dict
    status: int
    answer: str


class AlipaySimulator(SimulatorServer):
    def __init__(self, *, app_id: str, seller_id: str, app_public_pem: bytes, alipay_private_pem: bytes,
                 fee_rate: str = "0.006", host: str = "127.0.0.1", port: int = 0):
        super().__init__(host, port)
        self.app_id, self.seller_id = app_id, seller_id
        self.fee_rate = Decimal(fee_rate)
        self.bill_files: dict[str, tuple[float, str, bytes]] = {}  # token → (expires, name, zip)
        self.app_public = keys.load_public(app_public_pem)
        self.private = keys.load_private(alipay_private_pem)
        self.trades: dict[str, Trade] = {}
        self.requests: list[dict] = []  # every verified request, for assertions
        self.sent: list[Sent] = []  # every notification and the mall's answer

    @property
    def gateway_url(self) -> str:
        return self.base_url + "/gateway.do"

    # ---- the gateway ----

    def handle(self, method, path, query, headers, body) -> Reply:
        if method == "GET" and path == "/downloadBillFile.resource":
            return self._bill_file(query)
        if path != "/gateway.do":
            return Reply(404, "not found")
        params = dict(parse_qsl(body.decode("utf-8") if method == "POST" else query, keep_blank_values=True))
        name = params.get("method", "")
        key = name.replace(".", "_") + "_response"
        if params.get("sign_type") != "RSA2" or not keys.verify(
                self.app_public, signing_string(params, ("sign",)), params.get("sign", "")):
            return Reply.json(200, {key: {"code": "40002", "msg": "Invalid Arguments",
                                          "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"}})
        if params.get("app_id") != self.app_id:
            return self._answer(key, {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-app-id"})
        try:
            biz = json.loads(params.get("biz_content") or "{}")
        except ValueError:
            return self._answer(key, {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-biz"})
        with self.lock:
            self.requests.append(params)
            if name == "alipay.trade.page.pay":
                return self._page_pay(params, biz)
            handler = {"alipay.trade.query": self._query, "alipay.trade.refund": self._refund,
                       "alipay.trade.fastpay.refund.query": self._refund_query,
                       "alipay.trade.close": self._close,
                       "alipay.data.dataservice.bill.downloadurl.query": self._bill_url}.get(name)
            if handler is None:
                return self._answer(key, {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"})
            return self._answer(key, handler(biz))

    def _answer(self, key: str, data: dict) -> Reply:
        """Alipay signs the response member's JSON text exactly as sent."""
        data = {"msg": "Success", **data} if data.get("code") == "10000" else data
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        signature = keys.sign(self.private, text)
        return Reply(200, f'{{"{key}":{text},"sign":"{signature}"}}',
                     {"Content-Type": "application/json;charset=utf-8"})

    def _page_pay(self, params: dict, biz: dict) -> Reply:
        out_trade_no, amount = biz.get("out_trade_no", ""), biz.get("total_amount", "")
        existing = self.trades.get(out_trade_no)
        if existing and existing.total_amount != amount:
            return Reply(400, "ACQ.CONTEXT_INCONSISTENT", {"Content-Type": "text/plain; charset=utf-8"})
        if existing is None:
            self.trades[out_trade_no] = Trade(out_trade_no, amount, biz.get("subject", ""),
                                              params.get("notify_url", ""), params.get("return_url", ""))
        html = (f"<!doctype html><meta charset='utf-8'><title>Alipay simulator</title>"
                f"<p>{biz.get('subject', '')}</p><p>¥{amount}</p><p>out_trade_no {out_trade_no}</p>")
        return Reply(200, html, {"Content-Type": "text/html; charset=utf-8"})

    def _query(self, biz: dict) -> dict:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None:
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
        return {"code": "10000", "out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no,
                "trade_status": trade.status, "total_amount": trade.total_amount, "send_pay_date": trade.paid_at}

    def _refund(self, biz: dict) -> dict:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None:
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
        request_no, amount = biz.get("out_request_no", ""), biz.get("refund_amount", "")
        if request_no in trade.refunds:  # asked again: no money moves this time
            return {"code": "10000", "out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no,
                    "refund_fee": self._refunded(trade), "fund_change": "N"}
        if trade.status != "TRADE_SUCCESS":
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR"}
        if Decimal(self._refunded(trade)) + Decimal(amount) > Decimal(trade.total_amount):
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                    "sub_msg": "退款金额超限"}
        trade.refunds[request_no] = amount
        trade.refunded_at[request_no] = datetime.now().strftime(TIME_FORMAT)
        return {"code": "10000", "out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no,
                "refund_fee": self._refunded(trade), "fund_change": "Y"}

    def _refund_query(self, biz: dict) -> dict:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        amount = trade.refunds.get(biz.get("out_request_no", "")) if trade else None
        if amount is None:
            return {"code": "10000", "out_trade_no": biz.get("out_trade_no", "")}
        return {"code": "10000", "out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no,
                "out_request_no": biz["out_request_no"], "refund_amount": amount, "refund_status": "REFUND_SUCCESS"}

    def _close(self, biz: dict) -> dict:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None:
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
        if trade.status == "WAIT_BUYER_PAY":
            trade.status = "TRADE_CLOSED"
        return {"code": "10000", "out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no}

    def _bill_url(self, biz: dict) -> dict:
        try:
            day = date.fromisoformat(str(biz.get("bill_date", "")))
        except ValueError:
            day = None
        if biz.get("bill_type") != "trade" or day is None:
            return {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-arguments",
                    "sub_msg": "bill_type trade and bill_date yyyy-MM-dd are needed"}
        if day > date.today():
            return {"code": "40004", "msg": "Business Failed", "sub_code": "isp.bill_not_exist", "sub_msg": "账单不存在"}
        name, data = bills.alipay_bill_zip(self, day, datetime.now())
        token = secrets.token_hex(16)
        self.bill_files[token] = (time.monotonic() + 30, name, data)
        query = urlencode({"bizType": "trade", "userId": self.seller_id, "fileType": "csv.zip",
                           "bizDates": f"{day:%Y%m%d}", "downloadFileName": name, "fileId": token,
                           "timestamp": int(time.time() * 1000), "token": token})
        return {"code": "10000", "bill_download_url": f"{self.base_url}/downloadBillFile.resource?{query}"}

    def _bill_file(self, query: str) -> Reply:
        token = parse_qs(query).get("token", [""])[0]
        with self.lock:
            expires, name, data = self.bill_files.get(token, (0.0, "", b""))
        if time.monotonic() > expires:
            return Reply(404, "bill file not found or link expired", {"Content-Type": "text/plain; charset=utf-8"})
        return Reply(200, data, {"Content-Type": "application/oct-stream",
                                 "Content-Disposition": f"attachment; filename={name}"})

    @staticmethod
    def _refunded(trade: Trade) -> str:
        return f"{sum((Decimal(a) for a in trade.refunds.values()), Decimal('0.00')):.2f}"

    # ---- the buyer and the notifier ----

    def pay(self, out_trade_no: str, *, deliver: bool = True) -> Sent | None:
        """The buyer pays at the cashier; the notification goes to the mall (unless deliver=False)."""
        with self.lock:
            trade = self.trades[out_trade_no]
            if trade.status != "WAIT_BUYER_PAY":
                raise ValueError(f"trade is {trade.status}")
            trade.status, trade.paid_at = "TRADE_SUCCESS", datetime.now().strftime(TIME_FORMAT)
        return self.notify(out_trade_no) if deliver else None

    def notification(self, out_trade_no: str, **overrides) -> dict:
        """The trade_status_sync parameters for a trade, signed; `overrides` are applied before
        signing (a notification Alipay really sent with those values)."""
        trade = self.trades[out_trade_no]
        params = {
            "notify_time": datetime.now().strftime(TIME_FORMAT), "notify_type": "trade_status_sync",
            "notify_id": uuid.uuid4().hex, "app_id": self.app_id, "charset": "utf-8", "version": "1.0",
            "sign_type": "RSA2", "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
            "trade_status": trade.status, "total_amount": trade.total_amount,
            "receipt_amount": trade.total_amount, "buyer_pay_amount": trade.total_amount,
            "seller_id": self.seller_id, "gmt_payment": trade.paid_at, "subject": trade.subject, **overrides,
        }
        params = {k: v for k, v in params.items() if v not in ("", None)}
        params["sign"] = keys.sign(self.private, signing_string(params, ("sign", "sign_type")))
        return params

    def notify(self, out_trade_no: str, params: dict | None = None) -> Sent:
        params = params or self.notification(out_trade_no)
        answer = self.deliver(self.trades[out_trade_no].notify_url, urlencode(params).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        sent = Sent(params, answer.status, answer.text)
        with self.lock:
            self.sent.append(sent)
        return sent
