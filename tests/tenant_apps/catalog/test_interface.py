"""What checkout reads of a shop's catalog: only SKUs on sale, with the first image (its thumbnail
when there is one), in one query whatever their number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.catalog.interface import sellable_skus
from tenant_apps.catalog.models import SKU, Product, ProductImage, ProductStatus

pytestmark = pytest.mark.django_db


def test_sellable_skus_read_the_first_image_in_one_query(shop_a):
    with schema_context(shop_a.schema_name):
        listed = Product.objects.create(title="Tea", status=ProductStatus.LISTED, listed_at=timezone.now(),
                                        weight_grams=500)
        plain = Product.objects.create(title="Cup", status=ProductStatus.LISTED, listed_at=timezone.now())
        draft = Product.objects.create(title="Draft", status=ProductStatus.DRAFT)
        ProductImage.objects.create(product=listed, image="p/second.jpg", thumbnail="p/second.webp", sort=2)
        ProductImage.objects.create(product=listed, image="p/first.jpg", thumbnail="", sort=1)
        skus = [SKU.objects.create(product=p, code=f"S{i}", sale_price="10.00")
                for i, p in enumerate((listed, plain, draft))]
        with CaptureQueriesContext(connection) as queries:
            found = sellable_skus([s.pk for s in skus])
        assert len(queries) == 1
        assert sorted(found) == [skus[0].pk, skus[1].pk]  # the draft's SKU is not on sale
        assert found[skus[0].pk].image == "p/first.jpg"  # the first by sort; no thumbnail: the image
        assert found[skus[1].pk].image == "" and found[skus[0].pk].weight_grams == 500
