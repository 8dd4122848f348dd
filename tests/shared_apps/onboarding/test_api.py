import pytest

from shared_apps.onboarding.models import ApplicationStatus, ShopApplication
from shared_apps.taxonomy.models import Category
from tests.conftest import MALL, client_for
from tests.factories import application_data, png_upload

pytestmark = pytest.mark.django_db
BASE = "/api/v1/applications/"


@pytest.fixture
def api(applicant):
    return client_for(MALL, applicant)


def test_full_application_through_the_api(api):
    categories = api.get("/api/v1/categories/").json()
    assert [c["code"] for c in categories][:3] == ["digital", "computers", "appliances"]
    data = application_data(5, category_ids=[categories[0]["id"]])
    created = api.post(BASE, data, content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["subdomain"], body["contact_phone_masked"]) == ("draft", "shop-5", "138****0005")
    pk = body["id"]
    upload = api.post(f"{BASE}{pk}/documents/", {"kind": "business_licence", "file": png_upload()})
    assert upload.status_code == 201
    assert upload.json()["content_type"] == "image/png"
    document = api.get(f"{BASE}{pk}/documents/{upload.json()['id']}/")
    assert document.status_code == 200 and document["Content-Type"] == "image/png"
    submitted = api.post(f"{BASE}{pk}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert [t["to_status"] for t in submitted.json()["transitions"]] == ["submitted"]


def test_bad_input_gets_the_error_body(api):
    response = api.post(BASE, {"credit_code": "123"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"credit_code": ["A unified social credit code has 18 characters."]}
    assert not ShopApplication.objects.exists()
    response = api.post(BASE, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    response = api.post(BASE, {"category_ids": "food"}, content_type="application/json")
    assert response.status_code == 400
    assert "category_ids" in response.json()["error"]["fields"]


def test_incomplete_submit_lists_missing_fields(api):
    pk = api.post(BASE, {"shop_name": "小店"}, content_type="application/json").json()["id"]
    response = api.post(f"{BASE}{pk}/submit/")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "incomplete"
    assert "documents" in error["fields"]


def test_wrong_type_upload_is_refused(api):
    pk = api.post(BASE, {}, content_type="application/json").json()["id"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    response = api.post(f"{BASE}{pk}/documents/", {"kind": "business_licence", "file": fake})
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    missing = api.post(f"{BASE}{pk}/documents/", {"kind": "business_licence"})
    assert missing.status_code == 400


def test_others_get_404_for_my_application_and_documents(api, shopper):
    pk = api.post(BASE, application_data(6), content_type="application/json").json()["id"]
    doc = api.post(f"{BASE}{pk}/documents/", {"kind": "business_licence", "file": png_upload()}).json()["id"]
    other = client_for(MALL, shopper)
    assert other.get(f"{BASE}{pk}/").status_code == 404
    assert other.patch(f"{BASE}{pk}/", {"shop_name": "x"}, content_type="application/json").status_code == 404
    assert other.get(f"{BASE}{pk}/documents/{doc}/").status_code == 404
    assert other.post(f"{BASE}{pk}/submit/").status_code == 404
    assert client_for(MALL).get(f"{BASE}{pk}/").status_code in (401, 403)


def test_subdomain_check(api, shop_a):
    assert api.get("/api/v1/subdomains/check/?name=alpha").json() == {
        "name": "alpha", "available": False, "message": "Already taken."}
    assert api.get("/api/v1/subdomains/check/?name=fresh-name").json()["available"] is True
    reserved = api.get("/api/v1/subdomains/check/?name=www").json()
    assert reserved["available"] is False and reserved["message"] == "This subdomain is reserved."


def test_applicant_wizard_pages(api, applicant):
    start = api.post("/open-shop/")
    assert start.status_code == 302
    pk = ShopApplication.objects.get(applicant=applicant).pk
    assert start["Location"] == f"/open-shop/{pk}/step/shop/"
    page = api.get(f"/open-shop/{pk}/step/shop/")
    assert page.status_code == 200
    bad = api.post(f"/open-shop/{pk}/step/company/", {
        "company_name": "公司", "credit_code": "91350100M000100Y44", "contact_name": "张三",
        "contact_phone": "13800000000"})
    assert bad.status_code == 400
    assert "check character is wrong" in bad.content.decode()
    data = application_data(8)
    steps = {
        "shop": {k: data[k] for k in ("shop_name", "subdomain")},
        "company": {k: data[k] for k in ("company_name", "credit_code", "contact_name", "contact_phone")},
        "categories": {"category_ids": [str(Category.objects.get(code="food").pk)]},
        "bank": {k: data[k] for k in ("bank_name", "bank_branch", "bank_account_name", "bank_account_number")},
    }
    for slug, fields in steps.items():
        response = api.post(f"/open-shop/{pk}/step/{slug}/", fields)
        assert response.status_code == 302, (slug, response.content.decode()[:500])
    assert api.post(f"/open-shop/{pk}/step/documents/", {"kind": "business_licence",
                                                        "file": png_upload()}).status_code == 302
    review = api.get(f"/open-shop/{pk}/step/review/")
    assert "shop-8." + MALL in review.content.decode()
    assert api.post(f"/open-shop/{pk}/step/review/").status_code == 302
    assert ShopApplication.objects.get(pk=pk).status == ApplicationStatus.SUBMITTED
    detail = api.get(f"/open-shop/{pk}/")
    assert detail.status_code == 200
    assert api.get(f"/open-shop/{pk}/step/shop/").status_code == 302  # frozen once submitted


def test_wizard_requires_sign_in():
    response = client_for(MALL).get("/open-shop/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
