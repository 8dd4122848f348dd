"""The storefront and the merchant console pages on a shop's host."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from backend.lib import pii
from shared_apps.audit.models import AuditEntry
from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount
from tenant_apps.shop.models import ShopProfile, StaffInvitation, StaffMember
from tenants.models import Shop, ShopMembership
from tests.conftest import MALL, client_for
from tests.factories import png_bytes

from .conftest import add_staff, host_client

pytestmark = pytest.mark.django_db


def profile_of(shop) -> ShopProfile:
    with schema_context(shop.schema_name):
        return ShopProfile.objects.get()


def invite_token(mail) -> str:
    """The token from the accept link in an invitation mail."""
    body = (
        mail.body
        if hasattr(mail, "body")
        else mail.get_body(preferencelist=("plain",)).get_content()
    )
    url = re.search(r"https?://\S+", body).group(0)
    return url.split("token=", 1)[1]


# --- storefront --------------------------------------------------------------------------------


def test_storefront_shows_the_shop_to_anyone(shop_a):
    response = host_client(shop_a).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Alpha 商店</h1>" in html
    assert "No products on sale yet." in html
    assert 'href="http://mall.localhost/"' in html
    assert "/console/" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_storefront_links_staff_to_the_console(owner_a):
    assert '<a href="/console/">Merchant console</a>' in owner_a.get("/").content.decode()


# --- console access ----------------------------------------------------------------------------


def test_owner_opens_every_console_page(owner_a):
    for path in ["/console/", "/console/settings/", "/console/staff/", "/console/bank-account/"]:
        assert owner_a.get(path).status_code == 200, path
    dashboard = owner_a.get("/console/").content.decode()
    assert "You are signed in as Owner." in dashboard
    assert '<p class="stat">1</p>' in dashboard
    assert '<span class="badge active">Active</span>' in dashboard
    nav = re.search(r'<nav class="nav">(.*?)</nav>', dashboard, re.DOTALL).group(1)
    assert re.findall(r'<a href="([^"]+)"', nav) == [
        "/console/",
        "/console/settings/",
        "/console/staff/",
        "/console/bank-account/",
        "/console/finance/",
        "/console/catalog/",
        "/console/fulfilment/",
        "/console/inventory/",
        "/console/purchasing/",
        "/console/freight/",
        "/console/inventory/reports/",
        "/",
    ]


def test_anonymous_is_sent_to_sign_in_on_the_same_host(shop_a):
    response = host_client(shop_a).get("/console/settings/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/console/settings/"


def test_clerk_sees_only_the_sections_of_the_role(clerk_a):
    dashboard = clerk_a.get("/console/")
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert "You are signed in as Clerk." in html
    assert '<li><a href="/console/catalog/">Products</a></li>' in html
    assert "/console/settings/" not in html
    for path in ["/console/settings/", "/console/staff/", "/console/bank-account/"]:
        response = clerk_a.get(path)
        assert response.status_code == 403, path
        assert "Your role in this shop does not open this section." in response.content.decode()
    assert clerk_a.post("/console/settings/", {"name": "Clerk's shop"}).status_code == 403
    assert profile_of_name(clerk_a) == "Alpha 商店"


def profile_of_name(client) -> str:
    return re.search(r"<h1>(.*?)</h1>", client.get("/").content.decode()).group(1)


def test_manager_has_no_bank_account_page(manager_a):
    assert manager_a.get("/console/settings/").status_code == 200
    assert manager_a.get("/console/staff/").status_code == 200
    assert manager_a.get("/console/bank-account/").status_code == 403


# --- settings ----------------------------------------------------------------------------------


def test_settings_edit_renames_the_storefront_and_the_mall_record(
    owner_a, shop_a, merchant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(
            "/console/settings/", {"name": "  Alpha 新店 ", "description": "好东西\n都在这里"}
        )
    assert response.status_code == 302
    assert response["Location"] == "/console/settings/"
    storefront = owner_a.get("/").content.decode()
    assert "<h1>Alpha 新店</h1>" in storefront
    assert "好东西<br>都在这里" in storefront
    assert Shop.objects.get(pk=shop_a.pk).name == "Alpha 新店"
    assert "Alpha 新店" in client_for(MALL).get("/").content.decode()
    entry = AuditEntry.objects.get(action="shop.settings_changed")
    assert (entry.actor_id, entry.shop_id) == (merchant_a.pk, shop_a.pk)
    assert entry.before == {"name": "Alpha 商店", "description": ""}
    assert entry.after == {"name": "Alpha 新店", "description": "好东西\n都在这里"}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "A"}, "name", "A shop name has 2 to 60 characters."),
        ({"name": "x" * 61}, "name", "Ensure this value has at most 60 characters (it has 61)."),
        (
            {"name": "Alpha", "description": "y" * 2001},
            "description",
            "Ensure this value has at most 2000 characters (it has 2001).",
        ),
    ],
)
def test_settings_bad_input_names_the_field_and_changes_nothing(
    owner_a, shop_a, data, field, message
):
    response = owner_a.post("/console/settings/", data)
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert profile_of(shop_a).name == "Alpha 商店"
    assert Shop.objects.get(pk=shop_a.pk).name == "Alpha 商店"
    assert not AuditEntry.objects.filter(action="shop.settings_changed").exists()


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile(
                "logo.png", b"this is not an image at all", content_type="image/png"
            ),
            "This file type is not accepted; use JPEG, PNG, WEBP.",
        ),
        (
            SimpleUploadedFile(
                "logo.png", png_bytes() + b"\0" * (2 * 1024 * 1024), content_type="image/png"
            ),
            "The file is 2.0 MB; the limit is 2 MB.",
        ),
        (
            SimpleUploadedFile("logo.png", png_bytes(width=8, height=8), content_type="image/png"),
            "The image is too small; each side needs at least 32 pixels.",
        ),
    ],
)
def test_bad_logo_is_refused_by_name(owner_a, shop_a, upload, message, tmp_path):
    response = owner_a.post("/console/settings/", {"name": "Alpha 商店", "logo": upload})
    assert response.status_code == 400
    assert response.context["form"].errors == {"logo": [message]}
    assert profile_of(shop_a).logo.name == ""
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.*"))


def test_logo_is_served_on_its_shop_host_only(
    owner_a, shop_a, shop_b, django_capture_on_commit_callbacks
):
    logo = png_bytes(color="blue")
    response = owner_a.post(
        "/console/settings/",
        {
            "name": "Alpha 商店",
            "logo": SimpleUploadedFile("my logo.png", logo, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    name = profile_of(shop_a).logo.name
    assert re.fullmatch(rf"shops/{shop_a.schema_name}/public/logo/[0-9a-f]{{32}}\.png", name)
    url = f"/media/{name}"
    assert f'src="{url}"' in owner_a.get("/").content.decode()
    assert f'src="{url}"' in owner_a.get("/console/settings/").content.decode()
    served = host_client(shop_a).get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == logo
    assert host_client(shop_b).get(url).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post("/console/settings/", {"name": "Alpha 商店", "remove_logo": "on"})
    assert response.status_code == 302
    assert profile_of(shop_a).logo.name == ""
    assert not default_storage.exists(name)
    assert host_client(shop_a).get(url).status_code == 404


# --- staff -------------------------------------------------------------------------------------


def test_invitation_mail_over_smtp_has_a_working_accept_link(
    owner_a, shop_a, smtp, make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(
            "/console/staff/invite/", {"email": "New.Clerk@Example.com", "role": "clerk"}
        )
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "new.clerk@example.com"
    # Mail goes out in the mall's language, Chinese, whatever the sender's page showed.
    assert mail["Subject"] == "邀请您加入“Alpha 商店”"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "您受邀以“店员”身份加入“Alpha 商店”的员工团队。" in body
    link = urlsplit(re.search(r"https?://\S+", body).group(0))
    assert (link.scheme, link.hostname, link.path) == (
        "http",
        "alpha.mall.localhost",
        "/console/invitations/accept/",
    )

    invitee = make_user(email="new.clerk@example.com", display_name="New Clerk")
    client = host_client(shop_a, invitee)
    assert client.get("/console/").status_code == 403
    page = client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    assert "Join the staff of Alpha 商店" in page.content.decode()
    response = client.post(link.path, {"token": link.query.removeprefix("token=")})
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert "You are signed in as Clerk." in client.get("/console/").content.decode()
    with schema_context(shop_a.schema_name):
        member = StaffMember.objects.get(user_id=invitee.pk)
        assert (member.role, member.email, member.display_name) == (
            "clerk",
            "new.clerk@example.com",
            "New Clerk",
        )
        assert StaffInvitation.objects.get().accepted_at is not None
    assert ShopMembership.objects.get(shop_id=shop_a.pk, user=invitee).role == "clerk"
    # single use
    again = client.post(link.path, {"token": link.query.removeprefix("token=")})
    assert again.status_code == 400


def test_accepting_with_another_address_is_forbidden(
    owner_a, shop_a, shopper, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_a.post("/console/staff/invite/", {"email": "someone@example.com", "role": "service"})
    token = invite_token(mailoutbox[0])
    response = host_client(shop_a, shopper).post("/console/invitations/accept/", {"token": token})
    assert response.status_code == 403
    assert (
        "This invitation was sent to another e-mail address; sign in with that one."
        in response.content.decode()
    )
    with schema_context(shop_a.schema_name):
        assert not StaffMember.objects.filter(user_id=shopper.pk).exists()
        assert StaffInvitation.objects.get().is_open


def test_accept_page_needs_a_sign_in_and_a_token(shop_a, shopper):
    response = host_client(shop_a).get("/console/invitations/accept/?token=abc")
    assert response.status_code == 302
    assert (
        response["Location"] == "/accounts/login/?next=/console/invitations/accept/%3Ftoken%3Dabc"
    )
    client = host_client(shop_a, shopper)
    assert client.get("/console/invitations/accept/").status_code == 400
    response = client.post("/console/invitations/accept/", {"token": "forged"})
    assert response.status_code == 400
    assert "This invitation is invalid or has expired." in response.content.decode()


def test_owner_manages_staff_and_invitations(owner_a, shop_a, clerk_user, mailoutbox):
    clerk = add_staff(shop_a, clerk_user, "clerk")
    response = owner_a.post(f"/console/staff/{clerk.pk}/role/", {"role": "warehouse"})
    assert response.status_code == 302
    with schema_context(shop_a.schema_name):
        assert StaffMember.objects.get(pk=clerk.pk).role == "warehouse"
    assert owner_a.post(f"/console/staff/{clerk.pk}/remove/").status_code == 302
    with schema_context(shop_a.schema_name):
        assert not StaffMember.objects.filter(pk=clerk.pk).exists()

    assert (
        owner_a.post(
            "/console/staff/invite/", {"email": "x@example.com", "role": "manager"}
        ).status_code
        == 302
    )
    duplicate = owner_a.post("/console/staff/invite/", {"email": "X@example.com", "role": "clerk"})
    assert duplicate.status_code == 409
    assert duplicate.context["invite_form"].errors == {
        "__all__": ["An invitation to this address is already open."]
    }
    with schema_context(shop_a.schema_name):
        invitation = StaffInvitation.objects.get()
    page = owner_a.get("/console/staff/").content.decode()
    assert "x@example.com" in page and f"/console/invitations/{invitation.pk}/revoke/" in page
    assert owner_a.post(f"/console/invitations/{invitation.pk}/revoke/").status_code == 302
    assert owner_a.post(f"/console/invitations/{invitation.pk}/revoke/").status_code == 409
    assert "No open invitations." in owner_a.get("/console/staff/").content.decode()


@pytest.mark.parametrize(
    "data, errors",
    [
        ({"email": "not-an-address", "role": "clerk"}, {"email": ["Enter a valid email address."]}),
        ({"email": "", "role": "clerk"}, {"email": ["This field is required."]}),
        (
            {"email": "a@example.com", "role": "owner"},
            {"role": ["Select a valid choice. owner is not one of the available choices."]},
        ),
    ],
)
def test_invite_bad_input_names_the_field(owner_a, shop_a, data, errors):
    response = owner_a.post("/console/staff/invite/", data)
    assert response.status_code == 400
    assert response.context["invite_form"].errors == errors
    with schema_context(shop_a.schema_name):
        assert not StaffInvitation.objects.exists()


def test_owner_cannot_invite_someone_already_on_the_staff(owner_a):
    response = owner_a.post(
        "/console/staff/invite/", {"email": "OWNER@alpha.example", "role": "clerk"}
    )
    assert response.status_code == 409
    assert "This person is already on the staff." in response.content.decode()


def test_manager_cannot_grant_manager_nor_touch_the_owner(
    manager_a, shop_a, merchant_a, manager_user, clerk_user
):
    clerk = add_staff(shop_a, clerk_user, "clerk")
    response = manager_a.post(
        "/console/staff/invite/", {"email": "m2@example.com", "role": "manager"}
    )
    assert response.status_code == 400
    assert response.context["invite_form"].errors == {
        "role": ["Select a valid choice. manager is not one of the available choices."]
    }
    response = manager_a.post(f"/console/staff/{clerk.pk}/role/", {"role": "manager"})
    assert response.status_code == 403
    assert "You cannot give this person this role." in response.content.decode()
    with schema_context(shop_a.schema_name):
        owner = StaffMember.objects.get(user_id=merchant_a.pk)
    assert manager_a.post(f"/console/staff/{owner.pk}/remove/").status_code == 403
    assert manager_a.post(f"/console/staff/{owner.pk}/role/", {"role": "clerk"}).status_code == 403
    assert (
        manager_a.post(f"/console/staff/{clerk.pk}/role/", {"role": "service"}).status_code == 302
    )
    with schema_context(shop_a.schema_name):
        assert dict(StaffMember.objects.values_list("user_id", "role")) == {
            merchant_a.pk: "owner",
            manager_user.pk: "manager",
            clerk_user.pk: "service",
        }
    assert manager_a.post("/console/staff/99999/role/", {"role": "clerk"}).status_code == 404


def test_staff_page_queries_do_not_grow_with_the_staff(
    owner_a, shop_a, make_user, django_assert_max_num_queries
):
    owner_a.get("/console/staff/")  # binds the session to the host
    for n in range(12):
        add_staff(shop_a, make_user(), "clerk")
    with django_assert_max_num_queries(8):  # 4 queries, each after its SET search_path
        response = owner_a.get("/console/staff/")
    assert response.content.decode().count("/remove/") == 12


# --- settlement bank account -------------------------------------------------------------------


@pytest.fixture
def active_account(shop_a, merchant_a):
    return SettlementBankAccount.objects.create(
        shop_id=shop_a.pk,
        status=BankAccountStatus.ACTIVE,
        bank_name="招商银行",
        bank_branch="上海分行",
        account_name="阿尔法贸易有限公司",
        account_number_encrypted=pii.encrypt("6225880112345678"),
        account_last4="5678",
        requested_by=merchant_a,
    )


def test_owner_sees_the_account_masked_and_requests_a_change(owner_a, shop_a, active_account):
    page = owner_a.get("/console/bank-account/").content.decode()
    assert "**** **** 5678" in page and "6225880112345678" not in page
    assert 'value="阿尔法贸易有限公司"' in page
    response = owner_a.post(
        "/console/bank-account/",
        {
            "bank_name": "工商银行",
            "bank_branch": "浦东支行",
            "account_name": "阿尔法贸易有限公司",
            "account_number": "6222 0000 1111 4321",
        },
    )
    assert response.status_code == 302
    pending = SettlementBankAccount.objects.get(shop_id=shop_a.pk, status="pending")
    assert (pending.bank_name, pending.account_last4) == ("工商银行", "4321")
    assert Shop.objects.get(pk=shop_a.pk).payouts_paused is True
    page = owner_a.get("/console/bank-account/").content.decode()
    assert (
        "Change waiting for review" in page
        and "**** **** 4321" in page
        and "**** **** 5678" in page
    )
    again = owner_a.post(
        "/console/bank-account/",
        {
            "bank_name": "工商银行",
            "account_name": "阿尔法贸易有限公司",
            "account_number": "6222000011119999",
        },
    )
    assert again.status_code == 409
    assert "A bank account change is already waiting for review." in again.content.decode()


@pytest.mark.parametrize(
    "data, errors",
    [
        (
            {
                "bank_name": "工商银行",
                "account_name": "别人的公司",
                "account_number": "6222000011114321",
            },
            {
                "account_name": [
                    "The account name must equal the company name (阿尔法贸易有限公司)."
                ]
            },
        ),
        (
            {
                "bank_name": "工商银行",
                "account_name": "阿尔法贸易有限公司",
                "account_number": "12ab",
            },
            {"account_number": ["A bank account number has 8 to 30 digits."]},
        ),
        (
            {
                "bank_name": "",
                "account_name": "阿尔法贸易有限公司",
                "account_number": "6222000011114321",
            },
            {"bank_name": ["This field is required."]},
        ),
    ],
)
def test_bank_account_bad_input_names_the_field(owner_a, shop_a, data, errors):
    response = owner_a.post("/console/bank-account/", data)
    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert not SettlementBankAccount.objects.filter(shop_id=shop_a.pk).exists()
    assert Shop.objects.get(pk=shop_a.pk).payouts_paused is False
