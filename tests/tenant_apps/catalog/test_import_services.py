"""Bulk import service: exact counts, per-row errors, no partial product, update by SKU code,
encodings (UTF-8 with BOM, GB18030), XLSX, bad files, export → import round trip."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_tenants.utils import schema_context

from backend.api.errors import ServiceError
from shared_apps.audit.models import AuditEntry
from tenant_apps.catalog import exports, imports
from tenant_apps.catalog.models import SKU, ImportJob, Product, ProductStatus, ShopCategory

from .conftest import make_product

pytestmark = pytest.mark.django_db

HEADER = ["product_ref", "title", "brand", "shop_category", "tags", "tax_rate", "sku_code", "gtin", "spec",
          "market_price", "sale_price", "member_price", "cost_price"]


def csv_bytes(rows, header=HEADER, encoding="utf-8", bom=False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, header=HEADER) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def run(shop, user, data: bytes, name="products.csv", capture=None) -> ImportJob:
    with schema_context(shop.schema_name), translation.override("en"), capture(execute=True):
        job = imports.import_start(upload=SimpleUploadedFile(name, data), actor_user_id=user.pk)
    with schema_context(shop.schema_name):
        job.refresh_from_db()
        return job


@pytest.fixture
def importer(shop_a, merchant_a, django_capture_on_commit_callbacks):
    return lambda data, name="products.csv": run(shop_a, merchant_a, data, name, django_capture_on_commit_callbacks)


GOOD = [
    ["P1", "Phone One", "Acme", "", "new,hot", "0.13", "PH1-BK", "6901234567892", "colour=black;size=L",
     "1999.00", "1799.00", "1699.00", "1200.00"],
    ["P1", "", "", "", "", "", "PH1-WH", "", "colour=white;size=L", "", "1799.00", "", ""],
    ["P2", "Case", "", "", "", "", "CASE-1", "", "", "", "19.90", "", ""],
]


def test_import_creates_draft_products_with_exact_values(importer, shop_a):
    job = importer(csv_bytes(GOOD))
    assert (job.status, job.total_rows, job.processed_rows, job.products_created, job.created_count,
            job.updated_count, job.failed_count, job.errors) == ("done", 3, 3, 2, 3, 0, 0, [])
    with schema_context(shop_a.schema_name):
        phone = Product.objects.get(title="Phone One")
        assert (phone.status, phone.brand, phone.tags, str(phone.tax_rate)) == (ProductStatus.DRAFT, "Acme",
                                                                                 ["new", "hot"], "0.13")
        skus = list(phone.skus.order_by("sort").values_list("code", "gtin", "spec", "sale_price", "member_price",
                                                            "market_price", "cost_price"))
        assert [(c, g, s, str(p), str(m) if m else None) for c, g, s, p, m, _mk, _co in skus] == [
            ("PH1-BK", "6901234567892", {"colour": "black", "size": "L"}, "1799.00", "1699.00"),
            ("PH1-WH", "", {"colour": "white", "size": "L"}, "1799.00", None),
        ]
        assert Product.objects.get(title="Case").skus.get().code == "CASE-1"


def test_bad_row_leaves_its_whole_product_out(importer, shop_a):
    rows = [
        *GOOD[:2],
        ["P2", "Case", "", "", "", "", "CASE-1", "4006381333932", "", "", "19.999", "", ""],  # bad gtin + price
        ["P2", "", "", "", "", "", "CASE-2", "", "colour=red", "", "9.90", "20.00", ""],  # member > sale
        ["P3", "X", "", "Nope", "cheap", "", "bad code!", "", "colour", "", "", "", ""],
        ["P4", "Cable", "", "", "", "", "PH1-BK", "", "", "", "5.00", "", ""],  # code already in row 2
    ]
    job = importer(csv_bytes(rows))
    assert (job.status, job.total_rows, job.products_created, job.created_count, job.failed_count) == (
        "done", 6, 1, 2, 4)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (4, "gtin"), (4, "sale_price"), (5, "member_price"),
        (6, "title"), (6, "tags"), (6, "shop_category"), (6, "spec"), (6, "sku_code"), (6, "sale_price"),
        (7, "sku_code"),
    ]
    assert job.errors[-1]["message"] == "SKU code PH1-BK is already in row 2."
    with schema_context(shop_a.schema_name):
        assert list(Product.objects.values_list("title", flat=True)) == ["Phone One"]
        assert sorted(SKU.objects.values_list("code", flat=True)) == ["PH1-BK", "PH1-WH"]


def test_existing_code_updates_that_sku_and_is_audited(importer, shop_a, merchant_a):
    product = make_product(shop_a, merchant_a, skus=2, title="Old", with_image=False)
    with schema_context(shop_a.schema_name):
        code = product.skus.order_by("pk").first().code
    data = csv_bytes([["", "Ignored title", "", "", "", "", code, "", "colour=c0", "", "88.00", "80.00", ""],
                      ["", "", "", "", "", "", "NEW-1", "", "", "", "5.00", "", ""]])
    job = importer(data)
    assert (job.status, job.created_count, job.updated_count, job.failed_count, job.errors) == ("done", 0, 1, 1, [
        {"row": 3, "column": "title", "message": "This field is required."}])
    with schema_context(shop_a.schema_name):
        sku = SKU.objects.get(code=code)
        assert (str(sku.sale_price), str(sku.member_price), Product.objects.get(pk=product.pk).title) == (
            "88.00", "80.00", "Old")
    entry = AuditEntry.objects.get(action="catalog.sku_price_changed", target_id=str(sku.pk))
    assert (entry.before, entry.after) == ({"sale_price": "100.50", "member_price": "90.00"},
                                           {"sale_price": "88.00", "member_price": "80.00"})


def test_price_only_file_and_new_sku_joins_existing_product(importer, shop_a, merchant_a):
    product = make_product(shop_a, merchant_a, skus=1, title="Base", with_image=False)
    with schema_context(shop_a.schema_name):
        code = product.skus.get().code
    job = importer(csv_bytes([["G", code, "95.00"], ["G", "BASE-NEW", "66.00"]],
                             header=["product_ref", "sku_code", "sale_price"]))
    assert (job.status, job.total_rows, job.created_count, job.updated_count, job.products_created, job.errors) == ("done", 2, 1, 1, 0, [])
    with schema_context(shop_a.schema_name):
        assert sorted(product.skus.values_list("code", "sale_price")) == sorted(
            [(code, SKU.objects.get(code=code).sale_price), ("BASE-NEW", SKU.objects.get(code="BASE-NEW").sale_price)])
        assert str(SKU.objects.get(code="BASE-NEW").sale_price) == "66.00"
        assert SKU.objects.get(code=code).member_price is not None  # column absent: left alone


def test_bom_and_gb18030_and_shop_categories(importer, shop_a):
    with schema_context(shop_a.schema_name):
        category = ShopCategory.objects.create(name="手机")
    rows = [["P1", "华为手机", "华为", "手机", "", "", "HW-1", "", "颜色=黑色", "", "3999.00", "", ""]]
    for n, data in enumerate((csv_bytes(rows, bom=True), csv_bytes([[*r[:6], "HW-2", *r[7:]] for r in rows],
                                                                    encoding="gb18030"))):
        job = importer(data)
        assert (job.status, job.created_count, job.errors) == ("done", 1, []), n
    with schema_context(shop_a.schema_name):
        products = list(Product.objects.order_by("pk"))
        assert [p.title for p in products] == ["华为手机", "华为手机"]
        assert [list(p.shop_categories.values_list("pk", flat=True)) for p in products] == [[category.pk]] * 2
        assert SKU.objects.get(code="HW-2").spec == {"颜色": "黑色"}


def test_xlsx_keeps_long_numbers_as_digits(importer, shop_a):
    rows = [["P1", "Phone", "", "", "", 0.13, "X-1", 6901234567892, "", "", 12.5, "", ""]]
    job = importer(xlsx_bytes(rows), name="p.xlsx")
    assert (job.file_format, job.status, job.created_count, job.errors) == ("xlsx", "done", 1, [])
    with schema_context(shop_a.schema_name):
        sku = SKU.objects.get(code="X-1")
        assert (sku.gtin, str(sku.sale_price), str(sku.product.tax_rate)) == ("6901234567892", "12.50", "0.13")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.csv", b"", "empty.csv: The file is empty."),
    ("logo.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "logo.xlsx: Not a CSV or XLSX file."),
    ("fake.xlsx", b"PK\x03\x04" + b"\x17" * 300, "fake.xlsx: Not a CSV or XLSX file."),
    ("big.csv", b"sku_code,sale_price\n" + b"A,1\n" * (imports.MAX_BYTES // 4), "big.csv: The file is larger than 20 MB."),
])
def test_bad_files_are_refused_and_nothing_is_stored(shop_a, merchant_a, name, data, message):
    with schema_context(shop_a.schema_name), translation.override("en"):
        with pytest.raises(ServiceError) as refused:
            imports.import_start(upload=SimpleUploadedFile(name, data), actor_user_id=merchant_a.pk)
        assert (refused.value.status_code, refused.value.message) == (400, message)
        assert ImportJob.objects.count() == 0


def test_missing_required_columns_fail_the_job(importer, shop_a):
    job = importer(csv_bytes([["Phone", "1.00"]], header=["title", "price"]))
    assert (job.status, job.message, job.created_count) == (
        "failed", "Missing required columns: sku_code, sale_price. The header row needs at least sku_code, sale_price.", 0)
    with schema_context(shop_a.schema_name):
        assert Product.objects.count() == 0


def test_export_then_import_round_trips(importer, shop_a, shop_b, merchant_a, merchant_b,
                                        django_capture_on_commit_callbacks):
    assert importer(csv_bytes(GOOD)).created_count == 3
    with schema_context(shop_a.schema_name):
        exported = "".join(exports._csv_lines(imports.COLUMNS, exports.catalog_rows()))
    job = run(shop_b, merchant_b, exported.encode(), "export.csv", django_capture_on_commit_callbacks)
    assert (job.status, job.products_created, job.created_count, job.errors) == ("done", 2, 3, [])
    with schema_context(shop_b.schema_name):
        again = "".join(exports._csv_lines(imports.COLUMNS, exports.catalog_rows()))

    def without_refs(text):
        return [row[1:] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))]

    assert without_refs(again) == without_refs(exported)
    # Into the same shop the same file only updates, nothing changes.
    same = importer(exported.encode())
    assert (same.created_count, same.updated_count, same.products_created) == (0, 3, 0)
