"""The columns of each stock report (I5), shared by the console table and the downloads, and the
CSV/XLSX downloads themselves.

A download holds the same rows as the page (every page of them) and the totals as a last row
whose first cell is TOTAL. Headers are the stable column keys, not the translated labels, so a
spreadsheet or an ERP import does not change with the reader's language. The files are written
by the catalog export's `csv_response`/`xlsx_response` (BOM for Excel, xlsxwriter in
constant-memory mode); rows are read in the request, so nothing touches the database while
the response streams.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenant_apps.catalog.exports import csv_response, xlsx_response

from .models import MovementKind
from .reports import Report

TOTAL = "TOTAL"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str  # text, units, money, percent


SKU_COLUMNS = (Column("sku_code", _("SKU"), "text"), Column("title", _("Product"), "text"))
PURCHASE_FIGURES = (
    Column("received_quantity", pgettext_lazy("report column", "Received"), "units"),
    Column("received_amount", _("Received amount"), "money"),
    Column(
        "returned_quantity",
        pgettext_lazy("report column: purchase", "Returned to supplier"),
        "units",
    ),
    Column("returned_amount", _("Returned amount"), "money"),
    Column("net_quantity", _("Net units"), "units"),
    Column("net_amount", _("Net amount"), "money"),
)
COLUMNS: dict[str, tuple[Column, ...]] = {
    "purchases": SKU_COLUMNS + PURCHASE_FIGURES,
    "purchases_by_supplier": (
        Column("supplier_code", _("Supplier code"), "text"),
        Column("supplier_name", _("Supplier"), "text"),
        *PURCHASE_FIGURES,
    ),
    "sales": SKU_COLUMNS
    + (
        Column("sold_quantity", pgettext_lazy("report column", "Sold"), "units"),
        Column(
            "returned_quantity", pgettext_lazy("report column: sale", "Returned by buyers"), "units"
        ),
        Column("net_quantity", _("Net units"), "units"),
        Column("revenue", _("Revenue"), "money"),
        Column("unpriced_quantity", _("Units without a price"), "units"),
        Column("cost", _("Cost of goods sold"), "money"),
    ),
    "stock": SKU_COLUMNS
    + (
        Column("opening", pgettext_lazy("stock", "Opening"), "units"),
        Column("in_quantity", pgettext_lazy("stock", "In"), "units"),
        Column("out_quantity", pgettext_lazy("stock", "Out"), "units"),
        Column("closing", pgettext_lazy("stock", "Closing"), "units"),
        *(Column(value, label, "units") for value, label in MovementKind.choices),
    ),
    "valuation": SKU_COLUMNS
    + (
        Column("on_hand", _("On hand"), "units"),
        Column("average_cost", _("Average cost"), "money"),
        Column("value", pgettext_lazy("stock value", "Value"), "money"),
    ),
    "margin": SKU_COLUMNS
    + (
        Column("net_quantity", _("Net units"), "units"),
        Column("revenue", _("Revenue"), "money"),
        Column("cost", _("Cost of goods sold"), "money"),
        Column("margin", _("Gross margin"), "money"),
        Column("margin_percent", _("Margin %"), "percent"),
    ),
}
LOCATION_COLUMNS = (
    Column("location_code", _("Code"), "text"),
    Column("location_name", _("Location"), "text"),
    Column("on_hand", _("On hand"), "units"),
    Column("value", pgettext_lazy("stock value", "Value"), "money"),
)


def values(row: dict, columns: tuple[Column, ...]) -> list:
    """A row's cells in column order; an unknown figure (None) stays None."""
    return [row.get(column.key) for column in columns]


def _cells(row: dict, columns: tuple[Column, ...]) -> list:
    return ["" if value is None else value for value in values(row, columns)]


def download(*, key: str, fmt: str, report: Report, stem: str):
    """The report's rows and totals as a CSV (streamed) or XLSX file."""
    columns = COLUMNS[key]
    header = [column.key for column in columns]
    rows = [_cells(row, columns) for row in report.all_rows()]
    total = _cells(report.totals, columns)
    total[0] = TOTAL
    rows.append(total)
    if fmt == "xlsx":
        return xlsx_response(
            stem, header, rows, text_columns=[c.key for c in columns if c.kind == "text"]
        )
    return csv_response(stem, header, rows)
