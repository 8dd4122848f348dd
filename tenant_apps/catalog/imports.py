"""Bulk import of products with SKUs from CSV or XLSX (C4, 批量导入).

The file has one row per SKU and a header row. Columns (any order; unknown ones are ignored):

    product_ref, title, subtitle, brand, model, platform_category_id, shop_category, description,
    tags, tax_code, tax_rate, weight_grams, sku_code, gtin, spec, market_price, sale_price,
    member_price, cost_price

Required columns: `sku_code` and `sale_price` (a file without them fails as a whole).

Rules:
- Rows with the same `product_ref` are one product; its fields come from the first of them, and a
  later row may leave them empty or repeat them, never differ. A row without a `product_ref` is
  a product of its own.
- Every value is checked by the catalog's own rules (`services.product_values_clean` / `sku_values_clean`:
  lengths, tags, tax code and rate, prices with at most two decimals and the member price not
  above the sale price, GTIN check digit, SKU code charset), plus: a SKU code appears once in the
  file, two SKUs of one product differ in spec, `shop_category` names (separated by ";") exist,
  `spec` is `name=value;name=value`.
- A product with any bad row is not written at all; every other product is. Errors are reported
  as (row, column, message), row numbers as a spreadsheet shows them (the header is row 1).
- **A `sku_code` that already exists in the shop updates that SKU**: the SKU columns present in the
  file (gtin, spec, the four prices) replace its values, an empty cell clears an optional value,
  a column absent from the file leaves the value alone. The product columns of such a product are
  ignored: a product's own fields change through the console or API, where an edit of a moderated
  product becomes a revision for review. New codes in the same group are added to that product.
  Price changes are audited and reach the mall index through the outbox like any price change.
- New products are drafts: they go through submission and moderation like any other product.

Work is done in chunks of about CHUNK_ROWS rows, each in one transaction: Python validation,
one query for the chunk's existing codes, bulk inserts, then a progress update of the job.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import psycopg
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, ServiceError
from backend.lib.media import shop_file_name

from .models import (
    SKU,
    ImportJob,
    ImportJobStatus,
    Product,
    ProductStatus,
    ShopCategory,
)
from .outbox import outbox_record

# The service's own validators, reused so that an import can never accept what the console and
# API refuse.
from .services import (
    PRICE_FIELDS,
    price_change_audit,
    price_snapshot,
    product_values_clean,
    sku_values_clean,
)
from .variants import MAX_VARIANTS

MAX_BYTES = 20 * 1024 * 1024
CHUNK_ROWS = 1000
MAX_ERRORS = 1000

PRODUCT_COLUMNS = (
    "title", "subtitle", "brand", "model", "platform_category_id", "shop_category", "description",
    "tags", "tax_code", "tax_rate", "weight_grams",
)
SKU_COLUMNS = ("sku_code", "gtin", "spec", *PRICE_FIELDS)
COLUMNS = ("product_ref", *PRODUCT_COLUMNS, *SKU_COLUMNS)
REQUIRED_COLUMNS = ("sku_code", "sale_price")

# The job's states as data: a job runs once; a finished job never moves again.
ALLOWED: dict[str, frozenset[str]] = {
    ImportJobStatus.QUEUED: frozenset({ImportJobStatus.RUNNING, ImportJobStatus.FAILED}),
    ImportJobStatus.RUNNING: frozenset({ImportJobStatus.DONE, ImportJobStatus.FAILED}),
    ImportJobStatus.DONE: frozenset(),
    ImportJobStatus.FAILED: frozenset(),
}

XLSX_MAGIC = b"PK\x03\x04"


# --- reading files -----------------------------------------------------------------------------


def _bad_file(name: str, reason: str) -> ServiceError:
    return ServiceError(f"{name}: {reason}", code="bad_file", fields={"file": [f"{name}: {reason}"]})


def decode_text(data: bytes) -> str | None:
    """The text of a CSV: UTF-8 (with or without BOM), else GB18030 (what Excel saves on Chinese
    Windows). None when it is neither, or holds NUL bytes (a binary file renamed .csv)."""
    if b"\x00" in data:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _cell(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold: 13 digits stay digits, not 1.3e12."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(text: str) -> Iterator[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = workbook.get_sheet_by_index(0)
    for row in sheet.iter_rows():
        yield [_cell(v) for v in row]


def file_format(*, name: str, data: bytes) -> str:
    """"csv" or "xlsx" judged by content (the name's extension is not trusted), or a 400 naming
    the file: empty, too large, or neither a readable CSV nor XLSX."""
    if not data:
        raise _bad_file(name, _("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _bad_file(name, _("The file is larger than 20 MB."))
    if data.startswith(XLSX_MAGIC):
        try:
            next(_xlsx_rows(data), None)
        except Exception as exc:  # calamine raises its own errors for any damaged workbook
            raise _bad_file(name, _("Not a CSV or XLSX file.")) from exc
        return "xlsx"
    text = decode_text(data)
    if text is None or not text.strip():
        raise _bad_file(name, _("Not a CSV or XLSX file."))
    try:
        header = next(_csv_rows(text), [])
    except csv.Error as exc:
        raise _bad_file(name, _("Not a CSV or XLSX file.")) from exc
    # Control characters in the header are what binary data decoded as GB18030 looks like.
    if not any(h.strip() for h in header) or any(ord(c) < 32 and c not in "\t\r\n" for c in "".join(header)):
        raise _bad_file(name, _("Not a CSV or XLSX file."))
    return "csv"


def read_rows(*, data: bytes, fmt: str) -> Iterator[list[str]]:
    """All rows of the file, header first, as lists of text."""
    if fmt == "xlsx":
        return _xlsx_rows(data)
    text = decode_text(data)
    if text is None:
        raise ServiceError(_("Not a CSV or XLSX file."), code="bad_file")
    return _csv_rows(text)


# --- starting a job ----------------------------------------------------------------------------


def import_start(*, upload, actor_user_id: int | None) -> ImportJob:
    """Check an uploaded file (size, empty, CSV or XLSX by content: a 400 naming the file
    otherwise), store it under the shop's private prefix and queue a job that the Celery task
    `import_catalog` runs after commit. Nothing is stored when the file is refused."""
    name = (getattr(upload, "name", "") or "upload")[-200:]
    if upload is None:
        raise ServiceError(_("Choose a CSV or XLSX file."), code="invalid", fields={"file": [_("Choose a file.")]})
    if (upload.size or 0) > MAX_BYTES:
        raise _bad_file(name, _("The file is larger than 20 MB."))
    data = upload.read()
    fmt = file_format(name=name, data=data)
    path = shop_file_name("imports", f"upload.{fmt}", public=False)
    with transaction.atomic():
        stored = default_storage.save(path, ContentFile(data))
        job = ImportJob.objects.create(file=stored, original_name=name, file_format=fmt,
                                       created_by_user_id=actor_user_id, language=translation.get_language() or "")
        schema = connection.schema_name

        def enqueue():
            from .tasks import import_catalog

            import_catalog.apply_async(args=[job.pk], headers={"_schema_name": schema})

        transaction.on_commit(enqueue)
    return job


# --- running a job -----------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class _Plan:
    """What one valid product group writes."""

    rows: list[int]
    product: dict | None = None  # fields of a new product
    category_ids: list[int] = field(default_factory=list)
    existing_product_id: int | None = None
    new_skus: list[dict] = field(default_factory=list)
    updates: list[tuple[SKU, dict, dict]] = field(default_factory=list)  # (sku, values, price snapshot before)


@dataclass
class ImportResult:
    total_rows: int = 0
    processed_rows: int = 0
    created_count: int = 0
    updated_count: int = 0
    failed_count: int = 0
    products_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add_errors(self, errors: Iterable[RowError]) -> None:
        room = MAX_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(list(errors)[:room])


def _move(job: ImportJob, to: str, **fields) -> None:
    if to not in ALLOWED[job.status]:
        raise Conflict(f"An import job cannot go from {job.status} to {to}.", code="illegal_transition")
    job.status = to
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *fields])


def import_run(*, job_id: int, actor=None) -> ImportJob | None:
    """Process a queued job (idempotent: a job that is not queued is left alone). Progress and
    counts are saved after every chunk; a file without the required columns fails the job with
    a message naming them."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportJobStatus.QUEUED:
            return job
        _move(job, ImportJobStatus.RUNNING, started_at=timezone.now())
    with translation.override(job.language or None):
        return _run(job, actor)


def _run(job: ImportJob, actor) -> ImportJob:
    if actor is None and job.created_by_user_id:
        from django.contrib.auth import get_user_model

        actor = get_user_model().objects.filter(pk=job.created_by_user_id).first()

    def progress(result: ImportResult) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            total_rows=result.total_rows, processed_rows=result.processed_rows,
            created_count=result.created_count, updated_count=result.updated_count,
            failed_count=result.failed_count, products_created=result.products_created,
            errors=[e.as_dict() for e in result.errors],
        )

    try:
        with default_storage.open(job.file, "rb") as handle:
            data = handle.read()
        result = import_rows(rows=read_rows(data=data, fmt=job.file_format), actor=actor,
                             shop_id=_shop_id(), progress=progress)
    except ServiceError as exc:
        job.refresh_from_db()
        _move(job, ImportJobStatus.FAILED, message=exc.message[:500], finished_at=timezone.now())
        return job
    except Exception:
        job.refresh_from_db()
        _move(job, ImportJobStatus.FAILED, message=_("The import stopped on an unexpected error."),
              finished_at=timezone.now())
        raise
    progress(result)
    job.refresh_from_db()
    _move(job, ImportJobStatus.DONE, finished_at=timezone.now())
    return job


def _shop_id() -> int | None:
    from .outbox import current_shop_id

    try:
        return current_shop_id()
    except ObjectDoesNotExist:  # a schema without a shop row
        return None


def _header_map(header: list[str]) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff").strip().lower() for h in header]
    seen: dict[str, int] = {}
    duplicates = []
    for index, name in enumerate(names):
        if name in COLUMNS:
            if name in seen:
                duplicates.append(name)
            seen[name] = index
    if duplicates:
        raise ServiceError(_("These columns appear twice: %(cols)s.") % {"cols": ", ".join(duplicates)},
                           code="bad_columns")
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise ServiceError(
            _("Missing required columns: %(cols)s. The header row needs at least %(required)s.")
            % {"cols": ", ".join(missing), "required": ", ".join(REQUIRED_COLUMNS)},
            code="bad_columns",
        )
    return seen


def import_rows(*, rows: Iterator[list[str]], actor, shop_id: int | None,
                progress: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Import already-read rows (header first) into the current shop schema; see the module's
    docstring for the rules. Returns the counts and the first MAX_ERRORS errors."""
    header = next(rows, None)
    if not header:
        raise ServiceError(_("The file has no header row."), code="bad_columns")
    columns = _header_map(header)
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    total = 0
    for number, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row if c):
            continue
        record = {name: (row[index].strip() if index < len(row) and row[index] else "")
                  for name, index in columns.items()}
        ref = record.get("product_ref") or f"\x00{number}"
        groups.setdefault(ref, []).append((number, record))
        total += 1
    result = ImportResult(total_rows=total)
    if progress:
        progress(result)
    context = _Context(columns=set(columns))
    chunk: list[list[tuple[int, dict[str, str]]]] = []
    size = 0
    for group in groups.values():
        chunk.append(group)
        size += len(group)
        if size >= CHUNK_ROWS:
            _import_chunk(chunk, context, result, actor=actor, shop_id=shop_id)
            if progress:
                progress(result)
            chunk, size = [], 0
    if chunk:
        _import_chunk(chunk, context, result, actor=actor, shop_id=shop_id)
    return result


class _Context:
    """What stays the same across chunks: the columns present, shop categories by name, the
    platform categories already checked, and the SKU codes seen so far in the file."""

    def __init__(self, *, columns: set[str]):
        self.columns = columns
        self.categories: dict[str, list[int]] = {}
        for pk, name in ShopCategory.objects.values_list("pk", "name"):
            self.categories.setdefault(name.strip(), []).append(pk)
        self.platform: dict[str, tuple[int | None, list[str]]] = {}
        self.codes: dict[str, int] = {}  # code → row where first seen


def _messages(exc: ServiceError, column_of: Callable[[str], str]) -> list[tuple[str, str]]:
    return [(column_of(name), message) for name, messages in (exc.fields or {"": [exc.message]}).items()
            for message in messages]


def _platform_category(value: str, context: _Context) -> tuple[int | None, list[str]]:
    if value not in context.platform:
        try:
            out, _ids = product_values_clean({"platform_category_id": value}, creating=False)
            context.platform[value] = (out["platform_category_id"], [])
        except ServiceError as exc:
            context.platform[value] = (None, [m for _f, m in _messages(exc, str)])
    return context.platform[value]


def _parse_spec(text: str) -> dict[str, str] | None:
    spec: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            return None
        name, value = (p.strip() for p in part.split("=", 1))
        if name in spec:
            return None
        spec[name] = value
    return spec


def _sku_column(name: str) -> str:
    name = name.split(".", 1)[-1] if "." in name else name
    return "sku_code" if name == "code" else name


def _validate_group(group, context: _Context, existing: dict[str, SKU], product_skus: dict[int, list[SKU]]
                    ) -> tuple[_Plan | None, list[RowError]]:
    errors: list[RowError] = []
    first_row, first = group[0]
    plan = _Plan(rows=[n for n, _r in group])
    cols = context.columns

    # Which product: the one the existing codes belong to (all the same), else a new one.
    owners = {existing[r["sku_code"]].product_id: n for n, r in group if r.get("sku_code") in existing}
    if len(owners) > 1:
        rows = sorted(owners.values())
        errors.append(RowError(rows[1], "sku_code", _("This SKU belongs to another product than the SKU in row %(row)d; "
                                                       "one product_ref cannot join two existing products.") % {"row": rows[0]}))
    elif owners:
        plan.existing_product_id = next(iter(owners))

    if plan.existing_product_id is None:
        data = {c: first.get(c, "") for c in PRODUCT_COLUMNS
                if c in cols and c not in ("platform_category_id", "shop_category")}
        data.setdefault("title", "")
        try:
            plan.product, _ids = product_values_clean(data, creating=True)
        except ServiceError as exc:
            errors.extend(RowError(first_row, col, msg) for col, msg in _messages(exc, str))
            plan.product = {}
        if "platform_category_id" in cols:
            plan.product["platform_category_id"], problems = _platform_category(first.get("platform_category_id", ""), context)
            errors.extend(RowError(first_row, "platform_category_id", m) for m in problems)
        for name in (n.strip() for n in first.get("shop_category", "").split(";")):
            if not name:
                continue
            ids = context.categories.get(name, [])
            if len(ids) != 1:
                message = (_("No such shop category: %(name)s.") if not ids
                           else _("Two shop categories are called %(name)s; rename one.")) % {"name": name}
                errors.append(RowError(first_row, "shop_category", message))
            elif ids[0] not in plan.category_ids:
                plan.category_ids.append(ids[0])
        if len(group) > MAX_VARIANTS:
            errors.append(RowError(group[MAX_VARIANTS][0], "product_ref",
                                   _("A product has at most %(n)d SKUs.") % {"n": MAX_VARIANTS}))

    # Later rows repeat the product's fields or leave them empty.
    for number, record in group[1:]:
        for column in PRODUCT_COLUMNS:
            value = record.get(column, "")
            if value and value != first.get(column, ""):
                errors.append(RowError(number, column, _("Differs from row %(row)d of the same product_ref.")
                                       % {"row": first_row}))

    specs: dict[tuple, int] = {}
    if plan.existing_product_id is not None:
        in_file = {r.get("sku_code") for _n, r in group}
        for sku in product_skus.get(plan.existing_product_id, []):
            if sku.code not in in_file:
                specs[tuple(sorted(sku.spec.items()))] = 0
    for number, record in group:
        code = record.get("sku_code", "")
        current = existing.get(code)
        item: dict[str, Any] = {"code": code}
        for column in ("gtin", *PRICE_FIELDS):
            if column in cols:
                item[column] = record.get(column, "")
            elif current is not None:
                item[column] = getattr(current, column)
        spec: dict[str, str] | None = current.spec if current is not None else {}
        if "spec" in cols:
            spec = _parse_spec(record.get("spec", ""))
            if spec is None:
                errors.append(RowError(number, "spec", _("Write the spec as name=value;name=value, each name once.")))
                spec = {}
        item["spec"] = spec
        sku_errors: dict[str, list[str]] = {}
        values = sku_values_clean(item, 0, sku_errors)
        errors.extend(RowError(number, _sku_column(name), msg) for name, msgs in sku_errors.items() for msg in msgs)
        if code:
            seen = context.codes.get(code)
            if seen is not None and seen != number:
                errors.append(RowError(number, "sku_code", _("SKU code %(code)s is already in row %(row)d.")
                                       % {"code": code, "row": seen}))
            else:
                context.codes[code] = number
        key = tuple(sorted(values.get("spec", {}).items()))
        if key in specs and not sku_errors:
            other = specs[key]
            errors.append(RowError(number, "spec", _("Another SKU of this product has the same spec (row %(row)d).")
                                   % {"row": other} if other else _("Another SKU of this product has the same spec.")))
        specs[key] = number
        if sku_errors:
            continue
        values.pop("id", None)
        values.pop("is_active", None)
        values.pop("weight_grams", None)
        if current is not None:
            plan.updates.append((current, values, price_snapshot(current)))
        else:
            plan.new_skus.append(values)
    return (None if errors else plan), errors


def _import_chunk(chunk, context: _Context, result: ImportResult, *, actor, shop_id: int | None) -> None:
    codes = [r["sku_code"] for group in chunk for _n, r in group if r.get("sku_code")]
    plans: list[_Plan] = []
    with transaction.atomic():
        # One query for the chunk's existing codes; locked so a concurrent price edit waits.
        existing = {s.code: s for s in SKU.objects.select_for_update().filter(code__in=codes)}
        product_skus: dict[int, list[SKU]] = {}
        if existing:
            products = {s.product_id for s in existing.values()}
            for sku in SKU.objects.filter(product_id__in=products).only("id", "product_id", "code", "spec", "sort"):
                product_skus.setdefault(sku.product_id, []).append(sku)
            statuses = dict(Product.objects.filter(pk__in=products).values_list("pk", "status"))
        else:
            statuses = {}
        for group in chunk:
            plan, errors = _validate_group(group, context, existing, product_skus)
            if plan is None:
                result.failed_count += len(group)
                result.add_errors(errors)
            else:
                plans.append(plan)
        try:
            with transaction.atomic():
                counts = _write(plans, product_skus, statuses, actor=actor, shop_id=shop_id)
        except (IntegrityError, psycopg.IntegrityError):
            counts = None
    if counts is None:
        # A concurrent writer took a code between our check and insert: retry product by product,
        # so only the products that clash are lost.
        counts = (0, 0, 0)
        for plan in plans:
            try:
                with transaction.atomic():
                    one = _write([plan], product_skus, statuses, actor=actor, shop_id=shop_id)
                counts = tuple(a + b for a, b in zip(counts, one, strict=True))
            except (IntegrityError, psycopg.IntegrityError):
                result.failed_count += len(plan.rows)
                result.add_errors([RowError(plan.rows[0], "sku_code", _("SKU code already in use."))])
    products_created, created, updated = counts
    result.products_created += products_created
    result.created_count += created
    result.updated_count += updated
    result.processed_rows += sum(len(g) for g in chunk)


def _write(plans: list[_Plan], product_skus: dict[int, list[SKU]], statuses: dict[int, str], *,
           actor, shop_id: int | None) -> tuple[int, int, int]:
    new_plans = [p for p in plans if p.existing_product_id is None]
    product_ids = _copy_insert(Product, [{**p.product, "status": ProductStatus.DRAFT} for p in new_plans])
    Link = Product.shop_categories.through
    links = [Link(product_id=pk, shopcategory_id=c) for plan, pk in zip(new_plans, product_ids, strict=True)
             for c in plan.category_ids]
    if links:
        Link.objects.bulk_create(links)
    new_skus: list[dict] = [
        {**values, "product_id": pk, "sort": n}
        for plan, pk in zip(new_plans, product_ids, strict=True) for n, values in enumerate(plan.new_skus)
    ]
    text_changed: set[int] = set()
    updated: list[SKU] = []
    price_changed: list[tuple[SKU, dict]] = []
    for plan in plans:
        if plan.existing_product_id is None or plan.product is not None:
            continue
        pid = plan.existing_product_id
        start = max((s.sort for s in product_skus.get(pid, [])), default=-1) + 1
        for n, values in enumerate(plan.new_skus):
            new_skus.append({**values, "product_id": pid, "sort": start + n})
            text_changed.add(pid)
        for sku, values, before in plan.updates:
            if sku.spec != values["spec"] or sku.gtin != values["gtin"]:
                text_changed.add(pid)
            for name, value in values.items():
                setattr(sku, name, value)
            updated.append(sku)
            price_changed.append((sku, before))
    _copy_insert(SKU, new_skus)
    if updated:
        SKU.objects.bulk_update(updated, ["code", "gtin", "spec", *PRICE_FIELDS], batch_size=1000)
    for sku, before in price_changed:
        # Audited like every price change; only listed products are in the mall index (listing
        # projects the whole product), so only theirs go through the outbox.
        changed = price_change_audit(sku=sku, before=before, actor=actor, shop_id=shop_id, ip=None) if shop_id else False
        if changed and statuses.get(sku.product_id) == ProductStatus.LISTED and sku.product_id not in text_changed:
            outbox_record(kind="price", product_id=sku.product_id, sku_id=sku.pk)
    for pid in sorted(text_changed):
        if statuses.get(pid) == ProductStatus.LISTED:
            outbox_record(kind="text", product_id=pid)
    new_rows = sum(len(p.new_skus) for p in plans)
    return len(product_ids), new_rows, len(updated)


def _copy_insert(model, rows: list[dict]) -> list[int]:
    """Insert `rows` (values by attribute name; the model's defaults fill the rest) with COPY,
    several times faster than INSERT for thousands of rows. Ids are drawn from the table's
    sequence first, so SKUs can point to the products of the same chunk."""
    if not rows:
        return []
    table = model._meta.db_table
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None if f.null else ""
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(["id", *(f'"{f.column}"' for f in fields)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, len(rows)])
        ids = [r[0] for r in cursor.fetchall()]
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = [pk]
                for f in fields:
                    value = row.get(f.attname, defaults[f.attname])
                    if f.attname in json_fields:
                        value = json.dumps(value, ensure_ascii=False)
                    values.append(value)
                copy.write_row(values)
    return ids
