"""A delivery's states, as data.

pending → pending (an attempt failed, the next one is scheduled) / delivered (a 2xx answer) /
failed (the last attempt failed, or the subscription was turned off). Delivered and failed are
final: sending again ("redeliver") makes a new delivery of the same event.
"""

from .models import DeliveryStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PENDING, S.DELIVERED, S.FAILED}),
    S.DELIVERED: frozenset(),
    S.FAILED: frozenset(),
}
