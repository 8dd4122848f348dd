"""Price history per group: a point when the lowest price moves (from the offer index's commit
hook and from regrouping), one snapshot a day, the API series and the server-drawn chart."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shared_apps.comparison import chart, history, selectors, services, tasks
from shared_apps.comparison.models import GroupMember, PricePoint, PricePointKind
from shared_apps.offers.interface import OfferPriceData, prices_update, product_offers_replace
from tests.conftest import MALL, client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def pair(shops, offer, phones):
    """One product in two shops: ¥5999 and ¥6099."""
    rows = [offer(shop, "华为 Mate 60 Pro 512GB", standard_product_id=60, category=phones, price=price)
            for shop, price in [(shops[0], "5999.00"), (shops[1], "6099.00")]]
    services.group_offers()
    return GroupMember.objects.get(offer=rows[0]).group_id, rows


def price(row, amount, stock_state="in_stock") -> OfferPriceData:
    return OfferPriceData(sku_id=row.sku_id, product_id=row.product_id, price=Decimal(amount), stock_state=stock_state)


def series(group_id) -> list[tuple]:
    return [(p.kind, p.lowest_price, p.offer_count) for p in PricePoint.objects.filter(group_id=group_id)]


def test_a_point_is_added_only_when_the_lowest_price_moves(pair, django_capture_on_commit_callbacks):
    group, (a, b) = pair
    with django_capture_on_commit_callbacks(execute=True):
        prices_update(shop_id=b.shop_id, prices=[price(b, "5899.00")])
    assert series(group) == [("change", Decimal("5899.00"), 2)]
    with django_capture_on_commit_callbacks(execute=True):
        prices_update(shop_id=b.shop_id, prices=[price(b, "5899.00")])  # the same again
        prices_update(shop_id=a.shop_id, prices=[price(a, "6199.00")])  # not the lowest
    assert len(series(group)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        prices_update(shop_id=b.shop_id, prices=[price(b, "5899.00", "out")])  # the cheapest sold out
        prices_update(shop_id=a.shop_id, prices=[price(a, "6149.00")])
    assert series(group) == [("change", Decimal("5899.00"), 2), ("change", Decimal("6149.00"), 2)]
    with django_capture_on_commit_callbacks(execute=True):
        prices_update(shop_id=a.shop_id, prices=[price(a, "6149.00", "out")])
    assert series(group)[-1] == ("change", None, 2)  # nothing in stock


def test_one_transaction_of_many_changes_makes_one_task(pair, django_capture_on_commit_callbacks):
    from django.db import transaction

    _group, (a, b) = pair
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        prices_update(shop_id=a.shop_id, prices=[price(a, "5000.00")])
        prices_update(shop_id=b.shop_id, prices=[price(b, "5001.00")])
    assert len([c for c in callbacks if type(c).__name__ == "_Pending"]) == 1
    pending = next(c for c in callbacks if type(c).__name__ == "_Pending")
    assert pending.skus == {a.shop_id: {a.sku_id}, b.shop_id: {b.sku_id}}


def test_delisting_the_cheapest_offer_records_the_rise(pair, django_capture_on_commit_callbacks):
    group, (a, _b) = pair
    history.price_points_record(group_ids=[group])
    assert series(group) == [("change", Decimal("5999.00"), 2)]
    with django_capture_on_commit_callbacks(execute=True):
        product_offers_replace(shop_id=a.shop_id, product_id=a.product_id, texts=[], prices=[])
    assert series(group)[-1] == ("change", Decimal("6099.00"), 1)


def test_a_suspended_shops_price_does_not_count(pair, django_capture_on_commit_callbacks):
    from tenants.models import ShopStatus

    group, (a, _b) = pair
    a.shop.status = ShopStatus.SUSPENDED
    a.shop.save(update_fields=["status"])
    history.price_points_record(group_ids=[group])
    assert series(group) == [("change", Decimal("6099.00"), 1)]


def test_regrouping_records_the_groups_offers_join(shops, offer, phones):
    first = offer(shops[0], "小米14 Ultra 16+512GB", standard_product_id=14, price="6499.00")
    assert tasks.regroup_changed_offers() == 1
    group = GroupMember.objects.get(offer=first).group_id
    assert series(group) == [("change", Decimal("6499.00"), 1)]
    offer(shops[1], "Xiaomi 14 Ultra 512G", standard_product_id=14, price="6299.00")
    tasks.regroup_changed_offers()
    assert series(group)[-1] == ("change", Decimal("6299.00"), 2)


def test_the_daily_snapshot_is_taken_once_a_day(pair, shops, offer):
    group, _rows = pair
    other = offer(shops[2], "Apple iPhone 15 128GB", brand="Apple", model="iPhone 15", price="5199.00")
    services.group_offers()
    tasks.price_watch_sweep()
    tasks.price_watch_sweep()
    daily = PricePoint.objects.filter(kind=PricePointKind.DAILY, day=timezone.localdate())
    assert sorted(daily.values_list("group_id", "lowest_price", "offer_count")) == sorted([
        (group, Decimal("5999.00"), 2), (GroupMember.objects.get(offer=other).group_id, Decimal("5199.00"), 1)])
    assert history.price_snapshot_daily() == 0  # the partial unique index keeps it once


def test_the_api_returns_the_series_of_the_period(pair, django_capture_on_commit_callbacks):
    group, (a, _b) = pair
    old = PricePoint.objects.create(group_id=group, at=timezone.now() - timedelta(days=100), day=timezone.localdate(),
                                    kind=PricePointKind.CHANGE, lowest_price=Decimal("6999.00"), offer_count=1)
    with django_capture_on_commit_callbacks(execute=True):
        prices_update(shop_id=a.shop_id, prices=[price(a, "5799.00")])
    body = client_for(MALL).get(f"{API}products/{group}/price-history/", {"days": 30}).json()
    assert body["group_id"] == group and body["days"] == 30
    assert [(p["kind"], p["lowest_price"], p["offer_count"]) for p in body["points"]] == [
        ("change", "6999.00", 1), ("change", "5799.00", 2)]  # the price that held when the period began, first
    began = datetime.fromisoformat(body["points"][0]["at"])
    assert timedelta(days=29) < timezone.now() - began < timedelta(days=31)  # moved to the period's start
    everything = client_for(MALL).get(f"{API}products/{group}/price-history/", {"days": 365}).json()
    assert [p["lowest_price"] for p in everything["points"]] == ["6999.00", "5799.00"]
    assert datetime.fromisoformat(everything["points"][0]["at"]) == old.at


@pytest.mark.parametrize("days", ["0", "731", "abc", "-5", "1.5", "1e3"])
def test_bad_days_are_a_400(pair, days):
    group, _rows = pair
    response = client_for(MALL).get(f"{API}products/{group}/price-history/", {"days": days})
    assert response.status_code == 400 and "days" in response.json()["error"]["fields"]


def test_history_of_an_unknown_or_hidden_group_is_a_404(pair):
    from tenants.models import ShopStatus

    group, (a, b) = pair
    assert client_for(MALL).get(f"{API}products/987654/price-history/").status_code == 404
    for row in (a, b):
        row.shop.status = ShopStatus.CLOSED
        row.shop.save(update_fields=["status"])
    assert client_for(MALL).get(f"{API}products/{group}/price-history/").status_code == 404


def test_the_chart_steps_from_price_to_price_and_breaks_on_no_stock():
    start = timezone.now() - timedelta(days=10)
    points = [selectors.PricePointView(at=start, kind="change", lowest_price=Decimal("100.00"), offer_count=2),
              selectors.PricePointView(at=start + timedelta(days=5), kind="change", lowest_price=None, offer_count=2),
              selectors.PricePointView(at=start + timedelta(days=6), kind="change", lowest_price=Decimal("80.00"),
                                       offer_count=2)]
    drawn = chart.price_chart(points, now=start + timedelta(days=10))
    # x from 84 to 624 over 10 days; y: 80–100 with 10 % margin → 78..102 over 16..188.
    assert drawn.path == "M84.0 30.3 H354.0 M408.0 173.7 H624.0"
    assert [d.label.split()[-1] for d in drawn.dots] == ["¥100.00", "¥80.00"]
    assert [t.label for t in drawn.y_ticks] == ["¥100.00", "¥90.00", "¥80.00"]
    assert chart.price_chart([]).empty and chart.price_chart(points[1:2]).empty


def test_the_product_page_draws_the_chart_with_a_table(mate):
    day = timedelta(days=1)
    now = timezone.now()
    for n, amount in enumerate(["6199.00", "6099.00", "5989.00"]):
        PricePoint.objects.create(group_id=mate.group_id, at=now - (3 - n) * day, day=timezone.localdate(),
                                  kind=PricePointKind.CHANGE, lowest_price=Decimal(amount), offer_count=2)
    html = client_for(MALL).get(f"/products/{mate.group_id}/").content.decode()
    assert '<svg class="price-chart"' in html and 'role="img"' in html and "<desc" in html
    assert html.count("<circle ") == 3 and "The lowest price ranged from ¥5,989.00 to ¥6,199.00" in html
    assert "Price history as a table" in html and html.count("<td>¥6,099.00</td>") == 1
    assert "<script" not in html.split('<svg class="price-chart"')[1].split("</svg>")[0]


def test_beat_takes_the_snapshot_and_sweeps_the_alerts_every_few_minutes():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["comparison-price-watch"]
    assert entry["task"] == tasks.price_watch_sweep.name and entry["schedule"] <= 600
