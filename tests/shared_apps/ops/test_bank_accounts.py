"""Reviewing settlement bank account changes: a change pauses payouts until an operator decides."""

import pytest

from shared_apps.audit.models import AuditEntry
from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount
from shared_apps.onboarding.services import bank_account_change_request
from tenants.models import Shop
from tests.conftest import OPS, client_for, provision
from tests.shared_apps.ops.conftest import submit_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_shop(operator, applicant):
    """A shop opened by approval, so it has an active bank account (…5678)."""
    application = submit_application(applicant)
    shop_id = (
        client_for(OPS, operator)
        .post(f"/api/v1/ops/applications/{application.pk}/approve/")
        .json()["shop_id"]
    )
    return Shop.objects.get(pk=shop_id)


def _request_change(shop, actor, number="6222020000009999"):
    return bank_account_change_request(
        shop_id=shop.pk,
        actor=actor,
        bank_name="工商银行",
        bank_branch="浦东支行",
        account_name=shop.company_name,
        account_number=number,
    )


def test_queue_page_and_api_show_pending_changes_with_the_current_account(
    operator, live_shop, applicant
):
    change = _request_change(live_shop, applicant)
    client = client_for(OPS, operator)
    html = client.get("/bank-accounts/").content.decode()
    assert "**** **** 9999" in html and "**** **** 5678" in html
    assert "6222020000009999" not in html
    assert f'action="/bank-accounts/{change.pk}/approve/"' in html
    assert f'action="/bank-accounts/{change.pk}/reject/"' in html

    body = client.get("/api/v1/ops/bank-accounts/").json()
    assert len(body) == 1
    row = body[0]
    assert (row["id"], row["status"], row["bank_name"], row["account_number"]) == (
        change.pk,
        "pending",
        "工商银行",
        "**** **** 9999",
    )
    assert row["shop"] == {"id": live_shop.pk, "name": "测试小店1", "subdomain": "shop-1"}
    assert row["requested_by"]["id"] == applicant.pk
    assert row["current"]["account_number"] == "**** **** 5678"
    assert client.get("/").context["data"].pending_bank_accounts == 1


def test_queue_query_count_does_not_grow(
    operator, make_user, counted_ops_as, django_assert_max_num_queries
):
    client = counted_ops_as(operator)
    client.get("/bank-accounts/")
    for i in range(4):
        owner = make_user()
        shop = provision(owner, f"bank-{i}", f"Bank {i}", f"Bank {i} 有限公司")
        _request_change(shop, owner)
        # user, pending changes with shops, their current accounts; each after SET search_path.
        with django_assert_max_num_queries(6):
            page = client.get("/bank-accounts/")
        with django_assert_max_num_queries(6):
            api = client.get("/api/v1/ops/bank-accounts/")
        assert len(page.context["changes"]) == i + 1
        assert len(api.json()) == i + 1


def test_approve_activates_the_new_account_resumes_payouts_and_is_audited(
    operator, live_shop, applicant
):
    change = _request_change(live_shop, applicant)
    live_shop.refresh_from_db()
    assert live_shop.payouts_paused is True
    old = SettlementBankAccount.objects.get(shop=live_shop, status=BankAccountStatus.ACTIVE)

    response = client_for(OPS, operator).post(f"/bank-accounts/{change.pk}/approve/")
    assert response.status_code == 302
    assert response["Location"] == "/bank-accounts/"
    change.refresh_from_db()
    old.refresh_from_db()
    live_shop.refresh_from_db()
    assert (change.status, change.reviewer_id) == (BankAccountStatus.ACTIVE, operator.pk)
    assert old.status == BankAccountStatus.SUPERSEDED
    assert live_shop.payouts_paused is False
    entry = AuditEntry.objects.get(action="bank_account.approved")
    assert (entry.shop_id, entry.before, entry.after) == (
        live_shop.pk,
        {"last4": "5678"},
        {"last4": "9999", "status": "active"},
    )

    again = client_for(OPS, operator).post(f"/api/v1/ops/bank-accounts/{change.pk}/approve/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_decided"
    page_again = client_for(OPS, operator).post(
        f"/bank-accounts/{change.pk}/approve/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page_again.status_code == 409
    assert "This change was already decided." in page_again.content.decode()


@pytest.mark.parametrize("reason", ["", "  "])
def test_reject_needs_a_reason(operator, live_shop, applicant, reason):
    change = _request_change(live_shop, applicant)
    client = client_for(OPS, operator)
    page = client.post(f"/bank-accounts/{change.pk}/reject/", {"reason": reason})
    assert page.status_code == 400
    assert page.context["changes"][0].reject_form.errors["reason"]
    api = client.post(
        f"/api/v1/ops/bank-accounts/{change.pk}/reject/",
        {"reason": reason},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert list(api.json()["error"]["fields"]) == ["reason"]
    change.refresh_from_db()
    assert change.status == BankAccountStatus.PENDING


def test_reject_by_api_keeps_the_old_account_and_records_the_reason(operator, live_shop, applicant):
    change = _request_change(live_shop, applicant)
    response = client_for(OPS, operator).post(
        f"/api/v1/ops/bank-accounts/{change.pk}/reject/",
        {"reason": "开户名与营业执照不一致"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["decision_reason"]) == ("rejected", "开户名与营业执照不一致")
    assert body["current"]["account_number"] == "**** **** 5678"
    assert (
        SettlementBankAccount.objects.get(
            shop=live_shop, status=BankAccountStatus.ACTIVE
        ).account_last4
        == "5678"
    )
    live_shop.refresh_from_db()
    assert live_shop.payouts_paused is False
    entry = AuditEntry.objects.get(action="bank_account.rejected")
    assert (entry.reason, entry.after) == (
        "开户名与营业执照不一致",
        {"last4": "9999", "status": "rejected"},
    )
    assert client_for(OPS, operator).get("/api/v1/ops/bank-accounts/").json() == []


def test_finance_may_decide_but_customer_service_may_not(
    finance, service_agent, live_shop, applicant
):
    change = _request_change(live_shop, applicant)
    refused = client_for(OPS, service_agent).post(f"/api/v1/ops/bank-accounts/{change.pk}/approve/")
    assert refused.status_code == 403
    assert (
        client_for(OPS, service_agent).post(f"/bank-accounts/{change.pk}/approve/").status_code
        == 403
    )
    assert "/approve/" not in client_for(OPS, service_agent).get("/bank-accounts/").content.decode()
    change.refresh_from_db()
    assert change.status == BankAccountStatus.PENDING
    assert (
        client_for(OPS, finance).post(f"/api/v1/ops/bank-accounts/{change.pk}/approve/").status_code
        == 200
    )


def test_unknown_change_is_404(operator):
    client = client_for(OPS, operator)
    response = client.post("/api/v1/ops/bank-accounts/999999/approve/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.post("/bank-accounts/999999/reject/", {"reason": "x"}).status_code == 404
