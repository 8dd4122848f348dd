"""The user dictionary follows the data: a new category word re-indexes the documents holding it
(so indexing and querying segment it alike), and every process reloads the dictionary once the
new fingerprint is published; pickup cities and ratings reach the documents."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from shared_apps.offers.interface import OfferPriceData, OfferTextData, product_offers_replace
from shared_apps.search import index, query, services, text
from shared_apps.search.models import OfferDoc
from shared_apps.taxonomy.models import Category
from tenants.models import Shop

pytestmark = pytest.mark.django_db
WORD = "鲸沫"  # not in jieba's dictionary: split into single characters until a category names it


@pytest.fixture
def shop(merchant_a):
    return Shop.objects.create(schema_name="s_dict", subdomain="dict", name="Dict", company_name="Co",
                               owner=merchant_a)


def list_offer(shop, product: int, title: str, *, sales: int = 0) -> None:
    product_offers_replace(shop_id=shop.pk, product_id=product, texts=[OfferTextData(sku_id=product, title=title)],
                           prices=[OfferPriceData(sku_id=product, product_id=product, price=Decimal("99.00"),
                                                  sales_count=sales)])


def test_a_new_category_word_reindexes_the_documents_holding_it(shop):
    cache.delete(text.DICTIONARY_CACHE_KEY)
    list_offer(shop, 1, f"{WORD} 扫地机器人 J4")
    list_offer(shop, 2, "普通 扫地机器人")
    assert WORD not in text.tokens(f"{WORD} 扫地机器人")
    assert services.dictionary_watch() == 0  # the first run only publishes the fingerprint
    assert services.dictionary_watch() == 0  # nothing changed

    Category.objects.create(code="dict-new", name=WORD, name_en="Whale", level=1)
    text.dictionary_reset()
    assert WORD in text.tokens(f"{WORD} 扫地机器人")
    # Querying with the new dictionary finds nothing until the documents are made again...
    assert query.search(q=WORD).total == 0
    assert services.dictionary_watch() == 1  # ...which the watch does, for the one offer with the word
    assert [h.product_id for h in query.search(q=WORD).hits] == [1]
    assert services.dictionary_watch() == 0
    assert cache.get(text.DICTIONARY_CACHE_KEY)["fingerprint"] == text.dictionary_fingerprint(
        text.user_words(text.dictionary_words()))


def test_a_process_reloads_when_another_published_a_new_dictionary(monkeypatch):
    first = text._segmenter()
    cache.set(text.DICTIONARY_CACHE_KEY, {"fingerprint": first.fingerprint, "words": []}, None)
    first.checked_at -= text.DICTIONARY_CHECK_SECONDS + 1
    assert text._segmenter() is first  # same fingerprint: kept
    cache.set(text.DICTIONARY_CACHE_KEY, {"fingerprint": "another", "words": []}, None)
    assert text._segmenter() is first  # checked a moment ago: not asked again yet
    first.checked_at -= text.DICTIONARY_CHECK_SECONDS + 1
    assert text._segmenter() is not first


def test_pickup_cities_and_rating_reach_the_documents(shop):
    list_offer(shop, 1, "华为 Mate 60 手机")
    Shop.objects.filter(pk=shop.pk).update(rating=Decimal("4.60"))
    assert index.shop_pickup_refresh(shop_id=shop.pk, city_codes=["310100", "110100"]) is True
    assert index.shop_pickup_refresh(shop_id=shop.pk, city_codes=["110100", "310100"]) is False  # unchanged
    doc = OfferDoc.objects.get(shop_id=shop.pk)
    assert doc.rating == Decimal("4.60")
    found = query.search(q="手机", pickup_city="310100")
    assert found.total == 1
    assert {f.value for f in found.pickup_cities} == {"310100", "110100"}
    assert [f.value for f in found.ratings] == ["4.5", "4", "3"]
    assert query.search(q="手机", rating_min="4.7").total == 0
    index.shop_pickup_refresh(shop_id=shop.pk, city_codes=["110100"])
    assert query.search(q="手机", pickup_city="310100").total == 0
    assert query.search(q="手机", pickup_city="110100").total == 1


def tier_tokens() -> dict[int, set[str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT product_id, tsv::text FROM search_offerdoc")
        return {product: {t for t in tsv.split() if t.startswith("'zqt")} for product, tsv in cursor.fetchall()}


def test_sales_tiers_follow_the_sales_count(shop):
    from shared_apps.offers.interface import prices_update

    list_offer(shop, 1, "蓝牙耳机 A", sales=5)
    list_offer(shop, 2, "蓝牙耳机 B", sales=150)
    assert tier_tokens() == {1: set(), 2: {"'zqt2'"}}
    prices_update(shop_id=shop.pk, prices=[OfferPriceData(sku_id=1, product_id=1, price=Decimal("99.00"),
                                                          sales_count=12000)])
    assert tier_tokens() == {1: {"'zqt2'", "'zqt3'", "'zqt4'"}, 2: {"'zqt2'"}}
    assert [h.product_id for h in query.search(q="蓝牙耳机", sort="sales").hits] == [1, 2]
    assert query.search(q="zqt4").total == 0  # a filter token is not a word a shopper can type


def test_a_title_cannot_file_itself_under_a_filter(shop, merchant_b):
    other = Shop.objects.create(schema_name="s_dict2", subdomain="dict2", name="Other", company_name="Co",
                                owner=merchant_b)
    phones = Category.objects.create(code="dict-phones", name="手机", name_en="Phones", level=1)
    list_offer(shop, 1, f"便宜 手机 {index.category_token(phones.pk)} {index.shop_token(other.pk)}")
    assert query.search(q="手机").total == 1
    assert query.search(q="", category_id=phones.pk).total == 0
    assert query.search(q="", shop_id=other.pk).total == 0
    assert text.tokens("ZQC12 zqs3 Zqb") == []
