"""A small mall catalogue grouped for comparison, sources of collected data, and importing the
real files in `files/` through the services (the background task runs eagerly after commit)."""

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shared_apps.accounts.models import OperatorRole
from shared_apps.collection import imports, services
from shared_apps.comparison import services as comparison
from shared_apps.comparison.models import GroupMember
from shared_apps.offers.models import OfferPrice, OfferText
from shared_apps.search import text
from shared_apps.taxonomy.models import Category, StandardProduct, StandardProductGtin
from shared_apps.taxonomy.services import standard_product_key
from tenants.models import Shop
from tests.conftest import OPS, client_for
from tests.factories import UserFactory

FILES = Path(__file__).parent / "files"
MATE_GTIN = "6901234567892"  # the standard product 华为 Mate 60 Pro
XIAOMI_GTIN = "6934177712340"  # on a mall offer of 小米14
_sku = itertools.count(1)


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def upload(name: str, data: bytes | None = None, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, read(name) if data is None else data, content_type=content_type)


@pytest.fixture(autouse=True)
def _fresh_dictionary(db):
    text.dictionary_reset()
    yield
    text.dictionary_reset()


@pytest.fixture
def finance(db):
    return UserFactory(email="finance@example.com", display_name="Finance", operator_role=OperatorRole.FINANCE)


@pytest.fixture
def ops_as():
    return lambda user=None: client_for(OPS, user)


@pytest.fixture
def phones(db):
    return Category.objects.create(code="phones-col", name="手机", name_en="Phones", level=1)


@pytest.fixture
def accessories(db):
    return Category.objects.create(code="accessories-col", name="配件", name_en="Accessories", level=1)


@pytest.fixture
def shops(merchant_a):
    """Three shops as public rows (matching never enters a shop schema)."""
    return [Shop.objects.create(schema_name=f"col_{n}", subdomain=f"col{n}", name=f"数码店 {n}",
                                company_name=f"公司 {n}", owner=merchant_a) for n in (1, 2, 3)]


@pytest.fixture
def offer():
    def make(shop, title, *, price="5999.00", brand="", model="", category=None, standard_product_id=None,
             gtin="", stock_state="in_stock", spec=None):
        sku = next(_sku)
        row = OfferText.objects.create(
            shop=shop, product_id=sku, sku_id=sku, title=title, brand=brand, model=model,
            category_id=category.pk if category else None, standard_product_id=standard_product_id, gtin=gtin,
            spec=spec or {})
        OfferPrice.objects.create(shop=shop, product_id=sku, sku_id=sku, price=Decimal(price),
                                  stock_state=stock_state)
        return row

    return make


@pytest.fixture
def mate(phones):
    """The standard product 华为 Mate 60 Pro with its GTIN."""
    product = StandardProduct.objects.create(category=phones, brand="华为", model="Mate 60 Pro",
                                             key=standard_product_key("华为", "Mate 60 Pro"))
    StandardProductGtin.objects.create(product=product, gtin=MATE_GTIN.zfill(14))
    return product


@pytest.fixture
def mall(shops, offer, phones, mate):
    """The mall's offers, grouped: Mate 60 Pro 512GB (standard product) in two shops (lowest
    ¥6,899), iPhone 15 128GB (brand + model) in two (lowest ¥5,499), 小米14 with a GTIN (similar
    title) in one (¥4,029). Returns {name: group id}."""
    rows = {
        "mate": [offer(shops[0], "华为 Mate 60 Pro 12+512GB 雅川青", price="6999.00", standard_product_id=mate.pk,
                       category=phones),
                 offer(shops[1], "HUAWEI Mate60 Pro 512GB 白沙银", price="6899.00", standard_product_id=mate.pk,
                       category=phones)],
        "iphone": [offer(shops[0], "Apple iPhone 15 128GB 黑色", price="5999.00", brand="Apple", model="iPhone 15",
                         category=phones),
                   offer(shops[2], "苹果 iPhone15 128G 蓝色", price="5499.00", brand="苹果", model="iphone 15",
                         category=phones)],
        "xiaomi": [offer(shops[1], "小米14 徕卡 16+512GB 黑色", price="4029.00", gtin=XIAOMI_GTIN, category=phones)],
    }
    comparison.group_offers()
    groups = {name: GroupMember.objects.get(offer=members[0]).group_id for name, members in rows.items()}
    assert len(set(groups.values())) == 3
    return groups


@pytest.fixture
def jd(operator):
    return services.source_create(actor=operator, name="京东", kind="marketplace", notes="导出的商品价格")


@pytest.fixture
def suning(operator):
    return services.source_create(actor=operator, name="苏宁易购", kind="marketplace")


@pytest.fixture
def run_file(django_capture_on_commit_callbacks):
    """`run_file(actor, source, name)`: import a file of `files/` through the service and the
    background task; returns the run as it ended."""

    def run(actor, source, name, *, data=None, file_format=""):
        with django_capture_on_commit_callbacks(execute=True):
            run = imports.import_start(actor=actor, source_id=source.pk, upload=upload(name, data),
                                       file_format=file_format)
        run.refresh_from_db()
        return run

    return run
