import pytest

from tests.conftest import MALL, client_for


@pytest.mark.django_db
def test_healthz_answers_on_any_host():
    response = client_for("10.0.0.1").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_redis():
    response = client_for(MALL).get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_mall_home_lists_active_shops(shop_a, mall_client):
    response = mall_client.get("/")
    assert response.status_code == 200
    assert "Alpha 商店" in response.content.decode()


@pytest.mark.django_db
def test_unknown_subdomain_gets_friendly_404():
    response = client_for(f"nosuchshop.{MALL}").get("/")
    assert response.status_code == 404
    assert "nosuchshop" in response.content.decode()


@pytest.mark.django_db
def test_host_outside_the_mall_is_refused():
    response = client_for("evil.example.com").get("/")
    assert response.status_code == 400


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_on_request():
    from django.test import Client

    client = Client(HTTP_HOST=MALL)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    assert client.get("/")["Content-Language"] == "en"
