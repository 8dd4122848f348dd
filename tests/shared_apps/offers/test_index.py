"""The mall offer index follows each shop's catalog through the outbox; moderation gates it."""

from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, Forbidden, ServiceError
from shared_apps.moderation.models import ItemStatus, ModerationItem
from shared_apps.moderation.services import moderation_decide
from shared_apps.offers.models import OfferPrice, OfferText
from shared_apps.offers.selectors import latest_products
from shared_apps.offers.tasks import schemas_with_pending_outbox
from tenant_apps.catalog import moderation, outbox, review
from tenant_apps.catalog.models import SKU, OfferOutbox, Product, ProductRevision, ProductStatus
from tenants.services import shop_change_status

pytestmark = pytest.mark.django_db


def make_product(shop, title="保温杯", prices=("59.00", "69.00")):
    with schema_context(shop.schema_name):
        product = Product.objects.create(title=title, brand="象印", model="SM-SA48")
        for index, price in enumerate(prices):
            SKU.objects.create(product=product, code=f"{shop.subdomain}-{title}-{index}", sale_price=Decimal(price),
                               spec={"colour": ["黑", "白"][index % 2]})
        return product


def listed_product(shop, operator, commit, **kwargs):
    product = make_product(shop, **kwargs)
    with schema_context(shop.schema_name):
        review.submit_for_review(product_id=product.pk, actor_user_id=shop.owner_id)
    item = ModerationItem.objects.get(shop=shop, product_id=product.pk, status=ItemStatus.PENDING)
    moderation_decide(item_id=item.pk, actor=operator, approve=True)
    with commit(execute=True), schema_context(shop.schema_name):
        review.product_list(product_id=product.pk, actor_user_id=shop.owner_id)
    return product


def test_only_approved_and_listed_products_reach_the_index(shop_a, operator, django_capture_on_commit_callbacks):
    product = make_product(shop_a)
    with schema_context(shop_a.schema_name):
        with pytest.raises(Conflict):
            review.product_list(product_id=product.pk, actor_user_id=1)  # draft cannot be listed
        review.submit_for_review(product_id=product.pk, actor_user_id=1)
    assert not OfferText.objects.exists()
    item = ModerationItem.objects.get()
    assert (item.kind, item.title, item.after["title"]) == ("new", "保温杯", "保温杯")
    moderation_decide(item_id=item.pk, actor=operator, approve=True)
    with schema_context(shop_a.schema_name):
        assert Product.objects.get().status == ProductStatus.APPROVED
    assert not OfferText.objects.exists()
    with django_capture_on_commit_callbacks(execute=True), schema_context(shop_a.schema_name):
        review.product_list(product_id=product.pk, actor_user_id=1)
    rows = sorted(OfferText.objects.values_list("title", "spec"), key=lambda row: row[1]["colour"])
    assert rows == [("保温杯", {"colour": "白"}), ("保温杯", {"colour": "黑"})]
    assert sorted(OfferPrice.objects.values_list("price", flat=True)) == [Decimal("59.00"), Decimal("69.00")]
    with schema_context(shop_a.schema_name):
        assert not OfferOutbox.objects.exists()
    cards = latest_products()
    assert [(c.title, c.price_from, c.shop_subdomain) for c in cards] == [("保温杯", Decimal("59.00"), "alpha")]


def test_price_change_rewrites_only_the_price_row(shop_a, operator, django_capture_on_commit_callbacks):
    product = listed_product(shop_a, operator, django_capture_on_commit_callbacks)
    text_before = dict(OfferText.objects.values_list("sku_id", "updated_at"))
    with django_capture_on_commit_callbacks(execute=True), schema_context(shop_a.schema_name):
        sku = SKU.objects.filter(product=product).order_by("id").first()
        sku.sale_price = Decimal("49.90")
        sku.save(update_fields=["sale_price"])
        outbox.outbox_record(kind=outbox.PRICE, product_id=product.pk, sku_id=sku.pk)
    assert OfferPrice.objects.get(sku_id=sku.pk).price == Decimal("49.90")
    assert dict(OfferText.objects.values_list("sku_id", "updated_at")) == text_before


def test_delisting_and_suspension_take_effect_at_once(shop_a, operator, django_capture_on_commit_callbacks):
    product = listed_product(shop_a, operator, django_capture_on_commit_callbacks)
    shop_change_status(shop_id=shop_a.pk, to_status="suspended", actor=operator, reason="资质过期")
    assert latest_products() == []  # the rows stay; the shop's status hides them
    shop_change_status(shop_id=shop_a.pk, to_status="active", actor=operator, reason="已补交")
    assert len(latest_products()) == 1
    with django_capture_on_commit_callbacks(execute=True), schema_context(shop_a.schema_name):
        review.product_delist(product_id=product.pk, actor_user_id=1)
    assert not OfferText.objects.exists() and not OfferPrice.objects.exists()


def test_revision_is_reviewed_while_the_live_version_stays(shop_a, operator, django_capture_on_commit_callbacks):
    product = listed_product(shop_a, operator, django_capture_on_commit_callbacks)
    with schema_context(shop_a.schema_name):
        revision = moderation.revision_propose(product=Product.objects.get(pk=product.pk),
                                           data={"title": "真空保温杯 480ml"}, actor_user_id=1)
    item = ModerationItem.objects.get(status=ItemStatus.PENDING)
    assert (item.kind, item.before, item.after) == ("revision", {"title": "保温杯"}, {"title": "真空保温杯 480ml"})
    assert set(OfferText.objects.values_list("title", flat=True)) == {"保温杯"}
    with pytest.raises(ServiceError):
        moderation_decide(item_id=item.pk, actor=operator, approve=False, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        moderation_decide(item_id=item.pk, actor=operator, approve=True)
    assert set(OfferText.objects.values_list("title", flat=True)) == {"真空保温杯 480ml"}
    with schema_context(shop_a.schema_name):
        assert ProductRevision.objects.get(pk=revision.pk).status == "approved"
    with pytest.raises(Conflict):
        moderation_decide(item_id=item.pk, actor=operator, approve=True)


def test_rejection_needs_a_reviewer_and_a_reason(shop_a, shopper, operator):
    product = make_product(shop_a)
    with schema_context(shop_a.schema_name):
        review.submit_for_review(product_id=product.pk, actor_user_id=1)
    item = ModerationItem.objects.get()
    with pytest.raises(Forbidden):
        moderation_decide(item_id=item.pk, actor=shopper, approve=True)
    moderation_decide(item_id=item.pk, actor=operator, approve=False, reason="图片含违禁内容")
    with schema_context(shop_a.schema_name):
        product.refresh_from_db()
        assert (product.status, product.status_reason) == ("rejected", "图片含违禁内容")


def test_scheduled_listing_and_delisting(shop_a, operator, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    product = make_product(shop_a)
    with schema_context(shop_a.schema_name):
        review.submit_for_review(product_id=product.pk, actor_user_id=1)
    moderation_decide(item_id=ModerationItem.objects.get().pk, actor=operator, approve=True)
    now = timezone.now()
    with schema_context(shop_a.schema_name):
        Product.objects.filter(pk=product.pk).update(list_at=now - timedelta(minutes=1),
                                                     delist_at=now + timedelta(hours=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert review.schedule_run(now=now) == (1, 0)
    assert OfferText.objects.count() == 2
    with schema_context(shop_a.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            assert review.schedule_run(now=now + timedelta(hours=2)) == (0, 1)
    assert not OfferText.objects.exists()


def test_sweep_finds_only_shops_with_pending_outbox_and_drift_is_reported(shop_a, shop_b, operator,
                                                                          django_capture_on_commit_callbacks):
    product = listed_product(shop_a, operator, django_capture_on_commit_callbacks)
    assert schemas_with_pending_outbox() == []
    with schema_context(shop_b.schema_name):
        OfferOutbox.objects.create(kind="text", product_id=12345)
    assert schemas_with_pending_outbox() == [shop_b.schema_name]
    OfferPrice.objects.filter(product_id=product.pk).update(price=Decimal("1.00"))
    with schema_context(shop_a.schema_name):
        assert outbox.drift() == {"missing": 0, "extra": 0, "wrong_price": 2}
        outbox.rebuild()
        outbox.drain_all()
        assert outbox.drift() == {"missing": 0, "extra": 0, "wrong_price": 0}
    assert connection.schema_name == "public"


def test_stock_state_follows_the_shops_online_stock(shop_a, operator, django_capture_on_commit_callbacks):
    from tenant_apps.inventory import services as inventory
    from tenant_apps.inventory.models import Location

    product = listed_product(shop_a, operator, django_capture_on_commit_callbacks, prices=("59.00",))
    assert OfferPrice.objects.get().stock_state == "out"
    with schema_context(shop_a.schema_name):
        sku = SKU.objects.get(product=product)
        warehouse = Location.objects.create(name="上海仓", code="SH1")
        with django_capture_on_commit_callbacks(execute=True):
            inventory.movement_post(lines=[inventory.MovementLine(sku_id=sku.pk, location_id=warehouse.pk, quantity=2)],
                                    kind="purchase_receipt", reference="PO-1", actor_user_id=1)
    assert OfferPrice.objects.get().stock_state == "in_stock"
    assert latest_products()[0].in_stock is True
    with schema_context(shop_a.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            inventory.reserve(reference="SO-1", items=[(sku.pk, 2)])
    assert OfferPrice.objects.get().stock_state == "out"
    with schema_context(shop_a.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            inventory.release(reference="SO-1")
    assert OfferPrice.objects.get().stock_state == "in_stock"
