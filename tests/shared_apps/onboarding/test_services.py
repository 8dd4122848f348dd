import threading

import pytest
from django.db import connection

from backend.api.errors import Conflict, Forbidden, NotFound, ServiceError
from shared_apps.audit.models import AuditEntry
from shared_apps.onboarding import services
from shared_apps.onboarding.models import (
    ApplicationDocument,
    ApplicationStatus,
    BankAccountStatus,
    SettlementBankAccount,
)
from tenants import provisioning
from tenants.models import Domain, Shop
from tests.conftest import MALL, client_for
from tests.factories import UserFactory, build_application, png_upload

pytestmark = pytest.mark.django_db


def test_submit_moves_draft_to_submitted_with_history(applicant):
    application = build_application(applicant)
    assert application.status == ApplicationStatus.SUBMITTED
    assert [(t.from_status, t.to_status) for t in application.transitions.all()] == [("draft", "submitted")]
    assert application.contact_phone == "13800000001"
    assert application.bank_account_last4 == "5678"
    assert "5678" not in application.bank_account_number_encrypted


def test_incomplete_submit_names_every_missing_field(applicant):
    application = services.application_create(applicant=applicant)
    services.application_update(application_id=application.pk, actor=applicant, data={"shop_name": "小店"})
    with pytest.raises(ServiceError) as caught:
        services.application_submit(application_id=application.pk, actor=applicant)
    assert caught.value.code == "incomplete"
    assert set(caught.value.fields) == {
        "subdomain", "company_name", "credit_code", "contact_name", "contact_phone", "bank_name",
        "bank_account_name", "bank_account_number", "category_ids", "documents",
    }
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_bank_account_name_must_equal_company_name(applicant):
    application = build_application(applicant, submit=False, bank_account_name="别的公司")
    with pytest.raises(ServiceError) as caught:
        services.application_submit(application_id=application.pk, actor=applicant)
    assert caught.value.fields == {"bank_account_name": ["The account name must equal the company name."]}


@pytest.mark.parametrize(
    ("field", "value"),
    [("credit_code", "91350100M000100Y44"), ("subdomain", "www"), ("subdomain", "-bad"),
     ("contact_phone", "12345"), ("bank_account_number", "12ab"), ("shop_name", "x" * 61),
     ("category_ids", [999999]), ("category_ids", ["abc"])],
)
def test_bad_fields_are_named_and_nothing_is_saved(applicant, field, value):
    application = services.application_create(applicant=applicant)
    with pytest.raises(ServiceError) as caught:
        services.application_update(application_id=application.pk, actor=applicant,
                                    data={"shop_name": "Saved?", field: value})
    assert list(caught.value.fields) == [field]
    application.refresh_from_db()
    assert application.shop_name == ""


def test_subdomain_taken_case_insensitively_by_shop_or_waiting_application(applicant, shop_a):
    application = services.application_create(applicant=applicant)
    with pytest.raises(Conflict):
        services.application_update(application_id=application.pk, actor=applicant, data={"subdomain": "ALPHA"})
    build_application(UserFactory(), n=2, subdomain="taken-one")
    with pytest.raises(Conflict):
        services.application_update(application_id=application.pk, actor=applicant, data={"subdomain": "Taken-One"})


def test_documents_are_checked_by_content_and_size(applicant, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = services.application_create(applicant=applicant)
    fake = SimpleUploadedFile("licence.png", b"<html>not an image</html>", content_type="image/png")
    with pytest.raises(ServiceError) as caught:
        services.document_add(application_id=application.pk, actor=applicant, kind="business_licence", upload=fake)
    assert caught.value.fields["file"][0].startswith("This file type is not accepted")
    settings.QUALIFICATION_MAX_BYTES = 100
    with pytest.raises(ServiceError) as caught:
        services.document_add(application_id=application.pk, actor=applicant, kind="business_licence",
                              upload=png_upload())
    assert "limit" in caught.value.fields["file"][0]
    with pytest.raises(ServiceError):
        services.document_add(application_id=application.pk, actor=applicant, kind="passport", upload=png_upload())
    assert not ApplicationDocument.objects.exists()


def test_someone_else_cannot_touch_my_application(applicant, shopper):
    application = build_application(applicant, submit=False)
    with pytest.raises(NotFound):
        services.application_update(application_id=application.pk, actor=shopper, data={"shop_name": "Mine"})
    with pytest.raises(NotFound):
        services.application_submit(application_id=application.pk, actor=shopper)


def test_submitted_application_is_frozen(submitted, applicant):
    with pytest.raises(Conflict):
        services.application_update(application_id=submitted.pk, actor=applicant, data={"shop_name": "Changed"})


def test_approval_provisions_a_live_shop_and_mails_the_applicant(submitted, auditor, smtp,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_approve(application_id=submitted.pk, actor=auditor)
    shop = Shop.objects.get(pk=application.shop_id)
    assert (shop.subdomain, shop.schema_name, shop.name, shop.owner_id) == (
        "shop-1", "s_shop_1", "测试小店1", submitted.applicant_id)
    assert Domain.objects.get(tenant=shop).domain == f"shop-1.{MALL}"
    assert provisioning.schema_exists("s_shop_1")
    account = SettlementBankAccount.objects.get(shop=shop)
    assert (account.status, account.account_last4) == (BankAccountStatus.ACTIVE, "5678")
    assert client_for(f"shop-1.{MALL}").get("/").status_code == 200
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["To"] == "applicant@example.com"
    assert f"http://shop-1.{MALL}" in smtp.bodies()[0]
    assert list(AuditEntry.objects.filter(target_type="shop_application").values_list("action", flat=True)) == [
        "application.approved", "application.submitted"]


def test_double_approval_and_approving_a_rejected_application_conflict(submitted, operator, applicant):
    services.application_approve(application_id=submitted.pk, actor=operator)
    with pytest.raises(Conflict):
        services.application_approve(application_id=submitted.pk, actor=operator)
    assert Shop.objects.count() == 1
    other = build_application(applicant, n=2)
    services.application_reject(application_id=other.pk, actor=operator, reason="执照模糊")
    with pytest.raises(Conflict):
        services.application_approve(application_id=other.pk, actor=operator)
    assert Shop.objects.count() == 1


def test_reject_needs_a_reason_then_resubmission_goes_back_to_review(submitted, operator, applicant, smtp,
                                                                    django_capture_on_commit_callbacks):
    with pytest.raises(ServiceError):
        services.application_reject(application_id=submitted.pk, actor=operator, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application_id=submitted.pk, actor=operator, reason="营业执照照片不清晰")
    assert "营业执照照片不清晰" in smtp.bodies()[0]
    services.application_update(application_id=submitted.pk, actor=applicant, data={"shop_name": "新名字"})
    application = services.application_submit(application_id=submitted.pk, actor=applicant)
    assert application.status == ApplicationStatus.RESUBMITTED
    services.application_claim(application_id=submitted.pk, actor=operator)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert [t.to_status for t in application.transitions.all()] == [
        "submitted", "rejected", "resubmitted", "under_review"]


def test_only_reviewing_operators_decide(submitted, shopper, make_user):
    finance = make_user(operator_role="finance")
    for actor in (shopper, finance):
        with pytest.raises(Forbidden):
            services.application_approve(application_id=submitted.pk, actor=actor)
    assert Shop.objects.count() == 0


def test_two_applications_for_one_subdomain_make_one_shop(operator, applicant):
    first = build_application(applicant, n=3, submit=False)
    second = build_application(UserFactory(), n=4, submit=False)
    services.application_submit(application_id=first.pk, actor=applicant)
    # The second applicant picked the same name before the first was submitted.
    type(second).objects.filter(pk=second.pk).update(subdomain=first.subdomain)
    services.application_approve(application_id=first.pk, actor=operator)
    with pytest.raises(Conflict):
        services.application_submit(application_id=second.pk, actor=second.applicant)
    assert Shop.objects.filter(subdomain=first.subdomain).count() == 1


def test_bank_account_change_pauses_payouts_until_approved(submitted, operator, applicant):
    application = services.application_approve(application_id=submitted.pk, actor=operator)
    shop = Shop.objects.get(pk=application.shop_id)
    with pytest.raises(ServiceError) as caught:
        services.bank_account_change_request(shop_id=shop.pk, actor=applicant, bank_name="工商银行", bank_branch="",
                                             account_name="别人", account_number="6222020000000001")
    assert list(caught.value.fields) == ["account_name"]
    change = services.bank_account_change_request(
        shop_id=shop.pk, actor=applicant, bank_name="工商银行", bank_branch="", account_name=shop.company_name,
        account_number="6222 0200 0000 0001")
    shop.refresh_from_db()
    assert shop.payouts_paused is True
    with pytest.raises(Conflict):
        services.bank_account_change_request(shop_id=shop.pk, actor=applicant, bank_name="x", bank_branch="",
                                             account_name=shop.company_name, account_number="62220200000000099")
    services.bank_account_decide(account_id=change.pk, actor=operator, approve=True)
    shop.refresh_from_db()
    assert shop.payouts_paused is False
    assert list(SettlementBankAccount.objects.filter(shop=shop).order_by("id").values_list("status", "account_last4")) == [
        ("superseded", "5678"), ("active", "0001")]
    with pytest.raises(Conflict):
        services.bank_account_decide(account_id=change.pk, actor=operator, approve=False, reason="late")


@pytest.mark.django_db(transaction=True)
def test_two_operators_approving_at_once_create_exactly_one_shop(make_user):
    operators = [make_user(operator_role="admin"), make_user(operator_role="auditor")]
    applicant = make_user()
    application = build_application(applicant, n=7)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor):
        from django.db import connections

        barrier.wait()
        try:
            services.application_approve(application_id=application.pk, actor=actor)
            outcomes.append("approved")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(op,)) for op in operators]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["approved", "conflict"]
        assert Shop.objects.count() == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS s_shop_7 CASCADE")


