"""`seed_demo` gives a fresh mall a demo catalog that search and the comparison engine show: four
shops' products on sale with stock, the two phones sold by two shops grouped for comparison, the
tea shop's pickup city as a search facet; a second run adds nothing."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from shared_apps.accounts.models import User
from shared_apps.comparison.models import ComparisonGroup, GroupMember, PricePoint
from shared_apps.moderation.models import ModerationItem
from shared_apps.offers.models import OfferPrice, OfferText
from shared_apps.search import query, text
from shared_apps.search import services as search
from shared_apps.taxonomy.models import AttributeDefinition, Category
from tenant_apps.catalog.models import SKU, Product
from tenant_apps.inventory.models import Location, StockBalance, StockMovement
from tenant_apps.purchasing.models import PurchaseOrder, Supplier
from tenants.models import Shop

pytestmark = pytest.mark.django_db
SUBDOMAINS = ("tea", "gadgets", "books", "digital")


@pytest.fixture(autouse=True)
def _fresh_dictionary():
    """Tokenize with the user dictionary of this test's database (the seed adds category names)."""
    text.dictionary_reset()
    yield
    text.dictionary_reset()


def _shops() -> dict[str, Shop]:
    return {shop.subdomain: shop for shop in Shop.objects.filter(subdomain__in=SUBDOMAINS)}


def _rows() -> dict:
    """How many rows the seed's work left, public and per shop."""
    counts = {
        "shops": Shop.objects.count(), "users": User.objects.count(), "offers": OfferText.objects.count(), "prices": OfferPrice.objects.count(),
        "groups": ComparisonGroup.objects.count(), "members": GroupMember.objects.count(),
        "moderation": ModerationItem.objects.count(), "price_points": PricePoint.objects.count(),
        "categories": Category.objects.count(), "attributes": AttributeDefinition.objects.count(),
    }
    for subdomain, shop in _shops().items():
        with schema_context(shop.schema_name):
            for model in (Product, SKU, Location, StockMovement, Supplier, PurchaseOrder):
                counts[f"{subdomain}.{model.__name__}"] = model.objects.count()
    return counts


def _offer(shop: Shop, sku_code: str) -> OfferText:
    with schema_context(shop.schema_name):
        sku_id = SKU.objects.get(code=sku_code).pk
    return OfferText.objects.get(shop=shop, sku_id=sku_id)


def test_seed_demo_fills_search_and_comparison_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    shops = _shops()
    assert sorted(shops) == sorted(SUBDOMAINS)
    digital = shops["digital"]
    assert (digital.name, digital.owner.email, digital.status) == ("数码港", "owner@digital.example", "active")
    assert digital.owner.check_password("Merchant#2026")
    for subdomain, shop in shops.items():
        assert f"seeded 6 products in shop {subdomain}" in out.getvalue()
        with schema_context(shop.schema_name):
            assert set(Product.objects.values_list("status", flat=True)) == {"listed"}
            assert Product.objects.count() == 6
            # every SKU bought in through one received purchase order, and on hand
            assert list(PurchaseOrder.objects.values_list("status", flat=True)) == ["received"]
            assert not SKU.objects.exclude(pk__in=StockBalance.objects.filter(on_hand__gt=0).values("sku_id")).exists()

    # search: the phones of both digital shops, in stock, each at its own price
    phones = query.search(q="手机", per_page=48)
    found = {(hit.shop_id, hit.title): (hit.price, hit.in_stock) for hit in phones.hits}
    gadgets = shops["gadgets"]
    assert found[(gadgets.pk, "华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 卫星通话 智能手机")] == (6999, True)
    assert found[(digital.pk, "HUAWEI Mate60 Pro 12+512GB 雅丹黑 鸿蒙智能手机")] == (6899, True)
    assert found[(gadgets.pk, "Apple iPhone 15 Pro (A3104) 256GB 原色钛金属 支持移动联通电信5G 双卡双待手机")] == (7999, True)
    assert found[(digital.pk, "苹果 Apple iPhone 15 Pro 256GB 黑色钛金属 5G手机")] == (8099, True)
    assert {shop_id for shop_id, _title in found} == {gadgets.pk, digital.pk}
    assert query.search(q="龙井").hits[0].shop_id == shops["tea"].pk
    assert query.search(q="三体").hits[0].shop_id == shops["books"].pk

    # comparison: each phone's two offers share one group, and only they
    mate = [_offer(gadgets, "GK-MATE60P-512-GRN"), _offer(digital, "DG-MATE60PRO-512-BLK")]
    iphone = [_offer(gadgets, "GK-IP15P-256-NAT"), _offer(digital, "DG-IPHONE15PRO-256-BLK")]
    mate_groups = set(GroupMember.objects.filter(offer__in=mate).values_list("group_id", flat=True))
    iphone_groups = set(GroupMember.objects.filter(offer__in=iphone).values_list("group_id", flat=True))
    assert len(mate_groups) == 1 and len(iphone_groups) == 1 and mate_groups != iphone_groups
    assert sorted(GroupMember.objects.filter(group_id__in=mate_groups).values_list("shop_id", flat=True)) == sorted(
        [gadgets.pk, digital.pk])
    assert GroupMember.objects.filter(group_id__in=iphone_groups).count() == 2
    assert list(PricePoint.objects.filter(group_id__in=mate_groups).values_list("lowest_price", "offer_count")) == [
        (Decimal("6899.00"), 2)]

    # the tea shop's offline store in 杭州 is the pickup-city facet, and filters to its six teas
    assert query.Facet("330100", 6) in query.search().pickup_cities
    assert {hit.shop_id for hit in query.search(pickup_city="330100").hits} == {shops["tea"].pk}
    assert query.search(pickup_city="330100").total == 6

    # the vocabulary and suggestions are built
    assert "华为" in search.suggest("hua")

    before = _rows()
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert again.getvalue() == ""
    assert _rows() == before
