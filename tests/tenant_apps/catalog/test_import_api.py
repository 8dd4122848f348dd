"""Import/export API and console pages, and their isolation between shops."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from python_calamine import CalamineWorkbook

from tenant_apps.catalog.models import ImportJob, Product
from tenant_apps.inventory import services as inventory

from .conftest import host_client
from .test_import_services import GOOD, HEADER, csv_bytes

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/catalog/"


def test_api_upload_poll_errors_and_exports(owner_a, shop_a, django_capture_on_commit_callbacks):
    rows = [*GOOD, ["P9", "Bad", "", "", "", "", "BAD-1", "", "", "", "1.999", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(f"{API}imports/", {"file": SimpleUploadedFile("p.csv", csv_bytes(rows))})
    assert (response.status_code, response.json()["status"]) == (202, "queued")
    job = owner_a.get(f"{API}imports/{response.json()['id']}/").json()
    assert (job["status"], job["total_rows"], job["created_count"], job["failed_count"], job["percent"]) == (
        "done", 4, 3, 1, 100)
    assert job["errors"] == [{"row": 5, "column": "sale_price", "message": "At most two decimals (fen)."}]
    report = owner_a.get(f"{API}imports/{job['id']}/errors/")
    assert b"".join(report.streaming_content).decode().lstrip("\ufeff").splitlines() == [
        "row,column,message", "5,sale_price,At most two decimals (fen)."]
    exported = owner_a.get(f"{API}exports/catalog/")
    lines = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode().lstrip("\ufeff"))))
    assert [r[lines[0].index("sku_code")] for r in lines[1:]] == ["PH1-BK", "PH1-WH", "CASE-1"]
    xlsx = owner_a.get(f"{API}exports/catalog/?file_format=xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(xlsx.streaming_content))).get_sheet_by_index(0)
    table = sheet.to_python()
    assert (len(table), table[1][table[0].index("gtin")]) == (4, "6901234567892")
    assert owner_a.get(f"{API}exports/catalog/?file_format=pdf").status_code == 400


def test_stock_export(owner_a, shop_a, merchant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_a.post(f"{API}imports/", {"file": SimpleUploadedFile("p.csv", csv_bytes(GOOD))})
    with schema_context(shop_a.schema_name):
        from tenant_apps.catalog.models import SKU

        location = inventory.location_create(data={"name": "Main", "code": "WH1"})
        sku = SKU.objects.get(code="CASE-1")
        from tenant_apps.inventory.services import MovementLine

        inventory.movement_post(kind="purchase_receipt", lines=[
            MovementLine(sku_id=sku.pk, location_id=location.pk, quantity=7, unit_cost="5.00")],
            actor_user_id=merchant_a.pk, reference="t")
    body = b"".join(owner_a.get(f"{API}exports/stock/").streaming_content).decode().lstrip("\ufeff")
    assert body.splitlines() == ["sku_code,title,spec,location_code,location_name,on_hand,reserved,available",
                                 "CASE-1,Case,,WH1,Main,7,0,7"]
    page = owner_a.get("/console/catalog/export/stock.xlsx")
    assert page.status_code == 200 and page["Content-Type"].startswith("application/vnd.openxml")


def test_api_bad_files_are_400_naming_the_file(owner_a, shop_a):
    png = owner_a.post(f"{API}imports/", {"file": SimpleUploadedFile("photo.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00junk")})
    assert (png.status_code, png.json()["error"]["message"]) == (400, "photo.xlsx: Not a CSV or XLSX file.")
    empty = owner_a.post(f"{API}imports/", {"file": SimpleUploadedFile("e.csv", b"")})
    assert empty.status_code == 400
    with schema_context(shop_a.schema_name):
        assert ImportJob.objects.count() == 0


def test_console_pages(owner_a, shop_a, django_capture_on_commit_callbacks):
    assert b"/console/catalog/import/" in owner_a.get("/console/catalog/").content
    assert owner_a.get("/console/catalog/import/").status_code == 200
    refused = owner_a.post("/console/catalog/import/", {"file": SimpleUploadedFile("x.csv", b"\x00\x01")})
    assert refused.status_code == 400 and b"x.csv: Not a CSV or XLSX file." in refused.content
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post("/console/catalog/import/", {"file": SimpleUploadedFile("p.csv", csv_bytes(
            [*GOOD, ["P9", "Bad", "", "", "", "", "BAD-1", "", "", "", "x", "", ""]]))})
    assert response.status_code == 302
    page = owner_a.get(response["Location"])
    text = page.content.decode()
    assert '<progress id="progress" max="4" value="4">100%</progress>' in text
    assert "http-equiv=\"refresh\"" not in text and "<td>5</td><td>sale_price</td>" in text
    with schema_context(shop_a.schema_name):
        job = ImportJob.objects.get()
        ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=2)
    running = owner_a.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in running and 'value="2"' in running
    assert owner_a.get(f"/console/catalog/import/{job.pk}/errors.csv").status_code == 200
    assert owner_a.get("/console/catalog/export/catalog.csv").status_code == 200
    assert owner_a.get("/console/catalog/export/catalog.pdf").status_code == 404


def test_merchant_b_cannot_use_a_imports(owner_a, owner_b, shop_a, shop_b, merchant_b,
                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = owner_a.post(f"{API}imports/", {"file": SimpleUploadedFile("p.csv", csv_bytes(GOOD))}).json()["id"]
    outsider = host_client(shop_a, merchant_b)
    for path in ("/console/catalog/import/", f"/console/catalog/import/{job_id}/",
                 f"/console/catalog/import/{job_id}/errors.csv", "/console/catalog/export/catalog.csv",
                 "/console/catalog/export/stock.csv", f"{API}imports/", f"{API}imports/{job_id}/",
                 f"{API}imports/{job_id}/errors/", f"{API}exports/catalog/", f"{API}exports/stock/"):
        assert outsider.get(path).status_code == 403, path
    upload = outsider.post(f"{API}imports/", {"file": SimpleUploadedFile("p.csv", csv_bytes(GOOD))})
    assert upload.status_code == 403
    # A's job id means nothing on B's host; B's export holds none of A's products.
    assert owner_b.get(f"{API}imports/{job_id}/").status_code == 404
    assert owner_b.get(f"/console/catalog/import/{job_id}/").status_code == 404
    assert owner_b.get(f"{API}imports/{job_id}/errors/").status_code == 404
    body = b"".join(owner_b.get(f"{API}exports/catalog/").streaming_content).decode().lstrip("\ufeff")
    header = ("product_ref,title,subtitle,brand,model,platform_category_id,shop_category,description,tags,"
              "tax_code,tax_rate,weight_grams,sku_code,gtin,spec,market_price,sale_price,member_price,cost_price")
    assert body.splitlines() == [header]
    with schema_context(shop_b.schema_name):
        assert Product.objects.count() == 0
    assert HEADER  # the shared header used by the fixtures
