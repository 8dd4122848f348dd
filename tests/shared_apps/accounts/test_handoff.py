"""Hosts and sign-in: host-bound sessions and the one-time handoff between the mall's hosts."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from shared_apps.accounts.models import HandoffToken
from tests.conftest import MALL, OPS, client_for
from tests.factories import PASSWORD

from .helpers import post_json

pytestmark = pytest.mark.django_db
ALPHA = f"alpha.{MALL}"
BETA = f"beta.{MALL}"


def signed_in_on_mall(email: str):
    client = client_for(MALL)
    response = client.post("/accounts/login/", {"identifier": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def go(client, target: str):
    return client.post("/accounts/handoff/go/", {"target": target})


def split(url: str):
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return parts, query


def accept_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_session_made_on_the_mall_is_anonymous_on_a_shop_host(merchant_a, shop_a):
    mall = signed_in_on_mall("owner@alpha.example")
    assert mall.get("/api/v1/me/").status_code == 200
    replay = client_for(ALPHA)
    replay.cookies["sessionid"] = mall.cookies["sessionid"].value
    response = replay.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # The owner's session on the mall is untouched by the replay.
    assert mall.get("/api/v1/me/").status_code == 200


def test_handoff_page_signs_in_on_the_shop_console_once(merchant_a, shop_a):
    mall = signed_in_on_mall("owner@alpha.example")
    response = go(mall, f"http://{ALPHA}/console/settings/?tab=logo")
    assert response.status_code == 302
    parts, query = split(response["Location"])
    assert (parts.scheme, parts.netloc, parts.path) == ("http", ALPHA, "/accounts/handoff/accept/")
    assert set(query) == {"token", "next"}
    assert query["next"] == "/console/settings/?tab=logo"
    stored = HandoffToken.objects.get()
    assert stored.target_host == ALPHA and stored.user == merchant_a and stored.used_at is None
    assert query["token"] not in stored.token_hash
    assert stored.expires_at - stored.created_at == timedelta(seconds=60)

    shop = client_for(ALPHA)
    assert shop.get("/console/").status_code == 302  # not signed in yet
    accepted = shop.get(accept_path(response["Location"]))
    assert accepted.status_code == 302
    assert accepted["Location"] == "/console/settings/?tab=logo"
    assert shop.get("/console/").status_code == 200
    assert "Domain" not in str(accepted.cookies["sessionid"]) and accepted.cookies["sessionid"]["domain"] == ""

    # Second use of the same link: refused, and it does not sign a fresh browser in.
    again = client_for(ALPHA)
    response_again = again.get(accept_path(response["Location"]))
    assert response_again.status_code == 400
    assert again.get("/console/").status_code == 302


def test_handoff_token_only_works_on_the_host_it_was_issued_for(merchant_a, shop_a, shop_b):
    mall = signed_in_on_mall("owner@alpha.example")
    url = go(mall, f"http://{ALPHA}/console/")["Location"]
    on_beta = client_for(BETA)
    assert on_beta.get(accept_path(url)).status_code == 400
    assert on_beta.get("/console/").status_code == 302
    on_mall = client_for(MALL)
    assert on_mall.get(accept_path(url)).status_code == 400
    assert on_mall.get("/api/v1/me/").status_code == 403
    # A refused try elsewhere does not spend the token.
    assert client_for(ALPHA).get(accept_path(url)).status_code == 302


def test_handoff_expires_after_60_seconds(merchant_a, shop_a):
    mall = signed_in_on_mall("owner@alpha.example")
    url = go(mall, f"http://{ALPHA}/console/")["Location"]
    HandoffToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    shop = client_for(ALPHA)
    response = shop.get(accept_path(url))
    assert response.status_code == 400
    assert response.context["error"] == "This sign-in link is invalid or has expired."
    assert shop.get("/console/").status_code == 302


def test_handoff_with_a_made_up_or_missing_token_is_400(shop_a):
    for path in ["/accounts/handoff/accept/", "/accounts/handoff/accept/?token=",
                 "/accounts/handoff/accept/?token=" + "x" * 5000]:
        assert client_for(ALPHA).get(path).status_code == 400


def test_handoff_of_a_deactivated_account_is_refused(merchant_a, shop_a):
    mall = signed_in_on_mall("owner@alpha.example")
    url = go(mall, f"http://{ALPHA}/console/")["Location"]
    merchant_a.is_active = False
    merchant_a.save()
    assert client_for(ALPHA).get(accept_path(url)).status_code == 400


@pytest.mark.parametrize("target", [
    "http://evil.example.com/",
    "https://evil.example.com/console/",
    "//evil.example.com/",
    "/console/",
    "javascript:alert(1)",
    f"http://{MALL}.evil.example.com/",
    f"http://evil.example.com\\@{ALPHA}/console/",
    f"http://user:pass@{ALPHA}/console/",
    f"http://{ALPHA}:99999/console/",
    f"ftp://{ALPHA}/",
    f"http://a.b.{MALL}/",
    "",
])
def test_handoff_refuses_targets_outside_the_mall(merchant_a, shop_a, target):
    mall = signed_in_on_mall("owner@alpha.example")
    response = go(mall, target)
    assert response.status_code == 400
    assert not HandoffToken.objects.exists()
    api = post_json(mall, "/api/v1/auth/handoff/", {"target": target})
    assert api.status_code == 400
    assert "target" in api.json()["error"]["fields"] or api.json()["error"]["code"] == "bad_next"
    assert not HandoffToken.objects.exists()


def test_handoff_next_pointing_elsewhere_goes_home(merchant_a, shop_a):
    mall = signed_in_on_mall("owner@alpha.example")
    url = go(mall, f"http://{ALPHA}/console/")["Location"]
    _parts, query = split(url)
    for next_url in [f"http://{BETA}/console/", "http://evil.example.com/", "//evil.example.com/x",
                     "/\\evil.example.com", "https://alpha.mall.localhost.evil.example.com/"]:
        HandoffToken.objects.update(used_at=None)
        shop = client_for(ALPHA)
        response = shop.get("/accounts/handoff/accept/", {"token": query["token"], "next": next_url})
        assert response.status_code == 302
        assert response["Location"] == "/", next_url


def test_handoff_keeps_the_port_of_the_target(merchant_a, shop_a):
    mall = signed_in_on_mall("owner@alpha.example")
    parts, _query = split(go(mall, f"http://{ALPHA}:8000/console/")["Location"])
    assert parts.netloc == f"{ALPHA}:8000"
    assert HandoffToken.objects.get().target_host == ALPHA


def test_handoff_needs_a_signed_in_person(shop_a):
    response = client_for(MALL).post("/accounts/handoff/go/", {"target": f"http://{ALPHA}/console/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    api = post_json(client_for(MALL), "/api/v1/auth/handoff/", {"target": f"http://{ALPHA}/console/"})
    assert api.status_code == 403
    assert not HandoffToken.objects.exists()


def test_handoff_go_needs_post(merchant_a):
    mall = signed_in_on_mall("owner@alpha.example")
    assert mall.get("/accounts/handoff/go/", {"target": f"http://{ALPHA}/"}).status_code == 405


def test_handoff_api_to_the_operator_console(operator):
    mall = client_for(MALL)
    post_json(mall, "/api/v1/auth/login/", {"identifier": "operator@example.com", "password": PASSWORD})
    response = post_json(mall, "/api/v1/auth/handoff/", {"target": f"http://{OPS}/"})
    assert response.status_code == 200
    url = response.json()["url"]
    parts, query = split(url)
    assert (parts.netloc, parts.path, query["next"]) == (OPS, "/accounts/handoff/accept/", "/")
    ops = client_for(OPS)
    accepted = ops.get(accept_path(url))
    assert accepted.status_code == 302 and accepted["Location"] == "/"
    assert ops.session["_auth_user_id"] == str(operator.pk)
    assert ops.session["_host"] == OPS
    assert client_for(OPS).get(accept_path(url)).status_code == 400


def test_handoff_with_a_token_client(shopper, shop_a):
    key = post_json(client_for(MALL), "/api/v1/auth/token/",
                    {"identifier": "shopper@example.com", "password": PASSWORD}).json()["token"]
    response = client_for(MALL).post("/api/v1/auth/handoff/", {"target": f"http://{ALPHA}/"},
                                     content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    shop = client_for(ALPHA)
    assert shop.get(accept_path(response.json()["url"])).status_code == 302
    assert shop.session["_auth_user_id"] == str(shopper.pk)


def test_session_from_handoff_is_bound_to_the_shop_host(merchant_a, shop_a, shop_b):
    mall = signed_in_on_mall("owner@alpha.example")
    shop = client_for(ALPHA)
    shop.get(accept_path(go(mall, f"http://{ALPHA}/console/")["Location"]))
    assert shop.get("/console/").status_code == 200
    replay = client_for(BETA)
    replay.cookies["sessionid"] = shop.cookies["sessionid"].value
    assert replay.get("/console/").status_code == 302
    back_on_mall = client_for(MALL)
    back_on_mall.cookies["sessionid"] = shop.cookies["sessionid"].value
    assert back_on_mall.get("/api/v1/me/").status_code == 403


@pytest.mark.parametrize("who", ["shopper", "merchant_b", "operator"])
def test_handoff_signs_in_but_the_console_still_needs_a_membership(request, shop_a, shop_b, who):
    person = request.getfixturevalue(who)
    mall = signed_in_on_mall(person.email)
    shop = client_for(ALPHA)
    assert shop.get(accept_path(go(mall, f"http://{ALPHA}/console/")["Location"])).status_code == 302
    assert shop.session["_auth_user_id"] == str(person.pk)
    assert shop.get("/console/").status_code == 403


def test_handoff_to_ops_signs_in_but_the_console_needs_an_operator_role(shopper, operator):
    for person, status in [(shopper, 403), (operator, 200)]:
        mall = signed_in_on_mall(person.email)
        ops = client_for(OPS)
        assert ops.get(accept_path(go(mall, f"http://{OPS}/")["Location"])).status_code == 302
        assert ops.get("/").status_code == status
