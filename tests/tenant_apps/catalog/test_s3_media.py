"""Product images and thumbnails on the S3 path (moto in server mode), under the shop's prefix."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from backend.views import media_url
from tenant_apps.catalog import services
from tenant_apps.catalog.models import Product
from tests.backend.test_s3_storage import BUCKET, s3_endpoint, s3_storage  # noqa: F401 (fixtures)
from tests.factories import png_bytes


@pytest.mark.django_db
def test_images_and_thumbnails_are_stored_in_the_bucket_under_the_shop(s3_storage, shop_a, merchant_a):  # noqa: F811
    with schema_context(shop_a.schema_name):
        product = Product.objects.create(title="台灯")
        image = services.image_add(actor=merchant_a, product_id=product.pk, upload=SimpleUploadedFile(
            "lamp.png", png_bytes(800, 600, "blue"), content_type="image/png"))
        keys = sorted(item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"])
        assert keys == sorted([image.image.name, image.thumbnail.name])
        assert all(key.startswith(f"shops/{shop_a.schema_name}/public/") for key in keys)
        assert (image.width, image.height) == (800, 600)
        url = media_url(image.thumbnail.name)
        assert url.startswith("http://127.0.0.1:") and f"/{BUCKET}/shops/{shop_a.schema_name}/" in url
        assert "Signature" in url or "X-Amz-Signature" in url
