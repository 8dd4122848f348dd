"""Reads of a shop's stock for pages and API."""

from django.db import connection
from django.db.models import QuerySet

from .models import Location, LowStockThreshold, Reservation, StockBalance, StockMovement, StockTake


def locations() -> QuerySet[Location]:
    return Location.objects.all()


def balances(*, sku_code: str = "", location_id: int | None = None, only_in_stock: bool = False) -> QuerySet[StockBalance]:
    rows = StockBalance.objects.select_related("sku", "location").order_by("sku__code", "location__priority")
    if sku_code:
        rows = rows.filter(sku__code__icontains=sku_code)
    if location_id:
        rows = rows.filter(location_id=location_id)
    if only_in_stock:
        rows = rows.filter(on_hand__gt=0)
    return rows


def movements(*, sku_code: str = "", location_id: int | None = None, kind: str = "", reference: str = "") -> QuerySet[StockMovement]:
    rows = StockMovement.objects.select_related("sku", "location")
    if sku_code:
        rows = rows.filter(sku__code__icontains=sku_code)
    if location_id:
        rows = rows.filter(location_id=location_id)
    if kind:
        rows = rows.filter(kind=kind)
    if reference:
        rows = rows.filter(reference=reference)
    return rows


def stocktakes() -> QuerySet[StockTake]:
    return StockTake.objects.select_related("location")


def low_stock() -> list[dict]:
    """Thresholds whose SKU is now below them, per location or in total. Two queries."""
    thresholds = list(LowStockThreshold.objects.select_related("sku", "location"))
    sku_ids = {t.sku_id for t in thresholds}
    per = {(b["location_id"], b["sku_id"]): b["on_hand"] for b in
           StockBalance.objects.filter(sku_id__in=sku_ids).values("location_id", "sku_id", "on_hand")}
    totals: dict[int, int] = {}
    for (_loc, sku), n in per.items():
        totals[sku] = totals.get(sku, 0) + n
    out = []
    for t in thresholds:
        on_hand = totals.get(t.sku_id, 0) if t.location_id is None else per.get((t.location_id, t.sku_id), 0)
        if on_hand < t.threshold:
            out.append({"sku_id": t.sku_id, "sku_code": t.sku.code, "location_id": t.location_id,
                        "location_name": t.location.name if t.location else "", "threshold": t.threshold, "on_hand": on_hand})
    return out


def thresholds() -> QuerySet[LowStockThreshold]:
    return LowStockThreshold.objects.select_related("sku", "location")


def ledger_drift() -> list[dict]:
    """Balance rows whose on-hand differs from the sum of the ledger (and ledger sums with no
    balance row), plus rows whose reserved differs from the held reservations. Empty when sound."""
    b, m, r = (connection.ops.quote_name(x._meta.db_table) for x in (StockBalance, StockMovement, Reservation))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH led AS (SELECT location_id, sku_id, SUM(quantity) AS q FROM {m} GROUP BY 1, 2),
                 res AS (SELECT location_id, sku_id, SUM(quantity) AS q FROM {r} WHERE status = 'held' GROUP BY 1, 2)
            SELECT COALESCE(b.location_id, led.location_id), COALESCE(b.sku_id, led.sku_id),
                   COALESCE(b.on_hand, 0), COALESCE(led.q, 0), COALESCE(b.reserved, 0), COALESCE(res.q, 0)
            FROM {b} b
            FULL JOIN led ON led.location_id = b.location_id AND led.sku_id = b.sku_id
            LEFT JOIN res ON res.location_id = COALESCE(b.location_id, led.location_id)
                         AND res.sku_id = COALESCE(b.sku_id, led.sku_id)
            WHERE COALESCE(b.on_hand, 0) <> COALESCE(led.q, 0) OR COALESCE(b.reserved, 0) <> COALESCE(res.q, 0)
            ORDER BY 1, 2
            """
        )
        return [
            {"location_id": row[0], "sku_id": row[1], "on_hand": row[2], "ledger": row[3], "reserved": row[4], "held": row[5]}
            for row in cursor.fetchall()
        ]


