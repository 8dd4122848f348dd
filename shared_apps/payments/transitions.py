"""The allowed moves of payments and refunds, as data. Anything not listed is refused.

A failed or cancelled attempt is not the end: the shopper may try again on the provider's page
until the payable closes the payment. A closed payment can still become succeeded, because
money can reach the provider just before the close reaches it; that payment is then refunded
in full automatically (services._record_success).
"""

from .models import PaymentStatus as P
from .models import RefundStatus as R

PAYMENT_ALLOWED: dict[str, frozenset[str]] = {
    P.PENDING: frozenset({P.SUCCEEDED, P.FAILED, P.CANCELLED, P.CLOSED}),
    P.FAILED: frozenset({P.SUCCEEDED, P.CANCELLED, P.CLOSED, P.PENDING}),
    P.CANCELLED: frozenset({P.SUCCEEDED, P.FAILED, P.CLOSED, P.PENDING}),
    P.CLOSED: frozenset({P.SUCCEEDED}),
    P.SUCCEEDED: frozenset(),
}

REFUND_ALLOWED: dict[str, frozenset[str]] = {
    R.PENDING: frozenset({R.SUCCEEDED, R.FAILED}),
    R.SUCCEEDED: frozenset(),
    R.FAILED: frozenset(),
}

# Payments that may still turn into money: what reconciliation asks providers about.
OPEN = (P.PENDING, P.FAILED, P.CANCELLED)


def can_move_payment(from_status: str, to_status: str) -> bool:
    return to_status in PAYMENT_ALLOWED.get(from_status, frozenset())


def can_move_refund(from_status: str, to_status: str) -> bool:
    return to_status in REFUND_ALLOWED.get(from_status, frozenset())
