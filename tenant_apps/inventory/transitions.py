"""Allowed status moves of reservations and stocktakes, as data."""

from .models import ReservationStatus as R
from .models import StockTakeStatus as S

RESERVATION: dict[str, frozenset[str]] = {
    R.HELD: frozenset({R.COMMITTED, R.RELEASED}),
    R.COMMITTED: frozenset(),
    R.RELEASED: frozenset(),
}
STOCKTAKE: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.POSTED, S.CANCELLED}),
    S.POSTED: frozenset(),
    S.CANCELLED: frozenset(),
}
