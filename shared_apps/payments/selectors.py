"""Reads for payments."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from backend.lib.money import MoneyField

from .models import Payment, RefundStatus


def payments_of(*, user_id: int) -> QuerySet[Payment]:
    return Payment.objects.filter(user_id=user_id)


def payment_for_owner(*, number: str, user_id: int) -> Payment | None:
    """The shopper's own payment with its refunds and `refunded_total`; None for anyone else's
    (callers answer 404)."""
    refunded = Sum("refunds__amount", filter=Q(refunds__status=RefundStatus.SUCCEEDED))
    return (payments_of(user_id=user_id).filter(number=number)
            .annotate(refunded_total=Coalesce(refunded, Value(Decimal("0.00")), output_field=MoneyField()))
            .prefetch_related("refunds").first())


def payment_for_page(*, number: str, user) -> Payment | None:
    """A payment for the pay and result pages: a guest payment (no user) is shown to whoever
    has its number, like a provider's cashier; a shopper's only to that shopper."""
    payment = Payment.objects.filter(number=number).first()
    if payment is None:
        return None
    if payment.user_id is not None and (not user.is_authenticated or user.pk != payment.user_id):
        return None
    return payment
