"""No account endpoint or page answers bad input with a 500: always a 4xx with the error body."""

import pytest

from shared_apps.accounts.models import HandoffToken, SmsCode, User
from tests.conftest import MALL, client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PUBLIC_ENDPOINTS = [
    "/api/v1/auth/register/email/",
    "/api/v1/auth/register/phone/",
    "/api/v1/auth/sms/send/",
    "/api/v1/auth/login/",
    "/api/v1/auth/token/",
    "/api/v1/auth/password/reset/",
    "/api/v1/auth/password/reset/sms/",
]
SIGNED_IN_ENDPOINTS = ["/api/v1/auth/handoff/"]
HUGE = "9" * 10_000

BAD_BODIES = [
    ("garbage", "{not json", "application/json"),
    ("truncated", '{"email": "a@b.cn", ', "application/json"),
    ("list", "[1, 2, 3]", "application/json"),
    ("string", '"hello"', "application/json"),
    ("number", "42", "application/json"),
    ("null", "null", "application/json"),
    ("empty", "", "application/json"),
    ("not utf-8", b"\xff\xfe\xfa", "application/json"),
    ("xml", "<a/>", "application/xml"),
]


def fields_for(path: str) -> list[str]:
    return {
        "/api/v1/auth/register/email/": ["email", "password", "display_name"],
        "/api/v1/auth/register/phone/": ["phone", "code", "password", "display_name"],
        "/api/v1/auth/sms/send/": ["phone", "purpose"],
        "/api/v1/auth/login/": ["identifier", "password"],
        "/api/v1/auth/token/": ["identifier", "password"],
        "/api/v1/auth/password/reset/": ["email"],
        "/api/v1/auth/password/reset/sms/": ["phone", "code", "new_password"],
        "/api/v1/auth/handoff/": ["target"],
    }[path]


def assert_error_body(response, statuses=(400,)):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


@pytest.fixture
def signed_in(shopper):
    return client_for(MALL, shopper)


@pytest.mark.parametrize("path", PUBLIC_ENDPOINTS + SIGNED_IN_ENDPOINTS)
@pytest.mark.parametrize("name, body, content_type", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_unparseable_or_wrong_shape_bodies_are_4xx(signed_in, path, name, body, content_type):
    response = signed_in.post(path, body, content_type=content_type)
    assert_error_body(response, statuses=(400, 415))


@pytest.mark.parametrize("path", PUBLIC_ENDPOINTS + SIGNED_IN_ENDPOINTS)
def test_missing_fields_are_named(signed_in, path):
    error = assert_error_body(signed_in.post(path, {}, content_type="application/json"))
    required = set(fields_for(path)) - {"display_name"}
    assert set(error["fields"]) == required


@pytest.mark.parametrize("path", PUBLIC_ENDPOINTS + SIGNED_IN_ENDPOINTS)
@pytest.mark.parametrize("value", [HUGE, 12345, 1.5, True, None, ["a"], {"a": 1}, "a\x00b", "   "],
                         ids=["huge", "int", "float", "bool", "null", "list", "dict", "nul", "blank"])
def test_every_field_with_odd_values_is_4xx(signed_in, path, value):
    for field in fields_for(path):
        data = {name: "x" for name in fields_for(path)}
        data[field] = value
        response = signed_in.post(path, data, content_type="application/json")
        assert_error_body(response, statuses=(400, 401, 409))
    assert not User.objects.exclude(pk=signed_in.session["_auth_user_id"]).exists()
    assert not HandoffToken.objects.exists()


def test_wrong_methods_are_405(signed_in):
    for path in PUBLIC_ENDPOINTS + SIGNED_IN_ENDPOINTS:
        response = signed_in.get(path)
        assert response.status_code == 405, path
        assert response.json()["error"]["code"] == "method_not_allowed"


def test_huge_identifier_and_password_on_login_are_400():
    client = client_for(MALL)
    error = assert_error_body(client.post("/api/v1/auth/login/", {"identifier": HUGE, "password": HUGE},
                                          content_type="application/json"))
    assert set(error["fields"]) == {"identifier", "password"}


def test_form_encoded_api_calls_work_without_500(shopper):
    response = client_for(MALL).post("/api/v1/auth/token/", {"identifier": "shopper@example.com",
                                                             "password": PASSWORD})
    assert response.status_code == 200


PAGES = [
    "/accounts/login/", "/accounts/register/", "/accounts/register/phone/", "/accounts/sms/send/",
    "/accounts/password/reset/", "/accounts/password/reset/sms/", "/accounts/handoff/go/", "/accounts/logout/",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("data", [
    {}, {"identifier": HUGE, "password": HUGE, "email": HUGE, "phone": HUGE, "code": HUGE, "new_password": HUGE,
         "display_name": HUGE, "target": HUGE, "next": HUGE, "purpose": HUGE},
    {"identifier": "a\x00", "password": "b\x00", "email": "c\x00@x.cn", "phone": "1\x00", "code": "\x00",
     "new_password": "\x00", "target": "http://\x00/", "next": "\x00", "purpose": "\x00"},
    {"target": "http://[::1/", "next": "http://[::1/", "phone": "+86", "purpose": "reset"},
], ids=["empty", "huge", "nul", "odd"])
def test_pages_never_500(shopper, path, data):
    client = client_for(MALL, shopper) if path in ("/accounts/handoff/go/", "/accounts/logout/") else client_for(MALL)
    response = client.post(path, data)
    assert response.status_code in (200, 302, 400), response.status_code
    assert not SmsCode.objects.exists()
    assert User.objects.count() == 1


@pytest.mark.parametrize("query", ["token=%00", "token=a&next=%00", "next=http://[::1/&token=x",
                                   "token=" + "z" * 20000])
def test_handoff_accept_never_500(shop_a, query):
    response = client_for(f"alpha.{MALL}").get(f"/accounts/handoff/accept/?{query}")
    assert response.status_code == 400


def test_page_login_huge_next_on_get():
    response = client_for(MALL).get("/accounts/login/", {"next": "http://[::1/" + "a" * 5000})
    assert response.status_code == 200
