"""Query statistics and analysis of collected data: counts by source, category and day, and the
price position of the mall's offers against outside prices, also for a period in the past."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.collection import selectors
from shared_apps.collection.selectors import CategoryCount, DayCount, SourceCount
from shared_apps.offers.models import OfferPrice
from tenants.models import ShopStatus

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal


@pytest.fixture
def collected(operator, jd, mall, phones, accessories, run_file):
    """京东: jd_phones.csv (collected 1 and 2 May 2024), then items.json (8 May: new prices of
    JD-1001 and JD-1003)."""
    run_file(operator, jd, "jd_phones.csv")
    run_file(operator, jd, "items.json")
    return jd


def test_counts_by_source_category_and_day(collected, phones, accessories, suning, operator, run_file):
    with CaptureQueriesContext(connection) as queries:
        stats = selectors.collection_stats()
    assert len(queries) == 4
    assert (stats.offers, stats.matched, stats.observations) == (5, 4, 7)
    assert stats.by_source == [SourceCount(collected.pk, "京东", 5, 4, 7, datetime(2024, 5, 8, 12, 0, tzinfo=SHANGHAI))]
    assert stats.by_category == [CategoryCount(phones.pk, "手机", 4), CategoryCount(accessories.pk, "配件", 1)]
    assert stats.by_day == [DayCount(date(2024, 5, 1), 3, 3), DayCount(date(2024, 5, 2), 2, 2),
                            DayCount(date(2024, 5, 8), 2, 2)]

    period = selectors.collection_stats(since=date(2024, 5, 2), until=date(2024, 5, 8))
    assert (period.offers, period.observations) == (4, 4)
    assert [d.day for d in period.by_day] == [date(2024, 5, 2), date(2024, 5, 8)]
    assert selectors.collection_stats(until=date(2024, 5, 1)).by_day == [DayCount(date(2024, 5, 1), 3, 3)]
    assert selectors.collection_stats(category_id=accessories.pk).offers == 1

    run_file(operator, suning, "product_jsonld.html")  # collected today
    both = selectors.collection_stats()
    assert [(s.name, s.offers, s.matched) for s in both.by_source] == [("京东", 5, 4), ("苏宁易购", 2, 1)]
    assert selectors.collection_stats(source_id=suning.pk).offers == 2
    empty = selectors.collection_stats(since=date(2030, 1, 1))
    assert (empty.offers, empty.by_source, empty.by_category, empty.by_day) == (0, [], [], [])


def test_price_position_per_group_and_category(collected, mall, phones):
    with CaptureQueriesContext(connection) as queries:
        report = selectors.price_position()
    assert len(queries) == 4
    rows = {row.group_id: row for row in report.groups}
    mate = rows[mall["mate"]]  # outside: 6599 (JD-1001 on 8 May), 6999 (JD-1002) → median 6799
    assert (mate.mall_lowest, mate.mall_offers, mate.reference_median, mate.reference_lowest, mate.reference_offers,
            mate.difference_percent, mate.position) == (D("6899.00"), 2, D("6799.00"), D("6599.00"), 2, D("1.5"),
                                                        "dearer")
    iphone = rows[mall["iphone"]]  # outside 5599 (8 May) against 5499
    assert (iphone.reference_median, iphone.difference_percent, iphone.position) == (D("5599.00"), D("-1.8"),
                                                                                     "cheaper")
    xiaomi = rows[mall["xiaomi"]]  # 4029 against 3999: within 1 %
    assert (xiaomi.difference_percent, xiaomi.position) == (D("0.8"), "same")
    assert [r.group_id for r in report.groups] == [mall["mate"], mall["xiaomi"], mall["iphone"]]  # dearest first
    assert (report.cheaper, report.same, report.dearer, report.without_mall_offer) == (1, 1, 1, 0)
    [category] = report.categories
    assert (category.category_id, category.name, category.groups, category.cheaper, category.same, category.dearer,
            category.average_difference_percent) == (phones.pk, "手机", 3, 1, 1, 1, D("0.2"))


def test_a_past_period_compares_with_the_prices_of_then(collected, mall):
    report = selectors.price_position(until=date(2024, 5, 2))
    rows = {row.group_id: row for row in report.groups}
    assert (rows[mall["mate"]].reference_median, rows[mall["mate"]].position) == (D("6899.00"), "same")  # 6799, 6999
    assert (rows[mall["iphone"]].reference_median, rows[mall["iphone"]].difference_percent) == (D("5699.00"), D("-3.5"))
    assert selectors.price_position(since=date(2024, 5, 3), until=date(2024, 5, 7)).groups == []


def test_out_of_stock_and_suspended_shops_do_not_set_the_mall_price(collected, mall, shops):
    OfferPrice.objects.filter(price=D("4029.00")).update(stock_state="out")
    shops[1].status = ShopStatus.SUSPENDED
    shops[1].save(update_fields=["status"])
    report = selectors.price_position()
    rows = {row.group_id: row for row in report.groups}
    assert mall["xiaomi"] not in rows and report.without_mall_offer == 1
    assert (rows[mall["mate"]].mall_lowest, rows[mall["mate"]].mall_offers) == (D("6999.00"), 1)


def test_filters_by_source_and_category(collected, mall, suning, operator, run_file, accessories):
    run_file(operator, suning, "product_jsonld.html")  # SN-88 6749 for the Mate
    mate = next(r for r in selectors.price_position().groups if r.group_id == mall["mate"])
    assert (mate.reference_offers, mate.reference_median) == (3, D("6749.00"))
    only_suning = selectors.price_position(source_id=suning.pk)
    assert [(r.group_id, r.reference_median) for r in only_suning.groups] == [(mall["mate"], D("6749.00"))]
    assert selectors.price_position(category_id=accessories.pk).groups == []
