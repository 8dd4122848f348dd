"""The collected-data API on the operator host: sources, multipart upload and polling, the error
report, collected offers with their history, statistics and analysis; bad input is a 4xx naming
its field, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shared_apps.collection.models import ExternalOffer, ImportRun, Source

from .conftest import upload

pytestmark = pytest.mark.django_db
API = "/api/v1/ops/collection/"


@pytest.fixture
def api(operator, ops_as):
    return ops_as(operator)


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def fields_of(answer) -> list[str]:
    return list(answer.json()["error"]["fields"])


def test_sources(api):
    created = post(api, f"{API}sources/", {"name": "拼多多", "kind": "marketplace", "notes": "百亿补贴"})
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["kind"], body["notes"]) == ("拼多多", "marketplace", "百亿补贴")
    assert post(api, f"{API}sources/", {"name": "拼多多"}).status_code == 409
    bad = post(api, f"{API}sources/", {"name": "x", "kind": "shop"})
    assert bad.status_code == 400 and fields_of(bad) == ["kind"]
    assert fields_of(post(api, f"{API}sources/", {"name": "x" * 61})) == ["name"]
    changed = api.patch(f"{API}sources/{body['id']}/", {"notes": ""}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["notes"] == "" and changed.json()["name"] == "拼多多"
    listed = api.get(f"{API}sources/").json()
    assert [(s["name"], s["offer_count"], s["import_count"]) for s in listed] == [("拼多多", 0, 0)]
    assert api.get(f"{API}sources/999999/").status_code == 404
    assert api.patch(f"{API}sources/999999/", {"notes": "x"}, content_type="application/json").status_code == 404


def test_upload_poll_and_error_report(api, jd, mall, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"{API}imports/", {"source_id": jd.pk, "file": upload("jd_phones.csv")})
    assert answer.status_code == 202
    run_id = answer.json()["id"]
    polled = api.get(f"{API}imports/{run_id}/").json()
    assert {k: polled[k] for k in ("state", "file_format", "total_rows", "imported_rows", "failed_rows",
                                   "matched_rows", "percent")} == {
        "state": "done", "file_format": "csv", "total_rows": 10, "imported_rows": 5, "failed_rows": 5,
        "matched_rows": 4, "percent": 100}
    assert polled["source"] == {"id": jd.pk, "name": "京东"}
    errors = api.get(f"{API}imports/{run_id}/errors/").json()
    assert errors["count"] == 6
    assert errors["results"][0] == {"row": 7, "field": "price", "message": "Enter a price such as 12.50."}
    report = api.get(f"{API}imports/{run_id}/errors.csv", HTTP_ACCEPT="text/csv")
    assert report.status_code == 200 and report["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(report.streaming_content).decode("utf-8-sig").splitlines()[0] == "row,field,message"
    listed = api.get(f"{API}imports/?state=done&source_id={jd.pk}").json()
    assert [r["id"] for r in listed["results"]] == [run_id]
    assert api.get(f"{API}imports/?state=failed").json()["count"] == 0
    assert api.get(f"{API}imports/999999/").status_code == 404
    assert api.get(f"{API}imports/999999/errors/").status_code == 404
    assert api.get(f"{API}imports/{run_id}/errors/?page=9").status_code == 404


@pytest.mark.parametrize(("data", "fields"), [
    ({}, ["source_id", "file"]),
    ({"source_id": "x", "file": "JD"}, ["source_id"]),
    ({"source_id": "SOURCE"}, ["file"]),  # no file
    ({"source_id": 999999, "file": "JD"}, ["source"]),
    ({"source_id": "SOURCE", "file": SimpleUploadedFile("a.csv", b"")}, ["file"]),
    ({"source_id": "SOURCE", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n\x00\x01binary")}, ["file"]),
    ({"source_id": "SOURCE", "file": "JD", "file_format": "xlsx"}, ["file_format"]),
    ({"source_id": "SOURCE", "file": "JD", "file_format": "html"}, ["file_format"]),
])
def test_upload_refusals(api, jd, data, fields):
    data = {k: (jd.pk if v == "SOURCE" else upload("jd_phones.csv") if v == "JD" else v) for k, v in data.items()}
    answer = api.post(f"{API}imports/", data)
    assert answer.status_code == 400 and fields_of(answer) == fields, answer.json()
    assert not ImportRun.objects.exists()


def test_upload_too_large_or_as_json(api, jd, settings):
    settings.COLLECTION_MAX_BYTES = 512
    big = api.post(f"{API}imports/", {"source_id": jd.pk, "file": upload("jd_phones.csv")})
    assert big.status_code == 400 and big.json()["error"]["code"] == "too_large"
    assert post(api, f"{API}imports/", {"source_id": jd.pk}).status_code == 415
    assert not ImportRun.objects.exists()


def test_offers_detail_and_filters(api, operator, jd, suning, mall, phones, run_file):
    run_file(operator, jd, "jd_phones.csv")
    run_file(operator, jd, "items.json")
    run_file(operator, suning, "product_microdata.html")
    page = api.get(f"{API}offers/").json()
    assert page["count"] == 7
    assert api.get(f"{API}offers/?source_id={suning.pk}").json()["count"] == 2
    assert api.get(f"{API}offers/?category_id={phones.pk}").json()["count"] == 5
    assert api.get(f"{API}offers/?since=2024-05-08&until=2024-05-08").json()["count"] == 2
    assert api.get(f"{API}offers/?matched=true").json()["count"] == 5  # the microdata iPhone too
    assert [o["external_id"] for o in api.get(f"{API}offers/?q=JD-1004").json()["results"]] == ["JD-1004"]
    mate = ExternalOffer.objects.get(external_id="JD-1001")
    detail = api.get(f"{API}offers/{mate.pk}/").json()
    assert (detail["price"], detail["sales_count"], detail["group_id"], detail["match_kind"]) == (
        "6599.00", 25000, mall["mate"], "gtin")
    assert detail["category"] == {"id": phones.pk, "code": "phones-col", "name": "手机"}
    assert [p["price"] for p in detail["prices"]] == ["6599.00", "6799.00"]
    assert detail["raw"]["id"] == "JD-1001"
    mouse = api.get(f"{API}offers/?q=MX").json()["results"][0]
    assert (mouse["group_id"], mouse["match_kind"]) == (None, "")
    for query, field in [("since=2024-05-09&until=2024-05-01", "until"), ("source_id=999999", "source_id"),
                         ("category_id=0", "category_id"), ("matched=maybe", "matched"), ("q=" + "x" * 101, "q"),
                         ("since=someday", "since")]:
        answer = api.get(f"{API}offers/?{query}")
        assert answer.status_code == 400 and fields_of(answer) == [field], query
    assert api.get(f"{API}offers/?page=99").status_code == 404
    assert api.get(f"{API}offers/999999/").status_code == 404


def test_stats_analysis_and_rematch(api, operator, jd, mall, phones, run_file, django_capture_on_commit_callbacks):
    run_file(operator, jd, "jd_phones.csv")
    run_file(operator, jd, "items.json")
    stats = api.get(f"{API}stats/").json()
    assert (stats["offers"], stats["matched"], stats["observations"]) == (5, 4, 7)
    assert stats["by_source"][0]["name"] == "京东"
    assert [(d["day"], d["offers"]) for d in stats["by_day"]] == [("2024-05-01", 3), ("2024-05-02", 2),
                                                                  ("2024-05-08", 2)]
    analysis = api.get(f"{API}analysis/").json()
    assert (analysis["cheaper"], analysis["same"], analysis["dearer"], analysis["without_mall_offer"],
            analysis["same_within_percent"]) == (1, 1, 1, 0, "1.0")
    assert analysis["categories"][0] == {"category_id": phones.pk, "name": "手机", "groups": 3, "cheaper": 1,
                                         "same": 1, "dearer": 1, "average_difference_percent": "0.2"}
    groups = api.get(f"{API}analysis/groups/?page_size=2").json()
    assert groups["count"] == 3
    first = groups["results"][0]
    assert (first["group_id"], first["mall_lowest"], first["reference_median"], first["difference_percent"],
            first["position"]) == (mall["mate"], "6899.00", "6799.00", "1.5", "dearer")
    assert api.get(f"{API}analysis/?until=2024-05-02").json()["same"] == 2
    assert api.get(f"{API}stats/?since=2024-05-09&until=2024-05-01").status_code == 400
    assert api.get(f"{API}analysis/groups/?page=5").status_code == 404
    ExternalOffer.objects.update(group=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(api, f"{API}rematch/", {"only_unmatched": True}).status_code == 202
    assert ExternalOffer.objects.filter(group__isnull=False).count() == 4
    assert post(api, f"{API}rematch/", {"only_unmatched": "perhaps"}).status_code == 400


def test_source_names_are_unique_whatever_the_case(api):
    assert post(api, f"{API}sources/", {"name": "Tmall"}).status_code == 201
    again = post(api, f"{API}sources/", {"name": "TMALL"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "source_exists"
    other = post(api, f"{API}sources/", {"name": "JD"}).json()
    clash = api.patch(f"{API}sources/{other['id']}/", {"name": "tmall"}, content_type="application/json")
    assert clash.status_code == 409
    assert sorted(Source.objects.values_list("name", flat=True)) == ["JD", "Tmall"]


def test_list_endpoints_take_the_same_queries_for_more_rows(operator, ops_as, settings, jd, suning, mall, run_file):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"  # no cache in the counts
    api = ops_as(operator)
    first = run_file(operator, suning, "product_microdata.html")
    paths = [f"{API}offers/", f"{API}imports/", f"{API}sources/", f"{API}imports/{first.pk}/errors/"]

    def counts():
        counted = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(path).status_code == 200
            counted.append(len(queries))
        return counted

    few = counts()
    run_file(operator, jd, "jd_phones.csv")
    run_file(operator, jd, "items.json")
    assert counts() == few
