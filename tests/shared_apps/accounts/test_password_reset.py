"""Password reset by an e-mailed link (real SMTP) and by an SMS code."""

import re

import pytest
from rest_framework.authtoken.models import Token

from shared_apps.accounts.models import SmsCode
from tests.conftest import MALL, client_for
from tests.factories import PASSWORD

from .helpers import (
    NEW_PASSWORD,
    OTHER_PHONE,
    PHONE,
    latest_sms_code,
    post_json,
    send_code,
    wrong_code,
)

pytestmark = pytest.mark.django_db
LINK_RE = re.compile(r"http://mall\.localhost/accounts/password/reset/[\w-]+/[\w-]+/")


def signs_in(identifier: str, password: str) -> bool:
    response = post_json(client_for(MALL), "/api/v1/auth/token/", {"identifier": identifier, "password": password})
    assert response.status_code in (200, 401)
    return response.status_code == 200


@pytest.fixture
def ask_reset(django_capture_on_commit_callbacks):
    """Ask for a reset link (API or page) and run what the request left for after commit."""

    def ask(email: str, *, page: bool = False):
        with django_capture_on_commit_callbacks(execute=True):
            if page:
                return client_for(MALL).post("/accounts/password/reset/", {"email": email})
            return post_json(client_for(MALL), "/api/v1/auth/password/reset/", {"email": email})

    return ask


def follow_reset_link(link: str, new_password: str = NEW_PASSWORD):
    client = client_for(MALL)
    path = link.replace(f"http://{MALL}", "")
    response = client.get(path)
    assert response.status_code == 302  # Django moves the token out of the URL into the session
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    assert client.get(form_url).status_code == 200
    return client.post(form_url, {"new_password1": new_password, "new_password2": new_password})


def the_link(smtp) -> str:
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["Subject"] == "Reset your mall password"
    links = LINK_RE.findall(smtp.bodies()[0])
    assert len(links) == 1, smtp.bodies()[0]
    return links[0]


def test_api_reset_by_email_end_to_end(shopper, smtp, ask_reset):
    signed_in = client_for(MALL)
    post_json(signed_in, "/api/v1/auth/login/", {"identifier": "shopper@example.com", "password": PASSWORD})
    old_token = post_json(client_for(MALL), "/api/v1/auth/token/",
                          {"identifier": "shopper@example.com", "password": PASSWORD}).json()["token"]

    response = ask_reset("SHOPPER@example.com")
    assert response.status_code == 202
    assert smtp.messages[0]["To"] == "shopper@example.com"
    link = the_link(smtp)
    response = follow_reset_link(link)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/complete/"

    assert signs_in("shopper@example.com", NEW_PASSWORD)
    assert not signs_in("shopper@example.com", PASSWORD)
    shopper.refresh_from_db()
    assert shopper.password.startswith("argon2")
    # Sessions and API tokens made with the old password stop working.
    assert signed_in.get("/api/v1/me/").status_code == 403
    assert client_for(MALL).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {old_token}").status_code in (401, 403)
    # The link works once.
    response = client_for(MALL).get(link.replace(f"http://{MALL}", ""))
    assert response.status_code == 200
    assert response.context["validlink"] is False


def test_api_reset_unknown_email_answers_the_same_and_sends_nothing(shopper, smtp, ask_reset):
    response = ask_reset("ghost@example.com")
    assert response.status_code == 202
    assert response.content == b""
    assert smtp.messages == []


def test_api_reset_inactive_account_sends_nothing(shopper, smtp, ask_reset):
    shopper.is_active = False
    shopper.save()
    assert ask_reset("shopper@example.com").status_code == 202
    assert smtp.messages == []


def test_api_reset_bad_email_is_400(smtp):
    response = post_json(client_for(MALL), "/api/v1/auth/password/reset/", {"email": "not-an-email"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["email"]
    assert smtp.messages == []


def test_page_reset_by_email(shopper, smtp, ask_reset):
    client = client_for(MALL)
    assert client.get("/accounts/password/reset/").status_code == 200
    response = ask_reset("shopper@example.com", page=True)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert client.get("/accounts/password/reset/done/").status_code == 200
    response = follow_reset_link(the_link(smtp))
    assert response.status_code == 302
    assert client_for(MALL).get(response["Location"]).status_code == 200
    assert signs_in("shopper@example.com", NEW_PASSWORD)
    assert not signs_in("shopper@example.com", PASSWORD)


def test_page_reset_weak_new_password_keeps_the_old_one(shopper, smtp, ask_reset):
    ask_reset("shopper@example.com", page=True)
    response = follow_reset_link(the_link(smtp), new_password="123")
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert signs_in("shopper@example.com", PASSWORD)


def test_page_reset_unknown_email_sends_nothing(smtp, ask_reset):
    response = ask_reset("ghost@example.com", page=True)
    assert response.status_code == 302
    assert smtp.messages == []


def test_reset_mail_leaves_after_the_answer_from_a_task(shopper, smtp, django_capture_on_commit_callbacks):
    # Sending inline would make known addresses answer slower than unknown ones.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_json(client_for(MALL), "/api/v1/auth/password/reset/", {"email": "shopper@example.com"})
    assert response.status_code == 202
    assert len(callbacks) == 1
    assert smtp.messages == []
    callbacks[0]()
    assert len(smtp.messages) == 1


def test_reset_is_not_served_on_shop_hosts(shopper, shop_a, smtp):
    assert client_for(f"alpha.{MALL}").post("/api/v1/auth/password/reset/", {"email": "shopper@example.com"},
                                            content_type="application/json").status_code == 404
    assert client_for(f"alpha.{MALL}").post("/accounts/password/reset/",
                                            {"email": "shopper@example.com"}).status_code == 404
    assert smtp.messages == []


# --- by SMS ------------------------------------------------------------------------------------

@pytest.fixture
def phone_user(make_user):
    user = make_user.build(email=None)
    user.set_phone(PHONE)
    user.save()
    return user


RESET_SMS = "/api/v1/auth/password/reset/sms/"


def test_api_reset_by_sms(phone_user, mall_client, django_capture_on_commit_callbacks):
    key = post_json(client_for(MALL), "/api/v1/auth/token/",
                    {"identifier": PHONE, "password": PASSWORD}).json()["token"]
    assert send_code(mall_client, django_capture_on_commit_callbacks, purpose="reset").status_code == 202
    code = latest_sms_code(PHONE)
    response = post_json(mall_client, RESET_SMS, {"phone": "+86 138 0013 8000", "code": code,
                                                  "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert signs_in(PHONE, NEW_PASSWORD)
    assert not signs_in(PHONE, PASSWORD)
    assert not Token.objects.filter(key=key).exists()
    # Single use.
    response = post_json(mall_client, RESET_SMS, {"phone": PHONE, "code": code, "new_password": "Another-One-99"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_code"
    assert signs_in(PHONE, NEW_PASSWORD)


def test_api_reset_by_sms_wrong_codes_count_and_kill_the_code(phone_user, mall_client,
                                                              django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks, purpose="reset")
    code = latest_sms_code(PHONE)
    for attempt in range(1, 6):
        response = post_json(mall_client, RESET_SMS, {"phone": PHONE, "code": wrong_code(code),
                                                      "new_password": NEW_PASSWORD})
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {"code": ["The code is wrong."]}
        assert SmsCode.objects.get().attempts == attempt
    response = post_json(mall_client, RESET_SMS, {"phone": PHONE, "code": code, "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert signs_in(PHONE, PASSWORD)


def test_api_reset_by_sms_weak_password_names_new_password_and_keeps_the_code(
        phone_user, mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks, purpose="reset")
    code = latest_sms_code(PHONE)
    response = post_json(mall_client, RESET_SMS, {"phone": PHONE, "code": code, "new_password": "1234"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["new_password"]
    assert SmsCode.objects.get().used_at is None
    assert signs_in(PHONE, PASSWORD)
    assert post_json(mall_client, RESET_SMS, {"phone": PHONE, "code": code,
                                              "new_password": NEW_PASSWORD}).status_code == 204


def test_api_reset_by_sms_for_an_unknown_number_fails_like_a_wrong_code(mall_client,
                                                                       django_capture_on_commit_callbacks):
    assert send_code(mall_client, django_capture_on_commit_callbacks, phone=OTHER_PHONE,
                     purpose="reset").status_code == 202
    response = post_json(mall_client, RESET_SMS, {"phone": OTHER_PHONE, "code": "123456",
                                                  "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_code"


def test_register_code_cannot_reset_a_password(phone_user, mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks, purpose="register")
    code = latest_sms_code(PHONE)
    response = post_json(mall_client, RESET_SMS, {"phone": PHONE, "code": code, "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert signs_in(PHONE, PASSWORD)


def test_page_reset_by_sms(phone_user, mall_client, django_capture_on_commit_callbacks):
    assert mall_client.get("/accounts/password/reset/sms/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = mall_client.post("/accounts/sms/send/", {"phone": PHONE, "purpose": "reset",
                                                            "next": "/accounts/password/reset/sms/"})
    assert response["Location"] == "/accounts/password/reset/sms/"
    code = latest_sms_code(PHONE)
    response = mall_client.post("/accounts/password/reset/sms/", {"phone": PHONE, "code": code,
                                                                  "new_password": "12"})
    assert response.status_code == 400
    assert "new_password" in response.context["form"].errors
    response = mall_client.post("/accounts/password/reset/sms/", {"phone": PHONE, "code": code,
                                                                  "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert signs_in(PHONE, NEW_PASSWORD)


@pytest.mark.parametrize("uid", ["OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "LTE", "YWJj", "!!!", "A" * 300])
def test_made_up_reset_links_are_refused_without_error(shopper, uid):
    response = client_for(MALL).get(f"/accounts/password/reset/{uid}/set-password/")
    assert response.status_code == 200
    assert response.context["validlink"] is False
    response = client_for(MALL).get(f"/accounts/password/reset/{uid}/abc-123/")
    assert response.status_code == 200
    assert response.context["validlink"] is False
