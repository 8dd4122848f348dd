"""Search analytics: every search on the mall (page and API) is pushed to the real Redis in well
under a millisecond and drained into PostgreSQL by the beat task in one bulk insert; result links
carry a click beacon that redirects only to the mall's own hosts; the API takes clicks too; the
operators' figures (top queries, zero-result queries, click-through by position, daily volume)
are exact over a range of days; admins and auditors read them, nobody else."""

import json
import statistics
import time
import uuid
from datetime import date, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import RequestFactory

from shared_apps.accounts.models import OperatorRole
from shared_apps.search import analytics, query, tasks
from shared_apps.search import analytics_selectors as stats
from shared_apps.search.models import SearchClick, SearchLog
from tests.conftest import MALL, OPS, client_for
from tests.factories import UserFactory

from .test_query import mall  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
API = "/api/v1/ops/search/analytics/"


@pytest.fixture(autouse=True)
def _redis_as_configured():
    """Each test starts with Redis taking lines (a test of an outage leaves it paused)."""
    analytics._paused_until = 0.0
    analytics._client.cache_clear()
    yield
    analytics._paused_until = 0.0
    analytics._client.cache_clear()


def pending() -> list[dict]:
    return [json.loads(line) for line in analytics._client(fast=False).lrange(analytics._key(analytics.PENDING), 0, -1)]


def click_links(html: str) -> list[str]:
    return [unescape(part.split('"', 1)[0]) for part in html.split('href="')[1:] if part.startswith("/search/click/")]


# --- logging -----------------------------------------------------------------------------------


def test_searches_on_the_page_and_the_api_are_logged_and_drained(mall, shopper):  # noqa: F811
    signed_in = client_for(MALL, shopper)
    answer = signed_in.get("/api/v1/search/", {"q": "  iPhone  15 ", "sort": "price_asc", "brand": "Apple"})
    assert answer.status_code == 200
    search_id = answer.json()["search_id"]
    assert uuid.UUID(search_id).hex == search_id
    assert signed_in.get("/search/", {"q": "华为", "in_stock": "1"}).status_code == 200
    assert client_for(MALL).get("/api/v1/search/", {"q": "电话"}).json()["total"] == 0
    assert client_for(MALL).get("/api/v1/search/", {"sort": "bogus"}).status_code == 400  # not a search: not logged
    assert [line["q"] for line in pending()] == ["iPhone  15", "华为", "电话"]

    assert tasks.search_log_drain() == 3
    assert pending() == []
    api, page, nothing = SearchLog.objects.order_by("at")
    assert (str(api.search_id.hex), api.query, api.normalised, api.filters, api.sort, api.source) == (
        search_id, "iPhone  15", "iphone 15", {"brand": "Apple"}, "price_asc", "api")
    assert (api.total, api.shown, api.page, api.per_page, api.zero_results, api.estimated) == (1, 1, 1, 24, False, False)
    assert (page.normalised, page.filters, page.sort, page.source, page.total, page.shown) == (
        "华为", {"in_stock": "1"}, "relevance", "page", 3, 3)
    assert (nothing.normalised, nothing.total, nothing.zero_results) == ("电话", 0, True)
    # One person, one hash (never the id itself); someone else, another hash.
    assert api.searcher == page.searcher and len(api.searcher) == 24 and str(shopper.pk) != api.searcher
    assert nothing.searcher not in ("", api.searcher)
    assert tasks.search_log_drain() == 0


def test_logging_adds_well_under_a_millisecond(mall):  # noqa: F811
    request = RequestFactory(HTTP_HOST=MALL).get("/search/", {"q": "华为 mate 60", "brand": "华为", "page": "2"})
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    results = query.search(q="华为")
    analytics.search_logged(request, results, source="page")  # the connection is made once per process
    spent = []
    for _ in range(300):
        started = time.perf_counter()
        analytics.search_logged(request, results, source="page")
        spent.append(time.perf_counter() - started)
    # About 0.1 ms here (an RPUSH to the local Redis); the bounds leave room for a busy machine.
    assert statistics.median(spent) < 0.0005, statistics.median(spent)
    assert statistics.mean(spent) < 0.001, statistics.mean(spent)
    assert len(pending()) == 301


def test_a_redis_outage_never_fails_a_search(mall, settings):  # noqa: F811
    settings.REDIS_URL = "redis://127.0.0.1:1/13"  # nothing listens there
    analytics._client.cache_clear()
    first = client_for(MALL).get("/api/v1/search/", {"q": "华为"})
    assert first.status_code == 200 and first.json()["total"] == 3 and first.json()["search_id"]
    started = time.perf_counter()
    assert client_for(MALL).get("/search/", {"q": "华为"}).status_code == 200
    assert analytics._paused_until > time.monotonic()  # no second try for a while
    assert time.perf_counter() - started < 1.0


def test_the_drain_is_idempotent_and_skips_malformed_lines():
    client = analytics._client(fast=False)
    search_id = uuid.uuid4().hex
    good = {"k": "s", "id": search_id, "at": time.time(), "q": "ＡＰＰＬＥ", "f": {}, "s": "relevance", "p": 1,
            "pp": 24, "n": 2, "t": 2, "e": False, "src": "api", "who": "abc"}
    lines = [json.dumps(good), "not json", json.dumps({**good, "id": uuid.uuid4().hex, "p": 0}),
             json.dumps({"k": "c", "id": uuid.uuid4().hex, "at": time.time(), "sid": search_id, "pos": 2,
                         "offer": 9})]
    client.rpush(analytics._key(analytics.PENDING), *lines)
    # A drain that crashed after renaming the list leaves it under DRAINING: the next one finishes it.
    client.rename(analytics._key(analytics.PENDING), analytics._key(analytics.DRAINING))
    client.rpush(analytics._key(analytics.PENDING), lines[0])  # and a line stored once already
    assert analytics.log_drain() == analytics.Drained(searches=2, clicks=1)
    assert SearchLog.objects.get().normalised == "apple"
    assert SearchClick.objects.get().position == 2
    assert not client.exists(analytics._key(analytics.DRAINING)) and pending() == []


def test_one_drain_at_a_time():
    client = analytics._client(fast=False)
    client.set(analytics._key(analytics.DRAIN_LOCK), "another worker", ex=60)
    client.rpush(analytics._key(analytics.PENDING), json.dumps({"k": "s"}))
    assert analytics.log_drain() == analytics.Drained(0, 0)
    assert len(pending()) == 1 and client.get(analytics._key(analytics.DRAIN_LOCK)) == b"another worker"


# --- clicks ------------------------------------------------------------------------------------


def test_the_page_links_results_through_the_click_beacon(mall, shopper):  # noqa: F811
    browser = client_for(MALL, shopper)
    html = browser.get("/search/", {"q": "华为", "sort": "price_asc"}).content.decode()
    links = click_links(html)
    assert len(links) == 3 and "http://ash." in html
    answer = browser.get(links[1])
    assert answer.status_code == 302 and answer["Location"].startswith("http://")
    assert answer["Location"].endswith("/products/2/")  # the second cheapest: birch's Mate60
    assert answer["Cache-Control"] == "no-store"
    tasks.search_log_drain()
    click = SearchClick.objects.get()
    log = SearchLog.objects.get()
    assert (click.search_id, click.position) == (log.search_id, 2)
    assert click.offer_id == query.search(q="华为", sort="price_asc").hits[1].offer_id


@pytest.mark.parametrize("target", [
    "https://evil.example/products/1/", "//evil.example/", "///evil.example/", "http://evil.example\\@mall.localhost/",
    "http://mall.localhost.evil.example/", "http://user:pw@mall.localhost/", "javascript:alert(1)",
    "data:text/html,hi", "products/1/", "/\\evil.example", "http://mall.localhost/\r\nSet-Cookie: x=1", "",
    "http://mall.localhost:99999/"])
def test_a_forged_redirect_target_is_refused(mall, target):  # noqa: F811
    answer = client_for(MALL).get("/search/click/", {"search_id": uuid.uuid4().hex, "position": 1, "offer_id": 1,
                                                     "to": target})
    assert answer.status_code == 400 and "Location" not in answer
    assert "Give a link to a page of this mall." in answer.content.decode()
    assert pending() == []


def test_a_click_with_bad_numbers_still_reaches_the_page_but_is_not_counted(mall):  # noqa: F811
    for params in ({"search_id": "nope", "position": 1, "offer_id": 1}, {"search_id": uuid.uuid4().hex,
                                                                          "position": 0, "offer_id": 1},
                   {"search_id": uuid.uuid4().hex, "position": 1, "offer_id": "x"}):
        answer = client_for(MALL).get("/search/click/", {**params, "to": "http://ash.mall.localhost/products/1/"})
        assert answer.status_code == 302 and answer["Location"] == "http://ash.mall.localhost/products/1/"
    assert client_for(MALL).get("/search/click/", {"to": "/search/?q=x"})["Location"] == "/search/?q=x"
    assert pending() == []


def test_the_api_takes_clicks(mall):  # noqa: F811
    client = client_for(MALL)
    search = client.get("/api/v1/search/", {"q": "华为", "per_page": 2}).json()
    click = {"search_id": search["search_id"], "position": 2, "offer_id": search["hits"][1]["offer_id"]}
    assert client.post("/api/v1/search/clicks/", click, content_type="application/json").status_code == 204
    beyond = {**click, "position": 3}  # not on the page that search showed: dropped when drained
    assert client.post("/api/v1/search/clicks/", beyond, content_type="application/json").status_code == 204
    unknown = {**click, "search_id": uuid.uuid4().hex}  # no such search: dropped
    assert client.post("/api/v1/search/clicks/", unknown, content_type="application/json").status_code == 204
    for bad, field in (({**click, "search_id": "x"}, "search_id"), ({**click, "position": 0}, "position"),
                       ({**click, "position": 10**6}, "position"), ({**click, "offer_id": "x"}, "offer_id"),
                       ({"position": 1, "offer_id": 1}, "search_id")):
        refused = client.post("/api/v1/search/clicks/", bad, content_type="application/json")
        assert refused.status_code == 400 and field in refused.json()["error"]["fields"], refused.content
    assert analytics.log_drain() == analytics.Drained(searches=1, clicks=1)
    assert list(SearchClick.objects.values_list("position", "offer_id")) == [(2, click["offer_id"])]


# --- figures -----------------------------------------------------------------------------------


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=SHANGHAI) if day else datetime(
        2026, 2, 28, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def searches(db):
    """Seven searches from 1 to 3 March (Shanghai), two outside; clicks on three of them."""
    rows = {
        "s1": (at(1, 10), "华为", 3, 3, {}, "a"), "s2": (at(1, 11), "华为", 3, 3, {}, "b"),
        "s3": (at(1, 12), "电话", 0, 0, {}, "a"), "s4": (at(2, 9), "华为", 3, 3, {}, "a"),
        "s5": (at(2, 10), "电话", 0, 0, {"brand": "x"}, ""), "s6": (at(2, 11), "", 7, 7, {}, "c"),
        "s9": (at(3, 23, 59, 59), "iphone", 1, 1, {}, "d"),
        "before": (at(0, 23, 30), "华为", 3, 3, {}, "a"), "after": (datetime(2026, 3, 4, tzinfo=SHANGHAI), "华为", 3, 3,
                                                                     {}, "a"),
    }
    logs = {name: SearchLog(search_id=uuid.uuid4(), at=when, query=q.upper() if name == "s5" else q, normalised=q,
                            filters=filters, sort="relevance", page=1, per_page=24, shown=shown, total=total,
                            zero_results=total == 0, source="page", searcher=who)
            for name, (when, q, total, shown, filters, who) in rows.items()}
    SearchLog.objects.bulk_create(logs.values())
    SearchClick.objects.bulk_create([
        SearchClick(click_id=uuid.uuid4(), search_id=logs[name].search_id, at=logs[name].at, position=position,
                    offer_id=1) for name, position in (("s1", 1), ("s1", 2), ("s4", 2), ("s9", 1), ("before", 1))])
    return logs


MARCH = {"since": "2026-03-01", "until": "2026-03-03"}


def test_the_figures_are_exact(searches):
    days = stats.period(**MARCH)
    assert [(q.query, q.searches, str(q.avg_results), q.zero_results, q.clicked, str(q.ctr))
            for q in stats.top_queries(period=days)] == [
        ("华为", 3, "3.0", 0, 2, "0.6667"), ("电话", 2, "0.0", 2, 0, "0.0000"), ("iphone", 1, "1.0", 0, 1, "1.0000")]
    assert [(z.query, z.searches, z.filtered, z.last_at, z.example) for z in stats.zero_result_queries(period=days)] == [
        ("电话", 2, 1, searches["s5"].at, "电话")]
    assert [(p.position, p.impressions, p.clicks, str(p.ctr)) for p in stats.ctr_by_position(period=days, positions=3)] == [
        (1, 5, 2, "0.4000"), (2, 4, 2, "0.5000"), (3, 4, 0, "0.0000")]
    assert [(d.day, d.searches, d.zero_results, d.clicked, d.searchers) for d in stats.daily_volume(period=days)] == [
        (date(2026, 3, 1), 3, 1, 1, 2), (date(2026, 3, 2), 3, 1, 1, 2), (date(2026, 3, 3), 1, 0, 1, 1)]
    total = stats.summary(period=days)
    assert (total.searches, total.zero_results, total.clicked, total.searchers, str(total.ctr)) == (7, 2, 3, 4, "0.4286")
    assert [q.query for q in stats.top_queries(period=days, limit=1)] == ["华为"]
    assert stats.daily_volume(period=stats.period(since="2026-03-05", until="2026-03-06"))[1].searches == 0


def test_the_figures_through_the_api(searches, operator, auditor):
    for reader in (operator, auditor):
        client = client_for(OPS, reader)
        top = client.get(API + "top-queries/", {**MARCH, "limit": 2})
        assert top.status_code == 200, top.content
        assert top.json() == {"since": "2026-03-01", "until": "2026-03-03", "results": [
            {"query": "华为", "searches": 3, "avg_results": "3.0", "zero_results": 0, "clicked": 2, "ctr": "0.6667"},
            {"query": "电话", "searches": 2, "avg_results": "0.0", "zero_results": 2, "clicked": 0, "ctr": "0.0000"}]}
        zero = client.get(API + "zero-results/", MARCH).json()["results"]
        assert [(z["query"], z["searches"], z["filtered"], z["example"]) for z in zero] == [("电话", 2, 1, "电话")]
        positions = client.get(API + "positions/", {**MARCH, "positions": 2}).json()["results"]
        assert positions == [{"position": 1, "impressions": 5, "clicks": 2, "ctr": "0.4000"},
                             {"position": 2, "impressions": 4, "clicks": 2, "ctr": "0.5000"}]
        volume = client.get(API + "volume/", MARCH).json()
        assert (volume["searches"], volume["zero_results"], volume["zero_rate"], volume["clicked"], volume["ctr"],
                volume["searchers"]) == (7, 2, "0.2857", 3, "0.4286", 4)
        assert [d["searches"] for d in volume["days"]] == [3, 3, 1]


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "2026-03-05", "until": "2026-03-01"}, "until"), ({"since": "2025-01-01", "until": "2026-03-01"}, "since"),
    ({"since": "March"}, "since"), ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit")])
def test_bad_ranges_are_named(searches, operator, params, field):
    answer = client_for(OPS, operator).get(API + "top-queries/", params)
    assert answer.status_code == 400 and field in answer.json()["error"]["fields"], answer.content
    page = client_for(OPS, operator).get("/search/queries/", params)
    assert page.status_code == 400 and field in page.content.decode()


def test_the_analytics_pages(searches, operator, auditor):
    admin_page = client_for(OPS, operator).get("/search/", MARCH)
    html = admin_page.content.decode()
    assert admin_page.status_code == 200 and "华为" in html and "43 %" in html  # 3 of 7 searches clicked
    zero = client_for(OPS, operator).get("/search/zero-results/", MARCH).content.decode()
    assert "/search/synonyms/?terms=%E7%94%B5%E8%AF%9D#new-group" in zero  # "Add synonyms" with 电话
    assert "Add synonyms" not in client_for(OPS, auditor).get("/search/zero-results/", MARCH).content.decode()
    positions = client_for(OPS, auditor).get("/search/positions/", MARCH).content.decode()
    assert "<td>1</td><td>5</td><td>2</td><td>40 %</td>" in positions
    queries = client_for(OPS, auditor).get("/search/queries/", MARCH).content.decode()
    assert "<td>华为</td><td>3</td><td>3.0</td><td>0</td><td>67 %</td>" in queries


def test_only_admins_and_auditors_see_the_figures(searches, shopper, merchant_a, shop_a):
    finance = UserFactory(email="fin@example.com", operator_role=OperatorRole.FINANCE)
    for user in (shopper, merchant_a, finance):
        for path in ("volume/", "top-queries/", "zero-results/", "positions/"):
            assert client_for(OPS, user).get(API + path).status_code == 403
        assert client_for(OPS, user).get("/search/").status_code == 403
    assert client_for(OPS).get("/search/")["Location"].startswith("/accounts/login/")


def test_the_settings_drain_every_few_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["search-log-drain"]
    assert entry["task"] == tasks.search_log_drain.name and 10 <= entry["schedule"] <= 30


def test_old_searches_and_their_clicks_are_purged(db):
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from shared_apps.search.analytics import logs_purge
    from shared_apps.search.models import SearchClick, SearchLog

    now = timezone.now()

    def logged(days_ago: int) -> SearchLog:
        search = SearchLog.objects.create(
            search_id=uuid.uuid4(), at=now - timedelta(days=days_ago), query="手机", normalised="手机", sort="relevance",
            page=1, per_page=24, shown=1, total=1, zero_results=False, source="api")
        SearchClick.objects.create(click_id=uuid.uuid4(), search=search, at=search.at, position=1, offer_id=1)
        return search

    old, kept = [logged(200), logged(181)], logged(179)
    assert logs_purge(days=180, batch=1) == 2
    assert list(SearchLog.objects.values_list("pk", flat=True)) == [kept.pk]
    assert SearchClick.objects.filter(search_id__in=[o.search_id for o in old]).count() == 0
    assert SearchClick.objects.count() == 1
    assert logs_purge(days=180) == 0
