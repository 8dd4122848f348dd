"""The allowed moves of a price-drop alert, as data. Anything not listed is refused."""

from .models import AlertStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.ARMED: frozenset({S.TRIGGERED}),  # the price reached the target (`alerts.price_alerts_check`)
    S.TRIGGERED: frozenset({S.ARMED}),  # the shopper re-armed it or set a new target
}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED.get(from_status, frozenset())
