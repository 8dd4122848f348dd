"""Platform coupons in the operator console and the operator API: every operator looks, only
administrators create and deactivate, and a shop's coupon is never reachable here."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.audit.models import AuditEntry
from shared_apps.marketing.models import Coupon
from tests.shared_apps.marketing.conftest import JSON, OPS_API, coupon_data, make_coupon

pytestmark = pytest.mark.django_db


# --- pages ---------------------------------------------------------------------------------------


def test_the_nav_links_to_coupons_and_the_list_shows_platform_coupons_only(
    ops_as, operator, shop_a
):
    platform = make_coupon(None, "MALL-1")
    Coupon.objects.filter(pk=platform.pk).update(used_quantity=3)
    make_coupon(shop_a, "ALPHA-1")
    client = ops_as(operator)
    assert 'href="/coupons/"' in client.get("/").content.decode()
    response = client.get("/coupons/")
    assert response.status_code == 200
    html = response.content.decode()
    assert [c.code for c in response.context["page"]] == ["MALL-1"]
    assert "ALPHA-1" not in html
    row = re.search(r"<tr>\s*<td><code>MALL-1</code>.*?</tr>", html, re.DOTALL).group(0)
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
    ]
    assert cells[:4] == ["MALL-1", "春季满100减10", "¥10.00", "¥100.00"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d – \d{4}-\d\d-\d\d \d\d:\d\d", cells[4])
    assert cells[5:8] == ["3 / 500", "2", "Active"]
    assert f'href="/coupons/{platform.pk}/deactivate/"' in html
    assert 'href="/coupons/new/"' in html
    assert '<a href="/coupons/" class="active">Coupons</a>' in html


def test_every_operator_role_may_look_only_admins_see_the_buttons(
    ops_as, auditor, finance, shopper
):
    coupon = make_coupon()
    for user in (auditor, finance):
        client = ops_as(user)
        html = client.get("/coupons/").content.decode()
        assert "SPRING-10" in html
        assert 'href="/coupons/new/"' not in html and "/deactivate/" not in html
        assert client.get("/coupons/new/").status_code == 403
        assert client.post("/coupons/new/", coupon_data("OTHER-1")).status_code == 403
        assert client.get(f"/coupons/{coupon.pk}/deactivate/").status_code == 403
        assert client.post(f"/coupons/{coupon.pk}/deactivate/").status_code == 403
    assert ops_as(shopper).get("/coupons/").status_code == 403
    anonymous = ops_as().get("/coupons/")
    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        "/accounts/login/?next=/coupons/",
    )
    coupon.refresh_from_db()
    assert coupon.is_active and Coupon.objects.count() == 1


def test_create_page_makes_a_platform_coupon(ops_as, operator):
    client = ops_as(operator)
    form = client.get("/coupons/new/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'type="datetime-local"' in html and 'name="valid_from"' in html
    response = client.post(
        "/coupons/new/",
        coupon_data("mall-20", valid_from="2030-05-01T10:00", valid_until="2030-05-02T10:00"),
    )
    assert (response.status_code, response["Location"]) == (302, "/coupons/")
    coupon = Coupon.objects.get()
    assert (coupon.code, coupon.funded_by, coupon.shop_id) == ("MALL-20", "platform", None)
    assert coupon.valid_from.isoformat() == "2030-05-01T02:00:00+00:00"  # 10:00 in Shanghai
    assert "The coupon MALL-20 was created." in client.get("/coupons/").content.decode()
    assert AuditEntry.objects.filter(action="coupon.created", actor=operator).count() == 1


def test_create_page_names_every_wrong_field_and_keeps_what_was_typed(ops_as, operator):
    client = ops_as(operator)
    response = client.post(
        "/coupons/new/",
        coupon_data("x", amount_off="1.005", total_quantity="0", valid_until="2020-01-01T00:00"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert sorted(errors) == ["amount_off", "code", "total_quantity", "valid_until"]
    assert errors["amount_off"] == ["At most two decimals (fen)."]
    assert errors["valid_until"] == ["The end must be after the start."]
    html = response.content.decode()
    assert 'value="1.005"' in html and "has-error" in html
    make_coupon(None, "TAKEN-1")
    duplicate = client.post("/coupons/new/", coupon_data("taken-1"))
    assert duplicate.status_code == 409
    assert duplicate.context["form"].errors["code"] == ["Already taken."]
    assert Coupon.objects.count() == 1


def test_deactivate_asks_then_deactivates(ops_as, operator):
    coupon = make_coupon()
    client = ops_as(operator)
    confirm = client.get(f"/coupons/{coupon.pk}/deactivate/")
    assert confirm.status_code == 200
    assert "This cannot be undone." in confirm.content.decode()
    coupon.refresh_from_db()
    assert coupon.is_active  # asking changes nothing
    response = client.post(f"/coupons/{coupon.pk}/deactivate/")
    assert (response.status_code, response["Location"]) == (302, "/coupons/")
    coupon.refresh_from_db()
    assert not coupon.is_active
    html = client.get("/coupons/").content.decode()
    assert "Deactivated" in html and "/deactivate/" not in html.split("</thead>")[1]
    again = client.post(f"/coupons/{coupon.pk}/deactivate/")
    assert again.status_code == 409
    assert "This coupon is already deactivated." in again.content.decode()


def test_a_shop_coupon_id_is_404_on_operator_pages(ops_as, operator, shop_a):
    alpha = make_coupon(shop_a, "ALPHA-1")
    client = ops_as(operator)
    for path in (
        f"/coupons/{alpha.pk}/deactivate/",
        "/coupons/0/deactivate/",
        "/coupons/99999999999999999999/deactivate/",
    ):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    alpha.refresh_from_db()
    assert alpha.is_active


def test_list_page_query_count_does_not_grow(counted_ops_as, operator, django_assert_num_queries):
    client = counted_ops_as(operator)
    make_coupon(None, "MALL-1")
    client.get("/coupons/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/coupons/").status_code == 200
        return len(queries)

    one = count()
    for i in range(2, 6):
        make_coupon(None, f"MALL-{i}")
    assert count() == one <= 4


# --- API -----------------------------------------------------------------------------------------


def _body(code: str = "SPRING-10", **overrides) -> dict:
    """A JSON body: numbers as numbers."""
    return {**coupon_data(code), "total_quantity": 500, "per_user_limit": 2, **overrides}


def test_api_creates_lists_reads_and_deactivates(ops_as, operator, shop_a):
    make_coupon(shop_a, "ALPHA-1")
    client = ops_as(operator)
    created = client.post(
        OPS_API,
        _body(
            "mall-30",
            valid_from="2030-01-01T00:00:00+08:00",
            valid_until="2030-02-01T00:00:00+08:00",
        ),
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    coupon = Coupon.objects.get(code="MALL-30")
    assert body == {
        "id": coupon.pk,
        "code": "MALL-30",
        "name": "春季满100减10",
        "funded_by": "platform",
        "amount_off": "10.00",
        "min_goods_amount": "100.00",
        "valid_from": "2030-01-01T00:00:00+08:00",
        "valid_until": "2030-02-01T00:00:00+08:00",
        "total_quantity": 500,
        "used_quantity": 0,
        "per_user_limit": 2,
        "is_active": True,
        "status": "scheduled",
        "created_at": body["created_at"],
    }
    listed = client.get(OPS_API).json()
    assert (listed["count"], [r["code"] for r in listed["results"]]) == (1, ["MALL-30"])
    assert client.get(f"{OPS_API}{coupon.pk}/").json()["code"] == "MALL-30"
    deactivated = client.post(f"{OPS_API}{coupon.pk}/deactivate/")
    assert deactivated.status_code == 200
    assert (deactivated.json()["is_active"], deactivated.json()["status"]) == (False, "inactive")
    again = client.post(f"{OPS_API}{coupon.pk}/deactivate/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_inactive")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "x"),
        ("code", ""),
        ("name", ""),
        ("amount_off", "1.005"),
        ("amount_off", "abc"),
        ("amount_off", "0"),
        ("min_goods_amount", "-1"),
        ("valid_from", "nope"),
        ("valid_until", "2020-01-01T00:00:00Z"),
        ("total_quantity", 0),
        ("total_quantity", "ten"),
        ("total_quantity", 1.5),
        ("per_user_limit", 0),
        ("per_user_limit", [1]),
    ],
)
def test_api_bad_values_are_400_naming_the_field(ops_as, operator, field, value):
    response = ops_as(operator).post(OPS_API, _body(**{field: value}), content_type=JSON)
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not Coupon.objects.exists()


def test_api_end_before_start_duplicate_code_and_bad_bodies(ops_as, operator):
    client = ops_as(operator)
    response = client.post(
        OPS_API,
        _body(valid_from="2030-02-01T00:00:00+08:00", valid_until="2030-01-01T00:00:00+08:00"),
        content_type=JSON,
    )
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"valid_until": ["The end must be after the start."]},
    )
    make_coupon(None, "TAKEN-1")
    duplicate = client.post(OPS_API, _body("TAKEN-1"), content_type=JSON)
    assert (
        duplicate.status_code,
        duplicate.json()["error"]["code"],
        list(duplicate.json()["error"]["fields"]),
    ) == (409, "duplicate", ["code"])
    for raw in ("[]", "null", "nope", '{"code": {"a": 1}}'):
        assert client.post(OPS_API, raw, content_type=JSON).status_code == 400
    for path in ("0/", "99999999999999999999/"):
        assert client.get(OPS_API + path).status_code == 404
        assert client.post(OPS_API + path + "deactivate/").status_code == 404
    assert Coupon.objects.count() == 1


def test_api_roles_and_shop_coupon_ids(ops_as, operator, auditor, finance, shop_a):
    alpha = make_coupon(shop_a, "ALPHA-1")
    platform = make_coupon(None, "MALL-1")
    for user in (auditor, finance):
        client = ops_as(user)
        assert [r["code"] for r in client.get(OPS_API).json()["results"]] == ["MALL-1"]
        refused = client.post(OPS_API, _body("OTHER-1"), content_type=JSON)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
        assert client.post(f"{OPS_API}{platform.pk}/deactivate/").status_code == 403
    assert ops_as().get(OPS_API).status_code in (401, 403)
    admin = ops_as(operator)
    assert admin.get(f"{OPS_API}{alpha.pk}/").status_code == 404
    assert admin.post(f"{OPS_API}{alpha.pk}/deactivate/").status_code == 404
    assert Coupon.objects.filter(is_active=True).count() == 2 and Coupon.objects.count() == 2


def test_api_list_query_count_does_not_grow(counted_ops_as, operator):
    client = counted_ops_as(operator)
    make_coupon(None, "MALL-1")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(OPS_API).status_code == 200
        return len(queries)

    one = count()
    for i in range(2, 6):
        make_coupon(None, f"MALL-{i}")
    assert count() == one <= 4
