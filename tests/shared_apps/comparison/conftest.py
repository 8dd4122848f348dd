import itertools
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
