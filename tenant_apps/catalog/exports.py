"""Exports of a shop's catalog and stock as CSV or XLSX (C4, 批量导出).

The catalog export has the import's columns, one row per active SKU, so a file exported from
one shop imports into another as the same products (and into the same shop as updates by SKU
code). CSV is streamed row by row with a BOM (Excel then reads UTF-8); XLSX is written with
xlsxwriter in constant-memory mode to a temporary file that is then streamed.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.inventory import selectors as inventory_selectors

from .imports import COLUMNS
from .models import SKU, ImportJob, Product

STOCK_COLUMNS = ("sku_code", "title", "spec", "location_code", "location_name", "on_hand", "reserved", "available")
ERROR_COLUMNS = ("row", "column", "message")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _money(value) -> str:
    return "" if value is None else f"{value:.2f}"


def spec_text(spec: dict) -> str:
    return ";".join(f"{k}={v}" for k, v in (spec or {}).items())


def catalog_rows() -> Iterator[list[str]]:
    """One row per active SKU, products oldest first, in the import's column order."""
    products = Product.objects.prefetch_related("shop_categories", _active_skus())
    for product in _batches(products, 500):
        categories = ";".join(c.name for c in product.shop_categories.all())
        base = {
            "product_ref": f"P{product.pk}", "title": product.title, "subtitle": product.subtitle,
            "brand": product.brand, "model": product.model,
            "platform_category_id": "" if product.platform_category_id is None else str(product.platform_category_id),
            "shop_category": categories, "description": product.description, "tags": ",".join(product.tags or []),
            "tax_code": product.tax_code, "tax_rate": "" if product.tax_rate is None else f"{product.tax_rate:.2f}",
            "weight_grams": str(product.weight_grams),
        }
        for sku in product.skus.all():
            row = {**base, "sku_code": sku.code, "gtin": sku.gtin, "spec": spec_text(sku.spec),
                   "market_price": _money(sku.market_price), "sale_price": _money(sku.sale_price),
                   "member_price": _money(sku.member_price), "cost_price": _money(sku.cost_price)}
            yield [row[c] for c in COLUMNS]


def _active_skus():
    from django.db.models import Prefetch

    return Prefetch("skus", queryset=SKU.objects.filter(is_active=True).order_by("sort", "pk"))


def stock_rows() -> Iterator[list]:
    """One row per SKU × location balance: on hand, reserved, available."""
    for balance in _batches(inventory_selectors.balances().select_related("sku__product"), 2000):
        yield [balance.sku.code, balance.sku.product.title, spec_text(balance.sku.spec), balance.location.code,
               balance.location.name, balance.on_hand, balance.reserved, balance.available]


def _batches(queryset, size: int) -> Iterator:
    """Rows in primary-key order, `size` at a time (keyset paging: no server-side cursor, so it
    works through a connection pooler and while the response streams)."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        yield from batch
        if len(batch) < size:
            return
        last = batch[-1].pk


def error_rows(job: ImportJob) -> Iterator[list]:
    for error in job.errors:
        yield [error.get("row"), error.get("column"), error.get("message")]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(header: Iterable[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(list(header))
    for row in rows:
        yield writer.writerow(row)


def _filename(stem: str, ext: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


def csv_response(stem: str, header, rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    return response


def xlsx_response(stem: str, header, rows, *, text_columns: Iterable[str] = ()) -> FileResponse:
    """The workbook in a temporary file (a zip cannot be streamed before it is complete), then
    streamed. Codes and barcodes are written as text so leading zeros survive."""
    import xlsxwriter

    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet()
    header = list(header)
    sheet.write_row(0, 0, header)
    as_text = {header.index(c) for c in text_columns if c in header}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if c in as_text or isinstance(value, str):
                sheet.write_string(r, c, "" if value is None else str(value))
            else:
                sheet.write_number(r, c, value)
    workbook.close()
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=_filename(stem, "xlsx"), content_type=XLSX_TYPE)


def _in_schema(rows: Iterable) -> Iterator:
    """Rows read in the current shop's schema even when the response is streamed after the
    request's schema was reset: the schema is set around each step, never left changed."""
    schema = connection.schema_name  # now, while the request is in it: the body below runs later

    def steps() -> Iterator:
        iterator = iter(rows)
        while True:
            with schema_context(schema):
                try:
                    row = next(iterator)
                except StopIteration:
                    return
            yield row

    return steps()


def export_response(kind: str, fmt: str):
    """The catalog or stock export as a streamed CSV or XLSX response."""
    if kind == "catalog":
        header, rows, text = COLUMNS, _in_schema(catalog_rows()), COLUMNS
    else:
        header, rows, text = STOCK_COLUMNS, _in_schema(stock_rows()), STOCK_COLUMNS[:5]
    if fmt == "xlsx":
        return xlsx_response(f"{kind}", header, rows, text_columns=text)
    return csv_response(f"{kind}", header, rows)


def errors_response(job: ImportJob) -> StreamingHttpResponse:
    return csv_response(f"import-{job.pk}-errors", ERROR_COLUMNS, error_rows(job))
