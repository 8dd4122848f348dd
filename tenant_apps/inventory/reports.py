"""Reports of a shop's stock (进销存报表, I5): purchases, sales, stock summary (opening, in, out,
closing), inventory valuation and gross margin, and the dashboard's daily flow.

Every figure is a SQL aggregate over the ledger (`StockMovement`): conditional sums grouped by
SKU, so a report costs the same few queries whether the shop has ten SKUs or a hundred thousand,
and nothing here walks movements in Python. A report is a queryset of row dicts (ordered, for
the caller to paginate) and one totals dict.

Periods are whole days in the shop's time zone, Asia/Shanghai: [date_from 00:00, date_to + 1
day 00:00). Money is Decimal throughout:

- purchases are received quantity × the receipt's unit cost, less purchase returns;
- a sale's revenue is −quantity × its sale price (`unit_price`), a sale return's the opposite;
  sales without a price are counted as units but their revenue is unknown and left out of
  revenue and margin;
- a sale's cost is the moving-average cost it recorded, or the SKU's current cost when it
  recorded none (sales posted before costs were kept);
- valuation is on-hand × moving-average cost: the SKU's current cost as of today, for a past
  date the cost after the last receipt up to that date (the current cost when there was none).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import ServiceError

from .models import Location, MovementKind, StockMovement

REPORT_TZ = ZoneInfo("Asia/Shanghai")
MAX_DAYS = 366
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
MONEY = DecimalField(max_digits=18, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)
PERCENT = Decimal("0.01")

K = MovementKind
RECEIPTS = Q(kind=K.PURCHASE_RECEIPT)
PURCHASE_RETURNS = Q(kind=K.PURCHASE_RETURN)
PURCHASES = Q(kind__in=[K.PURCHASE_RECEIPT, K.PURCHASE_RETURN])
SALES = Q(kind__in=[K.SALE, K.SALE_RETURN])
PRICED = SALES & Q(unit_price__isnull=False)
UNCOSTED = Q(unit_cost__isnull=True, sku__cost_price__isnull=True)
TRANSFERS = Q(kind__in=[K.TRANSFER_OUT, K.TRANSFER_IN])

# Amounts per movement, signed so that what a report adds up is positive in the usual case.
AT_COST = ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=MONEY)
REVENUE = ExpressionWrapper(-F("quantity") * F("unit_price"), output_field=MONEY)
SALE_COST = ExpressionWrapper(
    -F("quantity") * Coalesce(F("unit_cost"), F("sku__cost_price"), output_field=MONEY),
    output_field=MONEY,
)
# A receipt's reference is "<order number>-R<id>", a purchase return's "<order number>-T<id>".
ORDER_SUFFIX = r"-[RT][0-9]+$"
SKU_COLUMNS = {"sku_code": F("sku__code"), "title": F("sku__product__title")}


# --- input -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days in the shop's time zone, both ends included."""

    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return day_start(self.date_from)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return day_start(self.date_to + timedelta(days=1))


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=REPORT_TZ)


def today() -> date:
    return timezone.now().astimezone(REPORT_TZ).date()


def _refuse(field_name: str, message: str):
    raise ServiceError(f"{field_name}: {message}", fields={field_name: [message]})


def _date(value, field_name: str) -> date:
    text = str(value or "").strip()
    try:
        if not ISO_DAY.fullmatch(text):  # fromisoformat would also take 20260101 and 2026-W01-1
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        _refuse(field_name, _("Enter a date as YYYY-MM-DD."))
    if not EARLIEST <= day <= LATEST:
        _refuse(field_name, _("Enter a date from 2000-01-01 to 2099-12-31."))
    return day


def period_from(params: Mapping) -> Period:
    """The period a request asks for: `date_from` and `date_to` (YYYY-MM-DD), both or neither
    (neither: this month up to today). 400 naming the field when a date is missing or not a date,
    the start is after the end, or the period is longer than 366 days."""
    raw_from = str(params.get("date_from") or "").strip()
    raw_to = str(params.get("date_to") or "").strip()
    if not raw_from and not raw_to:
        now = today()
        return Period(now.replace(day=1), now)
    if not raw_from or not raw_to:
        _refuse(
            "date_to" if raw_from else "date_from",
            _("Enter both dates, or neither for this month."),
        )
    period = Period(_date(raw_from, "date_from"), _date(raw_to, "date_to"))
    if period.date_from > period.date_to:
        _refuse("date_from", _("The first day must not be after the last day."))
    if (period.date_to - period.date_from).days + 1 > MAX_DAYS:
        _refuse("date_to", _("A report covers at most %(days)d days.") % {"days": MAX_DAYS})
    return period


def as_of_from(params: Mapping) -> date:
    """The day a valuation is taken at the end of (`as_of`, YYYY-MM-DD; default today)."""
    raw = str(params.get("as_of") or "").strip()
    return _date(raw, "as_of") if raw else today()


def location_from(params: Mapping) -> Location | None:
    """The location a report is narrowed to (`location`, an id), or None for all. 400 when it
    is not an id of this shop's locations."""
    raw = str(params.get("location") or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        _refuse("location", _("Choose a location."))
    location = Location.objects.filter(pk=int(raw)).first()
    if location is None:
        _refuse("location", _("Unknown location."))
    return location


# --- the reports -------------------------------------------------------------------------------


def _same(rows: list[dict]) -> list[dict]:
    return rows


@dataclass(frozen=True)
class Report:
    """`rows`: a queryset of dicts in display order, to paginate; `decorate` completes a page
    of them (figures derived from the sums); `totals`: the same sums over every row."""

    rows: QuerySet | list[dict]
    totals: dict
    decorate: Callable[[list[dict]], list[dict]] = _same
    by_location: list[dict] = field(default_factory=list)

    def all_rows(self) -> list[dict]:
        return self.decorate(list(self.rows))


def _units(condition: Q, *, out: bool = False):
    """Sum of quantities matching `condition` (negated for `out`, so units out count up)."""
    return Coalesce(Sum(-F("quantity") if out else F("quantity"), filter=condition), 0)


def _amount(expression, condition: Q):
    return Coalesce(Sum(expression, filter=condition), ZERO)


def _ledger(location: Location | None) -> QuerySet[StockMovement]:
    rows = StockMovement.objects.all()
    return rows.filter(location=location) if location is not None else rows


def _during(period: Period) -> Q:
    return Q(created_at__gte=period.start, created_at__lt=period.end)


def _purchase_sums() -> dict:
    return {
        "received_quantity": _units(RECEIPTS),
        "received_amount": _amount(AT_COST, RECEIPTS),
        "returned_quantity": _units(PURCHASE_RETURNS, out=True),
        "returned_amount": _amount(-AT_COST, PURCHASE_RETURNS),
        "net_quantity": _units(PURCHASES),
        "net_amount": _amount(AT_COST, PURCHASES),
    }


def purchases(*, period: Period, location: Location | None = None) -> Report:
    """Per SKU: units received (purchase receipts) and their cost, units returned to suppliers
    and theirs, and the net of both. Two queries (rows, totals)."""
    moves = _ledger(location).filter(_during(period), PURCHASES)
    return Report(
        rows=moves.values("sku_id", **SKU_COLUMNS)
        .annotate(**_purchase_sums())
        .order_by("sku_code", "sku_id"),
        totals=moves.aggregate(**_purchase_sums()),
    )


def purchases_by_supplier(*, period: Period, location: Location | None = None) -> Report:
    """The purchases report per supplier: a movement's reference names its receipt or return
    ("PO-20260101-0001-R12", "…-T3"), whose purchase order names the supplier. Receipts posted
    without a purchase order (through the ledger API) come under no supplier (None, last).
    Sums per reference, then per supplier over those: two queries, rows as a list (one per
    supplier)."""
    from tenant_apps.purchasing.models import PurchaseOrder, Supplier

    moves = _ledger(location).filter(_during(period), PURCHASES)
    sums = list(_purchase_sums())
    inner, params = (
        moves.values("reference").annotate(**_purchase_sums()).order_by().query.sql_with_params()
    )
    orders, suppliers = (
        connection.ops.quote_name(m._meta.db_table) for m in (PurchaseOrder, Supplier)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.supplier_id, s.code, s.name, "
            + ", ".join(
                f"SUM(r.{name})::bigint" if name.endswith("_quantity") else f"SUM(r.{name})"
                for name in sums
            )
            + " "
            f"FROM ({inner}) AS r "
            f"LEFT JOIN {orders} o ON o.number = regexp_replace(r.reference, %s, '') "
            f"LEFT JOIN {suppliers} s ON s.id = o.supplier_id "
            "GROUP BY o.supplier_id, s.code, s.name ORDER BY s.name NULLS LAST, o.supplier_id NULLS LAST",
            [*params, ORDER_SUFFIX],
        )
        rows = [
            dict(zip(["supplier_id", "supplier_code", "supplier_name", *sums], row, strict=True))
            for row in cursor.fetchall()
        ]
    return Report(rows=rows, totals=moves.aggregate(**_purchase_sums()))


def _sales_sums() -> dict:
    return {
        "sold_quantity": _units(Q(kind=K.SALE), out=True),
        "returned_quantity": _units(Q(kind=K.SALE_RETURN)),
        "net_quantity": _units(SALES, out=True),
        "unpriced_quantity": _units(SALES & Q(unit_price__isnull=True), out=True),
        "revenue": Sum(REVENUE, filter=PRICED),  # None: no sale with a known price
        "cost": _amount(SALE_COST, SALES),
        "uncosted_quantity": _units(SALES & UNCOSTED, out=True),
    }


def sales(*, period: Period, location: Location | None = None) -> Report:
    """Per SKU: units sold, returned by buyers and net; revenue of the sales with a known price
    (None when none had one) and the units without one; cost of goods sold at the cost each
    sale recorded. Two queries."""
    moves = _ledger(location).filter(_during(period), SALES)
    return Report(
        rows=moves.values("sku_id", **SKU_COLUMNS)
        .annotate(**_sales_sums())
        .order_by("sku_code", "sku_id"),
        totals=moves.aggregate(**_sales_sums()),
    )


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole as a percentage to two decimals, half-up; None when whole is 0 or unknown."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


def _with_margin(row: dict) -> dict:
    row["margin"] = row["revenue"] - row["cost"]
    row["margin_percent"] = percent(row["margin"], row["revenue"])
    return row


def _margin_sums() -> dict:
    return {
        "net_quantity": _units(PRICED, out=True),
        "revenue": _amount(REVENUE, PRICED),
        "cost": _amount(SALE_COST, PRICED),
        "uncosted_quantity": _units(PRICED & UNCOSTED, out=True),
    }


def margin(*, period: Period, location: Location | None = None) -> Report:
    """Gross margin (毛利) per SKU over the sales with a known price: revenue − cost of goods
    sold, and the margin as a percentage of revenue. Units with no known cost at all count at
    zero cost (`uncosted_quantity` says how many). Two queries."""
    moves = _ledger(location).filter(_during(period), PRICED)
    return Report(
        rows=moves.values("sku_id", **SKU_COLUMNS)
        .annotate(**_margin_sums())
        .order_by("sku_code", "sku_id"),
        totals=_with_margin(moves.aggregate(**_margin_sums())),
        decorate=lambda rows: [_with_margin(row) for row in rows],
    )


def _summary_sums(period: Period, *, overall: bool) -> dict:
    during = _during(period)
    # Over all locations a transfer moves nothing in or out of the shop: its two halves cancel,
    # and counting them would inflate both columns. Per location they are real ins and outs.
    moving = during & ~TRANSFERS if overall else during
    return {
        "opening": _units(Q(created_at__lt=period.start)),
        "in_quantity": _units(moving & Q(quantity__gt=0)),
        "out_quantity": _units(moving & Q(quantity__lt=0), out=True),
        **{kind: _units(during & Q(kind=kind)) for kind in K.values},
    }


def _with_closing(row: dict) -> dict:
    row["closing"] = row["opening"] + row["in_quantity"] - row["out_quantity"]
    return row


def stock_summary(*, period: Period, location: Location | None = None) -> Report:
    """Per SKU (at one location or over all): opening stock (everything before the period),
    units in and out during it, closing = opening + in − out, and the period's net change by
    movement kind. SKUs with neither stock at the start nor movements in the period are left
    out. Two queries."""
    moves = _ledger(location).filter(created_at__lt=period.end)
    sums = _summary_sums(period, overall=location is None)
    rows = (
        moves.values("sku_id", **SKU_COLUMNS)
        .annotate(**sums, moved=Count("id", filter=_during(period)))
        .filter(~Q(opening=0) | Q(moved__gt=0))
        .annotate(closing=F("opening") + F("in_quantity") - F("out_quantity"))
        .order_by("sku_code", "sku_id")
    )
    return Report(rows=rows, totals=_with_closing(moves.aggregate(**sums)))


def _cost_as_of(as_of: date, end: datetime):
    if as_of >= today():
        return F("sku__cost_price")
    from tenant_apps.purchasing.models import ReceiptLine

    last = (
        ReceiptLine.objects.filter(
            order_line__sku_id=OuterRef("sku_id"), receipt__created_at__lt=end
        )
        .order_by("-receipt__created_at", "-pk")
        .values("cost_after")[:1]
    )
    return Coalesce(Subquery(last), F("sku__cost_price"), output_field=MONEY)


def valuation(*, as_of: date, location: Location | None = None) -> Report:
    """Inventory valuation (库存估值) at the end of `as_of`: per SKU the units on hand (the
    ledger up to then) × moving-average cost; `by_location` holds the totals per location and
    the totals are over all of them. A SKU with no cost at all has no value (None) and is
    counted in `uncosted_skus`. Three queries."""
    end = day_start(as_of + timedelta(days=1))
    moves = _ledger(location).filter(created_at__lt=end)
    cost = _cost_as_of(as_of, end)
    rows = (
        moves.values("sku_id", average_cost=cost, **SKU_COLUMNS)
        .annotate(on_hand=Sum("quantity"))
        .filter(~Q(on_hand=0))
        .annotate(value=ExpressionWrapper(F("on_hand") * F("average_cost"), output_field=MONEY))
        .order_by("sku_code", "sku_id")
    )
    per_pair = (
        moves.values("location_id", "sku_id", average_cost=cost)
        .annotate(on_hand=Sum("quantity"))
        .filter(~Q(on_hand=0))
        .order_by()
    )
    inner, params = per_pair.query.sql_with_params()
    with connection.cursor() as cursor:
        # One pass over the (location, SKU) sums: a row per location and, with location_id NULL,
        # the row over all of them.
        cursor.execute(
            "SELECT location_id, COALESCE(SUM(on_hand), 0)::bigint, COALESCE(SUM(on_hand * average_cost), 0), "
            "COUNT(DISTINCT sku_id) FILTER (WHERE average_cost IS NULL) "
            f"FROM ({inner}) AS pairs GROUP BY GROUPING SETS ((location_id), ())",
            params,
        )
        sums = {
            row[0]: {"on_hand": row[1], "value": Decimal(row[2]), "uncosted_skus": row[3]}
            for row in cursor.fetchall()
        }
    totals = sums.pop(None, None) or {"on_hand": 0, "value": Decimal("0.00"), "uncosted_skus": 0}
    by_location = [
        {
            "location_id": loc.pk,
            "location_code": loc.code,
            "location_name": loc.name,
            **sums[loc.pk],
        }
        for loc in Location.objects.filter(pk__in=list(sums))
    ]
    return Report(rows=rows, totals=totals, by_location=by_location)


# --- the dashboard -----------------------------------------------------------------------------


def daily_flow(*, days: int = 30, last: date | None = None) -> list[dict]:
    """Units into and out of the shop per day for the `days` days up to `last` (default today),
    transfers left out, and the revenue of the sales with a known price (None on days without
    one). One query; every day is present, quiet days with zeros."""
    last = last or today()
    first = last - timedelta(days=days - 1)
    period = Period(first, last)
    flow = (
        StockMovement.objects.filter(_during(period))
        .exclude(TRANSFERS)
        .annotate(day=TruncDate("created_at", tzinfo=REPORT_TZ))
        .values("day")
        .annotate(
            in_quantity=_units(Q(quantity__gt=0)),
            out_quantity=_units(Q(quantity__lt=0), out=True),
            revenue=Sum(REVENUE, filter=PRICED),
        )
        .order_by("day")
    )
    by_day = {row["day"]: row for row in flow}
    out = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day, {})
        out.append(
            {
                "day": day,
                "in_quantity": row.get("in_quantity", 0),
                "out_quantity": row.get("out_quantity", 0),
                "revenue": row.get("revenue"),
            }
        )
    return out


__all__ = [
    "MAX_DAYS",
    "REPORT_TZ",
    "Period",
    "Report",
    "as_of_from",
    "daily_flow",
    "location_from",
    "margin",
    "percent",
    "period_from",
    "purchases",
    "purchases_by_supplier",
    "sales",
    "stock_summary",
    "today",
    "valuation",
]
