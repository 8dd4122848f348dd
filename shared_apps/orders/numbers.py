"""Order numbers: allocated by the platform, globally unique, never a shop schema's serial id.

`260122` + 10 digits of one PostgreSQL sequence: the date (Asia/Shanghai) makes numbers easy to
talk about on the phone, the sequence makes them unique across every shop and every process
without a lock. A sub-order's number is its order's number with `-1`, `-2` … after it.
"""

import secrets

from django.db import connection
from django.utils import timezone


def order_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('public.orders_number_seq')")
        (value,) = cursor.fetchone()
    return f"{timezone.localdate():%y%m%d}{value % 10**10:010d}"


def sub_order_number(order_number_: str, index: int) -> str:
    return f"{order_number_}-{index}"


def pickup_code() -> str:
    """Six random digits the buyer shows at the store (guessing is rate-limited there)."""
    return f"{secrets.randbelow(10**6):06d}"
