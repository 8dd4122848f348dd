"""Writes of the price history (价格走势): a point when a group's lowest price moves, and one
snapshot per group and day. Reads are in `selectors.price_history`.

What counts: the lowest price of the group's in-stock offers in active shops (what a shopper could
buy now; null when there is none) and the number of its offers in active shops. Both are worked
out in the database, one statement for any number of groups.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from .selectors import CURRENT

# Two recorders of one group (a price hook and the sweep) would each see the old lowest price
# and both append the same change; they queue on this lock instead. Held for one short INSERT.
LOCK_ID = 0x43485054  # "CHPT"

RECORD_CHANGES = """
    WITH cur AS ({current}),
         last AS (SELECT DISTINCT ON (group_id) group_id, lowest_price
                    FROM comparison_pricepoint
                   {where}
                   ORDER BY group_id, at DESC, id DESC)
    INSERT INTO comparison_pricepoint (group_id, at, day, kind, lowest_price, offer_count)
    SELECT cur.group_id, %(at)s, %(day)s, 'change', cur.lowest, cur.offers
      FROM cur LEFT JOIN last ON last.group_id = cur.group_id
     WHERE last.group_id IS NULL OR last.lowest_price IS DISTINCT FROM cur.lowest
"""

RECORD_DAILY = """
    INSERT INTO comparison_pricepoint (group_id, at, day, kind, lowest_price, offer_count)
    SELECT cur.group_id, %(at)s, %(day)s, 'daily', cur.lowest, cur.offers FROM ({current}) cur
    ON CONFLICT (group_id, day) WHERE kind = 'daily' DO NOTHING
"""


@transaction.atomic
def price_points_record(*, group_ids: Iterable[int] | None) -> int:
    """Append a `change` point for each of these groups (None: every group) whose lowest price
    differs from its last point, or that has none yet. Returns the points written. One statement
    under a short lock."""
    where = ""
    params: dict = {}
    if group_ids is not None:
        params["ids"] = sorted({int(g) for g in group_ids})
        if not params["ids"]:
            return 0
        where = "WHERE {column} = ANY(%(ids)s)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
        at = timezone.now()  # after the lock: points of one group are appended in time order
        cursor.execute(RECORD_CHANGES.format(current=CURRENT.format(where=where.format(column="g.id")),
                                             where=where.format(column="group_id")),
                       {**params, "at": at, "day": timezone.localdate(at)})
        return cursor.rowcount


@transaction.atomic
def price_snapshot_daily() -> int:
    """Today's `daily` point for every group that has none yet (run again, it writes nothing).
    Returns the points written. One statement."""
    at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(RECORD_DAILY.format(current=CURRENT.format(where="")),
                       {"at": at, "day": timezone.localdate(at)})
        return cursor.rowcount
