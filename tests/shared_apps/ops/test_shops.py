"""Supervising shops in the operator console: list, detail, suspend, reactivate, close."""

import pytest

from shared_apps.audit.models import AuditEntry
from tenants.models import Shop, ShopStatusChange
from tests.conftest import OPS, client_for, provision, shop_host
from tests.shared_apps.ops.conftest import submit_application

pytestmark = pytest.mark.django_db


def _suspend(client, shop, reason="售假投诉核查中"):
    return client.post(
        f"/api/v1/ops/shops/{shop.pk}/suspend/", {"reason": reason}, content_type="application/json"
    )


# --- list ----------------------------------------------------------------------------------------


def test_shop_list_searches_by_name_or_subdomain_and_filters_by_status(operator, shop_a, shop_b):
    client = client_for(OPS, operator)
    _suspend(client, shop_b)

    def listed(query: str) -> list[int]:
        return [shop.pk for shop in client.get("/shops/" + query).context["page"]]

    assert listed("") == [shop_b.pk, shop_a.pk]  # newest first
    assert listed("?q=alp") == [shop_a.pk]
    assert listed("?q=Beta") == [shop_b.pk]
    assert listed("?q=贝塔") == [shop_b.pk]  # company name
    assert listed("?status=suspended") == [shop_b.pk]
    assert listed("?status=active&q=beta") == []
    bad = client.get("/shops/?status=bogus")
    assert bad.status_code == 400
    assert bad.context["form"].errors["status"]

    body = client.get("/api/v1/ops/shops/?q=alpha").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row == {
        "id": shop_a.pk,
        "name": "Alpha 商店",
        "subdomain": "alpha",
        "company_name": "阿尔法贸易有限公司",
        "status": "active",
        "status_reason": "",
        "owner": {"id": shop_a.owner_id, "name": "Merchant A"},
        "payouts_paused": False,
        "created_at": row["created_at"],
        "url": f"http://{shop_host(shop_a)}/",
    }
    assert [
        r["id"] for r in client.get("/api/v1/ops/shops/?status=suspended").json()["results"]
    ] == [shop_b.pk]
    bad_api = client.get("/api/v1/ops/shops/?status=bogus")
    assert bad_api.status_code == 400
    assert list(bad_api.json()["error"]["fields"]) == ["status"]


def test_shop_list_query_count_does_not_grow_with_shops(
    operator, shop_a, make_user, counted_ops_as, django_assert_max_num_queries
):
    client = counted_ops_as(operator)
    client.get("/shops/")
    for extra in (0, 3):
        for i in range(extra):
            provision(make_user(), f"extra-{i}", f"Extra {i}", f"Extra {i} 有限公司")
        # (user, status counts, page count, rows) on the page; (user, count, rows) on the API;
        # each preceded by SET search_path.
        with django_assert_max_num_queries(8):
            page = client.get("/shops/")
        with django_assert_max_num_queries(6):
            api = client.get("/api/v1/ops/shops/")
        assert len(page.context["page"]) == 1 + extra
        assert api.json()["count"] == 1 + extra


# --- detail --------------------------------------------------------------------------------------


def test_shop_detail_shows_masked_bank_account_history_and_storefront_link(operator, applicant):
    application = submit_application(applicant)
    client = client_for(OPS, operator)
    shop_id = client.post(f"/api/v1/ops/applications/{application.pk}/approve/").json()["shop_id"]
    _suspend(client, Shop(pk=shop_id), reason="资质复核")

    html = client.get(f"/shops/{shop_id}/").content.decode()
    assert "**** **** 5678" in html and "6225880112345678" not in html
    assert "招商银行" in html
    assert "资质复核" in html
    assert 'href="http://shop-1.' in html
    assert f'href="/applications/{application.pk}/"' in html
    assert f'action="/shops/{shop_id}/reactivate/"' in html
    assert f'action="/shops/{shop_id}/close/"' in html
    assert f'action="/shops/{shop_id}/suspend/"' not in html  # already suspended

    body = client.get(f"/api/v1/ops/shops/{shop_id}/").json()
    assert body["status"] == "suspended"
    assert body["application_id"] == application.pk
    assert body["bank_account"]["account_number"] == "**** **** 5678"
    assert body["bank_account"]["account_name"] == "上海测试贸易有限公司1"
    assert body["pending_bank_account"] is None
    assert [
        (h["from_status"], h["to_status"], h["reason"], h["actor"]["id"]) for h in body["history"]
    ] == [("active", "suspended", "资质复核", operator.pk)]
    assert "6225880112345678" not in str(body)


def test_shop_detail_buttons_only_for_the_admin_role(auditor, finance, shop_a):
    for user in [auditor, finance]:
        html = client_for(OPS, user).get(f"/shops/{shop_a.pk}/").content.decode()
        assert "/suspend/" not in html and "/close/" not in html


def test_unknown_shop_is_404(operator):
    client = client_for(OPS, operator)
    assert client.get("/shops/999999/").status_code == 404
    assert client.post("/shops/999999/suspend/", {"reason": "x"}).status_code == 404
    response = _suspend(client, Shop(pk=999999))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- lifecycle -----------------------------------------------------------------------------------


def test_suspend_closes_the_storefront_and_makes_the_console_read_only(
    operator, merchant_a, shop_a, django_capture_on_commit_callbacks
):
    merchant = client_for(shop_host(shop_a), merchant_a)
    assert merchant.get("/").status_code == 200  # the shop's host is now cached as active

    with django_capture_on_commit_callbacks(execute=True):  # the cache is cleared after commit
        response = client_for(OPS, operator).post(
            f"/shops/{shop_a.pk}/suspend/", {"reason": "售假投诉核查中"}
        )
    assert response.status_code == 302
    assert response["Location"] == f"/shops/{shop_a.pk}/"
    shop_a.refresh_from_db()
    assert (shop_a.status, shop_a.status_reason) == ("suspended", "售假投诉核查中")

    assert client_for(shop_host(shop_a)).get("/").status_code == 503
    assert merchant.get("/console/").status_code == 200
    assert merchant.get("/console/settings/").status_code == 200
    assert merchant.post("/console/settings/", {"name": "New name"}).status_code == 403
    api_write = merchant.post(
        "/api/v1/shop/settings/", {"name": "x"}, content_type="application/json"
    )
    assert api_write.status_code == 403
    assert api_write.json()["error"]["code"] == "shop_read_only"

    change = ShopStatusChange.objects.get(shop=shop_a)
    assert (change.from_status, change.to_status, change.reason, change.actor_id) == (
        "active",
        "suspended",
        "售假投诉核查中",
        operator.pk,
    )
    entry = AuditEntry.objects.get(action="shop.suspended")
    assert (
        entry.actor_id,
        entry.shop_id,
        entry.target_type,
        entry.target_id,
        entry.reason,
        entry.before,
        entry.after,
        entry.ip,
    ) == (
        operator.pk,
        shop_a.pk,
        "shop",
        str(shop_a.pk),
        "售假投诉核查中",
        {"status": "active"},
        {"status": "suspended"},
        "127.0.0.1",
    )


def test_reactivate_restores_the_storefront_and_console(operator, merchant_a, shop_a):
    client = client_for(OPS, operator)
    _suspend(client, shop_a)
    response = client.post(
        f"/api/v1/ops/shops/{shop_a.pk}/reactivate/",
        {"reason": "整改完成"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_reason"]) == ("active", "整改完成")
    assert [h["to_status"] for h in body["history"]] == ["active", "suspended"]  # newest first
    assert client_for(shop_host(shop_a)).get("/").status_code == 200
    assert (
        client_for(shop_host(shop_a), merchant_a)
        .post("/console/settings/", {"name": ""})
        .status_code
        != 403
    )
    entry = AuditEntry.objects.get(action="shop.active")
    assert (entry.reason, entry.before, entry.after) == (
        "整改完成",
        {"status": "suspended"},
        {"status": "active"},
    )


def test_close_is_final(operator, merchant_a, shop_a):
    client = client_for(OPS, operator)
    response = client.post(f"/shops/{shop_a.pk}/close/", {"reason": "商家申请退出"})
    assert response.status_code == 302
    assert client_for(shop_host(shop_a)).get("/").status_code == 410
    assert client_for(shop_host(shop_a), merchant_a).get("/console/").status_code == 200

    again = client.post(
        f"/api/v1/ops/shops/{shop_a.pk}/reactivate/",
        {"reason": "误操作"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"
    page = client.post(
        f"/shops/{shop_a.pk}/reactivate/", {"reason": "误操作"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 409
    assert "A shop that is Closed cannot become Active." in page.content.decode()
    assert _suspend(client, shop_a).status_code == 409
    shop_a.refresh_from_db()
    assert shop_a.status == "closed"
    assert list(
        AuditEntry.objects.filter(action__startswith="shop.")
        .exclude(action="shop.provisioned")
        .values_list("action", "reason")
    ) == [("shop.closed", "商家申请退出")]
    html = client.get(f"/shops/{shop_a.pk}/").content.decode()
    assert "/reactivate/" not in html and "/suspend/" not in html


def test_suspending_twice_is_409(operator, shop_a):
    client = client_for(OPS, operator)
    assert _suspend(client, shop_a).status_code == 200
    again = _suspend(client, shop_a)
    assert again.status_code == 409
    assert ShopStatusChange.objects.filter(shop=shop_a).count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_lifecycle_actions_need_a_reason(operator, shop_a, reason):
    client = client_for(OPS, operator)
    for action in ["suspend", "close"]:
        page = client.post(f"/shops/{shop_a.pk}/{action}/", {"reason": reason})
        assert page.status_code == 400
        failed = next(a for a in page.context["actions"] if a["name"] == action)
        assert failed["form"].errors["reason"]
        api = client.post(
            f"/api/v1/ops/shops/{shop_a.pk}/{action}/",
            {"reason": reason},
            content_type="application/json",
        )
        assert api.status_code == 400
        assert list(api.json()["error"]["fields"]) == ["reason"]
    shop_a.refresh_from_db()
    assert shop_a.status == "active"
    assert not ShopStatusChange.objects.exists()


def test_auditor_may_not_suspend_or_close(auditor, finance, shop_a):
    for user in [auditor, finance]:
        client = client_for(OPS, user)
        assert client.post(f"/shops/{shop_a.pk}/suspend/", {"reason": "x"}).status_code == 403
        response = _suspend(client, shop_a)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        close = client.post(
            f"/api/v1/ops/shops/{shop_a.pk}/close/",
            {"reason": "x"},
            content_type="application/json",
        )
        assert close.status_code == 403
    shop_a.refresh_from_db()
    assert shop_a.status == "active"
    assert not AuditEntry.objects.filter(action__in=["shop.suspended", "shop.closed"]).exists()
    assert client_for(shop_host(shop_a)).get("/").status_code == 200
