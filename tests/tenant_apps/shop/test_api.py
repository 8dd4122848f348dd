"""The shop API at /api/v1/shop/ on a shop's host."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from backend.lib import pii
from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount
from tenant_apps.shop.models import StaffInvitation, StaffMember
from tenants.models import Shop, ShopMembership
from tests.factories import png_bytes, png_upload

from .conftest import add_staff, host_client

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/"
JSON = "application/json"


def error_of(response) -> tuple[int, str, dict]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["fields"]


def owner_record(shop, user) -> StaffMember:
    with schema_context(shop.schema_name):
        return StaffMember.objects.get(user_id=user.pk)


def mailed_token(mail) -> str:
    return re.search(r"token=(\S+)", mail.body).group(1)


# --- me and profile ----------------------------------------------------------------------------


def test_me_tells_the_role_and_sections(owner_a, shop_a, merchant_a, clerk_a, clerk_user):
    record = owner_record(shop_a, merchant_a)
    assert owner_a.get(f"{API}me/").json() == {
        "id": record.pk,
        "user_id": merchant_a.pk,
        "email": "owner@alpha.example",
        "display_name": "Merchant A",
        "role": "owner",
        "sections": [
            "dashboard",
            "settings",
            "staff",
            "bank_account",
            "catalog",
            "inventory",
            "orders",
            "customers",
            "refunds",
            "reports",
            "finance",
        ],
        "shop": {
            "id": shop_a.pk,
            "subdomain": "alpha",
            "name": "Alpha 商店",
            "status": "active",
            "read_only": False,
        },
    }
    clerk = clerk_a.get(f"{API}me/").json()
    assert (clerk["role"], clerk["sections"]) == ("clerk", ["dashboard", "catalog", "orders"])


def test_profile_read_and_rename(owner_a, shop_a, clerk_a):
    body = owner_a.get(f"{API}profile/").json()
    assert {k: body[k] for k in ("name", "description", "logo_url")} == {
        "name": "Alpha 商店",
        "description": "",
        "logo_url": "",
    }
    assert clerk_a.get(f"{API}profile/").status_code == 200
    response = owner_a.patch(
        f"{API}profile/", {"name": "Alpha 新店", "description": "新品"}, content_type=JSON
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["description"]) == ("Alpha 新店", "新品")
    assert Shop.objects.get(pk=shop_a.pk).name == "Alpha 新店"
    assert "<h1>Alpha 新店</h1>" in host_client(shop_a).get("/").content.decode()
    assert clerk_a.patch(f"{API}profile/", {"name": "Clerk"}, content_type=JSON).status_code == 403


def test_profile_logo_by_multipart(owner_a, shop_a, shop_b):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    payload = encode_multipart(BOUNDARY, {"logo": png_upload("logo.png", color="green")})
    response = owner_a.patch(f"{API}profile/", payload, content_type=MULTIPART_CONTENT)
    assert response.status_code == 200, response.json()
    url = response.json()["logo_url"]
    assert re.fullmatch(rf"/media/shops/{shop_a.schema_name}/public/logo/[0-9a-f]{{32}}\.png", url)
    assert host_client(shop_a).get(url).status_code == 200
    assert host_client(shop_b).get(url).status_code == 404
    response = owner_a.patch(f"{API}profile/", {"remove_logo": True}, content_type=JSON)
    assert response.json()["logo_url"] == ""


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": ""}, "name"),
        ({"name": " x "}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"name": None}, "name"),
        ({"description": "d" * 2001}, "description"),
        ({"logo": "not a file"}, "logo"),
    ],
)
def test_profile_bad_input_names_the_field(owner_a, shop_a, data, field):
    response = owner_a.patch(f"{API}profile/", data, content_type=JSON)
    status, code, fields = error_of(response)
    assert (status, code, list(fields)) == (400, "invalid", [field])
    assert Shop.objects.get(pk=shop_a.pk).name == "Alpha 商店"


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image", content_type="image/png"),
            "This file type is not accepted; use JPEG, PNG, WEBP.",
        ),
        (
            SimpleUploadedFile(
                "logo.png", png_bytes() + b"\0" * (3 * 1024 * 1024), content_type="image/png"
            ),
            "The file is 3.0 MB; the limit is 2 MB.",
        ),
    ],
)
def test_bad_logo_is_a_400_on_the_logo_field(owner_a, upload, message):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    response = owner_a.patch(
        f"{API}profile/",
        encode_multipart(BOUNDARY, {"logo": upload}),
        content_type=MULTIPART_CONTENT,
    )
    assert error_of(response) == (400, "invalid", {"logo": [message]})


# --- staff -------------------------------------------------------------------------------------


def test_staff_list_with_bounded_queries(
    owner_a, shop_a, merchant_a, make_user, django_assert_max_num_queries
):
    owner_a.get(f"{API}me/")  # binds the session to the host
    people = [
        make_user(email=f"clerk{n}@alpha.example", display_name=f"Clerk {n}") for n in range(15)
    ]
    for person in people:
        add_staff(shop_a, person, "clerk")
    with django_assert_max_num_queries(8):  # 4 queries, each after its SET search_path
        response = owner_a.get(f"{API}staff/?page_size=10")
    body = response.json()
    assert (body["count"], len(body["results"])) == (16, 10)
    first = body["results"][0]
    assert {k: first[k] for k in ("id", "user_id", "email", "display_name", "role")} == {
        "id": owner_record(shop_a, merchant_a).pk,
        "user_id": merchant_a.pk,
        "email": "owner@alpha.example",
        "display_name": "Merchant A",
        "role": "owner",
    }
    assert [r["email"] for r in body["results"][1:3]] == [
        "clerk0@alpha.example",
        "clerk1@alpha.example",
    ]


def test_change_role_and_remove(owner_a, shop_a, clerk_user):
    clerk = add_staff(shop_a, clerk_user, "clerk")
    response = owner_a.patch(f"{API}staff/{clerk.pk}/", {"role": "manager"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    assert ShopMembership.objects.get(shop_id=shop_a.pk, user=clerk_user).role == "manager"
    assert owner_a.delete(f"{API}staff/{clerk.pk}/").status_code == 204
    assert not ShopMembership.objects.filter(shop_id=shop_a.pk, user=clerk_user).exists()
    assert error_of(owner_a.delete(f"{API}staff/{clerk.pk}/"))[:2] == (404, "not_found")


def test_staff_rules(owner_a, manager_a, shop_a, merchant_a, clerk_user):
    owner = owner_record(shop_a, merchant_a)
    clerk = add_staff(shop_a, clerk_user, "clerk")
    assert error_of(owner_a.patch(f"{API}staff/{owner.pk}/", {"role": "clerk"}, content_type=JSON))[
        :2
    ] == (403, "permission_denied")
    assert error_of(owner_a.patch(f"{API}staff/{clerk.pk}/", {"role": "owner"}, content_type=JSON))[
        :2
    ] == (403, "permission_denied")
    assert error_of(
        owner_a.patch(f"{API}staff/{clerk.pk}/", {"role": "boss"}, content_type=JSON)
    ) == (400, "invalid", {"role": ['"boss" is not a valid choice.']})
    assert error_of(owner_a.patch(f"{API}staff/{clerk.pk}/", {}, content_type=JSON)) == (
        400,
        "invalid",
        {"role": ["This field is required."]},
    )
    assert error_of(owner_a.patch(f"{API}staff/424242/", {"role": "clerk"}, content_type=JSON))[
        :2
    ] == (404, "not_found")
    # a manager grants only the roles below manager
    assert (
        manager_a.patch(
            f"{API}staff/{clerk.pk}/", {"role": "manager"}, content_type=JSON
        ).status_code
        == 403
    )
    assert error_of(
        manager_a.post(
            f"{API}invitations/", {"email": "m@example.com", "role": "manager"}, content_type=JSON
        )
    ) == (403, "permission_denied", {"role": ["You cannot grant this role."]})
    assert manager_a.delete(f"{API}staff/{owner.pk}/").status_code == 403
    assert (
        manager_a.patch(
            f"{API}staff/{clerk.pk}/", {"role": "warehouse"}, content_type=JSON
        ).status_code
        == 200
    )
    with schema_context(shop_a.schema_name):
        assert StaffMember.objects.get(pk=owner.pk).role == "owner"
        assert StaffMember.objects.get(pk=clerk.pk).role == "warehouse"


# --- invitations -------------------------------------------------------------------------------


def test_invite_list_accept_through_the_api(
    owner_a,
    shop_a,
    make_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(
            f"{API}invitations/",
            {"email": "Helper@Example.com", "role": "service"},
            content_type=JSON,
        )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("email", "role")} == {
        "email": "helper@example.com",
        "role": "service",
    }
    assert "token" not in body and "token_hash" not in body
    assert [m.to for m in mailoutbox] == [["helper@example.com"]]
    with django_assert_max_num_queries(8):  # 4 queries, each after its SET search_path
        listed = owner_a.get(f"{API}invitations/").json()
    assert (listed["count"], [i["id"] for i in listed["results"]]) == (1, [body["id"]])

    helper = make_user(email="helper@example.com", display_name="Helper")
    client = host_client(shop_a, helper)
    assert client.get(f"{API}me/").status_code == 403
    response = client.post(
        f"{API}invitations/accept/", {"token": mailed_token(mailoutbox[0])}, content_type=JSON
    )
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("user_id", "role")} == {
        "user_id": helper.pk,
        "role": "service",
    }
    assert client.get(f"{API}me/").json()["sections"] == ["dashboard", "orders", "customers", "refunds"]
    assert owner_a.get(f"{API}invitations/").json()["count"] == 0


def test_invitation_errors(
    owner_a, shop_a, shopper, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_a.post(
            f"{API}invitations/", {"email": "a@example.com", "role": "clerk"}, content_type=JSON
        )
    assert error_of(
        owner_a.post(
            f"{API}invitations/", {"email": "A@example.com", "role": "clerk"}, content_type=JSON
        )
    ) == (409, "already_invited", {})
    assert error_of(
        owner_a.post(
            f"{API}invitations/",
            {"email": "owner@alpha.example", "role": "clerk"},
            content_type=JSON,
        )
    ) == (409, "already_staff", {})
    assert error_of(
        owner_a.post(f"{API}invitations/", {"email": "nope", "role": "clerk"}, content_type=JSON)
    ) == (400, "invalid", {"email": ["Enter a valid email address."]})
    assert error_of(
        owner_a.post(f"{API}invitations/", {"email": "b@example.com"}, content_type=JSON)
    ) == (400, "invalid", {"role": ["This field is required."]})

    token = mailed_token(mailoutbox[0])
    other = host_client(shop_a, shopper)
    assert error_of(other.post(f"{API}invitations/accept/", {"token": token}, content_type=JSON))[
        :2
    ] == (403, "permission_denied")
    assert error_of(
        other.post(f"{API}invitations/accept/", {"token": "forged"}, content_type=JSON)
    )[:2] == (400, "bad_token")
    assert error_of(other.post(f"{API}invitations/accept/", {}, content_type=JSON)) == (
        400,
        "invalid",
        {"token": ["This field is required."]},
    )
    assert (
        host_client(shop_a)
        .post(f"{API}invitations/accept/", {"token": token}, content_type=JSON)
        .status_code
        == 403
    )

    with schema_context(shop_a.schema_name):
        invitation = StaffInvitation.objects.get()
    assert owner_a.delete(f"{API}invitations/{invitation.pk}/").status_code == 204
    assert error_of(owner_a.delete(f"{API}invitations/{invitation.pk}/"))[:2] == (409, "not_open")
    assert error_of(owner_a.delete(f"{API}invitations/999/"))[:2] == (404, "not_found")


# --- settlement bank account -------------------------------------------------------------------


def test_bank_account_read_and_change(owner_a, manager_a, shop_a, merchant_a):
    SettlementBankAccount.objects.create(
        shop_id=shop_a.pk,
        status=BankAccountStatus.ACTIVE,
        bank_name="招商银行",
        bank_branch="上海分行",
        account_name="阿尔法贸易有限公司",
        account_number_encrypted=pii.encrypt("6225880112345678"),
        account_last4="5678",
        requested_by=merchant_a,
    )
    body = owner_a.get(f"{API}bank-account/").json()
    assert (body["company_name"], body["pending"], body["payouts_paused"]) == (
        "阿尔法贸易有限公司",
        None,
        False,
    )
    assert {
        k: body["active"][k]
        for k in ("status", "bank_name", "bank_branch", "account_name", "account_number_masked")
    } == {
        "status": "active",
        "bank_name": "招商银行",
        "bank_branch": "上海分行",
        "account_name": "阿尔法贸易有限公司",
        "account_number_masked": "**** **** 5678",
    }
    assert "6225880112345678" not in owner_a.get(f"{API}bank-account/").content.decode()
    assert manager_a.get(f"{API}bank-account/").status_code == 403

    change = {
        "bank_name": "工商银行",
        "account_name": "阿尔法贸易有限公司",
        "account_number": "6222000011114321",
    }
    assert error_of(
        owner_a.post(
            f"{API}bank-account/change/", {**change, "account_number": "12"}, content_type=JSON
        )
    ) == (400, "invalid", {"account_number": ["A bank account number has 8 to 30 digits."]})
    assert error_of(
        owner_a.post(
            f"{API}bank-account/change/", {**change, "account_name": "X"}, content_type=JSON
        )
    )[2] == {"account_name": ["The account name must equal the company name (阿尔法贸易有限公司)."]}
    assert (
        manager_a.post(f"{API}bank-account/change/", change, content_type=JSON).status_code == 403
    )
    response = owner_a.post(f"{API}bank-account/change/", change, content_type=JSON)
    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("status", "account_number_masked")} == {
        "status": "pending",
        "account_number_masked": "**** **** 4321",
    }
    assert owner_a.get(f"{API}bank-account/").json()["payouts_paused"] is True
    assert Shop.objects.get(pk=shop_a.pk).payouts_paused is True
    assert error_of(owner_a.post(f"{API}bank-account/change/", change, content_type=JSON))[:2] == (
        409,
        "change_pending",
    )
    assert SettlementBankAccount.objects.filter(shop_id=shop_a.pk).count() == 2
