"""Searching the offer index: words in Chinese and English, model numbers with and without a
space, synonyms, filters (category with its sub-categories, brand, shop, price, stock), facets,
sorts, pages; freshness (a price change or a delisting shows at once); bad input named, hostile
input harmless; no match offers corrections."""

from decimal import Decimal

import pytest

from backend.api.errors import ServiceError
from shared_apps.offers.interface import (
    OfferPriceData,
    OfferTextData,
    prices_update,
    product_offers_replace,
)
from shared_apps.search import query, services
from shared_apps.search.models import OfferDoc, Synonym
from shared_apps.taxonomy.models import Category
from tenants.models import Shop

pytestmark = pytest.mark.django_db
D = Decimal

# (shop, product, title, brand, model, category code, price, sales, stock)
CATALOG = [
    (0, 1, "华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 手机", "华为", "Mate 60 Pro", "phones", "6999.00", 900, "in_stock"),
    (1, 2, "HUAWEI Mate60 Pro 512G 雅川青", "HUAWEI", "Mate60 Pro", "phones", "6899.00", 300, "in_stock"),
    (0, 3, "Apple iPhone 15 Pro Max 256G 原色钛金属", "Apple", "iPhone 15 Pro Max", "phones", "8999.00", 1200,
     "in_stock"),
    (1, 4, "小米 Redmi K70 至尊版 16+512", "小米", "Redmi K70", "phones", "2999.00", 500, "out"),
    (0, 5, "联想 ThinkPad X1 Carbon 笔记本电脑", "联想", "X1 Carbon", "laptops", "9999.00", 50, "in_stock"),
    (1, 6, "Apple MacBook Air M3 笔记本", "Apple", "MacBook Air", "laptops", "8499.00", 80, "in_stock"),
    (0, 7, "华为 FreePods 耳机", "华为", "FreePods", "audio", "999.00", 20, "in_stock"),
]


def offer(shop, product, title, brand, model, category, price, sales, stock):
    return ((shop, product), OfferTextData(sku_id=product * 10, title=title, brand=brand, model=model,
                                           category_id=category),
            OfferPriceData(sku_id=product * 10, product_id=product, price=D(price), sales_count=sales,
                           stock_state=stock))


@pytest.fixture
def mall(merchant_a, merchant_b):
    shops = [Shop.objects.create(schema_name=f"s_{name}", subdomain=name, name=name.title(), company_name="Co",
                                 owner=owner) for name, owner in (("ash", merchant_a), ("birch", merchant_b))]
    top = Category.objects.create(code="q-digital", name="数码", name_en="Digital", level=1)
    cats = {code: Category.objects.create(code=f"q-{code}", name=name, name_en=code, parent=top, level=2)
            for code, name in (("phones", "手机"), ("laptops", "笔记本电脑"), ("audio", "耳机"))}
    for shop, product, title, brand, model, code, price, sales, stock in CATALOG:
        _, text, price_row = offer(shops[shop], product, title, brand, model, cats[code].pk, price, sales, stock)
        product_offers_replace(shop_id=shops[shop].pk, product_id=product, texts=[text], prices=[price_row])
    return shops, top, cats


def titles(results) -> list[str]:
    return [hit.title for hit in results.hits]


@pytest.mark.parametrize(("words", "expected"), [
    ("华为", ["华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 手机", "HUAWEI Mate60 Pro 512G 雅川青",
            "华为 FreePods 耳机"]),
    ("mate60", ["华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 手机", "HUAWEI Mate60 Pro 512G 雅川青"]),
    ("mate 60", ["华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 手机", "HUAWEI Mate60 Pro 512G 雅川青"]),
    ("iphone 15", ["Apple iPhone 15 Pro Max 256G 原色钛金属"]),
    ("笔记本", ["联想 ThinkPad X1 Carbon 笔记本电脑", "Apple MacBook Air M3 笔记本"]),
    ("K70", ["小米 Redmi K70 至尊版 16+512"]),
])
def test_words_find_the_offers(mall, words, expected):
    assert sorted(titles(query.search(q=words, sort="sales"))) == sorted(expected)


def test_synonyms_widen_a_word(mall):
    Synonym.objects.bulk_create([Synonym(group="apple", term="苹果"), Synonym(group="apple", term="apple")])
    assert {h.title for h in query.search(q="苹果").hits} == {"Apple iPhone 15 Pro Max 256G 原色钛金属",
                                                             "Apple MacBook Air M3 笔记本"}


def test_filters_facets_and_sorts(mall):
    shops, top, cats = mall
    everything = query.search(category_id=top.pk, sort="price_asc")
    assert everything.total == 7 and not everything.estimated  # the parent finds its sub-categories
    assert [h.price for h in everything.hits][:2] == [D("999.00"), D("2999.00")]
    phones = query.search(category_id=cats["phones"].pk, in_stock=True, sort="sales")
    assert titles(phones)[0].startswith("Apple iPhone") and len(phones.hits) == 3  # the K70 is out of stock
    assert {f.value: f.count for f in query.search(q="华为").categories} == {
        str(cats["phones"].pk): 2, str(cats["audio"].pk): 1}
    brands = {f.value: f.count for f in query.search(category_id=cats["phones"].pk).brands}
    assert brands == {"华为": 1, "HUAWEI": 1, "Apple": 1, "小米": 1}
    assert len(query.search(brand="huawei").hits) == 3  # HUAWEI and 华为 are one brand
    assert len(query.search(shop_id=shops[1].pk).hits) == 3
    cheap = query.search(price_min="1000", price_max="7000", sort="price_desc")
    assert [h.price for h in cheap.hits] == [D("6999.00"), D("6899.00"), D("2999.00")]
    paged = query.search(category_id=top.pk, sort="sales", per_page=3, page=3)
    assert len(paged.hits) == 1 and paged.total == 7


def test_a_price_change_and_a_delisting_show_at_once(mall):
    shops, _top, _cats = mall
    prices_update(shop_id=shops[0].pk, prices=[OfferPriceData(sku_id=70, product_id=7, price=D("799.00"),
                                                              sales_count=25)])
    assert query.search(q="freepods").hits[0].price == D("799.00")
    product_offers_replace(shop_id=shops[0].pk, product_id=7, texts=[], prices=[])
    assert query.search(q="freepods").hits == [] and OfferDoc.objects.count() == 6


@pytest.mark.parametrize("hostile", ["", "   ", "😀😀", "'; DROP TABLE search_offerdoc;--", "!&|():*'\"",
                                     "x" * 10_000, "\x00华为"])
def test_hostile_words_never_fail(mall, hostile):
    results = query.search(q=hostile)
    assert results.total >= 0
    assert OfferDoc.objects.count() == 7


@pytest.mark.parametrize("nothing_searchable", ["😀😀", "!!!", "、。"])
def test_words_with_nothing_searchable_get_best_sellers_not_an_empty_page(mall, nothing_searchable):
    results = query.search(q=nothing_searchable)
    assert (results.total, results.hits) == (0, [])
    assert [h.title for h in results.related][:1] == ["Apple iPhone 15 Pro Max 256G 原色钛金属"]  # 1,200 sold


@pytest.mark.parametrize(("values", "field"), [
    ({"sort": "cheapest"}, "sort"), ({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"page": "101"}, "page"),
    ({"per_page": "500"}, "per_page"), ({"price_min": "abc"}, "price_min"),
    ({"price_min": "100", "price_max": "10"}, "price_max"), ({"category_id": "-3"}, "category"),
])
def test_bad_input_is_named(mall, values, field):
    with pytest.raises(ServiceError) as caught:
        query.search(**values)
    assert field in caught.value.fields


def test_no_match_offers_corrections(mall):
    services.vocabulary_refresh()
    results = query.search(q="iphnoe")
    assert results.total == 0 and results.did_you_mean[:1] == ["iphone"]


def test_the_rebuild_command_writes_every_document_again(mall):
    import io

    from django.core.management import call_command

    OfferDoc.objects.all().delete()
    out = io.StringIO()
    call_command("search_rebuild", stdout=out)
    assert out.getvalue().startswith("7 documents") and len(query.search(q="华为").hits) == 3


def test_the_rebuild_of_missing_documents_only(mall):
    import io

    from django.core.management import call_command

    OfferDoc.objects.filter(pk__in=OfferDoc.objects.values("pk")[:2]).delete()
    out = io.StringIO()
    call_command("search_rebuild", "--missing", stdout=out)
    assert out.getvalue().startswith("2 documents") and OfferDoc.objects.count() == 7
    call_command("search_rebuild", "--missing", stdout=out)
    assert out.getvalue().endswith("0 documents, vocabulary kept\n")
