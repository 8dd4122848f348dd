"""The report pages of the merchant console (I5), under /console/inventory/reports/, and the
chart on the console dashboard.

Each report is one page: the period (or day) and location form, the table one page at a time
with a totals row, and the same rows as CSV or XLSX (`?export=csv|xlsx`). Bad input is shown
on the form with status 400. The stock summary opens with the inventory section (warehouse
staff count stock); the reports with money in them need the reports section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from backend.api.errors import ServiceError
from backend.lib.money import format_cny
from tenant_apps.shop.access import ROLE_DENIED, console_page
from tenant_apps.shop.permissions import can
from tenant_apps.shop.views import _console

from . import report_exports, reports, selectors
from .report_exports import COLUMNS, LOCATION_COLUMNS, values

PAGE_SIZE = 50
FIELD_LABELS = {
    "date_from": gettext_lazy("From"),
    "date_to": gettext_lazy("To"),
    "as_of": gettext_lazy("At the end of"),
    "location": gettext_lazy("Location"),
}
EXPORT_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ReportPage:
    key: str
    title: str | Promise
    summary: str | Promise
    section: str
    url_name: str
    dated: str = "period"  # or "as_of"


REPORTS = {
    page.key: page
    for page in (
        ReportPage(
            "stock",
            gettext_lazy("Stock summary"),
            gettext_lazy("Opening, in, out and closing stock per SKU for a period."),
            "inventory",
            "shop:inventory-report-stock",
        ),
        ReportPage(
            "purchases",
            gettext_lazy("Purchases"),
            gettext_lazy("Units received and their cost, less returns to suppliers."),
            "reports",
            "shop:inventory-report-purchases",
        ),
        ReportPage(
            "sales",
            gettext_lazy("Sales"),
            gettext_lazy("Units sold, returns, revenue and cost of goods sold."),
            "reports",
            "shop:inventory-report-sales",
        ),
        ReportPage(
            "margin",
            gettext_lazy("Gross margin"),
            gettext_lazy("Revenue less cost of goods sold, per SKU."),
            "reports",
            "shop:inventory-report-margin",
        ),
        ReportPage(
            "valuation",
            gettext_lazy("Inventory valuation"),
            gettext_lazy("Units on hand at the end of a day × moving-average cost."),
            "reports",
            "shop:inventory-report-valuation",
            dated="as_of",
        ),
    )
}


def _open_reports(role: str) -> list[ReportPage]:
    return [page for page in REPORTS.values() if can(role, page.section)]


@require_safe
@console_page("dashboard")
def index(request):
    """The list of reports the caller's role opens; a role that opens none is refused."""
    pages = _open_reports(request.staff_member.role)
    if not pages:
        raise PermissionDenied(_(ROLE_DENIED))
    return _console(request, "inventory/console/reports.html", "reports", {"reports": pages})


def _build(key: str, params, location, *, by_supplier: bool):
    """(report, column key, what the form shows) for the page or a download."""
    if key == "valuation":
        as_of = reports.as_of_from(params)
        return reports.valuation(as_of=as_of, location=location), "valuation", {"as_of": as_of}
    period = reports.period_from(params)
    if key == "purchases" and by_supplier:
        return (
            reports.purchases_by_supplier(period=period, location=location),
            "purchases_by_supplier",
            {"period": period},
        )
    build = {
        "stock": reports.stock_summary,
        "purchases": reports.purchases,
        "sales": reports.sales,
        "margin": reports.margin,
    }[key]
    return build(period=period, location=location), key, {"period": period}


def _notes(key: str, report) -> list[str]:
    totals = report.totals
    notes = {
        "stock": [
            _(
                "Opening is the stock before the first day; closing = opening + in − out. Over all locations a "
                "transfer between locations is neither in nor out; choose a location to count it."
            )
        ],
        "purchases": [
            _(
                "Received units × the unit cost of each receipt, less purchase returns at their cost."
            )
        ],
        "sales": [
            _(
                "Revenue counts only sales that carry a sale price; “—” means no sale of the SKU had one. "
                "Sales without a price are left out of revenue and of the gross margin."
            ),
            _("Cost is the moving-average cost each sale recorded."),
        ],
        "margin": [
            _("Only sales with a known sale price are counted; sales without one are left out.")
        ],
        "valuation": [
            _(
                "Units on hand at the end of the day × moving-average cost (for a past day, the cost "
                "after the last receipt up to that day)."
            )
        ],
    }[key]
    if totals.get("unpriced_quantity"):
        notes.append(
            _("%(count)d units were sold without a known price: their revenue is unknown.")
            % {"count": totals["unpriced_quantity"]}
        )
    if totals.get("uncosted_quantity"):
        notes.append(
            _("%(count)d units had no known cost and count at zero cost.")
            % {"count": totals["uncosted_quantity"]}
        )
    if totals.get("uncosted_skus"):
        notes.append(
            _(
                "%(count)d SKUs have no cost yet: their value is unknown (“—”) and left out of the totals."
            )
            % {"count": totals["uncosted_skus"]}
        )
    return notes


def _cells(row: dict, columns) -> list[tuple[str, object]]:
    return [
        (column.kind, value) for column, value in zip(columns, values(row, columns), strict=True)
    ]


def _report(request, key: str):
    page_spec = REPORTS[key]
    q = request.GET
    by_supplier = key == "purchases" and q.get("group") == "supplier"
    context = {
        "report": page_spec,
        "reports": _open_reports(request.staff_member.role),
        "locations": selectors.locations(),
        "q": q,
        "errors": {},
        "by_supplier": by_supplier,
        # What was typed, shown again with the errors; replaced by the period shown when valid.
        "date_from": q.get("date_from", ""),
        "date_to": q.get("date_to", ""),
        "as_of": q.get("as_of", ""),
    }
    try:
        location = reports.location_from(q)
        report, columns_key, shown = _build(key, q, location, by_supplier=by_supplier)
    except ServiceError as exc:
        context["errors"] = exc.fields
        context["error_lines"] = [
            f"{FIELD_LABELS.get(name, name)}: {message}"
            for name, messages in exc.fields.items()
            for message in messages
        ]
        return _console(
            request,
            "inventory/console/reports_table.html",
            "reports",
            context,
            status=exc.status_code,
        )
    stem = f"report-{key}-" + (
        f"{shown['as_of']:%Y%m%d}"
        if "as_of" in shown
        else f"{shown['period'].date_from:%Y%m%d}-{shown['period'].date_to:%Y%m%d}"
    )
    if q.get("export") in EXPORT_FORMATS:
        return report_exports.download(key=columns_key, fmt=q["export"], report=report, stem=stem)
    columns = COLUMNS[columns_key]
    page = Paginator(report.rows, PAGE_SIZE).get_page(q.get("page"))
    rows = report.decorate(list(page.object_list))
    totals = _cells(report.totals, columns)
    totals[0] = ("label", _("Total"))
    query = q.copy()
    for name in ("page", "export"):
        query.pop(name, None)
    context.update(
        {
            "columns": columns,
            "rows": [_cells(row, columns) for row in rows],
            "totals": totals,
            "page": page,
            "query": query.urlencode(),
            "notes": _notes(key, report),
            "location": location,
            **(
                {
                    "date_from": shown["period"].date_from.isoformat(),
                    "date_to": shown["period"].date_to.isoformat(),
                }
                if "period" in shown
                else {"as_of": shown["as_of"].isoformat()}
            ),
            "location_columns": LOCATION_COLUMNS,
            "by_location": [_cells(row, LOCATION_COLUMNS) for row in report.by_location],
        }
    )
    return _console(request, "inventory/console/reports_table.html", "reports", context)


def _page_view(key: str):
    @require_safe
    @console_page(REPORTS[key].section)
    def view(request):
        return _report(request, key)

    view.__name__ = view.__qualname__ = f"report_{key}"
    return view


stock_summary = _page_view("stock")
purchases = _page_view("purchases")
sales = _page_view("sales")
margin = _page_view("margin")
valuation = _page_view("valuation")


# --- the dashboard chart -----------------------------------------------------------------------

CHART_DAYS = 30
# The drawing's own units: 320 wide is about the width a phone gives the card, so its text reads
# at about its nominal size there; on a desktop the two charts sit side by side and scale up.
WIDTH, HEIGHT = 320, 200
LEFT, RIGHT, TOP, BOTTOM = 50, 6, 28, 22
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _nice_ceiling(value: float, *, least: float) -> float:
    """A round top for the axis (1, 2, 4, 6, 8 or 10 × a power of ten) at or above `value`."""
    value = max(value, least)
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 4, 6, 8, 10) if step * magnitude >= value)


def _y(value: float, top: float) -> float:
    return round(TOP + PLOT_H - value / top * PLOT_H, 1)


def _axis(top: float, label) -> list[dict]:
    return [{"y": _y(top * f, top), "label": label(top * f, top)} for f in (0, 0.5, 1)]


def _x_labels(days: list[date], slot: float) -> list[dict]:
    last = len(days) - 1
    picks = [i for i in range(0, last, 7) if last - i >= 4] + [last]
    return [
        {
            "x": round(LEFT + slot * i + slot / 2, 1),
            "text": f"{days[i]:%m-%d}",
            "anchor": "start" if i == 0 else "end" if i == last else "middle",
        }
        for i in picks
    ]


def _units_label(value: float, top: float) -> str:
    return f"{value:g}"


def _money_label(value: float, top: float) -> str:
    if value == 0:
        return "¥0"
    return f"¥{value:,.0f}" if top >= 10 else f"¥{value:,.2f}"


def chart(series: list[dict], *, with_revenue: bool) -> dict:
    """Positions for the dashboard's SVG charts of `series` (reports.daily_flow): grouped bars
    of units in and out per day, and (with_revenue) a bar per day of the revenue of priced
    sales. Floats here only place shapes; the figures shown are the exact ones."""
    days = [row["day"] for row in series]
    slot = PLOT_W / len(series)
    bar = max(round(slot * 0.36, 1), 1.0)
    top = _nice_ceiling(max(max(r["in_quantity"], r["out_quantity"]) for r in series), least=2)
    flow = []
    for i, row in enumerate(series):
        middle = LEFT + slot * i + slot / 2
        y_in, y_out = _y(row["in_quantity"], top), _y(row["out_quantity"], top)
        flow.append(
            {
                "day": row["day"],
                "in": row["in_quantity"],
                "out": row["out_quantity"],
                "revenue": row["revenue"],
                "revenue_text": format_cny(row["revenue"]) if row["revenue"] is not None else "—",
                "x_in": round(middle - bar - 0.5, 1),
                "x_out": round(middle + 0.5, 1),
                "width": bar,
                "y_in": y_in,
                "h_in": round(TOP + PLOT_H - y_in, 1),
                "y_out": y_out,
                "h_out": round(TOP + PLOT_H - y_out, 1),
                "slot_x": round(LEFT + slot * i, 1),
                "slot_w": round(slot, 1),
            }
        )
    context = {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": TOP + PLOT_H,
        "plot_h": PLOT_H,
        "days": flow,
        "x_labels": _x_labels(days, slot),
        "flow_axis": _axis(top, _units_label),
        "total_in": sum(r["in_quantity"] for r in series),
        "total_out": sum(r["out_quantity"] for r in series),
        "first": days[0],
        "last": days[-1],
        "with_revenue": False,
    }
    revenues = [r["revenue"] for r in series if r["revenue"] is not None]
    if with_revenue and revenues:
        money_top = _nice_ceiling(float(max(max(revenues), 0)), least=1)
        width = max(round(slot * 0.6, 1), 1.0)
        for i, day in enumerate(flow):
            value = max(float(day["revenue"] or 0), 0)
            y = _y(value, money_top)
            day.update(
                {
                    "x_rev": round(LEFT + slot * i + (slot - width) / 2, 1),
                    "w_rev": width,
                    "y_rev": y,
                    "h_rev": round(TOP + PLOT_H - y, 1),
                }
            )
        context.update(
            {
                "with_revenue": True,
                "revenue_axis": _axis(money_top, _money_label),
                "total_revenue": sum(revenues),
            }
        )
    context["revenue_allowed"] = with_revenue
    return context


def dashboard_chart(role: str) -> dict | None:
    """The dashboard's last-30-days chart for a role that opens stock or reports (revenue only
    with reports), else None. One query."""
    if not (can(role, "inventory") or can(role, "reports")):
        return None
    return chart(reports.daily_flow(days=CHART_DAYS), with_revenue=can(role, "reports"))
