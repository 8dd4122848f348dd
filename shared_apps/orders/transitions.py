"""Allowed status moves of a sub-order, as data (SPEC O5). "In transit" and the like are
tracking events of a shipment, not states."""

from .models import SubOrderStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED, S.COMPLETED}),  # completed: paid at pickup
    S.PAID: frozenset({S.CONFIRMED, S.SHIPPED, S.CANCELLED, S.COMPLETED}),  # completed: picked up
    S.CONFIRMED: frozenset({S.SHIPPED, S.CANCELLED, S.COMPLETED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.COMPLETED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED.get(from_status, frozenset())
