"""Freight fixtures: templates built through the services in a shop's schema, items, and the
shop-host clients and stock builders of the shop and inventory tests."""

from decimal import Decimal

from django_tenants.utils import schema_context

from tenant_apps.freight import services
from tenant_apps.freight.interface import FreightItem
from tests.tenant_apps.inventory.conftest import make_location, make_skus  # noqa: F401
from tests.tenant_apps.shop.conftest import (  # noqa: F401  (fixtures re-exported)
    _media,
    add_staff,
    clerk_a,
    clerk_user,
    host_client,
    manager_a,
    manager_user,
    owner_a,
)

EXPRESS = {
    "name": "Express", "method": "express", "basis": "piece",
    "first_units": 1, "first_price": "10.00", "additional_units": 1, "additional_price": "2.00",
}


def make_template(shop, **changes):
    with schema_context(shop.schema_name):
        return services.template_create(data={**EXPRESS, **changes})


def items(*lines) -> list[FreightItem]:
    """(quantity, unit weight g, line amount) → FreightItems."""
    return [FreightItem(sku_id=i + 1, quantity=q, weight_grams=w, amount=Decimal(a)) for i, (q, w, a) in enumerate(lines)]
