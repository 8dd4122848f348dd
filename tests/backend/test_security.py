"""CSRF with exact origins and host-only cookies, on the mall and on shop hosts."""

import re

import pytest
from django.test import Client

from tests.conftest import MALL, OPS
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ALPHA = f"alpha.{MALL}"
BETA = f"beta.{MALL}"


def csrf_client(host: str) -> tuple[Client, str]:
    """A browser-like client on `host` with a CSRF cookie and the form token from the login page."""
    client = Client(enforce_csrf_checks=True, HTTP_HOST=host)
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client, token


def login_data(email: str, token: str | None = None) -> dict:
    data = {"identifier": email, "password": PASSWORD}
    if token:
        data["csrfmiddlewaretoken"] = token
    return data


@pytest.mark.parametrize("host", [MALL, ALPHA, OPS])
def test_login_post_without_csrf_token_is_403(shopper, shop_a, host):
    client = Client(enforce_csrf_checks=True, HTTP_HOST=host)
    response = client.post("/accounts/login/", login_data("shopper@example.com"))
    assert response.status_code == 403
    assert "sessionid" not in response.cookies


def test_login_post_with_token_and_own_origin_works(shopper, shop_a):
    client, token = csrf_client(ALPHA)
    response = client.post("/accounts/login/", login_data("shopper@example.com", token),
                           HTTP_ORIGIN=f"http://{ALPHA}")
    assert response.status_code == 302


@pytest.mark.parametrize("origin", [f"http://{BETA}", f"http://{MALL}", f"http://{OPS}", "http://evil.example.com",
                                    f"https://{ALPHA}", f"http://{ALPHA}:8000", "null"])
def test_post_from_another_origin_is_403_even_with_a_valid_token(merchant_a, shop_a, shop_b, origin):
    client, token = csrf_client(ALPHA)
    response = client.post("/accounts/login/", login_data("owner@alpha.example", token), HTTP_ORIGIN=origin)
    assert response.status_code == 403
    assert "sessionid" not in response.cookies


def test_api_session_login_enforces_csrf(shopper):
    client = Client(enforce_csrf_checks=True, HTTP_HOST=MALL)
    response = client.post("/api/v1/auth/login/", {"identifier": "shopper@example.com", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "sessionid" not in response.cookies
    # With the cookie and header a page would send, it works.
    client, token = csrf_client(MALL)
    response = client.post("/api/v1/auth/login/", {"identifier": "shopper@example.com", "password": PASSWORD},
                           content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    # A cross-site form post to the API (text/plain or form-encoded) cannot sign anybody in.
    client = Client(enforce_csrf_checks=True, HTTP_HOST=MALL)
    response = client.post("/api/v1/auth/login/", {"identifier": "shopper@example.com", "password": PASSWORD},
                           HTTP_ORIGIN="http://evil.example.com")
    assert response.status_code == 403


def test_api_register_enforces_csrf():
    client = Client(enforce_csrf_checks=True, HTTP_HOST=MALL)
    response = client.post("/api/v1/auth/register/email/", {"email": "x@example.com", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 403


def test_token_endpoint_needs_no_csrf(shopper):
    # It opens no session, so there is nothing for a forged request to ride on.
    client = Client(enforce_csrf_checks=True, HTTP_HOST=MALL)
    response = client.post("/api/v1/auth/token/", {"identifier": "shopper@example.com", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_session_api_call_from_another_origin_is_403(merchant_a, shop_a):
    client, token = csrf_client(MALL)
    client.post("/accounts/login/", login_data("owner@alpha.example", token))
    response = client.post("/api/v1/auth/handoff/", {"target": f"http://{ALPHA}/"}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value, HTTP_ORIGIN=f"http://{ALPHA}")
    assert response.status_code == 403
    response = client.post("/api/v1/auth/handoff/", {"target": f"http://{ALPHA}/"}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value, HTTP_ORIGIN=f"http://{MALL}")
    assert response.status_code == 200


@pytest.mark.parametrize("host", [MALL, ALPHA, OPS])
def test_session_and_csrf_cookies_are_host_only(shopper, shop_a, host):
    client, token = csrf_client(host)
    assert client.cookies["csrftoken"]["domain"] == ""
    response = client.post("/accounts/login/", login_data("shopper@example.com", token))
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["domain"] == ""
    assert "domain=" not in cookie.output().lower()
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_settings_trust_no_other_origin(settings):
    assert settings.CSRF_TRUSTED_ORIGINS == []
    assert settings.SESSION_COOKIE_DOMAIN is None
    assert settings.CSRF_COOKIE_DOMAIN is None
