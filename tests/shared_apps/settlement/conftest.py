"""Ledger fixtures: shops as the platform's rows only (the ledger never enters a shop's schema,
so these skip provisioning one), and helpers that read balances in the normal direction."""

from decimal import Decimal

import pytest

from shared_apps.settlement import selectors, services
from shared_apps.settlement.models import AccountKind
from tenants.models import Shop


def bare_shop(owner, subdomain: str) -> Shop:
    """A shop row without a schema."""
    return Shop.objects.create(schema_name=f"ledger_{subdomain}", subdomain=subdomain, name=subdomain.title(),
                               company_name=f"{subdomain.title()} Co", owner=owner)


@pytest.fixture
def alpha(merchant_a) -> Shop:
    return bare_shop(merchant_a, "alpha")


@pytest.fixture
def beta(merchant_b) -> Shop:
    return bare_shop(merchant_b, "beta")


def payable(shop) -> Decimal:
    return selectors.balance(services.account_for_shop(shop_id=shop.pk, kind=AccountKind.SHOP_PAYABLE))


def shop_balance(shop, kind: str) -> Decimal:
    return selectors.balance(services.account_for_shop(shop_id=shop.pk, kind=kind))


def platform(kind: str) -> Decimal:
    return selectors.balance(services.platform_account(kind=kind))


def cash(provider: str) -> Decimal:
    return selectors.balance(services.provider_cash(provider=provider))
