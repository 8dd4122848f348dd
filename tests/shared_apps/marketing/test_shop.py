"""A shop's own coupons in the merchant console and the shop API: owner and manager manage them,
and a shop only ever sees and changes its own, never another shop's, never the platform's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.audit.models import AuditEntry
from shared_apps.marketing.models import Coupon
from tenants.services import shop_change_status
from tests.shared_apps.marketing.conftest import JSON, SHOP_API, coupon_data, make_coupon
from tests.tenant_apps.shop.conftest import host_client
from tests.tenant_apps.shop.test_api_tokens import issue, on

pytestmark = pytest.mark.django_db


def _body(code: str = "ALPHA-10", **overrides) -> dict:
    return {**coupon_data(code), "total_quantity": 50, "per_user_limit": 1, **overrides}


# --- pages ---------------------------------------------------------------------------------------


def test_settings_page_links_to_coupons_and_the_list_shows_the_shops_own(owner_a, shop_a, shop_b):
    make_coupon(None, "MALL-1")
    mine = make_coupon(shop_a, "ALPHA-1")
    make_coupon(shop_b, "BETA-1")
    assert 'href="/console/coupons/"' in owner_a.get("/console/settings/").content.decode()
    response = owner_a.get("/console/coupons/")
    assert response.status_code == 200
    assert [c.code for c in response.context["page"]] == ["ALPHA-1"]
    html = response.content.decode()
    assert "MALL-1" not in html and "BETA-1" not in html
    assert (
        f'href="/console/coupons/{mine.pk}/deactivate/"' in html
        and 'href="/console/coupons/new/"' in html
    )


def test_create_page_makes_a_shop_coupon_and_names_wrong_fields(manager_a, shop_a):
    form = manager_a.get("/console/coupons/new/")
    assert form.status_code == 200 and 'type="datetime-local"' in form.content.decode()
    bad = manager_a.post(
        "/console/coupons/new/", coupon_data("a", amount_off="12.345", valid_from="soon")
    )
    assert bad.status_code == 400
    assert sorted(bad.context["form"].errors) == ["amount_off", "code", "valid_from"]
    assert not Coupon.objects.exists()
    # whatever the form sends, the coupon is this shop's and funded by it
    response = manager_a.post(
        "/console/coupons/new/",
        {**coupon_data("alpha-9"), "funded_by": "platform", "shop": "0", "shop_id": "0"},
    )
    assert (response.status_code, response["Location"]) == (302, "/console/coupons/")
    coupon = Coupon.objects.get()
    assert (coupon.code, coupon.funded_by, coupon.shop_id) == ("ALPHA-9", "shop", shop_a.pk)
    assert "The coupon ALPHA-9 was created." in manager_a.get("/console/coupons/").content.decode()
    assert AuditEntry.objects.get(action="coupon.created").shop_id == shop_a.pk
    duplicate = manager_a.post("/console/coupons/new/", coupon_data("ALPHA-9"))
    assert duplicate.status_code == 409 and duplicate.context["form"].errors["code"] == [
        "Already taken."
    ]


def test_deactivate_asks_then_deactivates(owner_a, shop_a):
    coupon = make_coupon(shop_a, "ALPHA-1")
    confirm = owner_a.get(f"/console/coupons/{coupon.pk}/deactivate/")
    assert confirm.status_code == 200 and "This cannot be undone." in confirm.content.decode()
    response = owner_a.post(f"/console/coupons/{coupon.pk}/deactivate/")
    assert (response.status_code, response["Location"]) == (302, "/console/coupons/")
    coupon.refresh_from_db()
    assert not coupon.is_active
    assert owner_a.post(f"/console/coupons/{coupon.pk}/deactivate/").status_code == 409


def test_clerks_and_strangers_are_refused(clerk_a, shop_a, shopper, operator):
    coupon = make_coupon(shop_a, "ALPHA-1")
    for client in (clerk_a, host_client(shop_a, shopper), host_client(shop_a, operator)):
        assert client.get("/console/coupons/").status_code == 403
        assert client.post("/console/coupons/new/", coupon_data("ALPHA-2")).status_code == 403
        assert client.post(f"/console/coupons/{coupon.pk}/deactivate/").status_code == 403
        assert client.get(SHOP_API).status_code == 403
        assert client.post(SHOP_API, _body("ALPHA-2"), content_type=JSON).status_code == 403
    anonymous = host_client(shop_a).get("/console/coupons/")
    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        "/accounts/login/?next=/console/coupons/",
    )
    assert host_client(shop_a).get(SHOP_API).status_code in (401, 403)
    coupon.refresh_from_db()
    assert coupon.is_active and Coupon.objects.count() == 1


def test_suspended_shop_cannot_change_coupons(owner_a, shop_a, operator):
    coupon = make_coupon(shop_a, "ALPHA-1")
    shop_change_status(shop_id=shop_a.pk, to_status="suspended", actor=operator, reason="资质过期")
    assert owner_a.get("/console/coupons/").status_code == 200
    assert owner_a.post("/console/coupons/new/", coupon_data("ALPHA-2")).status_code == 403
    assert owner_a.post(f"/console/coupons/{coupon.pk}/deactivate/").status_code == 403
    assert owner_a.post(SHOP_API, _body("ALPHA-2"), content_type=JSON).status_code == 403
    coupon.refresh_from_db()
    assert coupon.is_active and Coupon.objects.count() == 1


# --- API -----------------------------------------------------------------------------------------


def test_api_creates_lists_reads_and_deactivates(owner_a, shop_a):
    created = owner_a.post(
        SHOP_API, {**_body("alpha-10"), "funded_by": "platform", "shop_id": 0}, content_type=JSON
    )
    assert created.status_code == 201, created.json()
    coupon = Coupon.objects.get()
    assert (coupon.funded_by, coupon.shop_id) == ("shop", shop_a.pk)
    body = created.json()
    assert (body["id"], body["code"], body["funded_by"], body["amount_off"], body["status"]) == (
        coupon.pk,
        "ALPHA-10",
        "shop",
        "10.00",
        "active",
    )
    assert [r["code"] for r in owner_a.get(SHOP_API).json()["results"]] == ["ALPHA-10"]
    assert owner_a.get(f"{SHOP_API}{coupon.pk}/").json()["code"] == "ALPHA-10"
    deactivated = owner_a.post(f"{SHOP_API}{coupon.pk}/deactivate/")
    assert (deactivated.status_code, deactivated.json()["status"]) == (200, "inactive")
    again = owner_a.post(f"{SHOP_API}{coupon.pk}/deactivate/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_inactive")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "bad code"),
        ("amount_off", "1.001"),
        ("amount_off", "x"),
        ("valid_until", "2000-01-01T00:00:00+08:00"),
        ("total_quantity", 0),
        ("total_quantity", "many"),
        ("per_user_limit", 1000),
    ],
)
def test_api_bad_values_are_400_naming_the_field(owner_a, field, value):
    response = owner_a.post(SHOP_API, _body(**{field: value}), content_type=JSON)
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not Coupon.objects.exists()


def test_api_duplicate_code_is_409_even_against_another_shop(owner_a, shop_b):
    make_coupon(shop_b, "SHARED-1")
    response = owner_a.post(SHOP_API, _body("shared-1"), content_type=JSON)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "duplicate")
    assert Coupon.objects.count() == 1


def test_api_tokens_are_refused(shop_a, merchant_a):
    make_coupon(shop_a, "ALPHA-1")
    _token, secret = issue(
        shop_a, merchant_a, ["catalog:read", "catalog:write", "stock:read", "stock:write"]
    )
    client = on(shop_a, secret)
    assert client.get(SHOP_API).status_code == 403
    assert client.post(SHOP_API, _body("ALPHA-2"), content_type=JSON).status_code == 403
    assert Coupon.objects.count() == 1


def test_shop_b_never_sees_or_changes_shop_a_coupons(owner_a, owner_b, shop_a, shop_b, merchant_b):
    a1 = make_coupon(shop_a, "ALPHA-1")
    platform = make_coupon(None, "MALL-1")
    b1 = make_coupon(shop_b, "BETA-1")
    # on its own host, B sees only its coupons and A's ids are 404, like the platform's
    assert [r["code"] for r in owner_b.get(SHOP_API).json()["results"]] == ["BETA-1"]
    assert [c.code for c in owner_b.get("/console/coupons/").context["page"]] == ["BETA-1"]
    for coupon_id in (a1.pk, platform.pk):
        assert owner_b.get(f"{SHOP_API}{coupon_id}/").status_code == 404
        assert owner_b.post(f"{SHOP_API}{coupon_id}/deactivate/").status_code == 404
        assert owner_b.get(f"/console/coupons/{coupon_id}/deactivate/").status_code == 404
        assert owner_b.post(f"/console/coupons/{coupon_id}/deactivate/").status_code == 404
    # on A's host, B's staff have no staff record
    on_a = host_client(shop_a, merchant_b)
    assert on_a.get("/console/coupons/").status_code == 403
    assert on_a.get(SHOP_API).status_code == 403
    assert on_a.post(f"{SHOP_API}{a1.pk}/deactivate/").status_code == 403
    assert on_a.post(f"/console/coupons/{a1.pk}/deactivate/").status_code == 403
    assert [r["code"] for r in owner_a.get(SHOP_API).json()["results"]] == ["ALPHA-1"]
    assert set(Coupon.objects.filter(is_active=True).values_list("pk", flat=True)) == {
        a1.pk,
        platform.pk,
        b1.pk,
    }


def test_list_query_counts_do_not_grow(owner_a, shop_a):
    make_coupon(shop_a, "ALPHA-1")
    owner_a.get(SHOP_API)  # the session's first request also writes the session

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_a.get(path).status_code == 200
        return len([q for q in queries if q["sql"].startswith("SELECT")])

    one = {path: count(path) for path in (SHOP_API, "/console/coupons/")}
    for i in range(2, 6):
        make_coupon(shop_a, f"ALPHA-{i}")
    assert {path: count(path) for path in one} == one
