"""Importing a collected file (信息收集单元 + 信息处理单元): upload, background run, row checks.

`import_start` checks the upload (present, not empty, not too large, CSV/JSON/HTML by content
and agreeing with a format the operator chose), stores it under `collection/imports/` in the
default storage (never served as media) and queues the Celery task `run_import` after commit.
`import_run` reads the file (`parsers`), checks each row (`clean_row`) and writes in chunks of
`CHUNK_ROWS` rows, one transaction each, updating the run's progress after each chunk:

- a good row creates the source's offer with its external id, or updates it (same source and
  external id: the values of the newest collection win, an empty value keeps the one known),
  and records its price in the offer's price history (one row per collection time);
- a bad row is left out and its problems go to the error report (row, field, message);
- a file that cannot be read at all (no header, broken JSON, no product in a page, too many
  rows) fails the run with a message, and nothing of it is written.

Which id names an offer: the file's id (商品ID, sku, productID), else its URL, else a digest of
title, brand, model and seller, so that importing the same file again updates rather than
duplicates. Offers are linked to comparison groups as they are written (`matching`).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, field_error
from backend.lib.gtin import normalize_gtin
from backend.lib.money import CURRENCY, FEN

from . import access, matching, parsers
from .models import (
    ExternalOffer,
    ExternalPrice,
    ImportFormat,
    ImportRowError,
    ImportRun,
    ImportState,
    Source,
)

CHUNK_ROWS = 200  # rows per transaction; the run's progress is saved after each
LOCK_NAMESPACE = 0x434F4C4C  # "COLL": advisory locks per source
MAX_ERRORS = 5000  # error rows kept per run; the counts go on
FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "html": "HTML"}
ERROR_COLUMNS = ("row", "field", "message")

# The run's states as data: a run runs once; a finished run never moves again.
ALLOWED: dict[str, frozenset[str]] = {
    ImportState.QUEUED: frozenset({ImportState.RUNNING, ImportState.FAILED}),
    ImportState.RUNNING: frozenset({ImportState.DONE, ImportState.FAILED}),
    ImportState.DONE: frozenset(),
    ImportState.FAILED: frozenset(),
}


def max_bytes() -> int:
    return int(getattr(settings, "COLLECTION_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "COLLECTION_MAX_ROWS", 50_000))


def file_size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.1f} KB"


# --- starting ----------------------------------------------------------------------------------


def import_start(*, actor, source_id: int, upload, file_format: str = "") -> ImportRun:
    """Queue an import of `upload` for a source (see the module). Refusals are 400s naming the
    field (`file`, `file_format`, `source`); nothing is stored when the file is refused."""
    access.require_view(actor)
    source = Source.objects.filter(pk=source_id).first() if isinstance(source_id, int) else None
    if source is None:
        raise field_error("source", _("No such source."))
    if upload is None:
        raise field_error("file", _("Choose a file to import."), code="required")
    name = str(getattr(upload, "name", "") or "upload")[-200:]
    limit = max_bytes()
    if (upload.size or 0) > limit:
        raise field_error("file", _("The file is %(size)s; the limit is %(limit)s.") % {
            "size": file_size(upload.size), "limit": file_size(limit)}, code="too_large")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise field_error("file", _("The file is larger than %(limit)s.") % {"limit": file_size(limit)},
                          code="too_large")
    if not data.strip():
        raise field_error("file", _("The file is empty."), code="empty")
    detected = parsers.detect_format(data)
    if detected is None:
        raise field_error("file", _("This is not a CSV, JSON or HTML file."), code="bad_type")
    if file_format and file_format not in ImportFormat.values:
        raise field_error("file_format", _("Choose csv, json or html, or leave it empty to detect it."))
    if file_format and file_format != detected:
        raise field_error("file_format", _("The file is %(found)s, not %(chosen)s.") % {
            "found": FORMAT_NAMES[detected], "chosen": FORMAT_NAMES[file_format]}, code="wrong_format")
    with transaction.atomic():
        stored = default_storage.save(f"collection/imports/{uuid.uuid4().hex}.{detected}", ContentFile(data))
        run = ImportRun.objects.create(source=source, file=stored, original_name=name, file_format=detected,
                                       created_by=actor if getattr(actor, "pk", None) else None,
                                       language=translation.get_language() or "")

        def enqueue():
            from .tasks import run_import

            run_import.delay(run.pk)

        transaction.on_commit(enqueue)
    return run


# --- checking rows -----------------------------------------------------------------------------


@dataclass
class CleanRow:
    row: int
    external_id: str
    url: str
    title: str
    brand: str
    model: str
    gtin: str
    category_id: int | None
    category_text: str
    price: Decimal
    sales_count: int | None
    seller: str
    collected_at: datetime
    raw: Any


@dataclass
class Categories:
    """Platform categories by code and by name (Chinese or English), casefolded, for one run."""

    by_name: dict[str, int | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Categories:
        from shared_apps.taxonomy.models import Category

        found: dict[str, int | None] = {}
        ambiguous: set[str] = set()
        for pk, code, name, name_en in Category.objects.filter(is_active=True).values_list(
                "pk", "code", "name", "name_en"):
            for key in {code.casefold(), name.strip().casefold(), name_en.strip().casefold()} - {""}:
                if key in found and found[key] != pk:
                    ambiguous.add(key)
                found[key] = pk
        for key in ambiguous - {c.casefold() for c in Category.objects.values_list("code", flat=True)}:
            found[key] = None  # two categories of that name: do not guess
        return cls(found)

    def find(self, text: str) -> int | None:
        """The category a text names: its code or name, or the last step of a path (手机数码 > 手机)."""
        for candidate in (text, re.split(r"\s*[>/＞›»|]\s*", text)[-1]):
            pk = self.by_name.get(candidate.strip().casefold())
            if pk is not None:
                return pk
        return None


_CURRENCY_WORDS = {"CNY": "CNY", "RMB": "CNY", "¥": "CNY", "￥": "CNY", "人民币": "CNY", "元": "CNY"}
_FOREIGN_MARKS = (("US$", "USD"), ("HK$", "HKD"), ("NT$", "TWD"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"),
                  ("₩", "KRW"), ("円", "JPY"))
_PRICE_NOISE = re.compile(r"[¥￥元,\s]|CNY|RMB", re.IGNORECASE)
_URL = URLValidator(schemes=["http", "https"])


def _text(values: dict, name: str) -> str:
    value = values.get(name)
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def clean_price(value: Any) -> tuple[Decimal | None, str | None, str | None]:
    """(price, currency found in the text, problem) of a price as sources write it: 5999,
    "5,999.00", "¥5999", "5999元"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None, _("A price is required.")
    if isinstance(value, bool | dict | list):
        return None, None, _("Enter a price such as 12.50.")
    text = str(value).strip()
    for mark, code in _FOREIGN_MARKS:
        if mark in text:
            return None, code, None
    try:
        amount = Decimal(_PRICE_NOISE.sub("", text))
    except (InvalidOperation, ValueError):
        return None, None, _("Enter a price such as 12.50.")
    if not amount.is_finite():
        return None, None, _("Enter a price such as 12.50.")
    if amount <= 0:
        return None, None, _("The price must be more than zero.")
    if amount != amount.quantize(FEN):
        return None, None, _("At most two decimals (fen).")
    if amount >= Decimal(10_000_000_000):
        return None, None, _("The price is too large.")
    return amount.quantize(FEN), None, None


_SALES_NOISE = re.compile(r"[,\s+]|件|笔|人付款|人已付款|已售|月销")


def clean_sales(value: Any) -> tuple[int | None, str | None]:
    """A sales count as sources write it: 1200, "1,200", "1.2万+", "3千"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool | dict | list):
        return None, _("Enter the number of sales as a whole number.")
    text = _SALES_NOISE.sub("", str(value).strip())
    factor = 1
    if text.endswith("万"):
        factor, text = 10000, text[:-1]
    elif text.endswith("千"):
        factor, text = 1000, text[:-1]
    try:
        number = Decimal(text) * factor
    except (InvalidOperation, ValueError):
        return None, _("Enter the number of sales as a whole number.")
    if not number.is_finite() or number != number.to_integral_value():
        return None, _("Enter the number of sales as a whole number.")
    if number < 0:
        return None, _("The number of sales cannot be negative.")
    if number > 2_000_000_000:
        return None, _("The number of sales is too large.")
    return int(number), None


def clean_collected_at(value: Any, *, default: datetime) -> tuple[datetime | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default, None
    text = str(value).strip().replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "")
    moment = None
    try:
        moment = parse_datetime(text.replace(" ", "T", 1)) if (" " in text or "T" in text) else None
        if moment is None:
            day = parse_date(text)
            moment = datetime.combine(day, time(12)) if day else None  # a bare day: midday, not a day off
    except ValueError:
        moment = None
    if moment is None:
        return None, _("Enter a date such as 2024-05-01 or 2024-05-01 10:30.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # Asia/Shanghai
    if moment > timezone.now() + timedelta(days=1):
        return None, _("The collection time is in the future.")
    if moment.year < 2000:
        return None, _("The collection time is too long ago.")
    return moment, None


def _fallback_id(title: str, brand: str, model: str, seller: str) -> str:
    digest = hashlib.sha256("\x1f".join(s.casefold() for s in (title, brand, model, seller)).encode()).hexdigest()
    return f"auto:{digest[:40]}"


def clean_row(parsed: parsers.ParsedRow, *, categories: Categories, default_time: datetime
              ) -> tuple[CleanRow | None, list[tuple[str, str]]]:
    """A parsed row checked: (the row ready to write, []) or (None, [(field, message), ...])."""
    values = parsed.values
    problems = list(parsed.problems)
    if problems:
        return None, problems

    def limited(name: str, limit: int) -> str:
        text = _text(values, name)
        if len(text) > limit:
            problems.append((name, _("At most %(n)d characters.") % {"n": limit}))
        return text

    title = limited("title", 200)
    if not title:
        problems.append(("title", _("A title is required.")))
    brand, model, seller = limited("brand", 60), limited("model", 60), limited("seller", 120)
    external_id = limited("external_id", 200)
    url = _text(values, "url")
    if url:
        try:
            _URL(url)
            if len(url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(("url", _("Enter a web address starting with http:// or https:// (at most 500 "
                                      "characters).")))
    price, currency_in_price, problem = clean_price(values.get("price"))
    if problem:
        problems.append(("price", problem))
    currency_text = _text(values, "currency")
    currency = _CURRENCY_WORDS.get(currency_text.upper(), currency_text.upper()) if currency_text else None
    currency = currency or currency_in_price or CURRENCY
    if currency != CURRENCY:
        problems.append(("currency", _("Only prices in CNY are accepted; this row is in %(currency)s.")
                         % {"currency": currency[:10]}))
    elif currency_in_price and currency_in_price != CURRENCY:
        problems.append(("price", _("Only prices in CNY are accepted; this price is in %(currency)s.")
                         % {"currency": currency_in_price}))
    gtin = _text(values, "gtin")
    if gtin:
        try:
            gtin = normalize_gtin(gtin)
        except ValidationError as exc:
            problems.append(("gtin", exc.messages[0]))
    sales, problem = clean_sales(values.get("sales_count"))
    if problem:
        problems.append(("sales_count", problem))
    collected_at, problem = clean_collected_at(values.get("collected_at"), default=default_time)
    if problem:
        problems.append(("collected_at", problem))
    category_text = _text(values, "category")[:100]
    if problems:
        return None, problems
    return CleanRow(
        row=parsed.row, external_id=external_id or url or _fallback_id(title, brand, model, seller), url=url,
        title=title, brand=brand, model=model, gtin=gtin,
        category_id=categories.find(category_text) if category_text else None, category_text=category_text,
        price=price, sales_count=sales, seller=seller, collected_at=collected_at, raw=parsed.raw), []


# --- running -----------------------------------------------------------------------------------


def _move(run: ImportRun, to: str, **fields) -> None:
    if to not in ALLOWED[run.state]:
        raise Conflict(_("An import cannot go from %(from)s to %(to)s.") % {"from": run.state, "to": to},
                       code="illegal_transition")
    run.state = to
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["state", *fields])


@dataclass
class Counts:
    total_rows: int = 0
    processed_rows: int = 0
    imported_rows: int = 0
    updated_rows: int = 0
    failed_rows: int = 0
    matched_rows: int = 0
    errors_kept: int = 0

    def saved(self, run_id: int) -> None:
        ImportRun.objects.filter(pk=run_id).update(
            total_rows=self.total_rows, processed_rows=self.processed_rows, imported_rows=self.imported_rows,
            updated_rows=self.updated_rows, failed_rows=self.failed_rows, matched_rows=self.matched_rows)


def import_run(*, run_id: int) -> ImportRun | None:
    """Process a queued run (see the module). Idempotent: a run that is not queued is left alone,
    so a redelivered task does nothing. Returns the run as it ended."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state != ImportState.QUEUED:
            return run
        _move(run, ImportState.RUNNING, started_at=timezone.now())
    with translation.override(run.language or None):
        try:
            with default_storage.open(run.file, "rb") as handle:
                data = handle.read()
            rows = parsers.parse(data, run.file_format, max_rows=max_rows())
        except parsers.Unreadable as exc:
            _move(run, ImportState.FAILED, message=exc.message[:500], finished_at=timezone.now())
            return run
        except OSError:
            _move(run, ImportState.FAILED, message=_("The uploaded file is no longer in the storage."),
                  finished_at=timezone.now())
            return run
        try:
            counts = _import_rows(run, rows)
        except Exception:
            run.refresh_from_db()
            _move(run, ImportState.FAILED, message=_("The import stopped on an unexpected error."),
                  finished_at=timezone.now())
            raise
    counts.saved(run.pk)
    run.refresh_from_db()
    _move(run, ImportState.DONE, finished_at=timezone.now())
    return run


def _import_rows(run: ImportRun, rows: list[parsers.ParsedRow]) -> Counts:
    counts = Counts(total_rows=len(rows))
    counts.saved(run.pk)
    categories = Categories.load()
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start:start + CHUNK_ROWS]
        good: list[CleanRow] = []
        bad: list[tuple[int, str, str]] = []
        for parsed in chunk:
            clean, problems = clean_row(parsed, categories=categories, default_time=run.created_at)
            if clean is None:
                counts.failed_rows += 1
                bad.extend((parsed.row, name, message) for name, message in problems)
            else:
                good.append(clean)
        with transaction.atomic():
            # Chunks of one source take turns: two imports of the same source would otherwise both
            # see an external id as new and the second insert would fail on the unique key.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, run.source_id])
            _write(run, good, counts)
            room = MAX_ERRORS - counts.errors_kept
            if room > 0 and bad:
                ImportRowError.objects.bulk_create(
                    [ImportRowError(run=run, row=row, field=name[:40], message=str(message)[:300])
                     for row, name, message in bad[:room]])
                counts.errors_kept += min(room, len(bad))
            counts.processed_rows += len(chunk)
            counts.saved(run.pk)
    return counts


_OFFER_FIELDS = ("url", "title", "brand", "model", "gtin", "category_id", "category_text", "price", "sales_count",
                 "seller", "collected_at", "raw")
_KEPT_WHEN_EMPTY = frozenset({"url", "brand", "model", "gtin", "category_id", "category_text", "sales_count",
                              "seller"})


def _write(run: ImportRun, rows: list[CleanRow], counts: Counts) -> None:
    """Create or update the rows' offers (the newest collection's values win; an empty value
    keeps the one known), add their prices to the history and link them to comparison groups."""
    if not rows:
        return
    existing = {o.external_id: o for o in ExternalOffer.objects.select_for_update().filter(
        source_id=run.source_id, external_id__in={r.external_id for r in rows}).order_by("pk")}
    touched: dict[str, ExternalOffer] = {}
    prices: dict[tuple[str, datetime], CleanRow] = {}
    for row in rows:
        offer = touched.get(row.external_id) or existing.get(row.external_id)
        if offer is None:
            offer = ExternalOffer(source_id=run.source_id, external_id=row.external_id)
            offer.collected_at = None
        else:
            counts.updated_rows += 1
        if offer.collected_at is None or row.collected_at >= offer.collected_at:
            for name in _OFFER_FIELDS:
                value = getattr(row, name)
                if value in ("", None) and name in _KEPT_WHEN_EMPTY:
                    continue  # a file without the column, or an empty cell, leaves what was known
                setattr(offer, name, value)
            offer.last_run = run
        touched[row.external_id] = offer
        prices[(row.external_id, row.collected_at)] = row
        counts.imported_rows += 1
    offers = list(touched.values())
    matching.match_offers(offers)
    new = [o for o in offers if o.pk is None]
    old = [o for o in offers if o.pk is not None]
    ExternalOffer.objects.bulk_create(new)
    if old:
        now = timezone.now()
        for offer in old:
            offer.updated_at = now  # bulk_update does not run auto_now
        ExternalOffer.objects.bulk_update(
            old, [*_OFFER_FIELDS, "last_run", "group", "match_kind", "matched_at", "updated_at"], batch_size=500)
    ExternalPrice.objects.bulk_create(
        [ExternalPrice(offer=touched[key], price=row.price, sales_count=row.sales_count, collected_at=moment,
                       run=run) for (key, moment), row in prices.items()],
        update_conflicts=True, unique_fields=["offer", "collected_at"], update_fields=["price", "sales_count", "run"])
    matched = {key for key, offer in touched.items() if offer.group_id}
    counts.matched_rows += sum(1 for row in rows if row.external_id in matched)


# --- reading a run -----------------------------------------------------------------------------


def run_get(*, actor, run_id: int) -> ImportRun:
    access.require_view(actor)
    run = ImportRun.objects.select_related("source", "created_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("No such import."))
    return run


def errors_csv_rows(run: ImportRun):
    """The error report's rows for a CSV download; cells a spreadsheet would run as a formula are
    quoted with an apostrophe."""
    for error in run.errors.all().iterator(chunk_size=2000):
        yield [error.row, _safe(error.field), _safe(error.message)]


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
