"""Reviewing shop applications in the operator console: queue, detail, claim, approve, reject."""

import pytest
from django.conf import settings

from shared_apps.audit.models import AuditEntry
from shared_apps.onboarding.models import (
    ApplicationStatus,
    BankAccountStatus,
    SettlementBankAccount,
)
from tenants.models import Domain, Shop
from tests.conftest import MALL, OPS, client_for
from tests.shared_apps.ops.conftest import submit_application

pytestmark = pytest.mark.django_db


def _queue(*applicants, start: int = 1):
    """Applications submitted in this order (so 'oldest first' is checkable)."""
    return [submit_application(person, n=start + i) for i, person in enumerate(applicants)]


# --- queue ---------------------------------------------------------------------------------------


def test_queue_page_shows_waiting_applications_oldest_first_with_tabs(operator, make_user):
    first, second, third = _queue(make_user(), make_user(), make_user())
    draft = submit_application(make_user(), n=9, submit=False)
    client = client_for(OPS, operator)
    client.post(f"/applications/{third.pk}/reject/", {"reason": "营业执照不清晰"})

    page = client.get("/applications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert [a.pk for a in page.context["page"]] == [first.pk, second.pk]
    assert html.index(first.shop_name) < html.index(second.shop_name)
    assert third.shop_name not in html and draft.shop_name not in html
    tabs = {tab["status"]: tab["count"] for tab in page.context["tabs"]}
    assert tabs == {"": 2, "under_review": 0, "approved": 0, "rejected": 1}

    rejected = client.get("/applications/?status=rejected")
    assert [a.pk for a in rejected.context["page"]] == [third.pk]
    assert len(client.get("/applications/?status=nonsense").context["page"].object_list) == 2


def test_queue_page_is_chinese_by_default_and_english_on_request(operator, submitted):
    client = client_for(OPS, operator)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # no choice made: Chinese, whatever the browser
    html = client.get("/applications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in html
    english = client_for(OPS, operator).get("/applications/")  # the switch's cookie says English
    assert "Shop applications" in english.content.decode()
    assert 'name="viewport"' in html  # usable on a phone


def test_queue_pages_through_applications(operator, make_user, settings):
    from shared_apps.ops import views

    applications = _queue(*[make_user() for _ in range(3)])
    original = views.APPLICATIONS_PER_PAGE
    views.APPLICATIONS_PER_PAGE = 2
    try:
        client = client_for(OPS, operator)
        first = client.get("/applications/")
        second = client.get("/applications/?page=2")
        beyond = client.get("/applications/?page=99")
    finally:
        views.APPLICATIONS_PER_PAGE = original
    assert [a.pk for a in first.context["page"]] == [applications[0].pk, applications[1].pk]
    assert [a.pk for a in second.context["page"]] == [applications[2].pk]
    assert [a.pk for a in beyond.context["page"]] == [applications[2].pk]
    assert 'href="?page=2"' in first.content.decode()


def test_queue_page_and_api_make_the_same_number_of_queries_for_1_or_many(
    operator, make_user, counted_ops_as, django_assert_max_num_queries
):
    # Every query is preceded by django-tenants' SET search_path, so each budget is 2 × queries:
    # page = user, tab counts, page count, rows; API = user, count, rows.
    _queue(make_user())
    client = counted_ops_as(operator)
    client.get("/applications/")  # warm the session
    for rows in (1, 7):
        if rows > 1:
            _queue(*[make_user() for _ in range(rows - 1)], start=2)
        with django_assert_max_num_queries(8):
            page = client.get("/applications/")
        with django_assert_max_num_queries(6):
            api = client.get("/api/v1/ops/applications/")
        assert len(page.context["page"]) == rows
        assert api.json()["count"] == rows


def test_api_queue_lists_waiting_oldest_first_and_filters_by_status(operator, make_user):
    first, second = _queue(make_user(), make_user())
    client = client_for(OPS, operator)
    body = client.get("/api/v1/ops/applications/").json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [first.pk, second.pk]
    row = body["results"][0]
    assert row["status"] == "submitted"
    assert row["shop_name"] == "测试小店1"
    assert row["subdomain"] == "shop-1"
    assert row["company_name"] == "上海测试贸易有限公司1"
    assert row["applicant"] == {"id": first.applicant_id, "name": str(first.applicant)}
    assert row["reviewer"] is None

    client.post(f"/api/v1/ops/applications/{second.pk}/claim/")
    under_review = client.get("/api/v1/ops/applications/?status=under_review").json()
    assert [row["id"] for row in under_review["results"]] == [second.pk]
    assert under_review["results"][0]["reviewer"]["id"] == operator.pk

    bad = client.get("/api/v1/ops/applications/?status=bogus")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid"
    assert "status" in bad.json()["error"]["fields"]


# --- detail --------------------------------------------------------------------------------------


def test_detail_page_shows_every_field_masked_contact_and_account_and_documents(
    operator, submitted
):
    client = client_for(OPS, operator)
    response = client.get(f"/applications/{submitted.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "测试小店1",
        "shop-1",
        "上海测试贸易有限公司1",
        submitted.credit_code,
        "张三",
        "招商银行",
        "上海分行",
        "食品生鲜",
        "图书文娱",
        "138****0001",
        "**** **** 5678",
    ]:
        assert text in html, text
    assert "13800000001" not in html and "6225880112345678" not in html
    png, pdf = submitted.documents.order_by("id")
    assert f'<img src="/applications/{submitted.pk}/documents/{png.pk}/"' in html
    assert (
        f'<object data="/applications/{submitted.pk}/documents/{pdf.pk}/" type="application/pdf"'
        in html
    )
    assert f'action="/applications/{submitted.pk}/approve/"' in html
    assert f'action="/applications/{submitted.pk}/claim/"' in html
    assert 'name="reason"' in html


def test_detail_page_hides_review_buttons_from_roles_that_cannot_review(
    finance, service_agent, submitted
):
    for user in [finance, service_agent]:
        html = client_for(OPS, user).get(f"/applications/{submitted.pk}/").content.decode()
        assert "/approve/" not in html and "/reject/" not in html


def test_detail_of_unknown_application_is_404(operator):
    client = client_for(OPS, operator)
    assert client.get("/applications/999999/").status_code == 404
    response = client.get("/api/v1/ops/applications/999999/")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "No such application.",
        "fields": {},
    }


def test_api_detail_has_masked_fields_categories_documents_and_history(operator, submitted):
    body = client_for(OPS, operator).get(f"/api/v1/ops/applications/{submitted.pk}/").json()
    assert body["contact_phone"] == "138****0001"
    assert body["bank_account_number"] == "**** **** 5678"
    assert body["credit_code"] == submitted.credit_code
    assert body["bank_account_name"] == "上海测试贸易有限公司1"
    assert [c["code"] for c in body["categories"]] == ["food", "books"]
    png, pdf = submitted.documents.order_by("id")
    assert [(d["id"], d["kind"], d["content_type"]) for d in body["documents"]] == [
        (png.pk, "business_licence", "image/png"),
        (pdf.pk, "other", "application/pdf"),
    ]
    assert (
        body["documents"][0]["url"]
        == f"/api/v1/ops/applications/{submitted.pk}/documents/{png.pk}/"
    )
    assert [(t["from_status"], t["to_status"]) for t in body["transitions"]] == [
        ("draft", "submitted")
    ]
    assert body["shop_id"] is None and body["shop_url"] is None
    assert "13800000001" not in str(body) and "6225880112345678" not in str(body)


# --- claim ---------------------------------------------------------------------------------------


def test_claim_takes_the_application_into_review_and_is_audited(operator, submitted):
    client = client_for(OPS, operator)
    response = client.post(f"/applications/{submitted.pk}/claim/")
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{submitted.pk}/"
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.UNDER_REVIEW
    assert submitted.reviewer_id == operator.pk
    entry = AuditEntry.objects.get(action="application.under_review")
    assert (entry.actor_id, entry.target_id, entry.before, entry.after, entry.ip) == (
        operator.pk,
        str(submitted.pk),
        {"status": "submitted"},
        {"status": "under_review"},
        "127.0.0.1",
    )
    again = client.post(f"/applications/{submitted.pk}/claim/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert (
        "An application that is Under review cannot become Under review." in again.content.decode()
    )
    api_again = client.post(f"/api/v1/ops/applications/{submitted.pk}/claim/")
    assert api_again.status_code == 409
    assert api_again.json()["error"]["code"] == "illegal_transition"


# --- approve -------------------------------------------------------------------------------------


def test_approve_on_the_page_opens_the_shop_at_its_host_and_mails_the_applicant(
    operator, submitted, smtp, django_capture_on_commit_callbacks
):
    client = client_for(OPS, operator)
    client.post(f"/applications/{submitted.pk}/claim/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/applications/{submitted.pk}/approve/")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.APPROVED
    shop = Shop.objects.get()
    assert (shop.subdomain, shop.name, shop.company_name, shop.owner_id, shop.application_id) == (
        "shop-1",
        "测试小店1",
        "上海测试贸易有限公司1",
        submitted.applicant_id,
        submitted.pk,
    )
    assert submitted.shop_id == shop.pk
    assert Domain.objects.get(tenant=shop).domain == f"shop-1.{MALL}"
    bank = SettlementBankAccount.objects.get(shop=shop)
    assert (bank.status, bank.account_last4) == (BankAccountStatus.ACTIVE, "5678")

    storefront = client_for(f"shop-1.{MALL}").get("/")
    assert storefront.status_code == 200
    assert "测试小店1" in storefront.content.decode()

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "applicant@example.com"
    assert f"shop-1.{MALL}" in smtp.bodies()[0]

    page = client.get(f"/applications/{submitted.pk}/").content.decode()
    assert f"http://shop-1.{MALL}" in page
    assert f'href="/shops/{shop.pk}/"' in page
    actions = list(
        AuditEntry.objects.filter(target_type__in=["shop_application", "shop"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "application.submitted",
        "application.under_review",
        "application.approved",
        "shop.provisioned",
    ]


def test_approve_by_api_returns_the_new_shop_id_and_url(
    operator, submitted, smtp, django_capture_on_commit_callbacks
):
    client = client_for(OPS, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/ops/applications/{submitted.pk}/approve/")
    assert response.status_code == 200
    body = response.json()
    shop = Shop.objects.get()
    assert body["status"] == "approved"
    assert body["shop_id"] == shop.pk
    assert body["shop_url"] == f"http://shop-1.{MALL}/"
    assert body["reviewer"]["id"] == operator.pk
    assert [t["to_status"] for t in body["transitions"]] == ["submitted", "approved"]
    assert len(smtp.messages) == 1
    assert client_for(f"shop-1.{MALL}").get("/").status_code == 200


def test_double_approval_is_409_with_exactly_one_shop(
    operator, auditor, submitted, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(OPS, operator).post(f"/api/v1/ops/applications/{submitted.pk}/approve/")
    second = client_for(OPS, auditor).post(f"/api/v1/ops/applications/{submitted.pk}/approve/")
    page = client_for(OPS, auditor).post(f"/applications/{submitted.pk}/approve/")
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "illegal_transition"
    assert page.status_code == 409
    assert Shop.objects.count() == 1
    assert SettlementBankAccount.objects.count() == 1
    assert AuditEntry.objects.filter(action="application.approved").count() == 1
    assert len(smtp.messages) == 1


def test_approving_a_rejected_application_is_409_and_creates_nothing(operator, submitted):
    client = client_for(OPS, operator)
    client.post(
        f"/api/v1/ops/applications/{submitted.pk}/reject/",
        {"reason": "资料不全"},
        content_type="application/json",
    )
    response = client.post(f"/api/v1/ops/applications/{submitted.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    page = client.post(f"/applications/{submitted.pk}/approve/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 409
    assert "An application that is Rejected cannot become Approved." in page.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.REJECTED
    assert Shop.objects.count() == 0
    assert not AuditEntry.objects.filter(action="application.approved").exists()


def test_approving_an_unknown_application_is_404(operator):
    assert (
        client_for(OPS, operator).post("/api/v1/ops/applications/999999/approve/").status_code
        == 404
    )
    assert client_for(OPS, operator).post("/applications/999999/approve/").status_code == 404


def test_auditor_may_approve_but_finance_and_service_may_not(
    auditor, finance, service_agent, make_user
):
    mine, theirs = _queue(make_user(), make_user())
    for user in [finance, service_agent]:
        for path in [
            f"/api/v1/ops/applications/{theirs.pk}/approve/",
            f"/api/v1/ops/applications/{theirs.pk}/claim/",
        ]:
            response = client_for(OPS, user).post(path)
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "permission_denied"
        assert client_for(OPS, user).post(f"/applications/{theirs.pk}/approve/").status_code == 403
        rejected = client_for(OPS, user).post(
            f"/applications/{theirs.pk}/reject/", {"reason": "不行"}
        )
        assert rejected.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == ApplicationStatus.SUBMITTED
    assert Shop.objects.count() == 0

    response = client_for(OPS, auditor).post(f"/api/v1/ops/applications/{mine.pk}/approve/")
    assert response.status_code == 200
    assert Shop.objects.get().application_id == mine.pk


# --- reject --------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_needs_a_reason_on_the_page_and_the_api(operator, submitted, reason):
    client = client_for(OPS, operator)
    page = client.post(f"/applications/{submitted.pk}/reject/", {"reason": reason})
    assert page.status_code == 400
    assert page.context["reject_form"].errors["reason"]
    api = client.post(
        f"/api/v1/ops/applications/{submitted.pk}/reject/",
        {"reason": reason},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "invalid"
    assert list(api.json()["error"]["fields"]) == ["reason"]
    missing = client.post(
        f"/api/v1/ops/applications/{submitted.pk}/reject/", {}, content_type="application/json"
    )
    assert missing.status_code == 400
    assert list(missing.json()["error"]["fields"]) == ["reason"]
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action="application.rejected").exists()


def test_reject_with_a_too_long_reason_is_400(operator, submitted):
    response = client_for(OPS, operator).post(
        f"/api/v1/ops/applications/{submitted.pk}/reject/",
        {"reason": "x" * 501},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]


def test_reject_on_the_page_records_the_reason_and_mails_the_applicant(
    operator, submitted, smtp, django_capture_on_commit_callbacks
):
    client = client_for(OPS, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/applications/{submitted.pk}/reject/", {"reason": "  营业执照已过期  "}
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.REJECTED
    assert submitted.decision_reason == "营业执照已过期"
    transition = submitted.transitions.last()
    assert (transition.to_status, transition.reason, transition.actor_id) == (
        "rejected",
        "营业执照已过期",
        operator.pk,
    )
    entry = AuditEntry.objects.get(action="application.rejected")
    assert (entry.reason, entry.before, entry.after) == (
        "营业执照已过期",
        {"status": "submitted"},
        {"status": "rejected"},
    )
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["To"] == "applicant@example.com"
    assert "营业执照已过期" in smtp.bodies()[0]
    assert Shop.objects.count() == 0
    html = client.get(f"/applications/{submitted.pk}/").content.decode()
    assert "营业执照已过期" in html
    assert "/approve/" not in html  # nothing left to decide


def test_reject_by_api_returns_the_application_and_a_second_reject_is_409(
    operator, submitted, smtp, django_capture_on_commit_callbacks
):
    client = client_for(OPS, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/ops/applications/{submitted.pk}/reject/",
            {"reason": "类目不符"},
            content_type="application/json",
        )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_reason"]) == (
        "rejected",
        "类目不符",
    )
    assert len(smtp.messages) == 1
    again = client.post(
        f"/api/v1/ops/applications/{submitted.pk}/reject/",
        {"reason": "again"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert AuditEntry.objects.filter(action="application.rejected").count() == 1


def test_resubmitted_application_comes_back_to_the_queue_and_can_be_approved(
    operator, submitted, applicant
):
    from shared_apps.onboarding import services as onboarding

    client = client_for(OPS, operator)
    client.post(f"/applications/{submitted.pk}/reject/", {"reason": "补充资料"})
    onboarding.application_submit(application_id=submitted.pk, actor=applicant)
    queue = client.get("/api/v1/ops/applications/").json()
    assert [(row["id"], row["status"]) for row in queue["results"]] == [
        (submitted.pk, "resubmitted")
    ]
    assert client.post(f"/api/v1/ops/applications/{submitted.pk}/approve/").status_code == 200
    assert Shop.objects.count() == 1
