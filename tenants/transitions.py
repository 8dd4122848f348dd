"""A shop's lifecycle, as data: active ⇄ suspended, either → closed (exit, final)."""

from .models import ShopStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.ACTIVE: frozenset({S.SUSPENDED, S.CLOSED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.CLOSED}),
    S.CLOSED: frozenset(),
}
