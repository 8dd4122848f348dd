"""The permission unit: collected data is for administrators and for operators an administrator
granted access; every page and endpoint refuses everyone else. Grants and revocations are
audited; shoppers never reach collected data."""

import pytest

from backend.api.errors import Conflict, Forbidden, NotFound, ServiceError
from shared_apps.audit.models import AuditEntry
from shared_apps.collection import access, services
from shared_apps.collection.models import CollectedDataGrant, ExternalOffer, Source
from tests.conftest import MALL, client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/ops/collection/"


@pytest.fixture
def data(operator, jd, run_file):
    """One import of 京东 with an offer and error rows."""
    run = run_file(operator, jd, "jd_phones.csv")
    return {"run": run.pk, "offer": ExternalOffer.objects.first().pk, "source": jd.pk}


def pages(ids) -> list[str]:
    return ["/collection/", f"/collection/offers/{ids['offer']}/", "/collection/sources/",
            f"/collection/sources/{ids['source']}/", "/collection/imports/", f"/collection/imports/{ids['run']}/",
            f"/collection/imports/{ids['run']}/errors.csv", "/collection/stats/", "/collection/analysis/"]


def endpoints(ids) -> list[str]:
    return [f"{API}sources/", f"{API}sources/{ids['source']}/", f"{API}imports/", f"{API}imports/{ids['run']}/",
            f"{API}imports/{ids['run']}/errors/", f"{API}imports/{ids['run']}/errors.csv", f"{API}offers/",
            f"{API}offers/{ids['offer']}/", f"{API}stats/", f"{API}analysis/", f"{API}analysis/groups/"]


def writes(ids) -> list[tuple[str, dict]]:
    return [("/collection/sources/create/", {"name": "淘宝", "kind": "marketplace"}),
            (f"/collection/sources/{ids['source']}/", {"name": "改名", "kind": "other"}),
            ("/collection/imports/upload/", {"source": ids["source"]}), ("/collection/rematch/", {}),
            (f"{API}sources/", {"name": "淘宝"}), (f"{API}rematch/", {})]


def test_administrators_see_everything(operator, data, ops_as):
    client = ops_as(operator)
    for path in [*pages(data), *endpoints(data), "/collection/grants/", f"{API}grants/"]:
        assert client.get(path).status_code == 200, path


def test_operators_without_a_grant_and_others_are_refused(finance, auditor, shopper, merchant_a, data, ops_as):
    for person in (finance, auditor, shopper, merchant_a):
        client = ops_as(person)
        for path in [*pages(data), *endpoints(data), "/collection/grants/", f"{API}grants/"]:
            assert client.get(path).status_code == 403, (person, path)
        for path, body in writes(data):
            assert client.post(path, body).status_code == 403, (person, path)
    assert Source.objects.count() == 1 and Source.objects.get().name == "京东"


def test_anonymous_visitors_sign_in_first(data, ops_as):
    client = ops_as(None)
    for path in pages(data):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/"), path
    for path in endpoints(data):
        assert client.get(path).status_code in (401, 403), path


def test_the_mall_host_has_no_collected_data(data, shopper):
    client = client_for(MALL, shopper)
    for path in [*pages(data), *endpoints(data)]:
        assert client.get(path).status_code == 404, path


def test_a_grant_opens_the_data_but_not_the_grants_and_a_revocation_closes_it(operator, finance, data, ops_as):
    client = ops_as(finance)
    admin = ops_as(operator)
    answer = admin.post(f"{API}grants/", {"user_id": finance.pk, "reason": "价格分析"}, content_type="application/json")
    assert answer.status_code == 201
    assert answer.json()["user"] == {"id": finance.pk, "name": "Finance"} and answer.json()["revoked_at"] is None
    for path in [*pages(data), *endpoints(data)]:
        assert client.get(path).status_code == 200, path
    assert client.get("/collection/grants/").status_code == 403
    assert client.get(f"{API}grants/").status_code == 403
    assert client.post(f"{API}grants/{finance.pk}/revoke/", {}, content_type="application/json").status_code == 403
    revoked = admin.post(f"{API}grants/{finance.pk}/revoke/", {"reason": "项目结束"}, content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["revoked_by"]["id"] == operator.pk
    for path in [*pages(data), *endpoints(data)]:
        assert client.get(path).status_code == 403, path
    entries = list(AuditEntry.objects.filter(action__in=["collection.grant", "collection.revoke"]).order_by(
        "id").values_list("action", "actor_id", "target_type", "target_id", "before", "after", "reason"))
    assert entries == [
        ("collection.grant", operator.pk, "user", str(finance.pk), {"permission": None},
         {"permission": "collected_data"}, "价格分析"),
        ("collection.revoke", operator.pk, "user", str(finance.pk), {"permission": "collected_data"},
         {"permission": None}, "项目结束"),
    ]


def test_grant_rules(operator, finance, auditor, shopper):
    with pytest.raises(ServiceError, match="user_id: Only platform operators"):
        services.grant_give(actor=operator, user_id=shopper.pk)
    second_admin = type(operator).objects.create_user(email="admin2@example.com", password="x", operator_role="admin")
    with pytest.raises(Conflict, match="Administrators always have access"):
        services.grant_give(actor=operator, user_id=second_admin.pk)
    with pytest.raises(ServiceError, match="user_id: No such person."):
        services.grant_give(actor=operator, user_id=999999)
    with pytest.raises(Forbidden):
        services.grant_give(actor=finance, user_id=auditor.pk)
    services.grant_give(actor=operator, user_id=auditor.pk)
    with pytest.raises(Conflict, match="already has access"):
        services.grant_give(actor=operator, user_id=auditor.pk)
    assert access.can_view(auditor) and not access.can_view(finance) and access.can_view(operator)
    services.grant_revoke(actor=operator, user_id=auditor.pk)
    with pytest.raises(NotFound):
        services.grant_revoke(actor=operator, user_id=auditor.pk)
    assert not access.can_view(auditor)
    services.grant_give(actor=operator, user_id=auditor.pk)  # granted again: a new record
    assert CollectedDataGrant.objects.filter(user=auditor).count() == 2
    assert AuditEntry.objects.filter(action__in=["collection.grant", "collection.revoke"]).count() == 3
    auditor.is_active = False
    auditor.save(update_fields=["is_active"])
    assert not access.can_view(auditor)  # a deactivated account loses it with the rest


def test_the_grants_page(operator, finance, auditor, ops_as):
    admin = ops_as(operator)
    page = admin.get("/collection/grants/").content.decode()
    assert "Finance (Finance)" in page and "Auditor (Auditor)" in page and "Operator (" not in page
    answer = admin.post("/collection/grants/create/", {"user": finance.pk, "reason": "对账"})
    assert answer.status_code == 302 and answer["Location"] == "/collection/grants/"
    assert access.can_view(finance)
    shown = admin.get("/collection/grants/").content.decode()
    assert "In force" in shown and "对账" in shown
    assert admin.post("/collection/grants/create/", {"user": finance.pk}).status_code == 400  # no longer offered
    assert admin.post("/collection/grants/create/", {}).status_code == 400
    assert admin.post(f"/collection/grants/{auditor.pk}/revoke/", {"reason": "x"}).status_code == 404
    assert admin.post(f"/collection/grants/{finance.pk}/revoke/", {"reason": "x" * 301}).status_code == 400
    assert access.can_view(finance)
    assert admin.post(f"/collection/grants/{finance.pk}/revoke/", {"reason": "x"}).status_code == 302
    assert not access.can_view(finance)


def test_grant_api_refusals(operator, shopper, ops_as):
    admin = ops_as(operator)
    bad = admin.post(f"{API}grants/", {"user_id": shopper.pk}, content_type="application/json")
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["user_id"]
    assert admin.post(f"{API}grants/", {"user_id": "x"}, content_type="application/json").status_code == 400
    assert admin.post(f"{API}grants/", {"user_id": operator.pk}, content_type="application/json").status_code == 409
    assert admin.post(f"{API}grants/{shopper.pk}/revoke/", {}, content_type="application/json").status_code == 404
    assert not CollectedDataGrant.objects.exists() and not AuditEntry.objects.exists()
