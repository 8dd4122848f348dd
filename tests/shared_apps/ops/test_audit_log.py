"""The audit log in the operator console: filters, pages, who may read it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shared_apps.audit.models import AuditEntry
from shared_apps.audit.services import audit_record
from tests.conftest import OPS, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(operator, auditor, shop_a, shop_b):
    """Four entries by two operators on two shops, the first one written three days ago."""
    rows = [
        audit_record(
            actor=operator,
            action="shop.suspended",
            target_type="shop",
            target_id=shop_a.pk,
            shop_id=shop_a.pk,
            before={"status": "active"},
            after={"status": "suspended"},
            reason="r1",
            ip="10.0.0.1",
        ),
        audit_record(
            actor=auditor,
            action="shop.active",
            target_type="shop",
            target_id=shop_a.pk,
            shop_id=shop_a.pk,
            before={"status": "suspended"},
            after={"status": "active"},
            reason="r2",
        ),
        audit_record(
            actor=operator,
            action="application.rejected",
            target_type="shop_application",
            target_id=7,
            reason="r3",
        ),
        audit_record(
            actor=auditor,
            action="shop.closed",
            target_type="shop",
            target_id=shop_b.pk,
            shop_id=shop_b.pk,
            before={"status": "active"},
            after={"status": "closed"},
            reason="r4",
        ),
    ]
    AuditEntry.objects.filter(pk=rows[0].pk).update(at=timezone.now() - timedelta(days=3))
    return rows


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_api_lists_newest_first_with_every_field(operator, entries, shop_a):
    response = client_for(OPS, operator).get("/api/v1/ops/audit-log/?action=shop.suspended")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row == {
        "id": entries[0].pk,
        "at": row["at"],
        "action": "shop.suspended",
        "actor_id": operator.pk,
        "actor_label": "Operator",
        "shop_id": shop_a.pk,
        "target_type": "shop",
        "target_id": str(shop_a.pk),
        "before": {"status": "active"},
        "after": {"status": "suspended"},
        "reason": "r1",
        "ip": "10.0.0.1",
    }
    everything = client_for(OPS, operator).get("/api/v1/ops/audit-log/")
    own = [e.pk for e in reversed(entries[1:])] + [entries[0].pk]
    assert [i for i in _ids(everything) if i in own] == own


def test_api_filters_by_action_family_shop_actor_and_dates(
    operator, auditor, entries, shop_a, shop_b
):
    client = client_for(OPS, operator)
    mine = {e.pk for e in entries}

    def ids(query: str) -> list[int]:
        response = client.get("/api/v1/ops/audit-log/" + query)
        assert response.status_code == 200, response.content
        return [i for i in _ids(response) if i in mine]

    assert ids("?action=shop") == [entries[3].pk, entries[1].pk, entries[0].pk]
    assert ids("?action=shop.closed") == [entries[3].pk]
    assert ids("?action=sho") == []
    assert ids(f"?shop_id={shop_a.pk}") == [entries[1].pk, entries[0].pk]
    assert ids(f"?actor_id={auditor.pk}") == [entries[3].pk, entries[1].pk]
    assert ids(f"?actor_id={auditor.pk}&shop_id={shop_b.pk}") == [entries[3].pk]
    today = timezone.localdate()
    assert ids(f"?since={today}") == [entries[3].pk, entries[2].pk, entries[1].pk]
    assert ids(f"?until={today - timedelta(days=1)}") == [entries[0].pk]
    assert ids(f"?since={today - timedelta(days=3)}&until={today - timedelta(days=3)}") == [
        entries[0].pk
    ]


@pytest.mark.parametrize(
    "query, field",
    [
        ("?shop_id=abc", "shop_id"),
        ("?actor_id=-1", "actor_id"),
        ("?since=yesterday", "since"),
        ("?since=2025-02-02&until=2025-02-01", "until"),
    ],
)
def test_api_bad_filters_are_400_naming_the_field(operator, query, field):
    response = client_for(OPS, operator).get("/api/v1/ops/audit-log/" + query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == [field]


def test_page_filters_by_shop_subdomain_and_actor_email(operator, auditor, entries, shop_a):
    client = client_for(OPS, operator)
    mine = {e.pk for e in entries}

    def ids(query: str) -> list[int]:
        response = client.get("/audit/" + query)
        assert response.status_code == 200
        return [e.pk for e in response.context["page"] if e.pk in mine]

    assert ids("?shop=alpha") == [entries[1].pk, entries[0].pk]
    assert ids(f"?shop={shop_a.pk}&actor=AUDITOR@example.com") == [entries[1].pk]
    assert ids("?shop=nosuchshop") == []
    assert ids("?actor=nobody@example.com") == []
    assert ids("?action=application") == [entries[2].pk]
    html = client.get("/audit/?action=shop.suspended").content.decode()
    assert "r1" in html and "10.0.0.1" in html and "suspended" in html
    assert '<option value="shop.closed">' in html

    bad = client.get("/audit/?since=not-a-date")
    assert bad.status_code == 400
    assert bad.context["form"].errors["since"]
    assert list(bad.context["page"]) == []


def test_page_and_api_paginate(operator, shop_a):
    for i in range(55):
        audit_record(actor=operator, action="test.bulk", target_type="t", target_id=i)
    client = client_for(OPS, operator)
    first = client.get("/audit/?action=test.bulk")
    second = client.get("/audit/?action=test.bulk&page=2")
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 5
    assert 'href="?action=test.bulk&amp;page=2"' in first.content.decode()
    api = client.get("/api/v1/ops/audit-log/?action=test.bulk&page_size=20&page=3").json()
    assert api["count"] == 55
    assert [row["target_id"] for row in api["results"]] == [str(i) for i in range(14, -1, -1)]
    assert client.get("/api/v1/ops/audit-log/?action=test.bulk&page=9").status_code == 404


def test_audit_log_query_count_does_not_grow(
    operator, counted_ops_as, django_assert_max_num_queries
):
    client = counted_ops_as(operator)
    client.get("/audit/")
    for batch in (1, 30):
        for i in range(batch):
            audit_record(actor=operator, action="test.count", target_type="t", target_id=i)
        # page: user, count, rows, action suggestions; API: user, count, rows (each after SET search_path)
        with django_assert_max_num_queries(8):
            assert client.get("/audit/?action=test.count").status_code == 200
        with django_assert_max_num_queries(6):
            assert client.get("/api/v1/ops/audit-log/?action=test.count").status_code == 200


def test_every_operator_action_through_the_console_is_in_the_log(operator, applicant):
    from tests.shared_apps.ops.conftest import submit_application

    application = submit_application(applicant)
    client = client_for(OPS, operator)
    client.post(f"/applications/{application.pk}/claim/")
    shop_id = client.post(f"/api/v1/ops/applications/{application.pk}/approve/").json()["shop_id"]
    client.post(f"/shops/{shop_id}/suspend/", {"reason": "抽检不合格"})
    client.post(f"/shops/{shop_id}/reactivate/", {"reason": "整改完成"})
    client.post(f"/shops/{shop_id}/close/", {"reason": "主动退出"})
    body = client.get(f"/api/v1/ops/audit-log/?actor_id={operator.pk}").json()
    assert [
        (row["action"], row["reason"], row["before"], row["after"])
        for row in reversed(body["results"])
    ] == [
        ("application.under_review", "", {"status": "submitted"}, {"status": "under_review"}),
        ("application.approved", "", {"status": "under_review"}, {"status": "approved"}),
        (
            "shop.provisioned",
            "",
            None,
            {"subdomain": "shop-1", "schema": body["results"][3]["after"]["schema"]},
        ),
        ("shop.suspended", "抽检不合格", {"status": "active"}, {"status": "suspended"}),
        ("shop.active", "整改完成", {"status": "suspended"}, {"status": "active"}),
        ("shop.closed", "主动退出", {"status": "active"}, {"status": "closed"}),
    ]
    assert all(
        row["ip"] == "127.0.0.1" and row["actor_id"] == operator.pk for row in body["results"]
    )
