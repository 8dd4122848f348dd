"""Reads for payments."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from backend.lib.money import MoneyField

from .models import Payment, PaymentNotification, RefundStatus


def _with_refunded_total(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    refunded = Sum("refunds__amount", filter=Q(refunds__status=RefundStatus.SUCCEEDED))
    return payments.annotate(refunded_total=Coalesce(refunded, Value(Decimal("0.00")), output_field=MoneyField()))


def payments_of(*, user_id: int) -> QuerySet[Payment]:
    return Payment.objects.filter(user_id=user_id)


def payment_for_owner(*, number: str, user_id: int) -> Payment | None:
    """The shopper's own payment with its refunds and `refunded_total`; None for anyone else's
    (callers answer 404)."""
    return _with_refunded_total(payments_of(user_id=user_id).filter(number=number)).prefetch_related(
        "refunds").first()


def payment_for_page(*, number: str, user) -> Payment | None:
    """A payment for the pay and result pages: a guest payment (no user) is shown to whoever
    has its number, like a provider's cashier; a shopper's only to that shopper."""
    payment = Payment.objects.filter(number=number).first()
    if payment is None:
        return None
    if payment.user_id is not None and (not user.is_authenticated or user.pk != payment.user_id):
        return None
    return payment


def all_payments(*, status: str = "", provider: str = "", search: str = "") -> QuerySet[Payment]:
    """Operators: every payment, newest first, with `refunded_total`."""
    payments = Payment.objects.all()
    if status:
        payments = payments.filter(status=status)
    if provider:
        payments = payments.filter(provider=provider)
    if search:
        payments = payments.filter(Q(number__startswith=search) | Q(provider_trade_no=search) | Q(reference=search))
    return _with_refunded_total(payments).order_by("-created_at", "-id")


def payment_whole(*, number: str) -> Payment | None:
    """Operators: one payment with its moves, refunds (and their moves) and notifications."""
    return _with_refunded_total(Payment.objects.filter(number=str(number)[:32])).prefetch_related(
        "transitions", "refunds__transitions", "notifications").first()


def notifications(*, outcome: str = "", provider: str = "") -> QuerySet[PaymentNotification]:
    """Operators: what providers sent, newest first (refused signatures, unknown payments …)."""
    found = PaymentNotification.objects.all()
    if outcome:
        found = found.filter(outcome=outcome)
    if provider:
        found = found.filter(provider=provider)
    return found.defer("body", "headers", "parsed")
