"""Stock fixtures: shop A with two warehouses-or-stores and SKUs, built in A's schema."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tenant_apps.catalog.models import SKU, Product
from tenant_apps.inventory.models import Location
from tests.tenant_apps.shop.conftest import (  # noqa: F401  (fixtures re-exported)
    _media,
    add_staff,
    host_client,
    manager_a,
    manager_user,
    owner_a,
)


def make_skus(shop, n: int = 2, prefix: str = "SKU") -> list[int]:
    with schema_context(shop.schema_name):
        product = Product.objects.create(title=f"{prefix} product")
        return [
            SKU.objects.create(product=product, code=f"{prefix}-{i}", gtin=f"690000000{i:04d}", sale_price=Decimal("9.90")).pk
            for i in range(1, n + 1)
        ]


def make_location(shop, code: str, **kwargs) -> int:
    from tenant_apps.inventory import services

    with schema_context(shop.schema_name):
        return services.location_create(data={"name": kwargs.pop("name", code), "code": code, **kwargs}).pk


@pytest.fixture
def stock_a(shop_a):
    """Shop A: SKUs A-1, A-2 and locations WH (warehouse, first) and ST (store, pickup)."""
    skus = make_skus(shop_a, 2, "A")
    wh = make_location(shop_a, "WH")
    st = make_location(shop_a, "ST", kind="store", does_pickup=True)
    return {"sku1": skus[0], "sku2": skus[1], "wh": wh, "st": st}


def on_hand(shop, location_id, sku_id) -> tuple[int, int]:
    from tenant_apps.inventory.models import StockBalance

    with schema_context(shop.schema_name):
        row = StockBalance.objects.filter(location_id=location_id, sku_id=sku_id).first()
        return (row.on_hand, row.reserved) if row else (0, 0)


__all__ = ["Location"]
