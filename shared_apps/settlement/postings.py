"""The cash side of orders in the ledger: what a paid sub-order and a refund post, as they happen.

Orders tell settlement after their transaction commits (`interface.py` queues a Celery task); a
beat sweep (`catch_up`) posts whatever a lost task left out, so a worker killed in between loses
nothing, and posting twice changes nothing (one source key per event):

    sale:<sub-order>:captured      the buyer's online payment for the shop's part (cash, provider
                                   fee share → the shop's payable)
    sale:<sub-order>:fee           the shop bears its share of the provider fee (setting
                                   SETTLEMENT_PROVIDER_FEE_BEARER = "shop", the default)
    refund:<refund>:<try>:charged  an online refund is asked for: out of the shop's payable
    refund:<refund>:<try>:failed   … the provider refused it: back to the shop
    refund:<refund>:paid           … the provider paid it back to the buyer

Money the shop took itself (pay at pickup, bank transfer) never touches the platform's cash, so
it posts nothing here. Commission and platform-funded discounts are posted by the settlement run
on each line's net amount, when the line is settled (runs.py), and trued up there after later
refunds.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from backend.lib.money import allocate
from shared_apps.orders.models import OrderLine, OrderRefund, PaymentMode, RefundStatus, SubOrder

from . import selectors, services
from .models import EntryKind, JournalEntry

OFFLINE_PROVIDER = "offline"


def shop_holds_the_money(sub: SubOrder) -> bool:
    """Paid at the counter or by bank transfer to the shop: the platform never had the cash."""
    return sub.payment_mode == PaymentMode.AT_PICKUP or sub.order.payment_provider == OFFLINE_PROVIDER


def fee_share(sub: SubOrder, payment_fee: Decimal) -> Decimal:
    """The sub-order's part of its payment's fee, by payable amount over the payment's online
    sub-orders (largest remainder, so the parts add up to the fee)."""
    if not payment_fee:
        return Decimal("0.00")
    siblings = list(SubOrder.objects.filter(order_id=sub.order_id, payment_mode=PaymentMode.ONLINE)
                    .order_by("number").values_list("pk", "payable_amount"))
    shares = allocate(payment_fee, [amount for _pk, amount in siblings])
    return dict(zip([pk for pk, _amount in siblings], shares, strict=True))[sub.pk]


def _shop_bears_fees() -> bool:
    return getattr(settings, "SETTLEMENT_PROVIDER_FEE_BEARER", "shop") == "shop"


def rates_snapshot(sub: SubOrder) -> None:
    """Keep on each line the commission rate in force on the day the sub-order was paid (its
    platform category, the shop's own rules first; no rule at all: 0, and the operators' rule
    page says so)."""
    lines = list(OrderLine.objects.filter(sub_order=sub, commission_rate__isnull=True))
    by_category: dict[int | None, Decimal] = {}
    for line in lines:
        if line.category_id not in by_category:
            rule = selectors.commission_rule_applying(shop_id=sub.shop_id, category_id=line.category_id,
                                                      at=sub.paid_at)
            by_category[line.category_id] = rule.rate if rule else Decimal(0)
        line.commission_rate = by_category[line.category_id]
    OrderLine.objects.bulk_update(lines, ["commission_rate"])


@transaction.atomic
def sale_paid(sub_order_id: int) -> bool:
    """Snapshot a paid sub-order's commission rates and post its capture (and the shop's share
    of the fee). False when there is no cash to post (not paid, or the shop holds the money)."""
    from shared_apps.payments.interface import payment_get

    sub = SubOrder.objects.select_related("order").filter(pk=sub_order_id).first()
    if sub is None or sub.paid_at is None or not sub.paid_amount:
        return False
    rates_snapshot(sub)
    if shop_holds_the_money(sub):
        return False
    payment = payment_get(number=sub.order.number)
    if payment is None or payment.status != "succeeded":
        return False
    fee = fee_share(sub, payment.fee)
    services.post_payment_captured(
        source_key=f"sale:{sub.number}:captured", provider=payment.provider, amount=sub.paid_amount, fee=fee,
        shop_amounts={sub.shop_id: sub.paid_amount}, occurred_at=sub.paid_at, reference=payment.number,
        sub_order_id=sub.pk)
    if fee and _shop_bears_fees():
        services.post_fee_charged(source_key=f"sale:{sub.number}:fee", shop_fees={sub.shop_id: fee},
                                  occurred_at=sub.paid_at, reference=payment.number, sub_order_id=sub.pk)
    return True


@transaction.atomic
def refund_moved(refund_id: int) -> None:
    """Post what an online refund has done so far: each try is charged to the shop when asked
    for, a failed try gives the money back, the one that succeeded is paid out of the cash."""
    from shared_apps.payments.interface import refund_get

    refund = OrderRefund.objects.select_related("sub_order__order").filter(pk=refund_id).first()
    if refund is None or shop_holds_the_money(refund.sub_order):
        return
    sub = refund.sub_order
    shop = {sub.shop_id: refund.amount}
    for attempt in range(1, refund.attempts + 1):
        tried = refund_get(refund_no=refund.number if attempt == 1 else f"{refund.number}-{attempt}")
        if tried is None:
            continue
        services.post_refund(source_key=refund_key(refund.number, attempt, "charged"), shop_amounts=shop,
                             occurred_at=tried.created_at, reference=tried.refund_no, sub_order_id=sub.pk)
        if tried.status == RefundStatus.FAILED:
            services.post_refund_failed(source_key=refund_key(refund.number, attempt, "failed"), shop_amounts=shop,
                                        occurred_at=tried.finished_at or tried.created_at,
                                        reference=tried.refund_no, sub_order_id=sub.pk)
        elif tried.status == RefundStatus.SUCCEEDED:
            services.post_refund_paid(source_key=f"refund:{refund.number}:paid", provider=sub.order.payment_provider,
                                      amount=tried.amount, occurred_at=tried.finished_at or tried.created_at,
                                      reference=tried.refund_no)


def refund_key(number: str, attempt: int, what: str) -> str:
    return f"refund:{number}:{attempt}:{what}"


def _entry_named(*parts) -> Exists:
    return Exists(JournalEntry.objects.filter(source_key=Concat(*parts, output_field=CharField())))


def rates_missing(subs, *, limit: int | None = None) -> int:
    """Snapshot the commission rates of paid sub-orders (of `subs`) whose lines lack them — a lost
    task, or money taken at the counter, which posts no capture the sweep would notice."""
    pending = (subs.filter(paid_at__isnull=False, lines__commission_rate__isnull=True)
               .distinct().order_by("pk").values_list("pk", flat=True))[:limit]
    done = 0
    for pk in pending:
        with transaction.atomic():
            rates_snapshot(SubOrder.objects.get(pk=pk))
        done += 1
    return done


def catch_up(*, since: timedelta = timedelta(days=2), limit: int = 500) -> int:
    """Beat: post what lost tasks left out over the last two days — paid online sub-orders
    without their capture entry, online refunds without the entry of their current state. Each
    in its own transaction. (The settlement run checks every sub-order it settles the same way.)"""
    start = timezone.now() - since
    sales = (online_sub_orders(SubOrder.objects.filter(paid_at__gte=start, paid_amount__gt=0))
             .alias(posted=Exists(JournalEntry.objects.filter(kind=EntryKind.PAYMENT_CAPTURED,
                                                               sub_order_id=OuterRef("pk"))))
             .filter(posted=False).order_by("paid_at").values_list("pk", flat=True)[:limit])
    done = sum(sale_paid(pk) for pk in sales)
    done += rates_missing(SubOrder.objects.filter(paid_at__gte=start), limit=limit)
    number, attempt = OuterRef("number"), Cast(OuterRef("attempts"), CharField())
    refunds = (OrderRefund.objects.filter(Q(created_at__gte=start) | Q(finished_at__gte=start))
               .filter(sub_order__payment_mode=PaymentMode.ONLINE)
               .exclude(sub_order__order__payment_provider=OFFLINE_PROVIDER)
               .alias(charged=_entry_named(Value("refund:"), number, Value(":"), attempt, Value(":charged")),
                      failed=_entry_named(Value("refund:"), number, Value(":"), attempt, Value(":failed")),
                      paid=_entry_named(Value("refund:"), number, Value(":paid")))
               .filter(Q(charged=False) | Q(status=RefundStatus.FAILED, failed=False)
                       | Q(status=RefundStatus.SUCCEEDED, paid=False))
               .values_list("pk", flat=True)[:limit])
    for refund_id in refunds:
        refund_moved(refund_id)
        done += 1
    return done


def online_sub_orders(subs):
    """Sub-orders whose money the platform took (online, not a bank transfer to the shop)."""
    return subs.filter(payment_mode=PaymentMode.ONLINE).exclude(order__payment_provider=OFFLINE_PROVIDER)
