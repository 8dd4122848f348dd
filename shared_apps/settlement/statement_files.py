"""A statement (对账单) as a download for the shop: CSV and XLSX with the same figures.

Both hold a summary (the statement's number, period and totals, one per row) and every settled
line. Column keys and summary item keys are stable English words, so a spreadsheet or an ERP
import does not change with the reader's language; a label column next to the summary items is
in the reader's language. Amounts are numbers (CSV: plain `-12.50`, no currency sign or
thousands separator; XLSX: numeric cells formatted to two decimals), so a spreadsheet adds them.

- CSV: UTF-8 with a byte-order mark (Excel reads it as UTF-8 only then), the summary, one empty
  row, then the lines with their own header.
- XLSX: a "summary" sheet and a "lines" sheet, written by xlsxwriter in constant-memory mode to a
  temporary file that is then streamed.

The lines are read in chunks within the request, so nothing touches the database while the
response is sent.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .interface import STATEMENT_TOTALS, Rows, SettledLineRow, StatementDetail

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

# The statement's totals, in the order a statement shows them; the pages use the same labels.
TOTAL_LABELS = {
    "gross_sales": _("Gross sales"),
    "refunds": _("Refunds"),
    "commission": _("Commission"),
    "fees": _("Payment fees"),
    "platform_discounts": _("Platform-funded discounts"),
    "penalties": _("Penalties"),
    "adjustments": pgettext_lazy("ledger entry", "Adjustments"),
    "offline_commission": _("Commission on offline sales"),
    "deposits": _("Deposits"),
}
NET_LABEL = _("Net payable")
SUMMARY_HEADER = ["item", "label", "value"]
LINE_HEADER = ["sub_order", "sku_code", "title", "quantity", "net_paid", "platform_discount", "commission_rate",
               "commission", "version", "offline"]
MONEY_COLUMNS = frozenset({"net_paid", "platform_discount", "commission"})


def _when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else ""


def summary_rows(detail: StatementDetail, *, shop_name: str) -> list[list]:
    """[item, label, value] rows: text for the number and the period, Decimals for amounts."""
    st = detail.statement
    rows: list[list] = [
        ["statement", str(_("Statement")), st.number],
        ["shop", str(_("Shop")), shop_name],
        ["period_start", str(_("Period start")), _when(st.period_start)],
        ["period_end", str(_("Period end")), _when(st.period_end)],
    ]
    rows += [[key, str(TOTAL_LABELS[key]), getattr(st, key)] for key in STATEMENT_TOTALS]
    rows += [
        ["net_payable", str(NET_LABEL), st.net_payable],
        ["offline_sales", str(_("Sales paid to the shop directly")), st.offline_sales],
        ["line_count", str(_("Settled lines")), st.line_count],
        ["payout", str(_("Payout")), st.payout_number],
        ["payout_status", str(_("Payout status")), st.payout_status],  # the API's code: pending, sent, paid
    ]
    return rows


def line_cells(line: SettledLineRow) -> list:
    return [line.sub_order_number, line.sku_code, line.title, line.quantity, line.net_paid, line.platform_discount,
            line.commission_rate, line.commission, line.version, 1 if line.offline else 0]


def _csv_text(value) -> str:
    if isinstance(value, Decimal):
        return str(value)  # 249.92, -12.50, 0.0500: two (rates four) decimals as stored
    text = "" if value is None else str(value)
    # A text cell a spreadsheet would run as a formula (a title "=HYPERLINK(…)") gets a quote.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(detail: StatementDetail, lines: Rows, *, shop_name: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SUMMARY_HEADER)
    writer.writerows([_csv_text(v) for v in row] for row in summary_rows(detail, shop_name=shop_name))
    writer.writerow([])
    writer.writerow(LINE_HEADER)
    writer.writerows([_csv_text(v) for v in line_cells(line)] for line in lines)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{detail.statement.number}.csv"'
    return response


def _write_rows(sheet, header: list[str], rows: Iterable[list], formats: dict) -> None:
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, Decimal):
                fmt = formats["rate"] if header[c] == "commission_rate" else formats["money"]
                sheet.write_number(r, c, float(value), fmt)
            elif isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, "" if value is None else str(value))


def xlsx_response(detail: StatementDetail, lines: Rows, *, shop_name: str) -> FileResponse:
    """The workbook in a temporary file (a zip cannot be sent before it is complete), then
    streamed. Codes and titles are written as text, so leading zeros and formula-like titles
    stay as they are."""
    import xlsxwriter

    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    formats = {"money": workbook.add_format({"num_format": "0.00"}),
               "rate": workbook.add_format({"num_format": "0.00%"})}
    _write_rows(workbook.add_worksheet("summary"), SUMMARY_HEADER, summary_rows(detail, shop_name=shop_name),
                formats)
    _write_rows(workbook.add_worksheet("lines"), LINE_HEADER, (line_cells(line) for line in lines), formats)
    workbook.close()
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{detail.statement.number}.xlsx",
                        content_type=XLSX_TYPE)


def download(detail: StatementDetail, lines: Rows, *, fmt: str, shop_name: str) -> HttpResponse:
    """The statement as `fmt` ("csv" or "xlsx"; the caller has checked it)."""
    if fmt == "xlsx":
        return xlsx_response(detail, lines, shop_name=shop_name)
    return csv_response(detail, lines, shop_name=shop_name)
