"""Operators review products in the console and through the API."""

import pytest
from django_tenants.utils import schema_context

from shared_apps.moderation.models import ModerationItem
from tenant_apps.catalog import review
from tenant_apps.catalog.models import Product
from tests.conftest import OPS, client_for
from tests.shared_apps.offers.test_index import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_item(shop_a):
    product = make_product(shop_a, title="蓝牙耳机")
    with schema_context(shop_a.schema_name):
        review.submit_for_review(product_id=product.pk, actor_user_id=shop_a.owner_id)
    return ModerationItem.objects.get()


def product_status(shop, item) -> str:
    with schema_context(shop.schema_name):
        return Product.objects.get(pk=item.product_id).status


def test_queue_and_approval_in_the_console(operator, pending_item, shop_a, django_assert_max_num_queries):
    client = client_for(OPS, operator)
    with django_assert_max_num_queries(12):
        queue = client.get("/moderation/")
    assert queue.status_code == 200 and "蓝牙耳机" in queue.content.decode()
    page = client.get(f"/moderation/{pending_item.pk}/")
    assert page.status_code == 200 and "Approve" in page.content.decode()
    assert client.post(f"/moderation/{pending_item.pk}/approve/").status_code == 302
    assert product_status(shop_a, pending_item) == "approved"
    again = client.post(f"/moderation/{pending_item.pk}/approve/")
    assert again.status_code == 409


def test_rejection_without_reason_is_refused(operator, pending_item, shop_a):
    client = client_for(OPS, operator)
    response = client.post(f"/moderation/{pending_item.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert product_status(shop_a, pending_item) == "pending"
    assert client.post(f"/moderation/{pending_item.pk}/reject/", {"reason": "主图模糊"}).status_code == 302
    assert product_status(shop_a, pending_item) == "rejected"


def test_only_reviewing_operators_decide(make_user, pending_item, shopper, merchant_a, shop_a):
    finance = make_user(operator_role="finance")
    assert client_for(OPS, finance).post(f"/moderation/{pending_item.pk}/approve/").status_code == 403
    for person in (shopper, merchant_a):
        assert client_for(OPS, person).get("/moderation/").status_code == 403
        assert client_for(OPS, person).post(f"/api/v1/ops/moderation/{pending_item.pk}/approve/").status_code == 403
    assert product_status(shop_a, pending_item) == "pending"


def test_api_queue_and_decisions(operator, pending_item, shop_a):
    api = client_for(OPS, operator)
    body = api.get("/api/v1/ops/moderation/").json()
    assert body["count"] == 1
    assert (body["results"][0]["title"], body["results"][0]["kind"]) == ("蓝牙耳机", "new")
    assert api.get("/api/v1/ops/moderation/?status=bogus").status_code == 400
    assert api.get("/api/v1/ops/moderation/999999/").status_code == 404
    rejected = api.post(f"/api/v1/ops/moderation/{pending_item.pk}/reject/", {}, content_type="application/json")
    assert rejected.status_code == 400
    assert rejected.json()["error"]["fields"] == {"reason": ["Required."]}
    approved = api.post(f"/api/v1/ops/moderation/{pending_item.pk}/approve/", {}, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert product_status(shop_a, pending_item) == "approved"


def test_merchant_puts_an_approved_product_on_sale_and_takes_it_off(operator, pending_item, shop_a, merchant_a,
                                                                     django_capture_on_commit_callbacks):
    from shared_apps.offers.models import OfferText
    from tests.conftest import shop_host

    client_for(OPS, operator).post(f"/moderation/{pending_item.pk}/approve/")
    api = client_for(shop_host(shop_a), merchant_a)
    with django_capture_on_commit_callbacks(execute=True):
        listed = api.post(f"/api/v1/shop/catalog/products/{pending_item.product_id}/list/")
    assert listed.status_code == 200 and listed.json()["status"] == "listed"
    assert OfferText.objects.filter(product_id=pending_item.product_id).count() == 2
    assert api.post(f"/api/v1/shop/catalog/products/{pending_item.product_id}/list/").status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        page = api.post(f"/console/catalog/{pending_item.product_id}/delist/")
    assert page.status_code == 302
    assert not OfferText.objects.exists()
    assert product_status(shop_a, pending_item) == "delisted"
