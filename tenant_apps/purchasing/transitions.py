"""Allowed status moves of a purchase order, as data. A partially received order may still be
cancelled: that closes it short (what arrived stays received and can still be returned)."""

from .models import PurchaseOrderStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.ORDERED, S.CANCELLED}),
    S.ORDERED: frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED, S.CANCELLED}),
    S.PARTIALLY_RECEIVED: frozenset({S.RECEIVED, S.CANCELLED}),
    S.RECEIVED: frozenset(),
    S.CANCELLED: frozenset(),
}
