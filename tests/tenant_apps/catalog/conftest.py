"""Catalog test helpers: shop-host clients, a platform category, products built by the services."""

import pytest
from django_tenants.utils import schema_context

from shared_apps.taxonomy.models import Category
from tenant_apps.catalog import services
from tenant_apps.catalog.models import ProductStatus
from tests.factories import png_upload
from tests.tenant_apps.shop.conftest import add_staff, host_client  # noqa: F401


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def category(db):
    return Category.objects.create(code="phones-test", name="手机", name_en="Phones")


@pytest.fixture
def owner_a(shop_a, merchant_a):
    return host_client(shop_a, merchant_a)


@pytest.fixture
def owner_b(shop_b, merchant_b):
    return host_client(shop_b, merchant_b)


def image(**kwargs):
    kwargs.setdefault("width", 300)
    kwargs.setdefault("height", 300)
    return png_upload("p.png", **kwargs)


def make_product(shop, user, *, category_id=None, skus=2, listed=False, title="Phone X", with_image=True):
    """A product built through the services, optionally forced to listed (moderation is elsewhere)."""
    with schema_context(shop.schema_name):
        product = services.product_create(actor=user, shop_id=shop.pk, data={
            "title": title, "platform_category_id": category_id,
            "skus": [{"code": f"{title.replace(' ', '')}-{n}-{shop.schema_name}", "spec": {"colour": f"c{n}"},
                      "sale_price": f"{100 + n}.50", "member_price": f"{90 + n}.00"} for n in range(skus)],
        })
        if with_image:
            services.image_add(actor=user, product_id=product.pk, upload=image())
        if listed:
            product.status = ProductStatus.LISTED
            product.save(update_fields=["status"])
        product.refresh_from_db()
        return product
