"""Allowed status moves of a standard product. A merge is a rejection that names the product
the proposal duplicates."""

from .models import StandardProductStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.ACTIVE, S.REJECTED}),
    S.ACTIVE: frozenset(),
    S.REJECTED: frozenset(),
}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED.get(from_status, frozenset())
