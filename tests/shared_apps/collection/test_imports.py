"""Importing collected files in the background: partial imports with an error report, re-imports
that update offers and keep a price history, files refused at upload, runs that fail as a whole,
and the run's progress."""

import threading
import time as clock
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from backend.api.errors import Forbidden, ServiceError
from shared_apps.collection import imports, services
from shared_apps.collection.models import (
    ExternalOffer,
    ExternalPrice,
    ImportRowError,
    ImportRun,
    ImportState,
)
from tests.conftest import run_threads

from .conftest import read, upload

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def errors_of(run) -> list[tuple[int, str, str]]:
    return list(ImportRowError.objects.filter(run=run).order_by("row", "id").values_list("row", "field", "message"))


def test_csv_imports_the_good_rows_and_reports_the_bad_ones(operator, jd, phones, accessories, run_file):
    run = run_file(operator, jd, "jd_phones.csv")
    assert (run.state, run.file_format, run.message) == (ImportState.DONE, "csv", "")
    assert (run.total_rows, run.processed_rows, run.imported_rows, run.failed_rows, run.updated_rows, run.percent) == (
        10, 10, 5, 5, 0, 100)
    assert errors_of(run) == [
        (7, "price", "Enter a price such as 12.50."),
        (8, "gtin", "The GTIN 6901234567890 has a wrong check digit."),
        (9, "title", "A title is required."),
        (10, "price", "The price must be more than zero."),
        (11, "url", "Enter a web address starting with http:// or https:// (at most 500 characters)."),
        (11, "price", "At most two decimals (fen)."),
    ]
    mate = ExternalOffer.objects.get(source=jd, external_id="JD-1001")
    assert (mate.title, mate.brand, mate.model, mate.gtin, mate.price, mate.currency, mate.sales_count, mate.seller) == (
        "华为 Mate 60 Pro 12+512GB 雅川青", "华为", "Mate60 Pro", "06901234567892", Decimal("6799.00"), "CNY", 12000,
        "华为京东自营旗舰店")
    assert mate.collected_at == datetime(2024, 5, 1, 10, 0, tzinfo=SHANGHAI)
    assert (mate.category, mate.category_text, mate.last_run) == (phones, "手机", run)
    assert mate.raw["商品ID"] == "JD-1001"
    path_named = ExternalOffer.objects.get(external_id="JD-1002")
    assert (path_named.category, path_named.category_text) == (phones, "手机数码 > 手机")
    mouse = ExternalOffer.objects.get(external_id="JD-1005")
    assert (mouse.category, mouse.sales_count) == (accessories, None)
    assert list(ExternalPrice.objects.filter(offer=mate).values_list("price", "collected_at", "run")) == [
        (Decimal("6799.00"), mate.collected_at, run.pk)]
    assert ExternalOffer.objects.count() == 5 and ExternalPrice.objects.count() == 5


def test_gbk_csv_without_ids_imports_and_reimports_without_duplicates(operator, jd, run_file):
    first = run_file(operator, jd, "gbk_prices.csv")
    assert (first.state, first.imported_rows, first.failed_rows) == (ImportState.DONE, 3, 0)
    titles = set(ExternalOffer.objects.values_list("title", flat=True))
    assert titles == {"华为 Mate 60 Pro 12+512GB 雅丹黑", "苹果 iPhone 15 128GB 蓝色", "格力 KFR-35GW 空调"}
    keys = set(ExternalOffer.objects.values_list("external_id", flat=True))
    assert all(key.startswith("auto:") for key in keys)  # no id or URL: a digest of what names the offer
    again = run_file(operator, jd, "gbk_prices.csv")
    assert (again.imported_rows, again.updated_rows) == (3, 3)
    assert set(ExternalOffer.objects.values_list("external_id", flat=True)) == keys
    # Each upload without a collection time is a collection of its own moment: two prices each.
    assert ExternalPrice.objects.count() == 6


def test_reimport_updates_offers_and_keeps_the_price_history(operator, jd, suning, run_file):
    run_file(operator, jd, "jd_phones.csv")
    later = run_file(operator, jd, "items.json")
    assert (later.file_format, later.total_rows, later.imported_rows, later.updated_rows, later.failed_rows) == (
        "json", 5, 2, 2, 3)
    assert errors_of(later) == [
        (3, "currency", "Only prices in CNY are accepted; this row is in USD."),
        (4, "item", "Each item must be an object."),
        (5, "sales_count", "The number of sales cannot be negative."),
    ]
    mate = ExternalOffer.objects.get(source=jd, external_id="JD-1001")
    assert (mate.price, mate.sales_count, mate.last_run) == (Decimal("6599.00"), 25000, later)
    assert list(mate.prices.order_by("collected_at").values_list("price", flat=True)) == [
        Decimal("6799.00"), Decimal("6599.00")]
    iphone = ExternalOffer.objects.get(source=jd, external_id="JD-1003")
    assert (iphone.brand, iphone.model, iphone.price) == ("Apple", "iPhone 15", Decimal("5599.00"))
    assert ExternalOffer.objects.filter(source=jd).count() == 5
    # The same external id from another source is another offer.
    other = run_file(operator, suning, "items.json")
    assert other.updated_rows == 0
    assert ExternalOffer.objects.filter(external_id="JD-1001").count() == 2
    # The same file again: the same moments, so the history does not grow.
    prices_before = ExternalPrice.objects.count()
    run_file(operator, jd, "items.json")
    assert ExternalPrice.objects.count() == prices_before


def test_an_older_collection_adds_history_but_keeps_the_newest_values(operator, jd, run_file):
    newer = b'[{"id": "K-1", "title": "Kindle \xe6\x96\xb0", "price": "998", "collected_at": "2024-06-01"}]'
    older = b'[{"id": "K-1", "title": "Kindle old", "price": "1098", "collected_at": "2024-05-01"}]'
    run_file(operator, jd, "items.json", data=newer)
    run_file(operator, jd, "items.json", data=older)
    offer = ExternalOffer.objects.get(external_id="K-1")
    assert (offer.title, offer.price) == ("Kindle 新", Decimal("998.00"))
    assert list(offer.prices.values_list("price", flat=True)) == [Decimal("998.00"), Decimal("1098.00")]


def test_web_pages_with_json_ld_and_microdata(operator, jd, run_file):
    page = run_file(operator, jd, "product_jsonld.html")
    assert (page.file_format, page.total_rows, page.imported_rows, page.failed_rows) == ("html", 4, 2, 2)
    assert [(row, field) for row, field, _m in errors_of(page)] == [(3, "json-ld"), (4, "currency")]
    mate = ExternalOffer.objects.get(external_id="SN-88")
    assert (mate.price, mate.seller, mate.url) == (Decimal("6749.00"), "第三方卖家", "https://shop.example.com/p/88")
    assert mate.collected_at == page.created_at  # a saved page says no time: the upload's
    micro = run_file(operator, jd, "product_microdata.html")
    assert (micro.imported_rows, micro.failed_rows) == (2, 1)
    assert errors_of(micro) == [(3, "price", "Enter a price such as 12.50.")]
    dyson = ExternalOffer.objects.get(external_id="GM-V12")
    assert (dyson.price, dyson.gtin, dyson.brand) == (Decimal("4490.00"), "05025155071953", "戴森")


def test_a_wholly_unreadable_file_fails_the_run_and_writes_nothing(operator, jd, run_file):
    run = run_file(operator, jd, "broken.json")
    assert run.state == ImportState.FAILED
    assert run.message == ("The JSON could not be read (line 3, column 56): Expecting property name enclosed in "
                           "double quotes")
    assert run.finished_at is not None
    assert not ExternalOffer.objects.exists() and not ImportRowError.objects.exists()
    headerless = run_file(operator, jd, "x.csv", data="名称,备注\n手机,x\n".encode())
    assert headerless.state == ImportState.FAILED
    assert headerless.message == ("Missing required columns: price. The header row needs a title (标题) and a price "
                                  "(价格) column.")


def test_too_many_rows_fail_with_a_clear_message(operator, jd, run_file, settings):
    settings.COLLECTION_MAX_ROWS = 3
    run = run_file(operator, jd, "jd_phones.csv")
    assert (run.state, run.message) == (ImportState.FAILED, "The file has more than 3 rows; split it into smaller files.")
    assert not ExternalOffer.objects.exists()


@pytest.mark.parametrize(("name", "data", "file_format", "field", "message"), [
    ("empty.csv", b"", "", "file", "file: The file is empty."),
    ("blank.csv", b"  \n\n", "", "file", "file: The file is empty."),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "", "file",
     "file: This is not a CSV, JSON or HTML file."),
    ("prices.json", "标题,价格\n手机,1\n".encode(), "json", "file_format", "file_format: The file is CSV, not JSON."),
    ("prices.csv", "标题,价格\n手机,1\n".encode(), "xlsx", "file_format",
     "file_format: Choose csv, json or html, or leave it empty to detect it."),
])
def test_bad_uploads_are_refused_and_nothing_is_stored(operator, jd, name, data, file_format, field, message):
    with pytest.raises(ServiceError) as caught:
        imports.import_start(actor=operator, source_id=jd.pk, upload=SimpleUploadedFile(name, data),
                             file_format=file_format)
    assert (caught.value.status_code, caught.value.message, list(caught.value.fields)) == (400, message, [field])
    assert not ImportRun.objects.exists()


def test_no_file_unknown_source_and_huge_file(operator, jd, settings):
    with pytest.raises(ServiceError, match="file: Choose a file to import."):
        imports.import_start(actor=operator, source_id=jd.pk, upload=None)
    with pytest.raises(ServiceError, match="source: No such source."):
        imports.import_start(actor=operator, source_id=999999, upload=upload("jd_phones.csv"))
    settings.COLLECTION_MAX_BYTES = 1024
    with pytest.raises(ServiceError) as caught:
        imports.import_start(actor=operator, source_id=jd.pk, upload=upload("jd_phones.csv"))
    assert caught.value.message == f"file: The file is {len(read('jd_phones.csv')) / 1024:.1f} KB; the limit is 1.0 KB."
    assert caught.value.code == "too_large"
    assert not ImportRun.objects.exists()


def test_only_operators_with_access_import(finance, shopper, jd):
    for person in (finance, shopper):
        with pytest.raises(Forbidden):
            imports.import_start(actor=person, source_id=jd.pk, upload=upload("jd_phones.csv"))
    assert not ImportRun.objects.exists()


def test_a_run_runs_once(operator, jd, run_file):
    run = run_file(operator, jd, "gbk_prices.csv")
    assert imports.import_run(run_id=run.pk).state == ImportState.DONE
    assert ExternalPrice.objects.count() == 3  # the redelivered task did nothing
    assert imports.import_run(run_id=999999) is None


def test_the_file_is_kept_privately(operator, jd, run_file):
    run = run_file(operator, jd, "jd_phones.csv")
    assert run.file.startswith("collection/imports/") and run.file.endswith(".csv")
    with default_storage.open(run.file, "rb") as handle:
        assert handle.read() == read("jd_phones.csv")
    assert run.original_name == "jd_phones.csv"


@pytest.mark.django_db(transaction=True)
def test_progress_is_saved_every_chunk_while_the_run_goes(operator, jd):
    """A poller on its own connection sees the processed rows grow chunk by chunk."""
    services_source = jd
    total = imports.CHUNK_ROWS * 6 + 17
    lines = "".join(f"P-{i},商品 {i} 号,{i % 50 + 1}.00\n" for i in range(total))
    data = ("商品ID,标题,价格\n" + lines).encode()
    run = imports.import_start(actor=operator, source_id=services_source.pk, upload=SimpleUploadedFile("big.csv", data))
    # import_start committed: in this transactional test on_commit ran the eager task already.
    run.refresh_from_db()
    assert (run.state, run.processed_rows, run.imported_rows) == (ImportState.DONE, total, total)

    second = ImportRun.objects.create(source=jd, file=run.file, original_name="big.csv", file_format="csv")
    seen: list[int] = []
    done = threading.Event()

    def poll():
        try:
            while not done.is_set():
                seen.append(ImportRun.objects.filter(pk=second.pk).values_list("processed_rows", flat=True)[0])
                clock.sleep(0.005)
        finally:
            connections.close_all()

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        imports.import_run(run_id=second.pk)
    finally:
        done.set()
        poller.join()
    second.refresh_from_db()
    assert (second.state, second.processed_rows, second.updated_rows) == (ImportState.DONE, total, total)
    partial = {value for value in seen if 0 < value < total}
    assert partial, seen[:20]
    assert all(value % imports.CHUNK_ROWS == 0 for value in partial)
    services.source_update(actor=operator, source_id=jd.pk, notes="big file")  # the source still works


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_source_at_once_make_one_offer_each(operator, jd):
    from django.core.files.base import ContentFile

    stored = default_storage.save("collection/imports/race.csv", ContentFile(read("jd_phones.csv")))
    runs = [ImportRun.objects.create(source=jd, file=stored, original_name="race.csv", file_format="csv").pk
            for _ in range(2)]
    outcomes = run_threads(2, lambda i: imports.import_run(run_id=runs[i]).state)
    assert outcomes == [ImportState.DONE, ImportState.DONE]
    assert ExternalOffer.objects.count() == 5
    assert sorted(ImportRun.objects.values_list("imported_rows", "updated_rows")) == [(5, 0), (5, 5)]
