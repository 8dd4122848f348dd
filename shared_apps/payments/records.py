"""The plain data the payments app hands to other apps: never ORM rows."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum

from .models import Payment, PaymentStatus, Refund, RefundStatus


@dataclass(frozen=True)
class PaymentData:
    id: int
    number: str  # == out_trade_no
    kind: str
    reference: str
    provider: str
    amount: Decimal
    status: str  # pending / succeeded / failed / cancelled / closed
    pay_url: str  # where to send the shopper; "" for offline payments
    expires_at: datetime | None
    paid_at: datetime | None
    refunded_amount: Decimal  # refunds that succeeded
    fee: Decimal = Decimal("0.00")
    provider_trade_no: str = ""
    auto_refund_reason: str = ""  # set when the money came back automatically (see services)


@dataclass(frozen=True)
class RefundData:
    id: int
    refund_no: str
    payment_number: str
    amount: Decimal
    status: str  # pending / succeeded / failed
    reason: str
    automatic: bool
    provider_refund_no: str
    failure_reason: str
    created_at: datetime
    finished_at: datetime | None


def refunded_amount(payment: Payment) -> Decimal:
    if payment.status != PaymentStatus.SUCCEEDED:
        return Decimal("0.00")  # only money that arrived is ever refunded
    total = payment.refunds.filter(status=RefundStatus.SUCCEEDED).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def payment_data(payment: Payment, *, refunded: Decimal | None = None) -> PaymentData:
    """`refunded`: the refunded total when the caller knows it (no query)."""
    return PaymentData(
        id=payment.pk, number=payment.number, kind=payment.kind, reference=payment.reference,
        provider=payment.provider, amount=payment.amount, status=payment.status, pay_url=payment.pay_url,
        expires_at=payment.expires_at, paid_at=payment.paid_at, refunded_amount=refunded_amount(payment) if refunded is None else refunded,
        fee=payment.fee, provider_trade_no=payment.provider_trade_no,
        auto_refund_reason=payment.auto_refund_reason,
    )


def refund_data(refund: Refund) -> RefundData:
    return RefundData(
        id=refund.pk, refund_no=refund.refund_no, payment_number=refund.payment.number, amount=refund.amount,
        status=refund.status, reason=refund.reason, automatic=refund.automatic,
        provider_refund_no=refund.provider_refund_no, failure_reason=refund.failure_reason,
        created_at=refund.created_at,
        finished_at=refund.finished_at,
    )
