"""Tenant isolation of the console and the shop API: only this shop's staff get in, a session
or token never carries into another shop, ids of another shop's rows mean nothing here, and a
suspended shop's console is read-only."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from shared_apps.audit.models import AuditEntry
from shared_apps.onboarding.models import SettlementBankAccount
from tenant_apps.shop.models import ShopProfile, StaffInvitation, StaffMember
from tenants.models import Shop, ShopMembership
from tenants.services import shop_change_status

from .conftest import add_staff, host_client

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/"
JSON = "application/json"

CONSOLE_PAGES = ["/console/", "/console/settings/", "/console/staff/", "/console/bank-account/"]


def invitation_in(shop, email: str, inviter_id: int) -> StaffInvitation:
    with schema_context(shop.schema_name):
        return StaffInvitation.objects.create(
            email=email,
            role="clerk",
            token_hash=f"{shop.schema_name}:{email}".ljust(64, "0")[:64],
            invited_by_user_id=inviter_id,
            expires_at=timezone.now() + timedelta(days=1),
        )


@pytest.fixture
def targets_a(shop_a, merchant_a, clerk_user):
    """Rows of shop A that an outsider might try to touch."""
    clerk = add_staff(shop_a, clerk_user, "clerk")
    invitation = invitation_in(shop_a, "invitee@example.com", merchant_a.pk)
    return {"clerk": clerk.pk, "invitation": invitation.pk}


def console_posts(t) -> list[tuple[str, dict]]:
    return [
        ("/console/settings/", {"name": "Taken over"}),
        ("/console/staff/invite/", {"email": "mole@example.com", "role": "manager"}),
        (f"/console/staff/{t['clerk']}/role/", {"role": "manager"}),
        (f"/console/staff/{t['clerk']}/remove/", {}),
        (f"/console/invitations/{t['invitation']}/revoke/", {}),
        (
            "/console/bank-account/",
            {
                "bank_name": "X",
                "account_name": "阿尔法贸易有限公司",
                "account_number": "6222000011110000",
            },
        ),
    ]


def api_calls(t) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", "me/", None),
        ("get", "profile/", None),
        ("patch", "profile/", {"name": "Taken over"}),
        ("get", "staff/", None),
        ("patch", f"staff/{t['clerk']}/", {"role": "manager"}),
        ("delete", f"staff/{t['clerk']}/", None),
        ("get", "invitations/", None),
        ("post", "invitations/", {"email": "mole@example.com", "role": "manager"}),
        ("delete", f"invitations/{t['invitation']}/", None),
        ("get", "bank-account/", None),
        (
            "post",
            "bank-account/change/",
            {
                "bank_name": "X",
                "account_name": "阿尔法贸易有限公司",
                "account_number": "6222000011110000",
            },
        ),
    ]


def call(client, method: str, path: str, data):
    if data is None:
        return getattr(client, method)(API + path)
    return getattr(client, method)(API + path, data, content_type=JSON)


def assert_shop_a_untouched(shop_a, merchant_a, clerk_user, t):
    with schema_context(shop_a.schema_name):
        assert ShopProfile.objects.get().name == "Alpha 商店"
        assert dict(StaffMember.objects.values_list("user_id", "role")) == {
            merchant_a.pk: "owner",
            clerk_user.pk: "clerk",
        }
        assert [(i.pk, i.is_open) for i in StaffInvitation.objects.all()] == [
            (t["invitation"], True)
        ]
    assert Shop.objects.get(pk=shop_a.pk).name == "Alpha 商店"
    assert not SettlementBankAccount.objects.filter(shop_id=shop_a.pk).exists()
    assert not AuditEntry.objects.filter(shop_id=shop_a.pk).exists()


@pytest.mark.parametrize("persona", ["merchant_b", "shopper", "operator"])
def test_outsiders_get_403_on_every_console_page_and_endpoint(
    request, persona, shop_a, shop_b, merchant_a, clerk_user, targets_a
):
    """merchant_b owns shop_b and is signed in on shop_a's host: still nothing of shop_a."""
    user = request.getfixturevalue(persona)
    client = host_client(shop_a, user)
    for path in CONSOLE_PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "You are not on the staff of this shop." in response.content.decode()
    for path, data in console_posts(targets_a):
        assert client.post(path, data).status_code == 403, path
    for method, path, data in api_calls(targets_a):
        response = call(client, method, path, data)
        assert response.status_code == 403, (method, path)
        assert response.json()["error"] == {
            "code": "permission_denied",
            "message": "You are not on the staff of this shop.",
            "fields": {},
        }
    assert (
        client.post(f"{API}invitations/accept/", {"token": "guess"}, content_type=JSON).status_code
        == 400
    )
    assert '<a href="/console/">' not in client.get("/").content.decode()
    assert_shop_a_untouched(shop_a, merchant_a, clerk_user, targets_a)
    assert not ShopMembership.objects.filter(shop_id=shop_a.pk, user=user).exists()


def test_anonymous_is_sent_to_sign_in_and_the_api_refuses(
    shop_a, merchant_a, clerk_user, targets_a
):
    client = host_client(shop_a)
    for path in CONSOLE_PAGES:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (
            302,
            f"/accounts/login/?next={path}",
        )
    for path, data in console_posts(targets_a):
        response = client.post(path, data)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"
        ), path
    for method, path, data in api_calls(targets_a) + [
        ("post", "invitations/accept/", {"token": "x"})
    ]:
        response = call(client, method, path, data)
        assert response.status_code in (401, 403), (method, path)
        assert response.json()["error"]["code"] == "not_authenticated"
    assert_shop_a_untouched(shop_a, merchant_a, clerk_user, targets_a)


def _replay(source, target) -> None:
    name = settings.SESSION_COOKIE_NAME
    target.cookies[name] = source.cookies[name].value


def test_a_session_from_shop_b_replayed_on_shop_a_is_anonymous(shop_a, shop_b, merchant_b):
    on_b = host_client(shop_b, merchant_b)
    assert on_b.get("/console/").status_code == 200  # the session is now bound to shop_b's host
    on_a = host_client(shop_a)
    _replay(on_b, on_a)
    response = on_a.get("/console/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/console/")
    assert on_a.get(f"{API}me/").json()["error"]["code"] == "not_authenticated"
    assert (
        on_b.get("/console/").status_code == 200
    )  # the owner stays signed in where they signed in


def test_the_owners_own_session_from_another_host_does_not_open_their_console(
    shop_a, shop_b, merchant_a
):
    """Even merchant_a's session is worthless on shop_a's host if it was made on shop_b's."""
    on_b = host_client(shop_b, merchant_a)
    assert on_b.get("/console/").status_code == 403
    on_a = host_client(shop_a)
    _replay(on_b, on_a)
    assert on_a.get("/console/").status_code == 302
    assert on_a.get(f"{API}me/").json()["error"]["code"] == "not_authenticated"


def test_an_api_token_of_shop_b_staff_opens_nothing_on_shop_a(shop_a, shop_b, merchant_b):
    token = Token.objects.create(user=merchant_b).key
    on_a = host_client(shop_a)
    response = on_a.get(f"{API}staff/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    on_b = host_client(shop_b)
    assert on_b.get(f"{API}me/", HTTP_AUTHORIZATION=f"Token {token}").json()["role"] == "owner"


def test_ids_from_shop_b_mean_nothing_on_shop_a(owner_a, shop_a, shop_b, merchant_b, make_user):
    people = [make_user() for _ in range(3)]
    b_staff = [add_staff(shop_b, person, "clerk") for person in people]
    b_invitations = [invitation_in(shop_b, f"b{n}@example.com", merchant_b.pk) for n in range(3)]
    with schema_context(shop_a.schema_name):
        a_staff_ids = set(StaffMember.objects.values_list("pk", flat=True))
        a_invitation_ids = set(StaffInvitation.objects.values_list("pk", flat=True))
    staff_id, invitation_id = b_staff[-1].pk, b_invitations[-1].pk
    assert staff_id not in a_staff_ids and invitation_id not in a_invitation_ids

    assert (
        owner_a.patch(f"{API}staff/{staff_id}/", {"role": "manager"}, content_type=JSON).status_code
        == 404
    )
    assert owner_a.delete(f"{API}staff/{staff_id}/").status_code == 404
    assert owner_a.delete(f"{API}invitations/{invitation_id}/").status_code == 404
    assert owner_a.post(f"/console/staff/{staff_id}/role/", {"role": "manager"}).status_code == 404
    assert owner_a.post(f"/console/staff/{staff_id}/remove/").status_code == 404
    assert owner_a.post(f"/console/invitations/{invitation_id}/revoke/").status_code == 404
    assert [r["user_id"] for r in owner_a.get(f"{API}staff/").json()["results"]] == [
        shop_a.owner_id
    ]
    with schema_context(shop_b.schema_name):
        assert StaffMember.objects.get(pk=staff_id).role == "clerk"
        assert StaffInvitation.objects.get(pk=invitation_id).is_open


def test_suspended_shop_console_is_read_only(
    owner_a, shop_a, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        shop_change_status(
            shop_id=shop_a.pk, to_status="suspended", actor=operator, reason="资质过期"
        )
    for path in CONSOLE_PAGES:
        assert owner_a.get(path).status_code == 200, path
    dashboard = owner_a.get("/console/").content.decode()
    assert (
        "This shop is suspended: the console is read-only until the platform reactivates it."
        in dashboard
    )
    assert '<span class="badge suspended">Suspended</span>' in dashboard
    response = owner_a.post("/console/settings/", {"name": "Renamed while suspended"})
    assert response.status_code == 403
    assert (
        owner_a.post(
            "/console/staff/invite/", {"email": "x@example.com", "role": "clerk"}
        ).status_code
        == 403
    )
    me = owner_a.get(f"{API}me/").json()
    assert (me["shop"]["status"], me["shop"]["read_only"]) == ("suspended", True)
    response = owner_a.patch(f"{API}profile/", {"name": "Renamed"}, content_type=JSON)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "shop_read_only")
    assert (
        owner_a.post(
            f"{API}invitations/", {"email": "x@example.com", "role": "clerk"}, content_type=JSON
        ).status_code
        == 403
    )
    with schema_context(shop_a.schema_name):
        assert ShopProfile.objects.get().name == "Alpha 商店"
        assert not StaffInvitation.objects.exists()
    assert host_client(shop_a).get("/").status_code == 503
