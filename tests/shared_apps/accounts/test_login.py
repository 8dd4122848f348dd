"""Sign in and out by e-mail or phone, throttling and lockout, the token endpoint and /me/."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.conftest import MALL, client_for
from tests.factories import PASSWORD

from .helpers import PHONE, post_json

pytestmark = pytest.mark.django_db
LOGIN = "/api/v1/auth/login/"
TOKEN = "/api/v1/auth/token/"
WRONG = {"error": {"code": "bad_credentials", "message": "The e-mail/phone or password is wrong.", "fields": {}}}
LOCKED = {"error": {"code": "locked_out", "message": "Too many failed sign-in attempts. Try again in 15 minutes.",
                    "fields": {}}}


@pytest.fixture
def phone_user(make_user):
    user = make_user.build(email=None, display_name="Phone person")
    user.set_phone(PHONE)
    user.save()
    return user


# --- API ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("identifier", ["shopper@example.com", "  SHOPPER@example.COM "])
def test_api_login_by_email(shopper, mall_client, identifier):
    response = post_json(mall_client, LOGIN, {"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json() == {"id": shopper.pk, "email": "shopper@example.com", "display_name": "Shopper",
                                "masked_phone": "", "operator_role": ""}
    assert mall_client.get("/api/v1/me/").json()["id"] == shopper.pk


@pytest.mark.parametrize("identifier", [PHONE, "+86 138 0013 8000", "86-138-0013-8000"])
def test_api_login_by_phone(phone_user, mall_client, identifier):
    response = post_json(mall_client, LOGIN, {"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["id"] == phone_user.pk
    assert response.json()["masked_phone"] == "138****8000"


def test_api_wrong_password_and_unknown_account_answer_alike(shopper, mall_client):
    wrong = post_json(mall_client, LOGIN, {"identifier": "shopper@example.com", "password": "nope-nope-1"})
    unknown = post_json(mall_client, LOGIN, {"identifier": "ghost@example.com", "password": "nope-nope-1"})
    unknown_phone = post_json(mall_client, LOGIN, {"identifier": "13999999999", "password": "nope-nope-1"})
    not_an_identifier = post_json(mall_client, LOGIN, {"identifier": "just-a-name", "password": "nope-nope-1"})
    for response in (wrong, unknown, unknown_phone, not_an_identifier):
        assert response.status_code == 401
        assert response.json() == WRONG
    assert mall_client.get("/api/v1/me/").status_code == 403


def test_inactive_account_cannot_sign_in(shopper, mall_client):
    shopper.is_active = False
    shopper.save()
    response = post_json(mall_client, LOGIN, {"identifier": "shopper@example.com", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json() == WRONG


def fail(client, identifier, path=LOGIN):
    return post_json(client, path, {"identifier": identifier, "password": "wrong-password-1"})


@pytest.mark.parametrize("identifier", ["shopper@example.com", "ghost@example.com"])
def test_lockout_after_five_failures_answers_the_same_whether_or_not_the_account_exists(
        shopper, mall_client, identifier):
    statuses = [fail(mall_client, identifier).status_code for _ in range(4)]
    assert statuses == [401] * 4
    fifth = fail(mall_client, identifier)
    assert fifth.status_code == 429
    assert fifth.json() == LOCKED
    # Locked: even the right password is refused, with the same body.
    right = post_json(mall_client, LOGIN, {"identifier": identifier, "password": PASSWORD})
    assert right.status_code == 429
    assert right.json() == LOCKED
    token = post_json(mall_client, TOKEN, {"identifier": identifier, "password": PASSWORD})
    assert token.status_code == 429
    assert token.json() == LOCKED
    assert mall_client.get("/api/v1/me/").status_code == 403


def test_lockout_counts_every_spelling_of_the_same_identifier(phone_user, shopper, mall_client):
    for identifier in [PHONE, "+86 138 0013 8000", "86-138-0013-8000", "+8613800138000"]:
        fail(mall_client, identifier)
    assert fail(mall_client, "138 0013 8000").status_code == 429
    for identifier in ["shopper@example.com", "SHOPPER@example.com", " shopper@EXAMPLE.com",
                       "Shopper@Example.Com", "shopper@example.COM"]:
        fail(mall_client, identifier)
    assert post_json(mall_client, LOGIN, {"identifier": "shopper@example.com",
                                          "password": PASSWORD}).status_code == 429


def test_lockout_does_not_store_phone_numbers_in_clear(phone_user, mall_client):
    fail(mall_client, "+86 138 0013 8000")
    attempt = AccessAttempt.objects.get()
    assert "8000" not in attempt.username and "0013" not in attempt.username
    assert "0013" not in attempt.post_data


def test_lockout_is_per_identifier_and_ip(shopper, make_user, mall_client):
    other = make_user(email="other@example.com")
    for _ in range(5):
        fail(mall_client, "shopper@example.com")
    assert post_json(mall_client, LOGIN, {"identifier": "other@example.com",
                                          "password": PASSWORD}).json()["id"] == other.pk
    elsewhere = client_for(MALL)
    response = post_json(elsewhere, LOGIN, {"identifier": "shopper@example.com", "password": PASSWORD},
                         REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200


def test_sign_in_works_again_after_cool_off(shopper, mall_client):
    for _ in range(5):
        fail(mall_client, "shopper@example.com")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = post_json(mall_client, LOGIN, {"identifier": "shopper@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()  # success resets the count


def test_sign_in_works_again_after_axes_reset(shopper, mall_client):
    for _ in range(5):
        fail(mall_client, "shopper@example.com")
    assert reset(ip="127.0.0.1") == 1
    assert post_json(mall_client, LOGIN, {"identifier": "shopper@example.com",
                                          "password": PASSWORD}).status_code == 200


def test_success_resets_the_failure_count(shopper, mall_client):
    for _ in range(4):
        fail(mall_client, "shopper@example.com")
    assert post_json(mall_client, LOGIN, {"identifier": "shopper@example.com",
                                          "password": PASSWORD}).status_code == 200
    for _ in range(4):
        assert fail(mall_client, "shopper@example.com").status_code == 401


def test_api_logout(shopper, mall_client):
    post_json(mall_client, LOGIN, {"identifier": "shopper@example.com", "password": PASSWORD})
    assert mall_client.get("/api/v1/me/").status_code == 200
    response = mall_client.post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert mall_client.get("/api/v1/me/").status_code == 403


def test_me_requires_sign_in(mall_client):
    response = mall_client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_token_endpoint_and_token_authentication(phone_user):
    client = client_for(MALL)
    response = post_json(client, TOKEN, {"identifier": "+86 13800138000", "password": PASSWORD})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=phone_user).key == key
    # The token endpoint does not open a session.
    assert client.get("/api/v1/me/").status_code == 403
    me = client_for(MALL).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    assert me.json() == {"id": phone_user.pk, "email": None, "display_name": "Phone person",
                         "masked_phone": "138****8000", "operator_role": ""}
    # The same token comes back on the next call.
    assert post_json(client, TOKEN, {"identifier": PHONE, "password": PASSWORD}).json()["token"] == key
    bad = client_for(MALL).get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad.status_code in (401, 403)
    assert bad.json()["error"]["code"] == "authentication_failed"


def test_token_endpoint_wrong_password_is_401(shopper):
    response = post_json(client_for(MALL), TOKEN, {"identifier": "shopper@example.com", "password": "x"})
    assert response.status_code == 401
    assert response.json() == WRONG
    assert not Token.objects.exists()


def test_token_of_inactive_user_stops_working(shopper):
    key = post_json(client_for(MALL), TOKEN, {"identifier": "shopper@example.com",
                                              "password": PASSWORD}).json()["token"]
    shopper.is_active = False
    shopper.save()
    assert client_for(MALL).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)


# --- pages -------------------------------------------------------------------------------------

def test_page_login_by_email_and_phone(shopper, phone_user):
    client = client_for(MALL)
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"identifier": "Shopper@Example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    assert client.get("/api/v1/me/").json()["id"] == shopper.pk
    client = client_for(MALL)
    response = client.post("/accounts/login/", {"identifier": "+86 138 0013 8000", "password": PASSWORD,
                                                "next": "/open-shop/"})
    assert response.status_code == 302
    assert response["Location"] == "/open-shop/"
    assert client.get("/api/v1/me/").json()["id"] == phone_user.pk


def test_page_login_ignores_next_on_another_host(shopper, mall_client):
    for target in ["http://evil.example.com/", "//evil.example.com/", f"http://alpha.{MALL}/console/",
                   "/\\evil.example.com", "javascript:alert(1)"]:
        client = client_for(MALL)
        response = client.post("/accounts/login/", {"identifier": "shopper@example.com", "password": PASSWORD,
                                                    "next": target})
        assert response["Location"] == "/accounts/", target


def test_page_wrong_password_and_unknown_account_look_the_same(shopper):
    wrong = client_for(MALL).post("/accounts/login/", {"identifier": "shopper@example.com", "password": "x"})
    unknown = client_for(MALL).post("/accounts/login/", {"identifier": "ghost@example.com", "password": "x"})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert response.context["error"] == "The e-mail/phone or password is wrong."


@pytest.mark.parametrize("identifier", ["shopper@example.com", "ghost@example.com"])
def test_page_lockout(shopper, identifier):
    client = client_for(MALL)
    for _ in range(4):
        assert client.post("/accounts/login/", {"identifier": identifier, "password": "x"}).status_code == 400
    assert client.post("/accounts/login/", {"identifier": identifier, "password": "x"}).status_code == 429
    locked = client.post("/accounts/login/", {"identifier": identifier, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in locked.content.decode()
    assert client.get("/api/v1/me/").status_code == 403


def test_page_logout_needs_post(shopper):
    client = client_for(MALL)
    client.post("/accounts/login/", {"identifier": "shopper@example.com", "password": PASSWORD})
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/api/v1/me/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/api/v1/me/").status_code == 403


def test_page_login_on_a_shop_host_goes_to_the_console(merchant_a, shop_a):
    client = client_for(f"alpha.{MALL}")
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"identifier": "owner@alpha.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_account_home_needs_sign_in(mall_client, shopper):
    response = mall_client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/"


def test_lockout_message_follows_the_cool_off_setting(shopper, mall_client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    for _ in range(5):
        response = fail(mall_client, "shopper@example.com")
    assert response.status_code == 429
    assert response.json()["error"]["message"] == "Too many failed sign-in attempts. Try again in 1 minute."
