"""Who gets into the operator console: only people with an operator role, only on its host."""

from urllib.parse import quote

import pytest

from tests.conftest import MALL, OPS, client_for, shop_host

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/applications/",
    "/applications/{app}/",
    "/applications/{app}/documents/{doc}/",
    "/shops/",
    "/shops/{shop}/",
    "/bank-accounts/",
    "/audit/",
]
ACTIONS = [
    "/applications/{app}/claim/",
    "/applications/{app}/approve/",
    "/applications/{app}/reject/",
    "/shops/{shop}/suspend/",
    "/shops/{shop}/reactivate/",
    "/shops/{shop}/close/",
    "/bank-accounts/{bank}/approve/",
    "/bank-accounts/{bank}/reject/",
]
API_GETS = [
    "/api/v1/ops/applications/",
    "/api/v1/ops/applications/{app}/",
    "/api/v1/ops/applications/{app}/documents/{doc}/",
    "/api/v1/ops/shops/",
    "/api/v1/ops/shops/{shop}/",
    "/api/v1/ops/bank-accounts/",
    "/api/v1/ops/audit-log/",
]
API_POSTS = [
    "/api/v1/ops/applications/{app}/claim/",
    "/api/v1/ops/applications/{app}/approve/",
    "/api/v1/ops/applications/{app}/reject/",
    "/api/v1/ops/shops/{shop}/suspend/",
    "/api/v1/ops/shops/{shop}/reactivate/",
    "/api/v1/ops/shops/{shop}/close/",
    "/api/v1/ops/bank-accounts/{bank}/approve/",
    "/api/v1/ops/bank-accounts/{bank}/reject/",
]


@pytest.fixture
def ids(submitted, shop_a, merchant_a):
    from shared_apps.onboarding.services import bank_account_change_request

    change = bank_account_change_request(
        shop_id=shop_a.pk,
        actor=merchant_a,
        bank_name="工商银行",
        bank_branch="",
        account_name=shop_a.company_name,
        account_number="6222020000001111",
    )
    return {
        "app": submitted.pk,
        "doc": submitted.documents.first().pk,
        "shop": shop_a.pk,
        "bank": change.pk,
    }


def _fill(paths, ids):
    return [p.format(**ids) for p in paths]


def _nothing_changed(submitted, shop_a):
    from shared_apps.audit.models import AuditEntry
    from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount

    submitted.refresh_from_db()
    shop_a.refresh_from_db()
    assert submitted.status == "submitted"
    assert shop_a.status == "active"
    assert SettlementBankAccount.objects.filter(status=BankAccountStatus.PENDING).count() == 1
    assert (
        not AuditEntry.objects.filter(action__startswith="application.")
        .exclude(action="application.submitted")
        .exists()
    )
    assert (
        not AuditEntry.objects.filter(action__startswith="shop.")
        .exclude(action="shop.provisioned")
        .exists()
    )


def test_anonymous_is_sent_to_this_hosts_sign_in_page(ids):
    client = client_for(OPS)
    for path in _fill(PAGES, ids):
        response = client.get(path + "?x=1")
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/login/?next=" + quote(path + "?x=1", safe="/")
    login = client.get("/accounts/login/?next=/applications/")
    assert login.status_code == 200


def test_anonymous_posts_are_refused_and_change_nothing(ids, submitted, shop_a):
    client = client_for(OPS)
    for path in _fill(ACTIONS, ids):
        assert client.post(path, {"reason": "x"}).status_code == 302, path
    for path in _fill(API_GETS, ids):
        response = client.get(path)
        assert response.status_code in (401, 403), path
        assert response.json()["error"]["code"] == "not_authenticated"
    for path in _fill(API_POSTS, ids):
        assert client.post(path, {"reason": "x"}).status_code in (401, 403), path
    _nothing_changed(submitted, shop_a)


@pytest.mark.parametrize("persona", ["shopper", "merchant_a", "merchant_b"])
def test_people_without_an_operator_role_get_403_everywhere(
    persona, request, ids, submitted, shop_a
):
    user = request.getfixturevalue(persona)
    client = client_for(OPS, user)
    for path in _fill(PAGES, ids):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "<html" in response.content.decode()
    for path in _fill(ACTIONS, ids):
        assert client.post(path, {"reason": "x"}).status_code == 403, path
    for path in _fill(API_GETS, ids):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "permission_denied"
    for path in _fill(API_POSTS, ids):
        response = client.post(path, {"reason": "x"}, content_type="application/json")
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "permission_denied"
    _nothing_changed(submitted, shop_a)


def test_every_operator_role_sees_every_page_but_the_audit_log_is_for_admins_and_auditors(
    ids, operator, auditor, finance, service_agent
):
    for user, sees_audit in [
        (operator, True),
        (auditor, True),
        (finance, False),
        (service_agent, False),
    ]:
        client = client_for(OPS, user)
        for path in _fill(PAGES, ids):
            expected = 403 if path == "/audit/" and not sees_audit else 200
            assert client.get(path).status_code == expected, (user.operator_role, path)
        for path in _fill(API_GETS, ids):
            expected = 403 if path.endswith("audit-log/") and not sees_audit else 200
            assert client.get(path).status_code == expected, (user.operator_role, path)
        nav = client.get("/").content.decode()
        assert ('href="/audit/"' in nav) is sees_audit


def test_deactivated_operator_is_refused(operator):
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    client = client_for(OPS)
    client.force_login(operator, backend="shared_apps.accounts.backends.IdentifierBackend")
    assert client.get("/applications/").status_code in (302, 403)
    assert client.get("/api/v1/ops/applications/").status_code in (401, 403)


def test_api_token_of_an_operator_works_and_of_a_shopper_does_not(operator, shopper):
    from rest_framework.authtoken.models import Token

    for user, expected in [(operator, 200), (shopper, 403)]:
        token = Token.objects.create(user=user)
        response = client_for(OPS).get(
            "/api/v1/ops/shops/", HTTP_AUTHORIZATION=f"Token {token.key}"
        )
        assert response.status_code == expected


def test_console_exists_only_on_the_operator_host(operator, ids, shop_a):
    for host in [MALL, shop_host(shop_a)]:
        client = client_for(host, operator)
        assert client.get("/applications/").status_code == 404
        assert client.get("/api/v1/ops/applications/").status_code == 404


# --- qualification documents -------------------------------------------------------------------


def test_document_is_streamed_to_operators_with_its_type_inline_and_nosniff(operator, submitted):
    png, pdf = submitted.documents.order_by("id")
    client = client_for(OPS, operator)
    for document, content_type in [(png, "image/png"), (pdf, "application/pdf")]:
        for path in [
            f"/applications/{submitted.pk}/documents/{document.pk}/",
            f"/api/v1/ops/applications/{submitted.pk}/documents/{document.pk}/",
        ]:
            response = client.get(path, HTTP_ACCEPT="text/html,*/*")
            assert response.status_code == 200, path
            assert response["Content-Type"] == content_type
            assert response["Content-Disposition"].startswith("inline")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "no-store" in response["Cache-Control"]
            assert "script-src" not in response["Content-Security-Policy"]
            assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
            assert b"".join(response.streaming_content) == document.file.open("rb").read()
            document.file.close()


def test_document_of_another_application_or_unknown_is_404(operator, submitted, make_user):
    from tests.shared_apps.ops.conftest import submit_application

    other = submit_application(make_user(), n=2)
    other_doc = other.documents.first()
    client = client_for(OPS, operator)
    assert client.get(f"/applications/{submitted.pk}/documents/{other_doc.pk}/").status_code == 404
    assert client.get(f"/applications/{submitted.pk}/documents/999999/").status_code == 404
    response = client.get(
        f"/api/v1/ops/applications/{submitted.pk}/documents/{other_doc.pk}/",
        HTTP_ACCEPT="image/png",
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_document_is_not_served_to_the_applicant_merchant_or_on_other_hosts(
    submitted, applicant, merchant_a, shop_a
):
    document = submitted.documents.first()
    page = f"/applications/{submitted.pk}/documents/{document.pk}/"
    api = f"/api/v1/ops/applications/{submitted.pk}/documents/{document.pk}/"
    for user in [applicant, merchant_a]:
        assert client_for(OPS, user).get(page).status_code == 403
        assert client_for(OPS, user).get(api).status_code == 403
    media = "/media/" + document.file.name
    for host, user in [(MALL, applicant), (MALL, merchant_a), (shop_host(shop_a), merchant_a)]:
        client = client_for(host, user)
        assert client.get(page).status_code == 404, host
        assert client.get(api).status_code == 404, host
        assert client.get(media).status_code == 404, host
    assert client_for(OPS, merchant_a).get(media).status_code == 404


def test_signing_in_on_the_operator_host_returns_to_the_page_asked_for(operator):
    from tests.factories import PASSWORD

    client = client_for(OPS)
    assert client.get("/applications/").status_code == 302
    response = client.post(
        "/accounts/login/",
        {"identifier": operator.email, "password": PASSWORD, "next": "/applications/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/applications/"
    assert client.get("/applications/").status_code == 200


def test_console_forms_carry_a_csrf_token_that_the_server_accepts(operator, submitted):
    from django.test import Client

    client = Client(HTTP_HOST=OPS, enforce_csrf_checks=True)
    client.force_login(operator, backend="shared_apps.accounts.backends.IdentifierBackend")
    assert client.post(f"/applications/{submitted.pk}/claim/").status_code == 403  # no token
    page = client.get(f"/applications/{submitted.pk}/")
    token = page.context["csrf_token"]
    response = client.post(f"/applications/{submitted.pk}/claim/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "under_review"
