"""Shop-host clients and staff builders for the storefront, console and shop API tests."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.shop.models import StaffMember
from tests.conftest import client_for, shop_host


def host_client(shop, user=None):
    """A client on `shop`'s host, signed in as `user` if given, asking for English pages."""
    client = client_for(shop_host(shop), user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def add_staff(shop, user, role: str) -> StaffMember:
    """Put `user` on `shop`'s staff directly (what accepting an invitation ends in)."""
    with schema_context(shop.schema_name):
        return StaffMember.objects.create(
            user_id=user.pk, email=user.email, display_name=user.display_name, role=role
        )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner_a(shop_a, merchant_a):
    """merchant_a signed in on shop_a's host."""
    return host_client(shop_a, merchant_a)


@pytest.fixture
def manager_user(make_user):
    return make_user(email="manager@alpha.example", display_name="Manny Manager")


@pytest.fixture
def clerk_user(make_user):
    return make_user(email="clerk@alpha.example", display_name="Clara Clerk")


@pytest.fixture
def manager_a(shop_a, manager_user):
    add_staff(shop_a, manager_user, "manager")
    return host_client(shop_a, manager_user)


@pytest.fixture
def clerk_a(shop_a, clerk_user):
    add_staff(shop_a, clerk_user, "clerk")
    return host_client(shop_a, clerk_user)
