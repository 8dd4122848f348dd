"""How many wrong pickup codes may be typed: per sub-order (guessing one buyer's code) and per
staff member (guessing across orders), within a window.

The counters live in Redis (one key each, expiring with the window; the cache's key function
puts the shop's schema in every key). Redis keeps nothing that cannot be rebuilt: a missing
counter is seeded from the `PickupAttempt` rows of the window, and when Redis is unreachable
the rows are counted instead, so a restart or an outage never resets anyone's tries.

Settings (defaults fit a store counter): FULFILMENT_PICKUP_TRIES_PER_ORDER (5),
FULFILMENT_PICKUP_TRIES_PER_STAFF (10), FULFILMENT_PICKUP_WINDOW_SECONDS (900).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

from .models import PickupAttempt

logger = logging.getLogger(__name__)


def per_order() -> int:
    return int(getattr(settings, "FULFILMENT_PICKUP_TRIES_PER_ORDER", 5))


def per_staff() -> int:
    return int(getattr(settings, "FULFILMENT_PICKUP_TRIES_PER_STAFF", 10))


def window_seconds() -> int:
    return int(getattr(settings, "FULFILMENT_PICKUP_WINDOW_SECONDS", 900))


@dataclass(frozen=True)
class WrongTries:
    order: int
    staff: int

    @property
    def left(self) -> int:
        return max(min(per_order() - self.order, per_staff() - self.staff), 0)

    @property
    def order_blocked(self) -> bool:
        return self.order >= per_order()

    @property
    def staff_blocked(self) -> bool:
        return self.staff >= per_staff()


def _order_key(number: str) -> str:
    return f"fulfilment:pickup-wrong:order:{number}"


def _staff_key(user_id: int) -> str:
    return f"fulfilment:pickup-wrong:staff:{user_id}"


def _wrong_in_window(**filters) -> Callable[[], int]:
    def count() -> int:
        since = timezone.now() - timedelta(seconds=window_seconds())
        return PickupAttempt.objects.filter(
            succeeded=False, created_at__gte=since, **filters
        ).count()

    return count


def _read(key: str, rows: Callable[[], int]) -> int:
    try:
        value = cache.get(key)
        if value is None:
            value = rows()
            cache.add(key, value, window_seconds())
        return int(value)
    except RedisError:
        logger.warning("pickup try counter unreadable; counting attempt rows", exc_info=True)
        return rows()


def _bump(key: str, rows: Callable[[], int]) -> int:
    """One more wrong try (its attempt row is already written)."""
    try:
        try:
            return int(cache.incr(key))
        except ValueError:  # expired meanwhile: start again from the rows, this one included
            value = rows()
            cache.add(key, value, window_seconds())
            return value
    except RedisError:
        logger.warning("pickup try counter not written; counting attempt rows", exc_info=True)
        return rows()


def wrong_tries(*, number: str, actor_user_id: int) -> WrongTries:
    return WrongTries(
        order=_read(_order_key(number), _wrong_in_window(sub_order_number=number)),
        staff=_read(_staff_key(actor_user_id), _wrong_in_window(actor_user_id=actor_user_id)),
    )


def count_wrong(*, number: str, actor_user_id: int) -> WrongTries:
    return WrongTries(
        order=_bump(_order_key(number), _wrong_in_window(sub_order_number=number)),
        staff=_bump(_staff_key(actor_user_id), _wrong_in_window(actor_user_id=actor_user_id)),
    )
