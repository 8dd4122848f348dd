"""The sandbox payment provider's own side: its trades, refunds, notifications and statements.

This is what a real provider runs in its data centre, built into the mall so that the whole
buying journey works without an outside account. Its API is in-process (the functions below
answer with parameters signed like a provider's), its cashier is the page at
/pay/sandbox/<number>/, and its asynchronous notifications go over real HTTP to the mall's
notify URL, signed with HMAC-SHA256, retried with backoff until the mall answers `success`.
"""

import csv
import hashlib
import hmac
import io
import logging
import secrets
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.lib.money import to_fen

from . import conf, httpclient
from .models import SandboxDelivery, SandboxRefund, SandboxSplit, SandboxTrade
from .models import SandboxTradeStatus as T

log = logging.getLogger(__name__)

SIGN_TYPE = "HMAC-SHA256"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class SandboxRefused(Exception):
    """The sandbox says no (closed trade, refund over the paid amount, …)."""


def signing_string(params: dict) -> str:
    """Sorted `k=v&…` of the non-empty parameters except `sign` (the Alipay convention)."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] not in ("", None))


def sign(params: dict) -> dict:
    signed = {k: str(v) for k, v in params.items() if v not in ("", None)}
    signed["sign_type"] = SIGN_TYPE
    signed["sign"] = hmac.new(conf.sandbox_secret(), signing_string(signed).encode(), hashlib.sha256).hexdigest()
    return signed


def verify(params: dict) -> bool:
    expected = hmac.new(conf.sandbox_secret(), signing_string(params).encode(), hashlib.sha256).hexdigest()
    return params.get("sign_type") == SIGN_TYPE and hmac.compare_digest(expected, str(params.get("sign", "")))


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime(TIME_FORMAT)


def _number(prefix: str) -> str:
    return f"{prefix}{timezone.localtime():%Y%m%d}{secrets.randbelow(10**12):012d}"


def fee_for(amount: Decimal) -> Decimal:
    return to_fen(amount * conf.rate("PAYMENTS_SANDBOX_FEE_RATE", "0.006"))


# ---- trades ----

def trade_create(*, out_trade_no: str, amount: Decimal, subject: str, notify_url: str, return_url: str,
                 expires_at: datetime) -> SandboxTrade:
    """The 'create order' call. Same out_trade_no again: the trade already made."""
    trade, _created = SandboxTrade.objects.get_or_create(out_trade_no=out_trade_no, defaults={
        "trade_no": _number("SB"), "amount": amount, "subject": subject, "notify_url": notify_url,
        "return_url": return_url, "expires_at": expires_at,
    })
    return trade


def trade_for(out_trade_no: str) -> SandboxTrade | None:
    return SandboxTrade.objects.filter(out_trade_no=out_trade_no).first()


def is_payable(trade: SandboxTrade) -> bool:
    return trade.status in (T.WAITING, T.FAILED, T.CANCELLED) and trade.expires_at > timezone.now()


@transaction.atomic
def trade_act(*, out_trade_no: str, action: str) -> SandboxTrade:
    """The shopper pressed Pay, Fail or Cancel on the cashier page. Each tells the mall
    asynchronously; a failed or cancelled attempt may be followed by another one."""
    trade = SandboxTrade.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
    if trade is None:
        raise SandboxRefused(_("No such trade."))
    if trade.status == T.PAID:
        raise SandboxRefused(_("This trade is already paid."))
    if not is_payable(trade):
        raise SandboxRefused(_("This trade is closed."))
    now = timezone.now()
    if action == "pay":
        trade.status, trade.paid_at, trade.fee = T.PAID, now, fee_for(trade.amount)
        trade.save(update_fields=["status", "paid_at", "fee"])
        _notify(trade, {"notify_type": "trade_status_sync", "trade_status": "TRADE_SUCCESS",
                        "gmt_payment": _local(now), "fee": f"{trade.fee:.2f}"})
    elif action in ("fail", "cancel"):
        trade.status = T.FAILED if action == "fail" else T.CANCELLED
        trade.save(update_fields=["status"])
        _notify(trade, {"notify_type": "trade_status_sync",
                        "trade_status": "TRADE_FAILED" if action == "fail" else "TRADE_CANCELLED"})
    else:
        raise SandboxRefused(_("Unknown action."))
    return trade


@transaction.atomic
def trade_close(*, out_trade_no: str) -> dict:
    trade = SandboxTrade.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
    if trade is None:
        return sign({"code": "TRADE_NOT_EXIST", "out_trade_no": out_trade_no})
    if trade.status in (T.WAITING, T.FAILED, T.CANCELLED):
        trade.status = T.CLOSED
        trade.save(update_fields=["status"])
    return sign({"code": "SUCCESS", "out_trade_no": out_trade_no, "trade_status": trade.status})


def trade_query(*, out_trade_no: str) -> dict:
    """The status query API: signed parameters, like the notification's."""
    trade = trade_for(out_trade_no)
    if trade is None:
        return sign({"code": "TRADE_NOT_EXIST", "out_trade_no": out_trade_no})
    return sign(_trade_params(trade, {
        "code": "SUCCESS", "trade_status": _TRADE_STATUS[trade.status],
        "gmt_payment": _local(trade.paid_at) if trade.paid_at else "",
        "fee": f"{trade.fee:.2f}" if trade.status == T.PAID else "",
    }))


_TRADE_STATUS = {T.WAITING: "WAIT_BUYER_PAY", T.PAID: "TRADE_SUCCESS", T.FAILED: "TRADE_FAILED",
                 T.CANCELLED: "TRADE_CANCELLED", T.CLOSED: "TRADE_CLOSED"}


def _trade_params(trade: SandboxTrade, extra: dict) -> dict:
    return {"out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no,
            "total_amount": f"{trade.amount:.2f}", **extra}


# ---- refunds ----

@transaction.atomic
def refund_apply(*, out_trade_no: str, out_refund_no: str, amount: Decimal) -> dict:
    """The refund API. Accepted refunds are processed asynchronously (a Celery task) and end
    with a REFUND_SUCCESS notification. The same out_refund_no again answers its state."""
    trade = SandboxTrade.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
    if trade is None:
        return sign({"code": "TRADE_NOT_EXIST", "out_trade_no": out_trade_no})
    refund = trade.refunds.filter(out_refund_no=out_refund_no).first()
    if refund is None:
        refunded = trade.refunds.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if trade.status != T.PAID:
            return sign({"code": "TRADE_NOT_PAID", "out_trade_no": out_trade_no, "out_refund_no": out_refund_no})
        if refunded + amount > trade.amount:
            return sign({"code": "REFUND_AMOUNT_EXCEEDED", "out_trade_no": out_trade_no,
                         "out_refund_no": out_refund_no})
        refund = SandboxRefund.objects.create(refund_no=_number("SR"), out_refund_no=out_refund_no,
                                              trade=trade, amount=amount)
        from .tasks import sandbox_refund_process

        transaction.on_commit(lambda: sandbox_refund_process.delay(refund.pk))
    elif refund.amount != amount:
        return sign({"code": "REFUND_NO_REUSED", "out_trade_no": out_trade_no, "out_refund_no": out_refund_no})
    return sign(_refund_params(trade, refund, {"code": "SUCCESS"}))


def _refund_params(trade: SandboxTrade, refund: SandboxRefund, extra: dict) -> dict:
    return _trade_params(trade, {
        "out_refund_no": refund.out_refund_no, "refund_no": refund.refund_no,
        "refund_amount": f"{refund.amount:.2f}",
        "refund_status": "REFUND_SUCCESS" if refund.status == "succeeded" else "REFUND_PROCESSING", **extra})


@transaction.atomic
def refund_process(*, refund_id: int) -> None:
    """The sandbox's back office moves the money, then tells the mall."""
    refund = SandboxRefund.objects.select_for_update(of=("self",)).select_related("trade").filter(pk=refund_id).first()
    if refund is None or refund.status == "succeeded":
        return
    refund.status, refund.succeeded_at = "succeeded", timezone.now()
    refund.save(update_fields=["status", "succeeded_at"])
    _notify(refund.trade, {"notify_type": "refund_status_sync", "out_refund_no": refund.out_refund_no,
                           "refund_no": refund.refund_no, "refund_amount": f"{refund.amount:.2f}",
                           "refund_status": "REFUND_SUCCESS", "gmt_refund": _local(refund.succeeded_at)})


# ---- notifications ----

def _notify(trade: SandboxTrade, params: dict) -> SandboxDelivery:
    """Owe the mall a notification; it is sent after commit and retried until answered."""
    now = timezone.now()
    signed = sign(_trade_params(trade, {"notify_id": uuid.uuid4().hex, "notify_time": _local(now), **params}))
    delivery = SandboxDelivery.objects.create(trade=trade, url=trade.notify_url, params=signed, next_attempt_at=now)
    from .tasks import sandbox_deliver

    transaction.on_commit(lambda: sandbox_deliver.delay(delivery.pk))
    return delivery


def delivery_attempt(*, delivery_id: int) -> bool | None:
    """Send one notification once. True: the mall answered `success`; False: it did not, and
    the next attempt is due per the backoff (or never, after the last); None: not due, or
    taken by another worker.

    The row is claimed by moving its next attempt forward first, so two workers (the retry and
    the sweeper) do not both send it; sending twice would still be harmless."""
    now = timezone.now()
    claimed = SandboxDelivery.objects.filter(
        pk=delivery_id, delivered_at__isnull=True, next_attempt_at__lte=now + timedelta(seconds=2),
    ).update(next_attempt_at=now + timedelta(minutes=2), attempts=F("attempts") + 1)
    if not claimed:
        return None
    delivery = SandboxDelivery.objects.get(pk=delivery_id)
    body = urlencode(delivery.params).encode()
    try:
        answer = httpclient.post(delivery.url, body, {"Content-Type": "application/x-www-form-urlencoded"},
                                 timeout=conf.http_timeout())
        ok, note = answer.status == 200 and answer.text.strip() == "success", f"{answer.status} {answer.text[:80]}"
    except httpclient.Unreachable as exc:
        ok, note = False, str(exc)[:150]
    if ok:
        SandboxDelivery.objects.filter(pk=delivery_id).update(delivered_at=timezone.now(), next_attempt_at=None,
                                                              last_answer=note[:200])
        return True
    backoff = conf.sandbox_backoff()
    later = (timezone.now() + timedelta(seconds=backoff[delivery.attempts - 1])
             if delivery.attempts <= len(backoff) else None)
    SandboxDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=later, last_answer=note[:200])
    log.info("sandbox notification %s not accepted (attempt %s): %s", delivery_id, delivery.attempts, note)
    return False


def retry_delay(delivery_id: int) -> int | None:
    """Seconds until the delivery's next attempt, or None when there is none."""
    delivery = SandboxDelivery.objects.filter(pk=delivery_id).values("next_attempt_at", "delivered_at").first()
    if not delivery or delivery["delivered_at"] or not delivery["next_attempt_at"]:
        return None
    return max(1, int((delivery["next_attempt_at"] - timezone.now()).total_seconds()))


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(SandboxDelivery.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


# ---- the daily statement (对账单) ----

STATEMENT_COLUMNS = ["record_type", "trade_no", "out_trade_no", "refund_no", "out_refund_no",
                     "finished_at", "amount", "fee", "refund_amount"]


def held_balance() -> Decimal:
    """What the sandbox holds for the platform: paid trades, less their fees, refunds and
    settle-to-merchant transfers."""
    paid = SandboxTrade.objects.filter(status=T.PAID).aggregate(amount=Sum("amount"), fee=Sum("fee"))
    refunded = SandboxRefund.objects.exclude(status="failed").aggregate(total=Sum("amount"))["total"]
    split = SandboxSplit.objects.aggregate(total=Sum("amount"))["total"]
    return ((paid["amount"] or Decimal(0)) - (paid["fee"] or Decimal(0)) - (refunded or Decimal(0))
            - (split or Decimal(0)))


def split_apply(*, out_request_no: str, receiver: str, amount: Decimal) -> dict:
    """The settle-to-merchant API: pay `amount` of the money the sandbox holds for the platform
    to `receiver`. Answers at once (SUCCESS, or BALANCE_NOT_ENOUGH); the same out_request_no again
    answers the first transfer (another amount: REQUEST_NO_REUSED)."""
    with transaction.atomic():
        with connection.cursor() as cursor:  # one transfer at a time: the balance check holds
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5B, 1])
        split = SandboxSplit.objects.filter(out_request_no=out_request_no).first()
        if split is None:
            if amount > held_balance():
                return sign({"code": "BALANCE_NOT_ENOUGH", "out_request_no": out_request_no})
            split = SandboxSplit.objects.create(split_no=_number("SS"), out_request_no=out_request_no,
                                                receiver=receiver, amount=amount)
        elif split.amount != amount or split.receiver != receiver:
            return sign({"code": "REQUEST_NO_REUSED", "out_request_no": out_request_no})
    return sign({"code": "SUCCESS", "out_request_no": out_request_no, "split_no": split.split_no,
                 "receiver": split.receiver, "amount": f"{split.amount:.2f}"})


def statement_rows(day: date) -> list[dict]:
    """Payments and refunds the sandbox completed on `day` (Asia/Shanghai), oldest first."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    rows = []
    for trade in SandboxTrade.objects.filter(status=T.PAID, paid_at__gte=start, paid_at__lt=end):
        rows.append({"record_type": "payment", "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
                     "refund_no": "", "out_refund_no": "", "finished_at": trade.paid_at,
                     "amount": trade.amount, "fee": trade.fee, "refund_amount": Decimal("0.00")})
    refunds = SandboxRefund.objects.filter(status="succeeded", succeeded_at__gte=start, succeeded_at__lt=end)
    for refund in refunds.select_related("trade"):
        rows.append({"record_type": "refund", "trade_no": refund.trade.trade_no,
                     "out_trade_no": refund.trade.out_trade_no, "refund_no": refund.refund_no,
                     "out_refund_no": refund.out_refund_no, "finished_at": refund.succeeded_at,
                     "amount": Decimal("0.00"), "fee": Decimal("0.00"), "refund_amount": refund.amount})
    rows.sort(key=lambda row: (row["finished_at"], row["record_type"], row["trade_no"]))
    return rows


def statement_csv(day: date) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=STATEMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in statement_rows(day):
        writer.writerow({**row, "finished_at": _local(row["finished_at"]),
                         "amount": f"{row['amount']:.2f}", "fee": f"{row['fee']:.2f}",
                         "refund_amount": f"{row['refund_amount']:.2f}"})
    return buffer.getvalue()
