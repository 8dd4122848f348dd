"""Catalog services: exact values, refusals that leave nothing behind, audit and outbox rows."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, ServiceError
from shared_apps.audit.models import AuditEntry
from tenant_apps.catalog import services
from tenant_apps.catalog.models import (
    SKU,
    OfferOutbox,
    Product,
    ProductImage,
    ProductRevision,
    ProductStatus,
    ProductStatusChange,
    ShopCategory,
)

from .conftest import image, make_product

pytestmark = pytest.mark.django_db


def test_create_with_skus_and_exact_values(shop_a, merchant_a, category):
    with schema_context(shop_a.schema_name):
        shelf = services.shop_category_create(data={"name": "手机"})
        product = services.product_create(actor=merchant_a, shop_id=shop_a.pk, data={
            "title": "  Phone X ", "platform_category_id": category.pk, "shop_category_ids": [shelf.pk],
            "tags": ["new", "hot", "new"], "tax_rate": "0.13", "description": "<p>Hi<script>x</script></p>",
            "skus": [{"code": "PX-1", "gtin": "4006381333931", "spec": {"colour": "black"},
                      "sale_price": "1999.50", "member_price": "1899", "market_price": 2199}],
        })
        sku = SKU.objects.get(product=product)
        assert (product.title, product.status, product.tags, product.tax_rate, product.description) == (
            "Phone X", ProductStatus.DRAFT, ["new", "hot"], Decimal("0.13"), "<p>Hi</p>")
        assert list(product.shop_categories.values_list("pk", flat=True)) == [shelf.pk]
        assert (sku.code, sku.gtin, sku.sale_price, sku.member_price, sku.market_price) == (
            "PX-1", "4006381333931", Decimal("1999.50"), Decimal("1899.00"), Decimal("2199.00"))


@pytest.mark.parametrize(("sku", "field"), [
    ({"code": "A", "sale_price": "1.999"}, "skus[0].sale_price"),
    ({"code": "A", "sale_price": "-1"}, "skus[0].sale_price"),
    ({"code": "A", "sale_price": "10", "member_price": "11"}, "skus[0].member_price"),
    ({"code": "A", "sale_price": "10", "gtin": "4006381333932"}, "skus[0].gtin"),
    ({"code": "has space", "sale_price": "10"}, "skus[0].code"),
])
def test_bad_sku_input_names_the_field_and_writes_nothing(shop_a, merchant_a, sku, field):
    with schema_context(shop_a.schema_name):
        with pytest.raises(ServiceError) as exc:
            services.product_create(actor=merchant_a, shop_id=shop_a.pk, data={"title": "Phone", "skus": [sku]})
        assert field in exc.value.fields
        assert (Product.objects.count(), SKU.objects.count()) == (0, 0)


def test_unknown_categories_are_refused(shop_a, merchant_a):
    with schema_context(shop_a.schema_name):
        with pytest.raises(ServiceError) as exc:
            services.product_create(actor=merchant_a, shop_id=shop_a.pk, data={
                "title": "Phone", "shop_category_ids": [999], "platform_category_id": 987654})
        assert set(exc.value.fields) == {"shop_category_ids", "platform_category_id"}
        assert Product.objects.count() == 0


def test_duplicate_sku_code_is_a_conflict(shop_a, merchant_a):
    make_product(shop_a, merchant_a, skus=1, title="Taken")
    with schema_context(shop_a.schema_name):
        code = SKU.objects.get().code
        with pytest.raises(Conflict):
            services.product_create(actor=merchant_a, shop_id=shop_a.pk,
                                    data={"title": "Other", "skus": [{"code": code, "sale_price": "1"}]})
        with pytest.raises(ServiceError) as exc:
            services.product_create(actor=merchant_a, shop_id=shop_a.pk, data={
                "title": "Other", "skus": [{"code": "Z", "sale_price": "1"}, {"code": "Z", "sale_price": "2"}]})
        assert "skus[1].code" in exc.value.fields
        assert Product.objects.count() == 1


def test_price_update_is_audited_and_queued(shop_a, merchant_a):
    product = make_product(shop_a, merchant_a, skus=1)
    with schema_context(shop_a.schema_name):
        sku = SKU.objects.get(product=product)
        services.sku_price_update(actor=merchant_a, shop_id=shop_a.pk, sku_id=sku.pk, prices={"sale_price": "95.80"})
        sku.refresh_from_db()
        assert sku.sale_price == Decimal("95.80")
        assert list(OfferOutbox.objects.filter(kind="price").values_list("product_id", "sku_id")) == [(product.pk, sku.pk)]
    entry = AuditEntry.objects.get(action="catalog.sku_price_changed")
    assert (entry.shop_id, entry.before, entry.after) == (shop_a.pk, {"sale_price": "100.50"}, {"sale_price": "95.80"})


def test_variants_keep_existing_prices(shop_a, merchant_a):
    product = make_product(shop_a, merchant_a, skus=0)
    with schema_context(shop_a.schema_name):
        services.variants_generate(actor=merchant_a, shop_id=shop_a.pk, product_id=product.pk,
                                   axes=[("colour", ["黑"])], code_prefix="P", sale_price="10")
        SKU.objects.filter(code="P-1").update(sale_price=Decimal("12.00"))
        services.variants_generate(actor=merchant_a, shop_id=shop_a.pk, product_id=product.pk,
                                   axes=[("colour", ["黑", "白"])], code_prefix="P", sale_price="10")
        rows = list(SKU.objects.order_by("code").values_list("code", "spec", "sale_price", "is_active"))
        assert rows == [("P-1", {"colour": "黑"}, Decimal("12.00"), True), ("P-2", {"colour": "白"}, Decimal("10.00"), True)]


def test_submit_moves_draft_to_pending_with_history(shop_a, merchant_a, category):
    product = make_product(shop_a, merchant_a, category_id=category.pk)
    with schema_context(shop_a.schema_name):
        services.product_submit(product_id=product.pk, actor_user_id=merchant_a.pk)
        change = ProductStatusChange.objects.get()
        assert (change.from_status, change.to_status, change.actor_user_id) == ("draft", "pending", merchant_a.pk)
        with pytest.raises(Conflict):
            services.product_submit(product_id=product.pk, actor_user_id=merchant_a.pk)


def test_submit_needs_category_sku_and_image(shop_a, merchant_a):
    product = make_product(shop_a, merchant_a, skus=0, with_image=False)
    with schema_context(shop_a.schema_name):
        with pytest.raises(ServiceError) as exc:
            services.product_submit(product_id=product.pk, actor_user_id=merchant_a.pk)
        assert set(exc.value.fields) == {"platform_category_id", "skus", "images"}
        assert Product.objects.get().status == "draft"


def test_listed_product_edit_becomes_a_revision(shop_a, merchant_a):
    product = make_product(shop_a, merchant_a, listed=True)
    with schema_context(shop_a.schema_name):
        _p, revision = services.product_update(actor=merchant_a, product_id=product.pk,
                                               data={"title": "Phone Y", "brand": "Acme"})
        product.refresh_from_db()
        assert (product.title, product.brand) == ("Phone X", "Acme")
        assert (revision.status, revision.data) == ("pending", {"title": "Phone Y"})
        services.image_add(actor=merchant_a, product_id=product.pk, upload=image())
        assert ProductImage.objects.filter(product=product).count() == 1
        assert len(ProductRevision.objects.get().data["images"]) == 2


def test_images_get_thumbnails_and_reorder(shop_a, merchant_a):
    product = make_product(shop_a, merchant_a)
    with schema_context(shop_a.schema_name):
        second = services.image_add(actor=merchant_a, product_id=product.pk, upload=image(width=1200, height=600))
        assert (second.width, second.height) == (1200, 600)
        assert second.image.name.startswith("shops/s_alpha/public/products/")
        assert second.thumbnail.name.startswith("shops/s_alpha/public/thumbs/") and second.thumbnail.name.endswith(".webp")
        first = ProductImage.objects.exclude(pk=second.pk).get()
        services.images_reorder(actor=merchant_a, product_id=product.pk, image_ids=[second.pk, first.pk])
        assert list(ProductImage.objects.values_list("pk", flat=True)) == [second.pk, first.pk]


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("x.png", b"<html><script>1</script></html>", content_type="image/png"),
    "small",
])
def test_bad_images_are_refused(shop_a, merchant_a, upload):
    product = make_product(shop_a, merchant_a, with_image=False)
    if upload == "small":
        upload = image(width=50, height=50)
    with schema_context(shop_a.schema_name):
        with pytest.raises(ServiceError) as exc:
            services.image_add(actor=merchant_a, product_id=product.pk, upload=upload)
        assert list(exc.value.fields) == ["image"]
        assert ProductImage.objects.count() == 0


def test_video_checked_by_content(shop_a, merchant_a):
    product = make_product(shop_a, merchant_a)
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    with schema_context(shop_a.schema_name):
        with pytest.raises(ServiceError) as exc:
            services.video_set(actor=merchant_a, product_id=product.pk,
                               upload=SimpleUploadedFile("v.mp4", b"not a video at all", content_type="video/mp4"))
        assert list(exc.value.fields) == ["video"]
        services.video_set(actor=merchant_a, product_id=product.pk, upload=SimpleUploadedFile("v.mp4", mp4))
        assert Product.objects.get().video.name.startswith("shops/s_alpha/public/videos/")


def test_category_with_children_is_not_deleted(shop_a):
    with schema_context(shop_a.schema_name):
        top = services.shop_category_create(data={"name": "Top"})
        services.shop_category_create(data={"name": "Child", "parent_id": top.pk})
        with pytest.raises(Conflict):
            services.shop_category_delete(category_id=top.pk)
        assert ShopCategory.objects.count() == 2
