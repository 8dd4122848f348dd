"""The mall product page and its API: every active shop's offer with shipping to the shopper's
region, sorted by total cost; suspended shops and delisted offers never show; bad input is a 4xx."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from shared_apps.accounts import services as accounts
from tenants.models import ShopStatus
from tests.conftest import MALL, client_for, provision

from .conftest import (
    BEIJING_DONGCHENG,
    LHASA_CHENGGUAN,
    SHENZHEN_NANSHAN,
    freight,
    group_of_sku,
    list_product,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def offers_of(body) -> list[tuple]:
    return [(o["shop_name"], o["price"], o["shipping"], o["total"]) for o in body["offers"]]


def test_offers_with_shipping_to_a_region_are_sorted_by_total_cost(mate):
    body = client_for(MALL).get(f"{API}products/{mate.group_id}/", {"region": SHENZHEN_NANSHAN}).json()
    # Beta is cheaper, but Alpha's shipping makes it cheaper in all.
    assert offers_of(body) == [("Alpha 商店", "5999.00", "10.00", "6009.00"), ("Beta 商店", "5989.00", "30.00", "6019.00")]
    assert (body["region"], body["lowest_price"], body["shop_count"]) == (SHENZHEN_NANSHAN, "5989.00", 2)
    alpha, beta = body["offers"]
    assert alpha["shop_url"].endswith(f"alpha.{MALL}/products/{mate.a[0]}/")
    assert alpha["delivery"] == [{"method": "express", "amount": "10.00", "free_reason": ""}]
    assert [(p["name"], p["city_code"]) for p in alpha["pickup"]] == [("南山门店", "440300")]
    assert (alpha["shop_rating"], alpha["stock_state"], alpha["in_stock"], alpha["shipping_quoted"]) == (
        None, "in_stock", True, True)
    assert beta["pickup"] == [] and body["group"]["id"] == mate.group_id and body["references"] == []


def test_without_a_region_offers_are_sorted_by_price_and_not_priced(mate):
    body = client_for(MALL).get(f"{API}products/{mate.group_id}/").json()
    assert offers_of(body) == [("Beta 商店", "5989.00", None, None), ("Alpha 商店", "5999.00", None, None)]
    assert body["region"] == "" and not any(o["shipping_quoted"] for o in body["offers"])
    assert body["offers"][1]["pickup"][0]["name"] == "南山门店"  # pickup does not depend on the region


def test_a_region_a_shop_does_not_deliver_to_sorts_it_last(mate):
    body = client_for(MALL).get(f"{API}products/{mate.group_id}/", {"region": LHASA_CHENGGUAN}).json()
    # Alpha excludes Tibet: no delivery (but pickup in Shenzhen), so Beta's total leads.
    assert offers_of(body) == [("Beta 商店", "5989.00", "30.00", "6019.00"), ("Alpha 商店", "5999.00", None, None)]
    assert body["offers"][1]["shipping_quoted"] is True and body["offers"][1]["delivery"] == []


def test_the_signed_in_shoppers_default_address_is_the_region(mate, shopper):
    accounts.address_create(user=shopper, data={
        "recipient_name": "张三", "phone": "13800138000", "province_code": "110000", "city_code": "110100",
        "district_code": BEIJING_DONGCHENG, "detail": "东华门大街 1 号"})
    client = client_for(MALL, shopper)
    assert client.get(f"{API}products/{mate.group_id}/").json()["region"] == BEIJING_DONGCHENG
    page = client.get(f"/products/{mate.group_id}/")
    assert page.status_code == 200 and "北京市东城区" in page.content.decode()
    assert client.get(f"{API}products/{mate.group_id}/", {"region": ""}).json()["region"] == ""


def test_the_page_shows_the_table_the_picker_and_no_rating_yet(mate):
    mate.shop_b.rating, mate.shop_b.rating_count = Decimal("4.80"), 120
    mate.shop_b.save(update_fields=["rating", "rating_count"])
    response = client_for(MALL).get(f"/products/{mate.group_id}/", {"region": SHENZHEN_NANSHAN})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Alpha 商店") < html.index("Beta 商店")  # by total cost
    assert "¥6,009.00" in html and "¥6,019.00" in html and "4.80 / 5" in html and "No rating yet" in html
    assert "南山门店" in html and 'name="region"' in html and "广东省深圳市南山区" in html
    assert f"alpha.{MALL}" in html and f"/products/{mate.a[0]}/" in html  # links to the shop's page
    assert "Add to compare" in html and "Sign in" in html  # the alert form needs a signed-in shopper


def test_the_picker_lists_the_next_level_without_javascript(mate):
    html = client_for(MALL).get(f"/products/{mate.group_id}/", {"province": "440000"}).content.decode()
    assert '<option value="440300">深圳市</option>' in html
    html = client_for(MALL).get(f"/products/{mate.group_id}/", {"province": "440000", "city": "440300"}).content.decode()
    assert '<option value="440305">南山区</option>' in html


@pytest.mark.parametrize("region", ["abc", "12345", "440000", "440300", "999999", "4403055", "４４０３０５", "' OR 1=1"])
def test_a_bad_region_is_a_400_naming_it(mate, region):
    response = client_for(MALL).get(f"{API}products/{mate.group_id}/", {"region": region})
    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]
    page = client_for(MALL).get(f"/products/{mate.group_id}/", {"region": region})
    assert page.status_code == 400 and "Choose a district" in page.content.decode()


def test_a_bad_province_or_city_on_the_page_is_a_400(mate):
    assert client_for(MALL).get(f"/products/{mate.group_id}/", {"province": "123"}).status_code == 400
    response = client_for(MALL).get(f"/products/{mate.group_id}/", {"province": "440000", "city": "110100"})
    assert response.status_code == 400 and "not in the chosen province" in response.content.decode()


def test_unknown_groups_are_404(mate):
    client = client_for(MALL)
    assert client.get(f"{API}products/999999/").status_code == 404
    assert client.get("/products/999999/").status_code == 404
    assert client.get(f"{API}products/99999999999999999999/").status_code == 404
    assert client.get("/products/abc/").status_code == 404


def test_a_suspended_shops_offer_never_shows(mate, operator):
    from tenants.services import shop_change_status

    shop_change_status(shop_id=mate.shop_b.pk, to_status=ShopStatus.SUSPENDED, actor=operator, reason="违规")
    body = client_for(MALL).get(f"{API}products/{mate.group_id}/", {"region": SHENZHEN_NANSHAN}).json()
    assert [o["shop_name"] for o in body["offers"]] == ["Alpha 商店"]
    assert body["lowest_price"] == "5999.00" and "Beta" not in client_for(MALL).get(
        f"/products/{mate.group_id}/").content.decode()
    shop_change_status(shop_id=mate.shop_a.pk, to_status=ShopStatus.SUSPENDED, actor=operator, reason="违规")
    # No active shop offers it: the group (its title came from a shop's offer) is gone for shoppers.
    assert client_for(MALL).get(f"{API}products/{mate.group_id}/").status_code == 404
    assert client_for(MALL).get(f"/products/{mate.group_id}/").status_code == 404


def test_a_delisted_offer_leaves_the_page(mate):
    from tenant_apps.catalog import outbox
    from tenant_apps.catalog.models import Product, ProductStatus

    with tenant_context(mate.shop_b):
        Product.objects.filter(pk=mate.b[0]).update(status=ProductStatus.DELISTED)
        outbox.outbox_record(kind=outbox.TEXT, product_id=mate.b[0])
        outbox.drain_all()
    body = client_for(MALL).get(f"{API}products/{mate.group_id}/").json()
    assert [o["shop_name"] for o in body["offers"]] == ["Alpha 商店"]


def test_an_out_of_stock_offer_shows_last_and_is_not_the_lowest(shop_a, shop_b, phones):
    freight(shop_a, first_price="10.00")
    freight(shop_b, first_price="10.00")
    a = list_product(shop_a, title="小米14 Ultra 16+512GB", brand="小米", model="14 Ultra", price="6499.00",
                     category=phones)
    list_product(shop_b, title="Xiaomi 14 Ultra 512GB", brand="Xiaomi", model="14Ultra", price="5999.00",
                 category=phones, units=0)
    from shared_apps.comparison import services

    services.group_offers()
    body = client_for(MALL).get(f"{API}products/{group_of_sku(shop_a, a[1])}/").json()
    assert [(o["shop_name"], o["stock_state"]) for o in body["offers"]] == [("Alpha 商店", "in_stock"),
                                                                            ("Beta 商店", "out")]
    assert body["lowest_price"] == "6499.00"


def test_shipping_is_cached_and_reads_do_not_grow_with_shops(mate, merchant_a, phones):
    client = client_for(MALL)
    url = f"{API}products/{mate.group_id}/"
    client.get(url, {"region": SHENZHEN_NANSHAN})  # asks both shops, then caches
    with CaptureQueriesContext(connection) as warm:
        client.get(url, {"region": SHENZHEN_NANSHAN})
    assert not [q for q in warm.captured_queries if "freight_" in q["sql"] or "inventory_" in q["sql"]]
    gamma = provision(merchant_a, "gamma", "Gamma 商店", "伽马贸易有限公司")
    freight(gamma, first_price="0.00")
    c = list_product(gamma, title="华为 Mate60 Pro 512GB 白沙银", brand="HUAWEI", model="Mate 60 Pro",
                     price="6099.00", category=phones)
    from shared_apps.comparison import services

    services.group_offers()
    assert group_of_sku(gamma, c[1]) == mate.group_id
    body = client.get(url, {"region": SHENZHEN_NANSHAN}).json()
    assert offers_of(body)[2] == ("Gamma 商店", "6099.00", "0.00", "6099.00")
    with CaptureQueriesContext(connection) as three:
        client.get(url, {"region": SHENZHEN_NANSHAN})
    assert len(three.captured_queries) == len(warm.captured_queries)


def test_a_price_change_is_priced_again_at_once(mate):
    from .conftest import reprice

    client = client_for(MALL)
    url = f"{API}products/{mate.group_id}/"
    client.get(url, {"region": SHENZHEN_NANSHAN})
    reprice(mate.shop_b, mate.b[1], "5969.00")  # the cache key holds the price: no stale total
    assert offers_of(client.get(url, {"region": SHENZHEN_NANSHAN}).json()) == [
        ("Beta 商店", "5969.00", "30.00", "5999.00"), ("Alpha 商店", "5999.00", "10.00", "6009.00")]


def test_groups_for_offers_maps_offers_to_their_group(mate):
    from shared_apps.comparison import selectors
    from shared_apps.offers.models import OfferText

    ids = list(OfferText.objects.values_list("pk", flat=True))
    assert selectors.groups_for_offers(ids) == dict.fromkeys(ids, mate.group_id)
    assert selectors.groups_for_offers([]) == {}


def test_outside_reference_prices_are_marked_not_sold_here(mate):
    from django.utils import timezone

    from shared_apps.collection.models import ExternalOffer, Source

    source = Source.objects.create(name="京东")
    ExternalOffer.objects.create(source=source, external_id="100012345", title="HUAWEI Mate 60 Pro 512GB",
                                 price=Decimal("5799.00"), seller="华为京东自营旗舰店", sales_count=20000,
                                 url="https://item.jd.com/100012345.html", collected_at=timezone.now(),
                                 group_id=mate.group_id)
    ExternalOffer.objects.create(source=source, external_id="x", title="来路不明", price=Decimal("6999.00"),
                                 url="javascript:alert(1)", collected_at=timezone.now(), group_id=mate.group_id)
    body = client_for(MALL).get(f"{API}products/{mate.group_id}/").json()
    assert [(r["source"], r["price"], r["seller"], r["sold_here"], r["url"]) for r in body["references"]] == [
        ("京东", "5799.00", "华为京东自营旗舰店", False, "https://item.jd.com/100012345.html"),
        ("京东", "6999.00", "", False, "")]  # only http(s) links are passed on
    assert body["lowest_price"] == "5989.00"  # a reference price is never the mall's lowest
    html = client_for(MALL).get(f"/products/{mate.group_id}/").content.decode()
    assert "Reference price, not sold here" in html and "¥5,799.00" in html and 'rel="nofollow noopener' in html
    assert "javascript:" not in html
