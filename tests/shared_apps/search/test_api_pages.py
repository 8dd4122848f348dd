"""Search over HTTP: the API (documented, anyone may use it) and the mall's search page with
facets, sorts and pages; bad input is a 400 naming the field, never a 500."""

import pytest

from tests.conftest import MALL, client_for

from .test_query import mall  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_api_answers_with_hits_facets_and_corrections(mall):  # noqa: F811
    answer = client_for(MALL).get("/api/v1/search/", {"q": "华为", "sort": "price_asc"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["total"], body["estimated"]) == (3, False)
    assert [h["price"] for h in body["hits"]] == ["999.00", "6899.00", "6999.00"]
    assert {f["value"] for f in body["brands"]} == {"华为", "HUAWEI"}
    assert client_for(MALL).get("/api/v1/search/", {"q": "zzzz"}).json()["hits"] == []


@pytest.mark.parametrize(("params", "field"), [({"sort": "x"}, "sort"), ({"page": "0"}, "page"),
                                               ({"price_min": "9", "price_max": "1"}, "price_max")])
def test_bad_parameters_are_named(mall, params, field):  # noqa: F811
    answer = client_for(MALL).get("/api/v1/search/", params)
    assert answer.status_code == 400 and field in answer.json()["error"]["fields"]


def test_the_search_page(mall):  # noqa: F811
    _shops, _top, cats = mall
    page = client_for(MALL).get("/search/", {"q": "笔记本"})
    html = page.content.decode()
    assert page.status_code == 200 and "联想 ThinkPad X1 Carbon 笔记本电脑" in html and "2 results" in html
    assert f"category={cats['laptops'].pk}" in html and "http://ash." in html  # facet link, product link
    refused = client_for(MALL).get("/search/", {"q": "x", "price_min": "abc"})
    assert refused.status_code == 400 and "Enter an amount" in refused.content.decode()
    assert client_for(MALL).get("/search/", {"q": "😀"}).status_code == 200
    assert 'action="/search/"' in client_for(MALL).get("/").content.decode()


def test_suggestions_complete_by_spelling_pinyin_and_initials(mall):  # noqa: F811
    from shared_apps.search import services

    services.vocabulary_refresh()
    assert services.suggestions_refresh() > 0
    client = client_for(MALL)
    assert "iphone" in client.get("/api/v1/search/suggest/", {"q": "iph"}).json()["suggestions"]
    assert "华为" in client.get("/api/v1/search/suggest/", {"q": "huaw"}).json()["suggestions"]
    assert "华为" in client.get("/api/v1/search/suggest/", {"q": "hw"}).json()["suggestions"]
    assert client.get("/api/v1/search/suggest/", {"q": "apple mac"}).json()["suggestions"][0] == "apple macbook"
    for hostile in ("", "😀", "'; --", "x" * 5000):
        assert client.get("/api/v1/search/suggest/", {"q": hostile}).status_code == 200
