import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest

from shared_apps.offers.models import OfferPrice, OfferText
from shared_apps.search import text
from shared_apps.taxonomy.models import Category
from tenants.models import Shop

_sku = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_dictionary(db):
    text.dictionary_reset()
    yield
    text.dictionary_reset()


@pytest.fixture
def phones(db):
    return Category.objects.create(code="phones-cmp", name="手机", name_en="Phones", level=1)


@pytest.fixture
def shops(merchant_a):
    """Three shops as rows of the public schema (the grouping never enters a shop schema)."""
    return [Shop.objects.create(schema_name=f"cmp_{n}", subdomain=f"cmp{n}", name=f"数码店 {n}",
                                company_name=f"公司 {n}", owner=merchant_a) for n in (1, 2, 3)]


@pytest.fixture
def offer():
    def make(shop, title, *, price="5999.00", brand="", model="", category=None, standard_product_id=None,
             attributes=None, spec=None, gtin="", stock_state="in_stock"):
        sku = next(_sku)
        row = OfferText.objects.create(
            shop=shop, product_id=sku, sku_id=sku, title=title, brand=brand, model=model,
            category_id=category.pk if category else None, standard_product_id=standard_product_id,
            attributes=attributes or {}, spec=spec or {}, gtin=gtin)
        OfferPrice.objects.create(shop=shop, product_id=sku, sku_id=sku, price=Decimal(price),
                                  stock_state=stock_state)
        return row

    return make


# --- a small mall with real shop schemas: catalog, stock, freight, the offer index, groups -----

SHENZHEN_NANSHAN = "440305"
LHASA_CHENGGUAN = "540102"
BEIJING_DONGCHENG = "110101"


def list_product(shop, *, title, price, brand="", model="", category=None, units=10, weight=500,
                 attributes=None, spec=None, standard_product_id=None):
    """A listed product with one SKU and `units` in stock, projected into the offer index.
    Returns (product_id, sku_id)."""
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from tenant_apps.catalog import outbox
    from tenant_apps.catalog.models import SKU, Product, ProductStatus
    from tenant_apps.inventory import services as stock

    with tenant_context(shop):
        product = Product.objects.create(title=title, brand=brand, model=model, status=ProductStatus.LISTED,
                                         listed_at=timezone.now(), weight_grams=weight,
                                         platform_category_id=category.pk if category else None,
                                         attributes=attributes or {}, standard_product_id=standard_product_id)
        sku = SKU.objects.create(product=product, code=f"{shop.subdomain}-{product.pk}", sale_price=Decimal(price),
                                 spec=spec or {})
        if units:
            from tenant_apps.inventory.models import Location

            warehouse = Location.objects.filter(code="WH").first() or stock.location_create(
                data={"name": "Warehouse", "code": "WH"})
            stock.movement_post(kind="purchase_receipt", actor_user_id=None, lines=[
                stock.MovementLine(sku_id=sku.pk, location_id=warehouse.pk, quantity=units, unit_cost="10.00")])
        outbox.rebuild()
        outbox.drain_all()
        return product.pk, sku.pk


def reprice(shop, sku_id, price) -> None:
    """The merchant changes the price; the outbox carries it into the index (as in production)."""
    from django_tenants.utils import tenant_context

    from tenant_apps.catalog import outbox
    from tenant_apps.catalog.models import SKU

    with tenant_context(shop):
        sku = SKU.objects.get(pk=sku_id)
        sku.sale_price = Decimal(price)
        sku.save(update_fields=["sale_price"])
        outbox.outbox_record(kind=outbox.PRICE, product_id=sku.product_id, sku_id=sku.pk)
        outbox.drain_all()


def freight(shop, *, first_price, excluded=(), pickup_district=None, free_threshold=None):
    from django_tenants.utils import tenant_context

    from tenant_apps.freight import services as freight_services
    from tenant_apps.inventory import services as stock

    with tenant_context(shop):
        freight_services.template_create(data={
            "name": "Express", "method": "express", "first_units": 1, "first_price": first_price,
            "additional_units": 1, "additional_price": "2.00", "excluded_regions": list(excluded),
            "free_threshold": free_threshold})
        if pickup_district:
            stock.location_create(data={"name": "南山门店", "code": "ST", "kind": "store", "does_pickup": True,
                                        "sells_online": False, "province_code": pickup_district[:2] + "0000",
                                        "city_code": pickup_district[:4] + "00", "district_code": pickup_district})


@dataclass
class Mate:
    group_id: int
    shop_a: object
    shop_b: object
    a: tuple[int, int]  # (product_id, sku_id) in shop_a
    b: tuple[int, int]


def group_of_sku(shop, sku_id) -> int:
    from shared_apps.comparison.models import GroupMember

    return GroupMember.objects.get(shop_id=shop.pk, sku_id=sku_id).group_id


@pytest.fixture
def mate(shop_a, shop_b, phones) -> Mate:
    """华为 Mate 60 Pro 512GB in two shops, one comparison group:
    Alpha ¥5999 + express ¥10 (not to Tibet, pickup in Shenzhen Nanshan);
    Beta ¥5989 + express ¥30 (everywhere, no pickup)."""
    from shared_apps.comparison import services

    freight(shop_a, first_price="10.00", excluded=["540000"], pickup_district=SHENZHEN_NANSHAN)
    freight(shop_b, first_price="30.00")
    a = list_product(shop_a, title="华为 Mate 60 Pro 12+512GB 雅川青", brand="华为", model="Mate 60 Pro",
                     price="5999.00", category=phones, spec={"颜色": "雅川青"})
    b = list_product(shop_b, title="HUAWEI Mate60 Pro 512G 曜金黑", brand="HUAWEI", model="mate60pro",
                     price="5989.00", category=phones, spec={"颜色": "曜金黑"})
    services.group_offers()
    group_id = group_of_sku(shop_a, a[1])
    assert group_of_sku(shop_b, b[1]) == group_id
    return Mate(group_id=group_id, shop_a=shop_a, shop_b=shop_b, a=a, b=b)
