"""Personas, hosts and real services (PostgreSQL, Redis, SMTP) for the whole suite.

Personas: `operator` (admin role), `auditor`, `shopper`, `merchant_a` / `merchant_b` who own
`shop_a` / `shop_b`. Clients are bound to a host: `mall_client`, `ops_client`, `shop_client`.
"""

import os
import socket
import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.accounts.models import OperatorRole
from tests.factories import UserFactory

MALL = settings.MALL_DOMAIN
OPS = f"ops.{MALL}"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("MALL_SKIP_BROWSER") != "1":
        return
    skip = pytest.mark.skip(reason="Chromium not found on this machine (set CHROMIUM_PATH to run)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def database_url() -> str:
    """The test database as a URL a second connection or a subprocess can use: over TCP, or over
    the embedded server's Unix socket (HOST is then its directory)."""
    db = connection.settings_dict
    host, port = db["HOST"] or (db.get("OPTIONS") or {}).get("host") or "127.0.0.1", db["PORT"]
    if host.startswith("/"):
        return f"postgres://{db['USER']}@/{db['NAME']}?host={host}" + (f"&port={port}" if port else "")
    return f"postgres://{db['USER']}@{host}:{port or 5432}/{db['NAME']}"


def clear_own_cache() -> None:
    """Delete this run's cache keys only (cache.clear() would flush other xdist workers' too)."""
    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"*:{prefix}:*", count=1000))  # schema:prefix:version:key
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache_and_schema():
    clear_own_cache()
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code called straight from a test speaks English (the msgids the tests assert); every
    request still picks its own language (LanguageMiddleware) and gives the thread's back."""
    from django.utils import translation

    with translation.override("en"):
        yield


def shop_host(shop) -> str:
    return f"{shop.subdomain}.{MALL}"


def client_for(host: str, user=None) -> Client:
    """A test client on `host`. It reads English (the language switch's cookie) so tests can
    assert the English source messages; Chinese-by-default is tested on its own."""
    client = Client(HTTP_HOST=host)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user, backend="shared_apps.accounts.backends.IdentifierBackend")
    return client


@pytest.fixture
def make_user(db):
    return UserFactory


@pytest.fixture
def operator(db):
    return UserFactory(email="operator@example.com", display_name="Operator", operator_role=OperatorRole.ADMIN)


@pytest.fixture
def auditor(db):
    return UserFactory(email="auditor@example.com", display_name="Auditor", operator_role=OperatorRole.AUDITOR)


@pytest.fixture
def shopper(db):
    return UserFactory(email="shopper@example.com", display_name="Shopper")


@pytest.fixture
def merchant_a(db):
    return UserFactory(email="owner@alpha.example", display_name="Merchant A")


@pytest.fixture
def merchant_b(db):
    return UserFactory(email="owner@beta.example", display_name="Merchant B")


def provision(owner, subdomain: str, name: str, company: str):
    from tenants.services import shop_provision

    return shop_provision(subdomain=subdomain, name=name, company_name=company, owner=owner)


@pytest.fixture
def shop_a(merchant_a):
    return provision(merchant_a, "alpha", "Alpha 商店", "阿尔法贸易有限公司")


@pytest.fixture
def shop_b(merchant_b):
    return provision(merchant_b, "beta", "Beta 商店", "贝塔贸易有限公司")


@pytest.fixture
def mall_client(db):
    return client_for(MALL)


@pytest.fixture
def racing_shop(transactional_db, merchant_a):
    """A shop whose rows real commits reach, for threads racing on their own connections; its
    schema is dropped afterwards (a transactional test's flush only empties public tables)."""
    shop = provision(merchant_a, "racing", "Racing", "Racing Co")
    yield shop
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{shop.schema_name}" CASCADE')


def run_threads(n: int, target) -> list:
    """target(i) in n threads released together, each on its own database connection; what each
    returned, or the exception it raised (so an assertion shows it). This thread gives its own
    connection back to the pool first, so that n up to the pool's size never waits for one."""
    connections.close_all()
    barrier = threading.Barrier(n)
    outcomes: list = []

    def work(i):
        barrier.wait()
        try:
            outcomes.append(target(i))
        except Exception as exc:  # noqa: BLE001 - the assertion shows what went wrong
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def in_schema():
    """`with in_schema(shop): ...` runs ORM calls in that shop's schema."""
    return lambda shop: schema_context(shop.schema_name)


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 OK"

    def bodies(self) -> list[str]:
        return [m.get_body(preferencelist=("plain",)).get_content() for m in self.messages]


@pytest.fixture(scope="session")
def _smtp_server():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def smtp(_smtp_server, settings):
    """A real SMTP server (aiosmtpd); `smtp.messages` holds what was delivered during the test."""
    inbox, port = _smtp_server
    inbox.messages.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    return inbox



