"""The collected-data pages on the operator host: sources, uploading a file, the import's progress
and error report, the collected offers with their filters, statistics and price analysis."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.audit.models import AuditEntry
from shared_apps.collection.models import ExternalOffer, ImportRun, ImportState, Source

from .conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(operator, ops_as, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"  # no cache in query counts
    return ops_as(operator)


def test_sources_are_added_and_edited(admin, operator):
    answer = admin.post("/collection/sources/create/", {"name": " 京东 ", "kind": "marketplace", "notes": "自营"})
    assert answer.status_code == 302 and answer["Location"] == "/collection/sources/"
    source = Source.objects.get()
    assert (source.name, source.kind, source.notes, source.created_by) == ("京东", "marketplace", "自营", operator)
    page = admin.get("/collection/sources/").content.decode()
    assert "京东" in page and "Online marketplace" in page
    same = admin.post("/collection/sources/create/", {"name": "京东", "kind": "marketplace"})
    assert same.status_code == 409 and "A source of that name exists already." in same.content.decode()
    assert admin.post("/collection/sources/create/", {"name": "", "kind": "marketplace"}).status_code == 400
    assert admin.post("/collection/sources/create/", {"name": "x", "kind": "bogus"}).status_code == 400
    edit = admin.post(f"/collection/sources/{source.pk}/", {"name": "京东商城", "kind": "other", "notes": ""})
    assert edit.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.kind, source.notes) == ("京东商城", "other", "")
    entry = AuditEntry.objects.get(action="collection.source_update")
    assert (entry.before, entry.after) == ({"name": "京东", "kind": "marketplace", "notes": "自营"},
                                           {"name": "京东商城", "kind": "other", "notes": ""})
    assert admin.get("/collection/sources/999999/").status_code == 404


def test_upload_then_progress_and_error_report(admin, jd, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin.post("/collection/imports/upload/", {"source": jd.pk, "file": upload("jd_phones.csv"),
                                                             "file_format": ""})
    run = ImportRun.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/collection/imports/{run.pk}/"
    page = admin.get(answer["Location"]).content.decode()
    assert "10 / 10 (100%)" in page and 'http-equiv="refresh"' not in page
    assert "Error report" in page and "The GTIN 6901234567890 has a wrong check digit." in page
    assert f"/collection/imports/{run.pk}/errors.csv" in page
    listed = admin.get("/collection/imports/").content.decode()
    assert f"#{run.pk}" in listed and "jd_phones.csv" in listed
    report = admin.get(f"/collection/imports/{run.pk}/errors.csv")
    assert report["Content-Type"] == "text/csv; charset=utf-8" and "attachment" in report["Content-Disposition"]
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "row,field,message"
    assert lines[1:3] == ["7,price,Enter a price such as 12.50.",
                          "8,gtin,The GTIN 6901234567890 has a wrong check digit."]
    assert len(lines) == 7


def test_a_queued_import_page_refreshes_itself(admin, jd):
    run = ImportRun.objects.create(source=jd, file="collection/imports/missing.csv", original_name="a.csv",
                                   file_format="csv")
    page = admin.get(f"/collection/imports/{run.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "Queued" in page
    assert admin.get("/collection/imports/999999/").status_code == 404
    assert admin.get("/collection/imports/?state=bogus").status_code == 400


@pytest.mark.parametrize(("body", "status", "message"), [
    ({}, 400, "This field is required."),
    ({"file": "none"}, 400, "Choose a file to import."),
    ({"file": SimpleUploadedFile("a.csv", b"")}, 400, "The file is empty."),
    ({"file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + bytes(40))}, 400, "This is not a CSV, JSON or HTML file."),
    ({"file": SimpleUploadedFile("a.json", "标题,价格\n手机,1\n".encode()), "file_format": "json"}, 400,
     "The file is CSV, not JSON."),
])
def test_upload_refusals_show_next_to_the_field(admin, jd, body, status, message):
    data = {"source": jd.pk, **body} if body else {}
    if data.get("file") == "none":
        data.pop("file")
    answer = admin.post("/collection/imports/upload/", data)
    assert answer.status_code == status and message in answer.content.decode()
    assert not ImportRun.objects.exists()


def test_a_huge_file_is_refused(admin, jd, settings):
    settings.COLLECTION_MAX_BYTES = 100
    answer = admin.post("/collection/imports/upload/", {"source": jd.pk, "file": upload("jd_phones.csv")})
    assert answer.status_code == 400 and "the limit is 0.1 KB." in answer.content.decode()


def test_offers_list_filters(admin, operator, jd, suning, phones, accessories, mall, run_file):
    run_file(operator, jd, "jd_phones.csv")
    run_file(operator, suning, "product_jsonld.html")

    def titles(query=""):
        answer = admin.get(f"/collection/?{query}")
        assert answer.status_code == 200, answer.content.decode()[:500]
        return {o.title for o in answer.context["page"]}

    assert len(titles()) == 7
    assert titles(f"source={suning.pk}") == {"华为 Mate 60 Pro 12GB+512GB 雅川青", "华为 FreeBuds Pro 3 无线耳机"}
    assert titles(f"category={accessories.code}") == {"罗技 MX Master 3S 无线鼠标"}
    assert titles("since=2024-05-02&until=2024-05-02") == {"小米14 徕卡光学镜头 16+512GB", "罗技 MX Master 3S 无线鼠标"}
    assert titles("q=mx+master") == {"罗技 MX Master 3S 无线鼠标"}
    assert titles("q=6934177712340") == {"小米14 徕卡光学镜头 16+512GB"}
    assert titles("matched=no") == {"罗技 MX Master 3S 无线鼠标", "华为 FreeBuds Pro 3 无线耳机"}
    page = admin.get("/collection/").content.decode()
    assert "Same GTIN as a mall offer" in page and "Not matched" in page
    assert admin.get("/collection/?since=2024-05-03&until=2024-05-01").status_code == 400
    assert admin.get("/collection/?source=999999").status_code == 400
    assert admin.get("/collection/?since=tomorrow").status_code == 400
    mate = ExternalOffer.objects.get(external_id="JD-1001")
    detail = admin.get(f"/collection/offers/{mate.pk}/").content.decode()
    assert "Price history" in detail and "¥6,799.00" in detail and "JD-1001" in detail
    assert admin.get("/collection/offers/999999/").status_code == 404


def test_offers_list_takes_the_same_queries_for_more_rows(admin, operator, jd, suning, mall, run_file):
    run_file(operator, suning, "product_microdata.html")
    with CaptureQueriesContext(connection) as few:
        assert admin.get("/collection/").status_code == 200
    run_file(operator, jd, "jd_phones.csv")
    with CaptureQueriesContext(connection) as many:
        assert admin.get("/collection/").status_code == 200
    assert len(many) == len(few)


def test_stats_and_analysis_pages(admin, operator, jd, mall, run_file):
    run_file(operator, jd, "jd_phones.csv")
    run_file(operator, jd, "items.json")
    stats = admin.get("/collection/stats/")
    assert stats.status_code == 200
    data = stats.context["data"]
    assert (data.offers, data.matched, data.observations) == (5, 4, 7)
    assert "2024-05-08" in stats.content.decode()
    analysis = admin.get("/collection/analysis/")
    report = analysis.context["report"]
    assert (report.cheaper, report.same, report.dearer) == (1, 1, 1)
    page = analysis.content.decode()
    assert "1.5 %" in page and "-1.8 %" in page and "Mall dearer" in page
    assert admin.get("/collection/analysis/?until=2024-05-02").context["report"].same == 2
    assert admin.get("/collection/stats/?since=2024-05-09&until=2024-05-01").status_code == 400
    assert admin.get("/collection/analysis/?category=nope").status_code == 400


def test_rematch_from_the_page(admin, operator, jd, django_capture_on_commit_callbacks, run_file, mall):
    run_file(operator, jd, "jd_phones.csv")
    ExternalOffer.objects.update(group=None, match_kind="")
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin.post("/collection/rematch/", {"only_unmatched": "on"})
    assert answer.status_code == 302
    assert ExternalOffer.objects.filter(group__isnull=False).count() == 4


def test_raw_data_is_escaped(admin, operator, jd, run_file):
    data = b'[{"id": "X<1>", "title": "<script>alert(1)</script>", "price": "1"}]'
    run_file(operator, jd, "items.json", data=data)
    offer = ExternalOffer.objects.get()
    page = admin.get(f"/collection/offers/{offer.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert ImportRun.objects.get().state == ImportState.DONE
