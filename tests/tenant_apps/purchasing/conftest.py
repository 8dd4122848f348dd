"""Purchasing fixtures: shop A with two SKUs, a warehouse and a store, and one supplier."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tenant_apps.catalog.models import SKU
from tenant_apps.purchasing import services
from tenant_apps.purchasing.services import OrderLineInput, QuantityInput
from tests.tenant_apps.inventory.conftest import make_location, make_skus, on_hand  # noqa: F401
from tests.tenant_apps.shop.conftest import (  # noqa: F401  (fixtures re-exported)
    _media,
    add_staff,
    host_client,
    manager_a,
    manager_user,
    owner_a,
)


def make_supplier(shop, code: str = "SUP", **kwargs) -> int:
    with schema_context(shop.schema_name):
        return services.supplier_create(
            data={"name": kwargs.pop("name", f"Supplier {code}"), "code": code, **kwargs}
        ).pk


@pytest.fixture
def buy_a(shop_a):
    """Shop A: SKUs A-1, A-2 (no cost yet), locations WH and ST, supplier SUP."""
    skus = make_skus(shop_a, 2, "A")
    return {
        "sku1": skus[0],
        "sku2": skus[1],
        "wh": make_location(shop_a, "WH"),
        "st": make_location(shop_a, "ST", kind="store"),
        "supplier": make_supplier(shop_a),
    }


def create_order(
    shop, buy, lines: list[tuple[str, int, str]], *, actor, place: bool = True, location: str = "wh"
) -> int:
    """A purchase order of (sku key, quantity, unit cost) lines, sent to the supplier unless `place` is False."""
    with schema_context(shop.schema_name):
        order = services.order_create(
            supplier_id=buy["supplier"],
            location_id=buy[location],
            actor_user_id=actor.pk,
            lines=[OrderLineInput(buy[k], q, c) for k, q, c in lines],
        )
        if place:
            services.order_place(order_id=order.pk, actor=actor, shop_id=shop.pk)
        return order.pk


def receive(shop, order_id: int, quantities: dict[int, int], *, actor, key: str = ""):
    """Receive {line id: quantity} against an order."""
    with schema_context(shop.schema_name):
        return services.receipt_post(
            order_id=order_id,
            lines=[QuantityInput(k, v) for k, v in quantities.items()],
            actor=actor,
            shop_id=shop.pk,
            idempotency_key=key,
        )


def line_ids(shop, order_id: int) -> list[int]:
    from tenant_apps.purchasing.models import PurchaseOrderLine

    with schema_context(shop.schema_name):
        return list(
            PurchaseOrderLine.objects.filter(order_id=order_id)
            .order_by("id")
            .values_list("id", flat=True)
        )


def cost(shop, sku_id: int) -> Decimal | None:
    with schema_context(shop.schema_name):
        return SKU.objects.get(pk=sku_id).cost_price
