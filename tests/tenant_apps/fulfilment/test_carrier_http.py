"""The simulated carrier against a live server: a parcel shipped with it is walked to delivered
by signed pushes over HTTP to the shop's own host; bad, stale, garbled, replayed and foreign
pushes get 401, 400, 200-with-nothing-new and 404, never a 500."""

import json
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared_apps.orders.models import SubOrder
from tenant_apps.fulfilment import services
from tenant_apps.fulfilment.carriers import sim
from tenant_apps.fulfilment.models import Shipment, TrackingEvent

from .conftest import make_sub_order

KEY = "live-secret"
PATH = "/api/v1/shop/fulfilment/carrier/sim/events/"


def _drop(*shops):
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for shop in shops:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{shop.schema_name}" CASCADE')


@pytest.fixture
def live(live_server, settings, transactional_db, shop_a, shop_b):
    """The live server's port in every link, the carrier's secret set, no wait between events."""
    settings.MALL_PORT = str(urlsplit(live_server.url).port)
    settings.CARRIER_SIM_SECRET = KEY
    settings.CARRIER_SIM_STEP_SECONDS = 0
    yield (
        lambda shop, path=PATH: (
            f"http://{shop.subdomain}.{settings.MALL_DOMAIN}:{settings.MALL_PORT}{path}"
        )
    )
    _drop(shop_a, shop_b)


def push(url: str, body: bytes, headers: dict | None = None) -> int:
    return sim.post(url, body, sim.signed_headers(body, key=KEY) if headers is None else headers)


def test_a_parcel_of_the_simulated_carrier_is_delivered_by_its_pushes(live, shop_a, shopper):
    sub = make_sub_order(shop_a, shopper)
    with schema_context(shop_a.schema_name):
        # The service commits; the registration runs on commit, and eager Celery then posts the
        # four events to the live server one after another before this call returns.
        parcel = services.shipment_create(
            shop=shop_a, number=sub.number, carrier="sim", actor_user_id=None
        )
        parcel.refresh_from_db()
        events = list(TrackingEvent.objects.filter(shipment=parcel).values_list("code", "event_id"))
    assert parcel.status == "delivered"
    assert events == [
        ("delivered", f"{parcel.tracking_number}-4"),
        ("out_for_delivery", f"{parcel.tracking_number}-3"),
        ("in_transit", f"{parcel.tracking_number}-2"),
        ("picked_up", f"{parcel.tracking_number}-1"),
    ]
    assert SubOrder.objects.get(pk=sub.pk).status == "delivered"


def test_pushes_that_are_bad_stale_garbled_replayed_or_foreign(live, shop_a, shop_b, shopper):
    sub = make_sub_order(shop_a, shopper)
    with schema_context(shop_a.schema_name):
        Shipment.objects.create(
            sub_order_number=sub.number,
            carrier="sim",
            tracking_number="SIM123456789012",
            shipped_at=sub.created_at,
        )
    good = sim.event_body(tracking_number="SIM123456789012", step=0)
    url = live(shop_a)
    assert push(url, good, sim.signed_headers(good, key="guessed")) == 401
    assert (
        push(url, good, sim.signed_headers(good, key=KEY, now=0)) == 401
    )  # a captured push, replayed later
    assert push(url, good, {"Content-Type": "application/json"}) == 401
    assert push(url, b"\xff\xfe not json") == 400
    assert push(url, json.dumps({"tracking_number": "SIM123456789012"}).encode()) == 400
    assert push(live(shop_b), good) == 404  # B's host knows nothing of A's parcel
    assert push(live(shop_a, "/api/v1/shop/fulfilment/carrier/sf/events/"), good) == 404  # no feed
    assert push(live(shop_a, "/api/v1/shop/fulfilment/carrier/nope/events/"), good) == 404
    with schema_context(shop_a.schema_name):
        assert not TrackingEvent.objects.exists()
    assert push(url, good) == 200
    assert push(url, good) == 200  # replayed: recorded once
    with schema_context(shop_a.schema_name):
        assert list(TrackingEvent.objects.values_list("code", flat=True)) == ["picked_up"]
        assert Shipment.objects.get().status == "in_transit"
    assert sim.post(url, b"", {}) == 401
    with schema_context(shop_b.schema_name):
        assert not TrackingEvent.objects.exists()
