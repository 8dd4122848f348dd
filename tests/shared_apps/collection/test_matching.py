"""Linking collected offers to the mall's comparison groups, and the reference prices the mall's
product page reads for a group."""

import dataclasses
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.collection import matching, selectors, services
from shared_apps.collection.models import ExternalOffer, MatchKind
from shared_apps.comparison import services as comparison
from shared_apps.comparison.models import ComparisonGroup, GroupMember
from shared_apps.offers.models import OfferText

from .conftest import XIAOMI_GTIN

pytestmark = pytest.mark.django_db


def match_of(external_id: str) -> tuple[int | None, str]:
    offer = ExternalOffer.objects.get(external_id=external_id)
    return offer.group_id, offer.match_kind


def test_each_rule_links_its_offer(operator, jd, mall, run_file):
    run = run_file(operator, jd, "jd_phones.csv")
    assert run.matched_rows == 4
    assert match_of("JD-1001") == (mall["mate"], MatchKind.GTIN)  # GTIN of the standard product
    assert match_of("JD-1002") == (mall["mate"], MatchKind.STANDARD_PRODUCT)  # 华为 + Mate 60 Pro
    assert match_of("JD-1003") == (mall["iphone"], MatchKind.BRAND_MODEL)  # 苹果 iphone15 = Apple iPhone 15
    assert match_of("JD-1004") == (mall["xiaomi"], MatchKind.GTIN)  # a mall offer's own GTIN
    assert match_of("JD-1005") == (None, MatchKind.NONE)  # the mall does not sell the mouse


def test_a_gbk_file_matches_by_brand_and_model(operator, jd, mall, run_file):
    run_file(operator, jd, "gbk_prices.csv")
    by_title = dict(ExternalOffer.objects.values_list("title", "group_id"))
    assert by_title == {"华为 Mate 60 Pro 12+512GB 雅丹黑": mall["mate"], "苹果 iPhone 15 128GB 蓝色": mall["iphone"],
                        "格力 KFR-35GW 空调": None}


def test_the_variant_picks_the_group_and_an_unknown_one_matches_none(operator, jd, shops, offer, phones, mall):
    offer(shops[2], "Apple iPhone 15 256GB 黑色", price="6999.00", brand="Apple", model="iPhone 15",
          category=phones)
    comparison.group_offers()
    big = GroupMember.objects.get(offer__title="Apple iPhone 15 256GB 黑色").group_id
    assert big != mall["iphone"]
    rows = [ExternalOffer(source=jd, external_id=str(n), title=title, brand="苹果", model="iPhone 15")
            for n, title in enumerate(["iPhone 15 256G 粉色", "iPhone 15 128GB", "iPhone 15 国行", "iPhone 15 512GB"])]
    assert matching.match_offers(rows) == 2
    assert [r.group_id for r in rows] == [big, mall["iphone"], None, None]


def test_matching_a_batch_takes_a_fixed_number_of_queries(jd, mall):
    def batch(n):
        return [ExternalOffer(source=jd, external_id=f"{n}-{i}", title=f"商品 {i} 512GB", brand="华为" if i % 2 else "苹果",
                              model="Mate 60 Pro" if i % 2 else f"iPhone {i}", gtin="6901234567892" if i % 3 else "")
                for i in range(n)]

    with CaptureQueriesContext(connection) as few:
        matching.match_offers(batch(3))
    with CaptureQueriesContext(connection) as many:
        matching.match_offers(batch(60))
    assert len(many) == len(few)


def test_reference_offers_for_the_product_page(operator, jd, suning, mall, run_file):
    run_file(operator, jd, "jd_phones.csv")
    run_file(operator, suning, "product_jsonld.html")
    with CaptureQueriesContext(connection) as queries:
        lines = selectors.reference_offers(mall["mate"])
    assert len(queries) == 1
    assert [(r.source_name, r.title, r.price, r.sales_count, r.seller, r.url) for r in lines] == [
        ("苏宁易购", "华为 Mate 60 Pro 12GB+512GB 雅川青", Decimal("6749.00"), None, "第三方卖家",
         "https://shop.example.com/p/88"),
        ("京东", "华为 Mate 60 Pro 12+512GB 雅川青", Decimal("6799.00"), 12000, "华为京东自营旗舰店",
         "https://item.example.com/1001.html"),
        ("京东", "华为 Mate 60 Pro 512GB 白沙银", Decimal("6999.00"), 3500, "数码专营店",
         "https://item.example.com/1002.html"),
    ]
    assert dataclasses.is_dataclass(lines[0]) and lines[0].__dataclass_params__.frozen
    assert [f.name for f in dataclasses.fields(selectors.ReferenceOffer)] == [
        "source_name", "title", "price", "sales_count", "seller", "url", "collected_at"]
    assert selectors.reference_offers(mall["xiaomi"])[0].price == Decimal("3999.00")
    assert selectors.reference_offers(999999) == []


def test_offers_imported_before_the_mall_sells_them_match_again(operator, jd, shops, offer, phones, run_file):
    run_file(operator, jd, "gbk_prices.csv")
    assert not ExternalOffer.objects.filter(group__isnull=False).exists()
    offer(shops[0], "格力 KFR-35GW 空调 1.5匹", brand="格力", model="KFR-35GW", category=phones)
    comparison.group_offers()
    assert services.rematch(only_unmatched=True) == 1
    aircon = ExternalOffer.objects.get(brand="格力")
    assert (aircon.group_id, aircon.match_kind) == (ComparisonGroup.objects.get().pk, MatchKind.BRAND_MODEL)


def test_a_group_that_goes_unlinks_and_the_next_one_links(operator, jd, shops, offer, phones, mall, run_file,
                                                            django_capture_on_commit_callbacks):
    run_file(operator, jd, "jd_phones.csv")
    assert match_of("JD-1004") == (mall["xiaomi"], MatchKind.GTIN)
    OfferText.objects.filter(gtin=XIAOMI_GTIN).delete()  # the only shop delists it: its group goes
    comparison.group_offers()
    assert not ComparisonGroup.objects.filter(pk=mall["xiaomi"]).exists()
    assert match_of("JD-1004")[0] is None
    offer(shops[2], "Xiaomi 14 16GB+512GB 白色", price="4099.00", gtin=XIAOMI_GTIN.zfill(14), category=phones)
    comparison.group_offers()
    with django_capture_on_commit_callbacks(execute=True):
        services.rematch_start(actor=operator, only_unmatched=True)
    relisted = GroupMember.objects.get(offer__gtin=XIAOMI_GTIN.zfill(14)).group_id
    assert match_of("JD-1004") == (relisted, MatchKind.GTIN)
    assert match_of("JD-1001") == (mall["mate"], MatchKind.GTIN)  # matched ones were left alone
