"""Registration with a phone number and an SMS code from the sandbox provider."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from backend.lib import pii
from shared_apps.accounts import services
from shared_apps.accounts.models import SandboxSms, SmsCode, SmsPurpose, User
from tests.conftest import MALL, client_for
from tests.factories import PASSWORD

from .helpers import (
    OTHER_PHONE,
    PHONE,
    age_sms_codes,
    latest_sms_code,
    post_json,
    raw_user_row,
    send_code,
    wrong_code,
)

pytestmark = pytest.mark.django_db
REGISTER = "/api/v1/auth/register/phone/"


def register(client, phone=PHONE, code=None, password=PASSWORD, **extra):
    code = code if code is not None else latest_sms_code(phone)
    return post_json(client, REGISTER, {"phone": phone, "code": code, "password": password, **extra})


def test_send_code_goes_through_the_sandbox_and_keeps_only_a_hash(mall_client, django_capture_on_commit_callbacks):
    response = send_code(mall_client, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    message = SandboxSms.objects.get()
    assert message.phone_masked == "138****8000"
    assert message.phone_hash == pii.lookup_hash(PHONE)
    code = latest_sms_code(PHONE)
    assert message.body == f"[Mall] Your verification code is {code}, valid for 5 minutes."
    stored = SmsCode.objects.get()
    assert stored.purpose == SmsPurpose.REGISTER
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.used_at is None and stored.attempts == 0
    assert stored.expires_at - stored.created_at == timedelta(seconds=300)
    assert stored.ip == "127.0.0.1"


def test_code_is_not_sent_before_the_transaction_commits(mall_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_json(mall_client, "/api/v1/auth/sms/send/", {"phone": PHONE, "purpose": "register"})
    assert len(callbacks) == 1
    assert not SandboxSms.objects.exists()


def test_register_with_code_stores_phone_encrypted(mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks)
    response = register(mall_client, display_name="阿明")
    assert response.status_code == 201
    user = User.objects.get()
    assert response.json() == {"id": user.pk, "email": None, "display_name": "阿明",
                                "masked_phone": "138****8000", "operator_role": ""}
    assert user.password.startswith("argon2")
    assert user.phone == PHONE
    assert user.phone_hash == pii.lookup_hash(PHONE)
    raw = raw_user_row(user.pk)
    assert PHONE not in raw and "0013" not in raw and "8000" not in raw.replace(user.phone_hash, "")
    assert PHONE not in user.phone_encrypted
    assert services.user_find(identifier="+86 138 0013 8000") == user
    assert SmsCode.objects.get().used_at is not None
    assert mall_client.get("/api/v1/me/").json()["masked_phone"] == "138****8000"


def test_plus86_and_spaces_are_accepted(mall_client, django_capture_on_commit_callbacks):
    assert send_code(mall_client, django_capture_on_commit_callbacks, phone="+86 138 0013 8000").status_code == 202
    code = latest_sms_code(PHONE)
    response = register(mall_client, phone="86-138-0013-8000", code=code)
    assert response.status_code == 201
    assert User.objects.get().phone == PHONE


@pytest.mark.parametrize("phone", ["12345", "23800138000", "1380013800a", "+1 202 555 0123", "138001380000",
                                   "", "1" * 21])
def test_invalid_numbers_are_400_naming_phone(mall_client, django_capture_on_commit_callbacks, phone):
    response = send_code(mall_client, django_capture_on_commit_callbacks, phone=phone)
    assert response.status_code == 400
    assert "phone" in response.json()["error"]["fields"]
    response = post_json(mall_client, REGISTER, {"phone": phone, "code": "123456", "password": PASSWORD})
    assert response.status_code == 400
    assert "phone" in response.json()["error"]["fields"]
    assert not SmsCode.objects.exists() and not SandboxSms.objects.exists() and not User.objects.exists()


def test_code_is_single_use(mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks)
    code = latest_sms_code(PHONE)
    services.sms_code_consume(phone=PHONE, purpose=SmsPurpose.REGISTER, code=code)
    response = register(mall_client, code=code)
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "bad_code",
                                        "message": "This code was already used; request a new one.",
                                        "fields": {"code": ["This code was already used; request a new one."]}}
    assert not User.objects.exists()


def test_code_expires(mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks)
    code = latest_sms_code(PHONE)
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = register(mall_client, code=code)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The code has expired; request a new one."
    assert not User.objects.exists()
    assert SmsCode.objects.get().used_at is None


def test_code_for_another_purpose_does_not_register(mall_client, django_capture_on_commit_callbacks):
    services.sms_code_send(phone=PHONE, purpose=SmsPurpose.RESET)
    response = post_json(mall_client, REGISTER, {"phone": PHONE, "code": "000000", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Request a verification code first."


def test_five_wrong_attempts_kill_the_code(mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks)
    code = latest_sms_code(PHONE)
    for attempt in range(1, 6):
        response = register(mall_client, code=wrong_code(code))
        assert response.status_code == 400
        assert response.json()["error"]["message"] == "The code is wrong."
        assert SmsCode.objects.get().attempts == attempt
    response = register(mall_client, code=code)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Too many wrong codes; request a new one."
    assert not User.objects.exists()
    # A fresh code (after the resend interval) works again.
    age_sms_codes(PHONE, seconds=61)
    send_code(mall_client, django_capture_on_commit_callbacks)
    assert register(mall_client).status_code == 201


def test_four_wrong_attempts_then_the_right_code_works(mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks)
    code = latest_sms_code(PHONE)
    for _ in range(4):
        assert register(mall_client, code=wrong_code(code)).status_code == 400
    assert register(mall_client, code=code).status_code == 201


def test_weak_password_does_not_burn_the_code(mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks)
    response = register(mall_client, password="1234")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["password"]
    stored = SmsCode.objects.get()
    assert stored.used_at is None and stored.attempts == 0
    assert register(mall_client).status_code == 201


def test_resend_within_a_minute_is_429(mall_client, django_capture_on_commit_callbacks):
    assert send_code(mall_client, django_capture_on_commit_callbacks).status_code == 202
    response = send_code(mall_client, django_capture_on_commit_callbacks, phone="+8613800138000")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert SmsCode.objects.count() == 1 and SandboxSms.objects.count() == 1
    # Another number is not held up.
    assert send_code(mall_client, django_capture_on_commit_callbacks, phone=OTHER_PHONE).status_code == 202
    age_sms_codes(PHONE, seconds=61)
    assert send_code(mall_client, django_capture_on_commit_callbacks).status_code == 202
    assert SmsCode.objects.filter(phone_hash=pii.lookup_hash(PHONE)).count() == 2


def test_more_than_five_per_hour_is_429(mall_client, django_capture_on_commit_callbacks):
    for _ in range(5):
        assert send_code(mall_client, django_capture_on_commit_callbacks).status_code == 202
        age_sms_codes(PHONE, seconds=61)
    response = send_code(mall_client, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert response.json()["error"]["message"] == "Too many codes were sent to this number; try again in an hour."
    assert SandboxSms.objects.count() == 5
    age_sms_codes(PHONE, seconds=3600)
    assert send_code(mall_client, django_capture_on_commit_callbacks).status_code == 202


def test_newest_code_replaces_older_ones(mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks)
    first = latest_sms_code(PHONE)
    age_sms_codes(PHONE, seconds=61)
    send_code(mall_client, django_capture_on_commit_callbacks)
    second = latest_sms_code(PHONE)
    if first != second:
        assert register(mall_client, code=first).status_code == 400
    assert register(mall_client, code=second).status_code == 201


def test_unique_phone_is_409(mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks)
    assert register(mall_client).status_code == 201
    other = client_for(MALL)
    age_sms_codes(PHONE, seconds=61)
    send_code(other, django_capture_on_commit_callbacks)
    response = register(other, phone="+86 13800138000", code=latest_sms_code(PHONE))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "phone_taken"
    assert list(response.json()["error"]["fields"]) == ["phone"]
    assert User.objects.count() == 1


def test_bad_purpose_is_400(mall_client, django_capture_on_commit_callbacks):
    response = send_code(mall_client, django_capture_on_commit_callbacks, purpose="login")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["purpose"]
    assert not SmsCode.objects.exists()


def test_reset_code_answers_the_same_for_unknown_numbers(mall_client, django_capture_on_commit_callbacks, make_user):
    user = make_user()
    user.set_phone(PHONE)
    user.save()
    known = [send_code(mall_client, django_capture_on_commit_callbacks, phone=PHONE, purpose="reset")
             for _ in range(2)]
    unknown = [send_code(mall_client, django_capture_on_commit_callbacks, phone=OTHER_PHONE, purpose="reset")
               for _ in range(2)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [202, 429]
    assert known[1].json() == unknown[1].json()
    # Only the registered number actually received a message.
    assert SandboxSms.objects.filter(phone_hash=pii.lookup_hash(PHONE)).count() == 1
    assert not SandboxSms.objects.filter(phone_hash=pii.lookup_hash(OTHER_PHONE)).exists()


# --- pages -------------------------------------------------------------------------------------

def test_sandbox_page_shows_the_code_masked(mall_client, django_capture_on_commit_callbacks):
    send_code(mall_client, django_capture_on_commit_callbacks)
    page = mall_client.get("/dev/sms/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "138****8000" in html
    assert PHONE not in html
    assert latest_sms_code(PHONE) in re.findall(r"\d{6}", html)


def test_sandbox_page_is_absent_when_disabled(mall_client, settings):
    settings.SMS_SANDBOX_PAGE = False
    assert mall_client.get("/dev/sms/").status_code == 404


def test_sandbox_page_is_not_served_on_shop_hosts(shop_a):
    assert client_for(f"alpha.{MALL}").get("/dev/sms/").status_code == 404


def test_page_phone_registration(mall_client, django_capture_on_commit_callbacks):
    assert mall_client.get("/accounts/register/phone/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = mall_client.post("/accounts/sms/send/", {"phone": "138 0013 8000", "purpose": "register",
                                                            "next": "/accounts/register/phone/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/phone/"
    html = mall_client.get("/dev/sms/").content.decode()
    code = re.search(r"verification code is (\d{6})", html).group(1)
    response = mall_client.post("/accounts/register/phone/", {"phone": PHONE, "code": wrong_code(code),
                                                              "password": PASSWORD})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["The code is wrong."]
    response = mall_client.post("/accounts/register/phone/", {"phone": PHONE, "code": code, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    assert User.objects.get().phone == PHONE
    assert mall_client.get("/api/v1/me/").status_code == 200


def test_page_sms_send_rate_limit_and_bad_number_show_a_message(mall_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mall_client.post("/accounts/sms/send/", {"phone": PHONE, "purpose": "register"})
        response = mall_client.post("/accounts/sms/send/", {"phone": PHONE, "purpose": "register"}, follow=True)
    assert "A code was sent a moment ago" in response.content.decode()
    response = mall_client.post("/accounts/sms/send/", {"phone": "123", "purpose": "register"}, follow=True)
    assert "Enter a valid mainland China mobile number." in response.content.decode()
    response = mall_client.post("/accounts/sms/send/", {"phone": OTHER_PHONE, "purpose": "bogus"}, follow=True)
    assert response.status_code == 200
    assert SandboxSms.objects.count() == 1


def test_page_phone_registration_invalid_phone_is_400(mall_client):
    response = mall_client.post("/accounts/register/phone/", {"phone": "12", "code": "123456", "password": PASSWORD})
    assert response.status_code == 400
    assert "phone" in response.context["form"].errors
    assert not User.objects.exists()


def test_twenty_codes_per_network_per_hour(mall_client, django_capture_on_commit_callbacks):
    for n in range(20):
        services.sms_code_send(phone=f"1370000{n:04d}", purpose=SmsPurpose.REGISTER, ip="127.0.0.1")
    response = send_code(mall_client, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert response.json()["error"]["message"] == "Too many codes were requested from your network; try again later."
    assert not SmsCode.objects.filter(phone_hash=pii.lookup_hash(PHONE)).exists()
    # Another network is not held up.
    response = post_json(client_for(MALL), "/api/v1/auth/sms/send/", {"phone": PHONE, "purpose": "register"},
                         REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 202


def test_behind_a_proxy_the_network_is_the_forwarded_client(settings, mall_client, django_capture_on_commit_callbacks):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    with django_capture_on_commit_callbacks(execute=True):
        post_json(mall_client, "/api/v1/auth/sms/send/", {"phone": PHONE, "purpose": "register"},
                  HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
        post_json(mall_client, "/api/v1/auth/sms/send/", {"phone": OTHER_PHONE, "purpose": "register"},
                  HTTP_X_FORWARDED_FOR="not-an-address")
    assert sorted(SmsCode.objects.values_list("ip", flat=True)) == ["127.0.0.1", "203.0.113.9"]
