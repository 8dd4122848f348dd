"""What other apps (orders) may know and ask of payments. Plain frozen dataclasses out,
numbers and ids in: callers never see payment ORM rows.

Usage from orders:
    # AppConfig.ready()
    payable_register("checkout", on_paid=checkout_paid, on_refunded=refund_succeeded,
                     on_refund_failed=refund_failed)
    # in the checkout transaction
    payment = payment_open(kind="checkout", reference=checkout.number, number=parent_order_number, ...)
    redirect(payment.pay_url)

PROVIDERS is the providers available here (configured), read afresh each time; ALL_PROVIDERS
every code the mall knows ("sandbox", "alipay", "wechat", "offline").

The callbacks run inside the transaction that records the money (so their writes commit with
it, and an exception in them rolls it back and the provider is answered "try again"):
    on_paid(reference, PaymentData) -> bool: True = accepted. False = the payable can no longer
        take it (e.g. the checkout expired): the payment stays recorded as paid and a full
        refund is started automatically (reason in PaymentData.auto_refund_reason). A payment
        that was closed (payment_close) does not call on_paid at all and is refunded the same way.
    on_refunded(reference, RefundData) -> None: a refund asked for by refund_request succeeded
        (automatic refunds are not reported: the payable never took that money).
    on_refund_failed(reference, RefundData) -> None: the provider refused such a refund for good
        (RefundData.failure_reason says why); the money is still with the platform.
"""

from datetime import datetime
from decimal import Decimal

from . import providers, services
from .models import Payment, Refund
from .providers import ALL_PROVIDERS, PROVIDERS, enabled_codes
from .records import PaymentData, RefundData, payment_data, refund_data
from .registry import payable_register

__all__ = [
    "ALL_PROVIDERS",
    "PROVIDERS",
    "PaymentData",
    "RefundData",
    "enabled_codes",
    "offline_confirm",
    "offline_refund_confirm",
    "pay_urls",
    "payable_register",
    "payment_close",
    "payment_get",
    "payment_lock",
    "payment_open",
    "refund_get",
    "refund_request",
]


def payment_open(*, kind: str, reference: str, number: str, amount: Decimal, subject: str, provider: str,
                 expires_at: datetime, user_id: int | None) -> PaymentData:
    """Open (or, same number again, return) a payment. 400 on bad input, 409 when the number
    was used for another kind, reference, amount or provider. See services.payment_open."""
    return payment_data(services.payment_open(
        kind=kind, reference=reference, number=number, amount=amount, subject=subject, provider=provider,
        expires_at=expires_at, user_id=user_id))


def payment_get(*, number: str) -> PaymentData | None:
    payment = Payment.objects.filter(number=number).first()
    return payment_data(payment) if payment else None


def payment_lock(*, number: str) -> PaymentData:
    """Lock a payment's row until the end of the transaction (404 if there is none). A caller
    that changes what is owed on a payment takes this lock first, so it queues behind and ahead
    of the provider's notifications in one order (payment, then order rows) and cannot deadlock
    with them."""
    return payment_data(services.payment_locked(number))


def split_transfer(*, provider: str, out_request_no: str, receiver: str, amount: Decimal):
    """Settle-to-merchant (分账): pay `amount` the provider holds for the platform on to
    `receiver`. Returns providers.base.SplitResult; raises ProviderError when the provider cannot
    answer now."""
    return providers.get(provider).split_transfer(out_request_no=out_request_no, receiver=receiver, amount=amount)


def pay_urls(*, numbers) -> dict[str, str]:
    """Where to pay each of these payments (number → URL), in one query; "" for offline ones."""
    return dict(Payment.objects.filter(number__in=list(numbers)).values_list("number", "pay_url"))


def payment_close(*, number: str, reason: str = "") -> PaymentData:
    """The payable expired or was cancelled: no more paying. 409 `already_paid` if paid."""
    return payment_data(services.payment_close(number=number, reason=reason))


def offline_confirm(*, number: str, actor_user_id: int, note: str = "") -> PaymentData:
    """The merchant took the money at the counter or saw the bank transfer."""
    return payment_data(services.offline_confirm(number=number, actor_user_id=actor_user_id, note=note))


def refund_request(*, number: str, amount: Decimal, refund_no: str, reason: str) -> RefundData:
    """Refund part or all of a paid payment; idempotent on refund_no. See services.refund_request."""
    return refund_data(services.refund_request(number=number, amount=amount, refund_no=refund_no, reason=reason))


def refund_get(*, refund_no: str) -> RefundData | None:
    refund = Refund.objects.select_related("payment").filter(refund_no=refund_no).first()
    return refund_data(refund) if refund else None


def offline_refund_confirm(*, refund_no: str, actor_user_id: int, note: str = "") -> RefundData:
    """The merchant handed back the money of an offline payment's refund."""
    return refund_data(services.offline_refund_confirm(refund_no=refund_no, actor_user_id=actor_user_id, note=note))
