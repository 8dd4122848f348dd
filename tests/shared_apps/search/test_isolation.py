"""Isolation in mall search: no result — API hits and facets, the search page, suggestions while
typing, did-you-mean — ever shows an offer that is not approved and listed, or any offer of a
suspended shop; a shop reactivated by the operators shows again.

Products reach each state the real way: through the shop's catalog API (or its services, in the
fixed catalog), the operators' moderation API, the outbox drain; shops are suspended and
reactivated through the operators' API and console.
"""

from __future__ import annotations

import pytest

from shared_apps.search import query
from shared_apps.taxonomy.models import Category
from tests.conftest import MALL, OPS, client_for

from .catalog import BY_KEY, SUSPENDED, SUSPENDED_SHOP, UNLISTED
from .conftest import ShopDesk

pytestmark = pytest.mark.django_db
API = "/api/v1/search/"
SUGGEST = "/api/v1/search/suggest/"
JSON = "application/json"


def api_hits(params: dict, *, related: bool = True) -> list[dict]:
    """Every offer a search through the API shows, page by page: its hits, and (`related`) the
    related items it offers when nothing matched."""
    client, hits, page = client_for(MALL), [], 1
    while True:
        answer = client.get(API, {**params, "per_page": 60, "page": page})
        assert answer.status_code == 200, (params, answer.content[:300])
        body = answer.json()
        hits += body["hits"] + (body["related"] if related else [])
        if len(body["hits"]) < 60:
            return hits
        page += 1


def suggestions(typed: str) -> list[str]:
    answer = client_for(MALL).get(SUGGEST, {"q": typed})
    assert answer.status_code == 200
    return answer.json()["suggestions"]


def page_html(params: dict) -> str:
    page = client_for(MALL).get("/search/", params)
    assert page.status_code == 200
    return page.content.decode()


# --- a suspended shop ------------------------------------------------------------------------------

QUERIES = ["", "华为", "huawei", "苹果", "iPhone 15 Pro Max", "Mate 60 Pro 雅川青", "戴森", "V12", "耐克", "Air Force 1",
           "SK-II 神仙水", "KFR-35GW", "三只松鼠 坚果大礼包", "AirPods Pro", "华强北", "官方正品", "手机", "降噪耳机",
           # nothing matches: the corrections and related items offered instead must not lead there either
           "iphnoe", "daisen", "qqqqzzzz"]


@pytest.mark.parametrize("words", QUERIES)
def test_no_result_shows_a_suspended_shops_offer(catalog, words):
    suspended = catalog.shops[SUSPENDED_SHOP].pk
    for sort in ("relevance", "price_asc", "sales", "newest"):
        leaked = [catalog.key(h) for h in api_hits({"q": words, "sort": sort}) if h["shop_id"] == suspended]
        assert not leaked, f"{words!r} sorted by {sort} shows {leaked}"
    body = client_for(MALL).get(API, {"q": words, "per_page": 60}).json()
    if len(body["categories"]) < 20 and len(body["brands"]) < 20:  # every value shown: counts add up
        assert sum(f["count"] for f in body["categories"]) == body["total"]
        assert sum(f["count"] for f in body["brands"]) == len([h for h in api_hits({"q": words}, related=False)
                                                               if h["brand"]])
    html = page_html({"q": words, "sort": "sales"})
    shown = [o.key for o in SUSPENDED if o.title in html]
    assert not shown and f"//{SUSPENDED_SHOP}." not in html, shown


def test_filtering_by_a_suspended_shop_shows_nothing(catalog):
    suspended = catalog.shops[SUSPENDED_SHOP].pk
    body = client_for(MALL).get(API, {"shop": suspended}).json()
    assert (body["total"], body["hits"], body["brands"], body["categories"]) == (0, [], [], [])
    for code in ("digital", "rel-phones", "rel-cleaning"):
        hits = api_hits({"shop": suspended, "category": catalog.categories[code].pk})
        assert hits == []
    assert query.search(shop_id=suspended, q="华为").hits == []


def test_suggestions_and_corrections_never_offer_a_suspended_shops_words(catalog):
    """华强北 is in no other shop's title: typing towards it must not lead to the suspended shop."""
    for typed in ("华强", "华强北", "hqb", "huaqiang"):
        offered = [s for s in suggestions(typed) if "华强北" in s]
        assert not offered, f"{typed!r} suggests {offered}"
    results = query.search(q="huaqiangbei")
    assert results.hits == [] and not [s for s in results.did_you_mean if "华强北" in s], results.did_you_mean


def test_a_reactivated_shop_shows_again_and_a_suspended_one_goes(catalog, django_capture_on_commit_callbacks):
    shop = catalog.shops[SUSPENDED_SHOP]
    ops = client_for(OPS, catalog.operator)
    assert api_hits({"q": "华强北"}, related=False) == []  # suspended: not shown (and any cached answer says so)
    with django_capture_on_commit_callbacks(execute=True):
        answer = ops.post(f"/api/v1/ops/shops/{shop.pk}/reactivate/", {"reason": "已整改完毕"}, content_type=JSON)
    assert answer.status_code == 200 and answer.json()["status"] == "active", answer.content
    assert {catalog.key(h) for h in api_hits({"shop": shop.pk})} == {o.key for o in SUSPENDED}
    assert [catalog.key(h) for h in api_hits({"q": "华强北"})] == ["airpods@chaowan"]
    assert "华强北 AirPods Pro 三代 顶配版 降噪耳机" in page_html({"q": "华强北"})
    cheapest = min(SUSPENDED, key=lambda o: o.price)
    assert catalog.key(query.search(sort="price_asc", per_page=1).hits[0]) == cheapest.key
    with django_capture_on_commit_callbacks(execute=True):
        answer = ops.post(f"/api/v1/ops/shops/{shop.pk}/suspend/", {"reason": "再次违规"}, content_type=JSON)
    assert answer.status_code == 200 and answer.json()["status"] == "suspended", answer.content
    assert api_hits({"shop": shop.pk}) == [] and api_hits({"q": "华强北"}, related=False) == []
    assert not [h for h in api_hits({"q": "华强北"}) if h["shop_id"] == shop.pk]  # nor among related items
    assert BY_KEY[catalog.key(query.search(sort="price_asc", per_page=1).hits[0])].shop != SUSPENDED_SHOP


# --- products that are not approved and listed -------------------------------------------------------


@pytest.mark.parametrize("item", UNLISTED, ids=[u.key for u in UNLISTED])
def test_a_product_not_approved_and_listed_never_shows(catalog, item):
    shop_id = catalog.shops[item.shop].pk
    _shop, product_id = catalog.unlisted_products[item.key]
    searches = [{"q": item.title}, {"q": item.unique_word}, {"q": item.model},
                {"q": item.brand, "category": catalog.categories[item.category].pk},
                {"shop": shop_id, "sort": "newest"}, {"shop": shop_id, "sort": "price_asc"}]
    for params in searches:
        leaked = [h for h in api_hits(params)
                  if (h["shop_id"], h["product_id"]) == (shop_id, product_id) or h["title"] == item.title]
        assert not leaked, (params, leaked)
    assert client_for(MALL).get(API, {"q": item.unique_word}).json()["total"] == 0
    link = f"{item.shop}.{MALL}/products/{product_id}/"  # a result card links to the product
    assert f"{item.shop}.{MALL}/products/" in page_html({"shop": shop_id})  # as the shop's listed ones do
    for params in ({"q": item.title}, {"q": item.unique_word}, {"shop": shop_id, "sort": "price_asc"}):
        assert link not in page_html(params), params
    for end in range(1, len(item.unique_word) + 1):
        assert not [s for s in suggestions(item.unique_word[:end]) if item.unique_word in s]


def test_states_through_the_merchant_and_operator_apis(shop_a, shop_b, merchant_a, merchant_b, operator, settings,
                                                      tmp_path, django_capture_on_commit_callbacks):
    """Draft, pending, rejected and approved products, a delisted one and a listed one's pending
    revision stay out of search; listing, approving the revision, suspending and reactivating the
    shop (the operators' console) show at once."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def commit():
        return django_capture_on_commit_callbacks(execute=True)

    flasks = Category.objects.create(code="iso-flasks", name="保温杯", name_en="Vacuum flasks",
                                     parent=Category.objects.get(code="home"), level=2)
    alpha = ShopDesk(shop_a, merchant_a, operator, commit)
    beta = ShopDesk(shop_b, merchant_b, operator, commit)

    def make(desk, title, price="199.00"):
        return desk.create(title=title, price=price, category_id=flasks.pk, brand="虎牌", model="MMJ-A48C")

    make(alpha, "虎牌 TIGER 保温杯 MMJ-A48C 草稿 曜石黑")
    pending, _ = make(alpha, "虎牌 TIGER 保温杯 MMJ-A48C 待审 珍珠白")
    alpha.submit(pending)
    rejected, _ = make(alpha, "虎牌 TIGER 保温杯 MMJ-A48C 驳回 雾霾蓝")
    alpha.submit(rejected)
    alpha.reject(rejected, "图片与商品不符")
    approved, _ = make(alpha, "虎牌 TIGER 保温杯 MMJ-A48C 已审未上架 樱花粉")
    alpha.submit(approved)
    alpha.approve(approved)
    delisted, _ = make(alpha, "虎牌 TIGER 保温杯 MMJ-A48C 已下架 薄荷绿")
    for step in (alpha.submit, alpha.approve, alpha.put_on_sale, alpha.delist):
        step(delisted)
    alpha.listed(title="虎牌 TIGER 保温杯 MMJ-A48C 480ml 经典黑", price="199.00", category_id=flasks.pk, brand="虎牌",
                 model="MMJ-A48C")
    revised, _ = alpha.listed(title="虎牌 TIGER 保温杯 MMJ-A36C 360ml 象牙白", price="179.00", category_id=flasks.pk,
                              brand="虎牌", model="MMJ-A36C")
    change = alpha.retitle(revised, "虎牌 TIGER 保温杯 MMJ-A36C 360ml 象牙白 抢购价 赠杯套")
    assert change["revision"] is not None  # waits for review; the live title stays
    beta.listed(title="虎牌 TIGER 保温杯 MMJ-A48C 480ml 樱花粉 礼盒", price="189.00", category_id=flasks.pk,
                brand="虎牌", model="MMJ-A48C")

    live = {"虎牌 TIGER 保温杯 MMJ-A48C 480ml 经典黑", "虎牌 TIGER 保温杯 MMJ-A36C 360ml 象牙白",
            "虎牌 TIGER 保温杯 MMJ-A48C 480ml 樱花粉 礼盒"}
    for params in ({"q": "虎牌 保温杯"}, {"q": "tiger"}, {"q": "MMJ-A48C"}, {"category": flasks.pk},
                   {"brand": "虎牌", "sort": "price_asc"}, {"shop": shop_a.pk, "sort": "newest"}):
        titles = {h["title"] for h in api_hits(params)}
        assert titles <= live and titles, (params, titles - live)
    assert {h["title"] for h in api_hits({"category": flasks.pk})} == live
    for hidden in ("草稿", "待审", "驳回", "已审未上架", "已下架", "抢购价", "赠杯套"):
        assert api_hits({"q": hidden}, related=False) == [], hidden
        assert not [s for s in suggestions(hidden) if hidden in s]

    alpha.approve(revised)  # the revision goes live
    assert [h["title"] for h in api_hits({"q": "抢购价"})] == ["虎牌 TIGER 保温杯 MMJ-A36C 360ml 象牙白 抢购价 赠杯套"]

    assert "礼盒" in page_html({"q": "虎牌 保温杯"})
    ops = client_for(OPS, operator)
    with commit():
        answer = ops.post(f"/shops/{shop_b.pk}/suspend/", {"reason": "资质过期"})
    assert answer.status_code == 302, answer.content[:300]
    assert [h for h in api_hits({"category": flasks.pk}) if h["shop_id"] == shop_b.pk] == []
    assert "礼盒" not in page_html({"q": "虎牌 保温杯"})
    with commit():
        answer = ops.post(f"/shops/{shop_b.pk}/reactivate/", {"reason": "已补交资质"})
    assert answer.status_code == 302, answer.content[:300]
    assert [h["title"] for h in api_hits({"shop": shop_b.pk})] == ["虎牌 TIGER 保温杯 MMJ-A48C 480ml 樱花粉 礼盒"]
