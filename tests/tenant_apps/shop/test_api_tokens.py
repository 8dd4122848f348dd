"""Shop API tokens (ERP sync): made and revoked by the owner or a manager, shown once, stored as
a keyed hash, valid only on their own shop's host, limited to their scopes, never a way into the
console or into tokens, staff or money."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from backend.lib import pii
from shared_apps.audit.models import AuditEntry
from shared_apps.onboarding.models import SettlementBankAccount
from tenant_apps.catalog.models import SKU, Product
from tenant_apps.inventory.models import StockMovement
from tenant_apps.shop import services
from tenant_apps.shop.models import ShopApiToken, StaffInvitation, StaffMember
from tenants.services import shop_change_status
from tests.conftest import MALL, OPS, client_for
from tests.tenant_apps.inventory.conftest import make_location, make_skus, on_hand

from .conftest import add_staff

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/"
JSON = "application/json"
ALL_SCOPES = ["catalog:read", "catalog:write", "stock:read", "stock:write"]


def issue(shop, user, scopes, *, name="ERP sync", expires_at=None) -> tuple[ShopApiToken, str]:
    """A token made through the service by `user` (on `shop`'s staff)."""
    with schema_context(shop.schema_name):
        member = StaffMember.objects.get(user_id=user.pk)
        issued = services.api_token_create(
            shop=shop, member=member, actor=user, name=name, scopes=scopes, expires_at=expires_at
        )
    return issued.token, issued.secret


def bearer(host: str, secret: str):
    """A client that sends only the token: no session, no cookies of a person."""
    client = client_for(host)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def on(shop, secret: str):
    return bearer(f"{shop.subdomain}.{MALL}", secret)


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["message"]


def token_row(shop, pk: int) -> ShopApiToken:
    with schema_context(shop.schema_name):
        return ShopApiToken.objects.get(pk=pk)


def count_tokens(shop) -> int:
    with schema_context(shop.schema_name):
        return ShopApiToken.objects.count()


# --- making and listing ------------------------------------------------------------------------


def test_create_shows_the_secret_once_and_stores_only_its_hash(owner_a, shop_a, merchant_a):
    response = owner_a.post(
        f"{API}api-tokens/",
        {"name": "  ERP sync ", "scopes": ["stock:write", "catalog:read"]},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    secret = body.pop("token")
    assert re.fullmatch(r"mshop_[A-Za-z0-9_-]{43}", secret)
    assert body == {
        "id": body["id"],
        "name": "ERP sync",
        "prefix": secret[:14],
        "scopes": ["catalog:read", "stock:write"],
        "status": "active",
        "created_by_user_id": merchant_a.pk,
        "created_at": body["created_at"],
        "last_used_at": None,
        "expires_at": None,
        "revoked_at": None,
    }
    row = token_row(shop_a, body["id"])
    assert row.secret_hash == pii.lookup_hash(f"shop-api-token:{secret}")
    stored = [str(value) for value in row.__dict__.values()]
    assert not any(secret in value or secret[14:] in value for value in stored)
    listed = owner_a.get(f"{API}api-tokens/").json()
    assert listed["count"] == 1 and listed["results"][0] == body
    assert secret not in owner_a.get(f"{API}api-tokens/").content.decode()
    assert secret not in owner_a.get("/console/api-tokens/").content.decode()
    entry = AuditEntry.objects.get(action="shop.api_token_created")
    assert (entry.actor_id, entry.shop_id, entry.target_id) == (
        merchant_a.pk,
        shop_a.pk,
        str(body["id"]),
    )
    assert entry.after == {
        "name": "ERP sync",
        "prefix": secret[:14],
        "scopes": ["catalog:read", "stock:write"],
        "expires_at": None,
    }


def test_manager_may_make_tokens_but_a_clerk_may_not(manager_a, clerk_a, shop_a, merchant_a):
    made = manager_a.post(
        f"{API}api-tokens/", {"name": "POS", "scopes": ["stock:read"]}, content_type=JSON
    )
    assert made.status_code == 201
    refused = clerk_a.post(
        f"{API}api-tokens/", {"name": "Mine", "scopes": ["catalog:read"]}, content_type=JSON
    )
    assert error_of(refused) == (403, "Your role in this shop does not open this section.")
    assert clerk_a.get(f"{API}api-tokens/").status_code == 403
    assert clerk_a.delete(f"{API}api-tokens/{made.json()['id']}/").status_code == 403
    assert clerk_a.get("/console/api-tokens/").status_code == 403
    assert clerk_a.post("/console/api-tokens/", {"name": "x", "scopes": "catalog:read"}).status_code == 403
    assert clerk_a.post(f"/console/api-tokens/{made.json()['id']}/revoke/").status_code == 403
    assert count_tokens(shop_a) == 1
    assert token_row(shop_a, made.json()["id"]).revoked_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "ERP", "scopes": ["catalog:admin"]}, "scopes"),
        ({"name": "ERP", "scopes": []}, "scopes"),
        ({"name": "ERP", "scopes": ["staff:write"]}, "scopes"),
        ({"name": "ERP"}, "scopes"),
        ({"name": "", "scopes": ["catalog:read"]}, "name"),
        ({"name": "x" * 61, "scopes": ["catalog:read"]}, "name"),
        ({"scopes": ["catalog:read"]}, "name"),
        ({"name": "ERP", "scopes": ["catalog:read"], "expires_at": "2020-01-01T00:00:00+08:00"}, "expires_at"),
        ({"name": "ERP", "scopes": ["catalog:read"], "expires_at": "next week"}, "expires_at"),
        ({"name": "ERP", "scopes": ["catalog:read"], "expires_at": "9999-12-31T23:59:59Z"}, "expires_at"),
        ({"name": "ERP", "scopes": "catalog:read"}, "scopes"),
        ({"name": "ERP\u0000", "scopes": ["catalog:read"]}, "name"),
    ],
)
def test_bad_input_names_the_field_and_makes_nothing(owner_a, shop_a, body, field):
    response = owner_a.post(f"{API}api-tokens/", body, content_type=JSON)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert list(error["fields"]) == [field] and error["message"].startswith(f"{field}: ")
    assert count_tokens(shop_a) == 0
    assert not AuditEntry.objects.filter(action="shop.api_token_created").exists()


def test_service_refuses_bad_input_by_field(shop_a, merchant_a):
    from backend.api.errors import ServiceError

    for kwargs, field in [
        ({"name": "  ", "scopes": ["catalog:read"]}, "name"),
        ({"name": "ERP", "scopes": ["catalog:read", "orders:write"]}, "scopes"),
        ({"name": "ERP", "scopes": "catalog:read"}, "scopes"),
        ({"name": "ERP", "scopes": ["catalog:read"], "expires_at": timezone.now()}, "expires_at"),
    ]:
        with pytest.raises(ServiceError) as refused:
            issue(shop_a, merchant_a, **kwargs)
        assert (refused.value.status_code, list(refused.value.fields)) == (400, [field])
    assert count_tokens(shop_a) == 0


def test_a_shop_has_at_most_twenty_active_tokens(owner_a, shop_a, merchant_a):
    for n in range(20):
        issue(shop_a, merchant_a, ["catalog:read"], name=f"T{n}")
    response = owner_a.post(
        f"{API}api-tokens/", {"name": "One more", "scopes": ["catalog:read"]}, content_type=JSON
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "too_many_tokens")
    assert count_tokens(shop_a) == 20


# --- what a token can do -----------------------------------------------------------------------


def test_catalog_write_token_creates_and_updates_products(shop_a, merchant_a):
    token, secret = issue(shop_a, merchant_a, ["catalog:write"])
    erp = on(shop_a, secret)
    made = erp.post(
        f"{API}catalog/products/",
        {"title": "ERP phone", "skus": [{"code": "ERP-1", "sale_price": "99.90"}]},
        content_type=JSON,
    )
    assert made.status_code == 201, made.content
    product_id, sku_id = made.json()["id"], made.json()["skus"][0]["id"]
    changed = erp.patch(
        f"{API}catalog/products/{product_id}/", {"brand": "Acme"}, content_type=JSON
    )
    assert (changed.status_code, changed.json()["product"]["brand"]) == (200, "Acme")
    priced = erp.patch(
        f"{API}catalog/skus/{sku_id}/prices/", {"sale_price": "89.90"}, content_type=JSON
    )
    assert (priced.status_code, priced.json()["sale_price"]) == (200, "89.90")
    # A write scope also reads.
    assert erp.get(f"{API}catalog/products/").json()["count"] == 1
    with schema_context(shop_a.schema_name):
        assert Product.objects.get(pk=product_id).brand == "Acme"
        assert str(SKU.objects.get(pk=sku_id).sale_price) == "89.90"
    # The audit log keeps the person who made the token and names the token that acted.
    entry = AuditEntry.objects.get(action="catalog.sku_price_changed")
    assert (entry.actor_id, entry.shop_id) == (merchant_a.pk, shop_a.pk)
    assert entry.actor_label == f"API token {token.prefix}… (ERP sync)"
    # The token did not become its maker's staff access: the maker's own sections stay shut.
    assert erp.get(f"{API}inventory/balances/").status_code == 403


def test_stock_write_token_posts_an_adjustment(shop_a, merchant_a):
    sku = make_skus(shop_a, 1, "ERP")[0]
    wh = make_location(shop_a, "WH")
    _token, secret = issue(shop_a, merchant_a, ["stock:write"])
    erp = on(shop_a, secret)
    response = erp.post(
        f"{API}inventory/adjustments/",
        {"sku_id": sku, "location_id": wh, "quantity": 7, "reason": "ERP count"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert on_hand(shop_a, wh, sku) == (7, 0)
    with schema_context(shop_a.schema_name):
        movement = StockMovement.objects.get()
    assert (movement.quantity, movement.actor_user_id) == (7, merchant_a.pk)
    entry = AuditEntry.objects.get(action="inventory.adjust")
    assert entry.actor_id == merchant_a.pk and entry.actor_label.startswith("API token mshop_")
    rows = erp.get(f"{API}inventory/balances/").json()["results"]
    assert [(r["sku_id"], r["on_hand"]) for r in rows] == [(sku, 7)]
    assert erp.get(f"{API}catalog/products/").status_code == 403


def test_read_token_is_refused_writes_with_the_scope_named(shop_a, merchant_a):
    sku = make_skus(shop_a, 1, "RD")[0]
    wh = make_location(shop_a, "WH")
    _token, secret = issue(shop_a, merchant_a, ["catalog:read"])
    erp = on(shop_a, secret)
    assert erp.get(f"{API}catalog/products/").status_code == 200
    for response in [
        erp.post(f"{API}catalog/products/", {"title": "Sneaky"}, content_type=JSON),
        erp.patch(f"{API}catalog/skus/{sku}/prices/", {"sale_price": "1.00"}, content_type=JSON),
    ]:
        assert error_of(response) == (403, "This API token lacks the scope catalog:write.")
        assert response.json()["error"]["code"] == "permission_denied"
    refused = erp.post(
        f"{API}inventory/adjustments/",
        {"sku_id": sku, "location_id": wh, "quantity": 1, "reason": "x"},
        content_type=JSON,
    )
    assert error_of(refused) == (403, "This API token lacks the scope stock:write.")
    assert error_of(erp.get(f"{API}inventory/balances/")) == (
        403,
        "This API token lacks the scope stock:read.",
    )
    with schema_context(shop_a.schema_name):
        assert Product.objects.count() == 1 and not StockMovement.objects.exists()
        assert str(SKU.objects.get(pk=sku).sale_price) == "9.90"


def test_tokens_cannot_reach_tokens_staff_bank_or_profile(shop_a, merchant_a, clerk_user):
    clerk = add_staff(shop_a, clerk_user, "clerk")
    accounts_before = SettlementBankAccount.objects.filter(shop_id=shop_a.pk).count()
    other, _secret = issue(shop_a, merchant_a, ["catalog:read"], name="Other")
    _token, secret = issue(shop_a, merchant_a, ALL_SCOPES, name="Everything")
    erp = on(shop_a, secret)
    manage = "API tokens cannot be used here; sign in to the console as a person to manage API tokens."
    assert error_of(erp.get(f"{API}api-tokens/")) == (403, manage)
    made = erp.post(f"{API}api-tokens/", {"name": "Child", "scopes": ALL_SCOPES}, content_type=JSON)
    assert error_of(made) == (403, manage)
    assert error_of(erp.delete(f"{API}api-tokens/{other.pk}/")) == (403, manage)
    for method, path, data, section in [
        ("get", "me/", None, "dashboard"),
        ("patch", "profile/", {"name": "Taken"}, "settings"),
        ("get", "staff/", None, "staff"),
        ("patch", f"staff/{clerk.pk}/", {"role": "manager"}, "staff"),
        ("delete", f"staff/{clerk.pk}/", None, "staff"),
        ("post", "invitations/", {"email": "mole@example.com", "role": "manager"}, "staff"),
        ("get", "bank-account/", None, "bank_account"),
        ("post", "bank-account/change/", {"bank_name": "X", "account_name": "阿尔法贸易有限公司",
                                          "account_number": "6222000011110000"}, "bank_account"),
    ]:
        call = getattr(erp, method)
        response = call(API + path, data, content_type=JSON) if data else call(API + path)
        assert error_of(response) == (
            403,
            f"API tokens cannot use this part of the shop API ({section}).",
        ), path
    accept = erp.post(f"{API}invitations/accept/", {"token": "x"}, content_type=JSON)
    assert error_of(accept) == (401, "API tokens work only on the shop API (/api/v1/shop/…).")
    assert count_tokens(shop_a) == 2
    assert token_row(shop_a, other.pk).revoked_at is None
    with schema_context(shop_a.schema_name):
        assert StaffMember.objects.get(pk=clerk.pk).role == "clerk"
        assert not StaffInvitation.objects.exists()
    assert SettlementBankAccount.objects.filter(shop_id=shop_a.pk).count() == accounts_before


def test_a_token_opens_no_console_page(shop_a, merchant_a):
    _token, secret = issue(shop_a, merchant_a, ALL_SCOPES)
    erp = on(shop_a, secret)
    for path in ["/console/", "/console/catalog/", "/console/inventory/", "/console/api-tokens/",
                 "/console/settings/"]:
        response = erp.get(path)
        assert (response.status_code, response["Location"]) == (
            302,
            f"/accounts/login/?next={path}",
        ), path
    response = erp.post("/console/api-tokens/", {"name": "x", "scopes": "catalog:read"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert count_tokens(shop_a) == 1


# --- where and when a token is refused ---------------------------------------------------------


def test_a_token_exists_only_on_its_own_shops_host(shop_a, shop_b, merchant_a, merchant_b):
    _token, secret = issue(shop_a, merchant_a, ALL_SCOPES)
    _token_b, secret_b = issue(shop_b, merchant_b, ALL_SCOPES)
    for response in [
        on(shop_b, secret).get(f"{API}catalog/products/"),
        on(shop_b, secret).post(f"{API}catalog/products/", {"title": "Mole"}, content_type=JSON),
        on(shop_a, secret_b).get(f"{API}catalog/products/"),
    ]:
        assert error_of(response) == (401, "Invalid API token: this shop has no such token.")
        assert response["WWW-Authenticate"] == 'Bearer realm="shop-api"'
    elsewhere = "Shop API tokens work only on the host of the shop that made them."
    for host, path in [(MALL, "/api/v1/me/"), (OPS, "/api/v1/ops/applications/")]:
        response = bearer(host, secret).get(path)
        assert error_of(response) == (401, elsewhere), (host, path)
    with schema_context(shop_b.schema_name):
        assert not Product.objects.exists()


def test_unknown_malformed_revoked_and_expired_tokens_get_401(owner_a, shop_a, merchant_a):
    path = f"{API}catalog/products/"
    assert error_of(on(shop_a, "mshop_" + "x" * 43).get(path)) == (
        401,
        "Invalid API token: this shop has no such token.",
    )
    for header in ["Bearer mshop_a mshop_b", "Bearer", "Bearer mshop_é"]:
        malformed = client_for(f"alpha.{MALL}", None)
        malformed.defaults["HTTP_AUTHORIZATION"] = header
        assert malformed.get(path).status_code == 401, header
    revoked, revoked_secret = issue(shop_a, merchant_a, ["catalog:read"], name="Old")
    assert on(shop_a, revoked_secret).get(path).status_code == 200
    assert owner_a.delete(f"{API}api-tokens/{revoked.pk}/").status_code == 204
    assert error_of(on(shop_a, revoked_secret).get(path)) == (401, "This API token has been revoked.")
    again = owner_a.delete(f"{API}api-tokens/{revoked.pk}/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_revoked")
    assert owner_a.delete(f"{API}api-tokens/999999/").status_code == 404
    expired, expired_secret = issue(
        shop_a, merchant_a, ["catalog:read"], name="Short", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert on(shop_a, expired_secret).get(path).status_code == 200
    with schema_context(shop_a.schema_name):
        ShopApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    status, message = error_of(on(shop_a, expired_secret).get(path))
    assert status == 401 and message.startswith("This API token expired at ")
    statuses = {row["id"]: row["status"] for row in owner_a.get(f"{API}api-tokens/").json()["results"]}
    assert statuses == {revoked.pk: "revoked", expired.pk: "expired"}
    entry = AuditEntry.objects.get(action="shop.api_token_revoked")
    assert (entry.actor_id, entry.target_id) == (merchant_a.pk, str(revoked.pk))


def test_a_deactivated_maker_takes_the_token_down(shop_a, merchant_a):
    _token, secret = issue(shop_a, merchant_a, ["catalog:read"])
    type(merchant_a).objects.filter(pk=merchant_a.pk).update(is_active=False)
    assert error_of(on(shop_a, secret).get(f"{API}catalog/products/")) == (
        401,
        "The account that made this API token is deactivated; make a new token.",
    )


def test_removing_a_manager_revokes_the_tokens_they_made(owner_a, manager_a, shop_a, manager_user):
    made = manager_a.post(
        f"{API}api-tokens/", {"name": "POS", "scopes": ["stock:read"]}, content_type=JSON
    ).json()
    assert on(shop_a, made["token"]).get(f"{API}inventory/balances/").status_code == 200
    with schema_context(shop_a.schema_name):
        member_id = StaffMember.objects.get(user_id=manager_user.pk).pk
    assert owner_a.delete(f"{API}staff/{member_id}/").status_code == 204
    assert error_of(on(shop_a, made["token"]).get(f"{API}inventory/balances/")) == (
        401,
        "This API token has been revoked.",
    )


def test_suspended_shop_refuses_token_writes_like_staff_writes(shop_a, merchant_a, operator,
                                                              django_capture_on_commit_callbacks):
    _token, secret = issue(shop_a, merchant_a, ["catalog:write"])
    with django_capture_on_commit_callbacks(execute=True):
        shop_change_status(shop_id=shop_a.pk, to_status="suspended", actor=operator, reason="资质过期")
    erp = on(shop_a, secret)
    assert erp.get(f"{API}catalog/products/").status_code == 200
    response = erp.post(f"{API}catalog/products/", {"title": "While suspended"}, content_type=JSON)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "shop_read_only")
    with schema_context(shop_a.schema_name):
        assert not Product.objects.exists()


def test_last_used_is_written_at_most_once_a_minute(shop_a, merchant_a, django_assert_num_queries):
    token, secret = issue(shop_a, merchant_a, ["catalog:read"])
    erp = on(shop_a, secret)
    assert token_row(shop_a, token.pk).last_used_at is None
    assert erp.get(f"{API}catalog/products/").status_code == 200
    first = token_row(shop_a, token.pk).last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=10)
    assert erp.get(f"{API}catalog/products/").status_code == 200
    assert token_row(shop_a, token.pk).last_used_at == first
    with schema_context(shop_a.schema_name):
        ShopApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert erp.get(f"{API}catalog/products/").status_code == 200
    assert token_row(shop_a, token.pk).last_used_at > first


# --- console page ------------------------------------------------------------------------------


def test_console_makes_a_token_shows_it_once_and_revokes_after_asking(owner_a, shop_a):
    settings_page = owner_a.get("/console/settings/").content.decode()
    assert 'href="/console/api-tokens/"' in settings_page
    assert "No API tokens yet." in owner_a.get("/console/api-tokens/").content.decode()
    made = owner_a.post(
        "/console/api-tokens/", {"name": "ERP", "scopes": ["catalog:write", "stock:read"]}
    )
    assert made.status_code == 201 and made["Cache-Control"] == "no-store"
    html = made.content.decode()
    secret = re.search(r'id="new-api-token" value="(mshop_[^"]+)"', html).group(1)
    assert "This is the only time the token is shown." in html
    assert 'data-copy-target="new-api-token"' in html and "/static/shop/copy.js" in html
    with schema_context(shop_a.schema_name):
        token = ShopApiToken.objects.get()
    assert (token.name, token.scopes) == ("ERP", ["catalog:write", "stock:read"])
    listing = owner_a.get("/console/api-tokens/").content.decode()
    assert secret not in listing and f"<code>{secret[:14]}…</code>" in listing
    assert "Create and change products and prices, Read stock, locations and purchasing" in listing
    confirm = owner_a.get(f"/console/api-tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200
    assert "Every program using it is refused from its next request on." in confirm.content.decode()
    assert token_row(shop_a, token.pk).revoked_at is None  # asking revokes nothing
    revoked = owner_a.post(f"/console/api-tokens/{token.pk}/revoke/")
    assert (revoked.status_code, revoked["Location"]) == (302, "/console/api-tokens/")
    assert token_row(shop_a, token.pk).revoked_at is not None
    after = owner_a.get("/console/api-tokens/").content.decode()
    assert "The API token “ERP” was revoked." in after and '<span class="badge closed">Revoked</span>' in after
    again = owner_a.post(f"/console/api-tokens/{token.pk}/revoke/")
    assert again.status_code == 409 and "This API token is already revoked." in again.content.decode()
    for token_id in ["999999", "99999999999999999999999"]:
        assert owner_a.get(f"/console/api-tokens/{token_id}/revoke/").status_code == 404
        assert owner_a.post(f"/console/api-tokens/{token_id}/revoke/").status_code == 404
        assert owner_a.delete(f"{API}api-tokens/{token_id}/").status_code == 404


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "scopes": "catalog:read"}, "This field is required."),
        ({"name": "ERP"}, "This field is required."),
        ({"name": "ERP", "scopes": "catalog:admin"}, "Select a valid choice."),
        ({"name": "x" * 61, "scopes": "catalog:read"}, "Ensure this value has at most 60 characters"),
        ({"name": "ERP", "scopes": "catalog:read", "expires_at": "2020-01-01"}, "The expiry must be in the future."),
        ({"name": "ERP", "scopes": "catalog:read", "expires_at": "9999-12-31"}, "The expiry must be within ten years."),
        ({"name": "ERP", "scopes": "catalog:read", "expires_at": "31/12/2030"}, "Enter a valid date."),
    ],
)
def test_console_bad_input_is_shown_on_the_form(owner_a, shop_a, form, message):
    response = owner_a.post("/console/api-tokens/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="new-api-token"' not in response.content.decode()
    assert count_tokens(shop_a) == 0


def test_console_expiry_date_means_until_that_day_ends(owner_a, shop_a):
    day = timezone.localdate() + timedelta(days=3)
    assert owner_a.post(
        "/console/api-tokens/", {"name": "ERP", "scopes": "catalog:read", "expires_at": day.isoformat()}
    ).status_code == 201
    with schema_context(shop_a.schema_name):
        expires = timezone.localtime(ShopApiToken.objects.get().expires_at)
    assert (expires.date(), expires.hour, expires.minute) == (day + timedelta(days=1), 0, 0)


# --- OpenAPI -----------------------------------------------------------------------------------


def test_openapi_documents_the_token_endpoints_and_the_bearer_scheme():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.tenant_apps.shop.schema_urls").get_schema(
        request=None, public=True
    )
    assert not GENERATOR_STATS
    scheme = schema["components"]["securitySchemes"]["shopApiToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    paths = schema["paths"]
    assert set(paths["/api/v1/shop/api-tokens/"]) == {"get", "post"}
    assert set(paths["/api/v1/shop/api-tokens/{token_id}/"]) == {"delete"}
    # Token management is for signed-in people only; the catalog and stock API take tokens.
    for operation in [*paths["/api/v1/shop/api-tokens/"].values(),
                      *paths["/api/v1/shop/api-tokens/{token_id}/"].values()]:
        assert {"shopApiToken": []} not in operation["security"]
    assert {"shopApiToken": []} in paths["/api/v1/shop/catalog/products/"]["post"]["security"]
    assert {"shopApiToken": []} in paths["/api/v1/shop/inventory/adjustments/"]["post"]["security"]
    assert {"shopApiToken": []} not in paths["/api/v1/shop/invitations/accept/"]["post"]["security"]


def test_token_lists_take_the_same_queries_for_one_token_or_many(owner_a, shop_a, merchant_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    issue(shop_a, merchant_a, ["catalog:read"], name="First")
    owner_a.get(f"{API}api-tokens/"), owner_a.get("/console/api-tokens/")  # warm host caches
    counts = []
    for n in range(2):
        with CaptureQueriesContext(connection) as api:
            assert owner_a.get(f"{API}api-tokens/").status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert owner_a.get("/console/api-tokens/").status_code == 200
        counts.append((len(api), len(page)))
        for m in range(4):
            issue(shop_a, merchant_a, ["stock:read"], name=f"More {n}-{m}")
    assert counts[0] == counts[1]
