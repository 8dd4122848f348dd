"""IdentifierBackend and HostBoundSessionMiddleware on their own."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cached_db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from shared_apps.accounts.backends import IdentifierBackend, axes_username
from shared_apps.accounts.middleware import HostBoundSessionMiddleware
from shared_apps.accounts.signals import SESSION_HOST_KEY
from tests.conftest import MALL
from tests.factories import PASSWORD

from .helpers import PHONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_user(make_user):
    user = make_user(email="both@example.com")
    user.set_phone(PHONE)
    user.save()
    return user


def request_on(host: str = MALL):
    return RequestFactory().post("/accounts/login/", HTTP_HOST=host)


@pytest.mark.parametrize("identifier", ["both@example.com", " BOTH@Example.com ", PHONE, "+86 138 0013 8000",
                                        "8613800138000", "138-0013-8000"])
def test_backend_finds_the_account_by_email_or_phone(phone_user, identifier):
    backend = IdentifierBackend()
    assert backend.authenticate(request_on(), username=identifier, password=PASSWORD) == phone_user
    assert backend.authenticate(request_on(), identifier=identifier, password=PASSWORD) == phone_user


@pytest.mark.parametrize("identifier, password", [
    ("both@example.com", "wrong"), ("ghost@example.com", PASSWORD), ("13999999999", PASSWORD),
    ("nonsense", PASSWORD), ("", PASSWORD), (None, PASSWORD), ("both@example.com", None), ("both@example.com", ""),
])
def test_backend_refuses_wrong_or_missing_credentials(phone_user, identifier, password):
    assert IdentifierBackend().authenticate(request_on(), username=identifier, password=password) is None


def test_backend_hashes_even_for_unknown_accounts(monkeypatch):
    calls = []
    from django.contrib.auth import base_user

    original = base_user.make_password
    monkeypatch.setattr(base_user, "make_password", lambda *a, **k: calls.append(1) or original(*a, **k))
    assert IdentifierBackend().authenticate(request_on(), username="ghost@example.com", password="x") is None
    assert calls == [1]


def test_backend_refuses_inactive_accounts(phone_user):
    phone_user.is_active = False
    phone_user.save()
    assert IdentifierBackend().authenticate(request_on(), username=PHONE, password=PASSWORD) is None


def test_backend_get_user(phone_user):
    assert IdentifierBackend().get_user(phone_user.pk) == phone_user
    assert IdentifierBackend().get_user(999999) is None


def test_authenticate_through_axes_and_the_backend(phone_user):
    assert authenticate(request_on(), username="+86 13800138000", password=PASSWORD) == phone_user
    assert authenticate(request_on(), username="+86 13800138000", password="nope") is None


def test_axes_username_is_one_key_per_account_and_hides_phones():
    same_phone = {axes_username(None, {"username": value}) for value in
                  [PHONE, "+86 138 0013 8000", "86-138-0013-8000", " 8613800138000"]}
    assert len(same_phone) == 1
    assert PHONE not in same_phone.pop()
    same_email = {axes_username(None, {"username": value}) for value in
                  ["a@example.com", " A@Example.COM ", "a@EXAMPLE.com"]}
    assert same_email == {"a@example.com"}
    assert axes_username(None, {}) == ""
    assert len(axes_username(None, {"username": "x" * 1000})) <= 255
    assert axes_username(RequestFactory().post("/", {"identifier": " B@x.cn "}), None) == "b@x.cn"


# --- middleware --------------------------------------------------------------------------------

def run_middleware(request):
    seen = {}

    def view(req):
        seen["user"] = req.user
        seen["session"] = req.session
        return HttpResponse("ok")

    HostBoundSessionMiddleware(view)(request)
    return seen


def with_session(request, user, bound_host=None):
    session = SessionStore()
    if bound_host is not None:
        session[SESSION_HOST_KEY] = bound_host
    session.save()
    request.session = session
    request.user = user
    return request


def test_middleware_keeps_a_session_on_its_own_host(shopper):
    request = with_session(RequestFactory().get("/", HTTP_HOST=f"{MALL}:8000"), shopper, bound_host=MALL)
    seen = run_middleware(request)
    assert seen["user"] == shopper
    assert seen["session"] is request.session


def test_middleware_drops_a_session_replayed_on_another_host(shopper):
    request = with_session(RequestFactory().get("/", HTTP_HOST=f"alpha.{MALL}"), shopper, bound_host=MALL)
    original = request.session
    seen = run_middleware(request)
    assert isinstance(seen["user"], AnonymousUser)
    assert seen["session"] is not original
    assert seen["session"].session_key is None
    # The owner's session itself survives (not flushed).
    assert SessionStore(session_key=original.session_key).get(SESSION_HOST_KEY) == MALL


def test_middleware_binds_an_unbound_session_on_first_use(shopper):
    request = with_session(RequestFactory().get("/", HTTP_HOST=f"Alpha.{MALL.upper()}:8000"), shopper)
    seen = run_middleware(request)
    assert seen["user"] == shopper
    assert seen["session"][SESSION_HOST_KEY] == f"alpha.{MALL}"


def test_middleware_leaves_anonymous_requests_alone():
    request = with_session(RequestFactory().get("/", HTTP_HOST=f"alpha.{MALL}"), AnonymousUser(), bound_host=MALL)
    seen = run_middleware(request)
    assert isinstance(seen["user"], AnonymousUser)
    assert SESSION_HOST_KEY in seen["session"]


def test_login_binds_the_session_to_the_host(shopper):
    from tests.conftest import client_for

    client = client_for(f"{MALL}:8000")
    client.post("/accounts/login/", {"identifier": "shopper@example.com", "password": PASSWORD})
    assert client.session[SESSION_HOST_KEY] == MALL
