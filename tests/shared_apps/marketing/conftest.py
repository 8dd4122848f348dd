"""Coupon personas and builders: operators of each role, the staff of shop A and B on their own
hosts, and coupons made through the service (platform's or a shop's)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shared_apps.accounts.models import OperatorRole
from shared_apps.marketing import services
from tests.conftest import OPS, client_for
from tests.factories import UserFactory
from tests.tenant_apps.shop.conftest import add_staff, host_client

JSON = "application/json"
OPS_API = "/api/v1/ops/coupons/"
SHOP_API = "/api/v1/shop/coupons/"


def coupon_data(code: str = "SPRING-10", **overrides) -> dict:
    """A valid coupon as a form or API client sends it: ¥10 off ¥100, from an hour ago for a week."""
    now = timezone.localtime()
    return {
        "code": code,
        "name": "春季满100减10",
        "amount_off": "10.00",
        "min_goods_amount": "100.00",
        "valid_from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "valid_until": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "total_quantity": "500",
        "per_user_limit": "2",
        **overrides,
    }


def make_coupon(shop=None, code: str = "SPRING-10", **overrides):
    """A coupon made by the service: the platform's (shop None) or `shop`'s."""
    return services.coupon_create(
        data=coupon_data(code, **overrides), shop_id=shop.pk if shop else None
    )


@pytest.fixture
def finance(db):
    return UserFactory(
        email="finance@example.com", display_name="Finance", operator_role=OperatorRole.FINANCE
    )


@pytest.fixture
def ops_as():
    """`ops_as(user)`: a client on the operator host signed in as `user` (anonymous for None)."""
    return lambda user=None: client_for(OPS, user)


@pytest.fixture
def counted_ops_as(settings):
    """Like `ops_as`, with the session in a signed cookie: a query count holds only the page's own
    queries and the user lookup."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    return lambda user: client_for(OPS, user)


@pytest.fixture
def owner_a(shop_a, merchant_a):
    return host_client(shop_a, merchant_a)


@pytest.fixture
def owner_b(shop_b, merchant_b):
    return host_client(shop_b, merchant_b)


@pytest.fixture
def manager_a(shop_a, make_user):
    user = make_user(email="manager@alpha.example", display_name="Manny Manager")
    add_staff(shop_a, user, "manager")
    return host_client(shop_a, user)


@pytest.fixture
def clerk_a(shop_a, make_user):
    user = make_user(email="clerk@alpha.example", display_name="Clara Clerk")
    add_staff(shop_a, user, "clerk")
    return host_client(shop_a, user)
