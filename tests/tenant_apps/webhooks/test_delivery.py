"""Emitting events and delivering them to a real HTTP receiver: signed, sent only after commit,
retried with backoff from the database (not from the worker's memory), eventually failed."""

import hashlib
import hmac
import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.webhooks import sender, services, signing, tasks
from tenant_apps.webhooks.interface import webhook_emit
from tenant_apps.webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus

from .conftest import subscribe

pytestmark = pytest.mark.django_db


def deliveries(shop) -> list[Delivery]:
    with schema_context(shop.schema_name):
        return list(Delivery.objects.order_by("id"))


def attempts(shop, delivery_id) -> list[DeliveryAttempt]:
    with schema_context(shop.schema_name):
        return list(DeliveryAttempt.objects.filter(delivery_id=delivery_id).order_by("number"))


def emit(shop, capture, *, event="order.paid", payload=None, execute=True) -> int:
    """Emit in a transaction of its own that commits; the after-commit send runs if `execute`."""
    with schema_context(shop.schema_name), capture(execute=execute), transaction.atomic():
        return webhook_emit(event=event, payload=payload or {"order_no": "M2024000001"})


def make_due(shop, delivery_id) -> None:
    """Jump over the wait: the next attempt is due now."""
    with schema_context(shop.schema_name):
        Delivery.objects.filter(pk=delivery_id).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )


def sweep(shop) -> int:
    with schema_context(shop.schema_name):
        return tasks.sweep_deliveries()


def test_a_committed_event_reaches_the_receiver_signed(
    shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(
        shop_a, merchant_a, receiver.url, events=["order.paid", "order.shipped"]
    )
    before = int(time.time())
    sent = emit(
        shop_a,
        django_capture_on_commit_callbacks,
        payload={"order_no": "M2024000001", "amount": Decimal("12.50"), "note": "加急"},
    )
    assert sent == 1
    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks?src=mall"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Mall-Event"] == "order.paid"
    timestamp = headers["X-Mall-Timestamp"]
    assert before <= int(timestamp) <= int(time.time())
    # The signature, checked the way a receiver would, from the raw body and the secret.
    expected = hmac.new(
        subscription.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Mall-Signature"] == f"v1={expected}"
    assert signing.verify(
        secret=subscription.secret,
        timestamp=timestamp,
        body=body,
        header=headers["X-Mall-Signature"],
    )
    assert not signing.verify(
        secret="whsec_wrong", timestamp=timestamp, body=body, header=headers["X-Mall-Signature"]
    )
    assert not signing.verify(
        secret=subscription.secret,
        timestamp=timestamp,
        body=body + b" ",
        header=headers["X-Mall-Signature"],
    )
    payload = json.loads(body)
    assert set(payload) == {"id", "event", "created_at", "data"}
    assert payload["id"].startswith("evt_") and payload["event"] == "order.paid"
    assert payload["data"] == {"order_no": "M2024000001", "amount": "12.50", "note": "加急"}
    (delivery,) = deliveries(shop_a)
    assert headers["X-Mall-Delivery"] == str(delivery.uuid)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.next_attempt_at is None and delivery.delivered_at is not None
    assert delivery.event_id == payload["id"] and delivery.body.encode() == body
    (attempt,) = attempts(shop_a, delivery.pk)
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")
    assert attempt.response_snippet == '{"received": true}'
    assert attempt.duration_ms is not None


def test_only_active_subscriptions_that_want_the_event_get_it(
    shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscribe(shop_a, merchant_a, receiver.url, events=["order.paid"])
    subscribe(shop_a, merchant_a, receiver.url, events=["order.shipped"])
    subscribe(shop_a, merchant_a, receiver.url, events=["order.paid"], is_active=False)
    assert emit(shop_a, django_capture_on_commit_callbacks, event="order.paid") == 1
    assert emit(shop_a, django_capture_on_commit_callbacks, event="refund.succeeded") == 0
    assert [json.loads(b)["event"] for b in receiver.bodies()] == ["order.paid"]


def test_a_rolled_back_transaction_sends_nothing(
    shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscribe(shop_a, merchant_a, receiver.url)
    with (
        schema_context(shop_a.schema_name),
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert webhook_emit(event="order.paid", payload={"order_no": "X"}) == 1
        raise RuntimeError("the order change failed")
    assert queued == []
    assert deliveries(shop_a) == []
    assert sweep(shop_a) == 0
    assert receiver.requests == []


def test_emit_refuses_unknown_events_and_the_public_schema(shop_a):
    with schema_context(shop_a.schema_name), pytest.raises(ValueError, match="order.lost"):
        webhook_emit(event="order.lost", payload={})
    with pytest.raises(RuntimeError, match="shop's schema"):
        webhook_emit(event="order.paid", payload={})


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(
    shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscribe(shop_a, merchant_a, receiver.url)
    receiver.answers.extend([500] * 6)
    emit(shop_a, django_capture_on_commit_callbacks)
    (delivery,) = deliveries(shop_a)
    waits = []
    for attempt in range(1, 7):
        delivery = deliveries(shop_a)[0]
        assert delivery.attempts == attempt
        if attempt < 6:
            assert delivery.status == DeliveryStatus.PENDING
            waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds()))
            assert sweep(shop_a) == 0  # not due yet: nothing is sent early
            make_due(shop_a, delivery.pk)
            assert sweep(shop_a) == 1
    assert waits == [30, 120, 600, 3600, 21600]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
    assert delivery.last_status_code == 500
    assert delivery.last_error == "The receiver answered 500; only 2xx counts as delivered."
    log = attempts(shop_a, delivery.pk)
    assert [a.number for a in log] == [1, 2, 3, 4, 5, 6]
    assert all(a.status_code == 500 for a in log)
    assert all(len(a.response_snippet) == 1024 for a in log)  # the first 1 KB only
    assert len(receiver.requests) == 6
    make_due(shop_a, delivery.pk)
    assert sweep(shop_a) == 0  # failed is final


def test_a_retry_that_succeeds_delivers(
    shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscribe(shop_a, merchant_a, receiver.url)
    receiver.answers.extend([503, 302])
    emit(shop_a, django_capture_on_commit_callbacks)
    (delivery,) = deliveries(shop_a)
    make_due(shop_a, delivery.pk)
    sweep(shop_a)
    make_due(shop_a, delivery.pk)
    sweep(shop_a)
    delivery = deliveries(shop_a)[0]
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, "")
    assert [a.status_code for a in attempts(shop_a, delivery.pk)] == [503, 302, 200]
    # Every attempt carries the same body and event id, each freshly signed.
    assert len(set(receiver.bodies())) == 1
    assert len({r["headers"]["X-Mall-Delivery"] for r in receiver.requests}) == 1


def test_an_unreachable_receiver_is_an_error_not_a_crash(
    shop_a, merchant_a, django_capture_on_commit_callbacks
):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscribe(shop_a, merchant_a, f"http://127.0.0.1:{port}/")
    emit(shop_a, django_capture_on_commit_callbacks)
    (delivery,) = deliveries(shop_a)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "ConnectionRefusedError" in delivery.last_error
    (attempt,) = attempts(shop_a, delivery.pk)
    assert attempt.status_code is None and "ConnectionRefusedError" in attempt.error


def test_the_sweep_sends_what_a_lost_task_left(
    shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    """The worker never ran the queued task (it died, or the broker lost the message): the
    delivery row is there and due, and the beat sweep sends it."""
    subscribe(shop_a, merchant_a, receiver.url)
    emit(shop_a, django_capture_on_commit_callbacks, execute=False)
    (delivery,) = deliveries(shop_a)
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert receiver.requests == []
    assert sweep(shop_a) == 1
    assert deliveries(shop_a)[0].status == "delivered"
    assert len(receiver.requests) == 1
    assert sweep(shop_a) == 0


def test_an_attempt_interrupted_by_a_dead_worker_is_made_again(
    shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscribe(shop_a, merchant_a, receiver.url)
    emit(shop_a, django_capture_on_commit_callbacks, execute=False)
    (delivery,) = deliveries(shop_a)
    with schema_context(shop_a.schema_name):
        # A worker claims the delivery, then dies before the HTTP call returns.
        assert services._claim(delivery.pk, timezone.now()) is not None
        assert services.delivery_attempt(delivery_id=delivery.pk) == "skipped"  # leased
    assert sweep(shop_a) == 0  # the lease still runs
    make_due(shop_a, delivery.pk)  # the lease ran out
    assert sweep(shop_a) == 1
    delivery = deliveries(shop_a)[0]
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    log = attempts(shop_a, delivery.pk)
    assert [(a.number, a.status_code, a.error) for a in log] == [
        (1, None, services.IN_FLIGHT),
        (2, 200, ""),
    ]
    assert len(receiver.requests) == 1


def test_a_turned_off_subscription_gets_nothing_more(
    shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(shop_a, merchant_a, receiver.url)
    emit(shop_a, django_capture_on_commit_callbacks, execute=False)
    with schema_context(shop_a.schema_name):
        services.subscription_update(
            shop=shop_a,
            actor=merchant_a,
            subscription_id=subscription.pk,
            data={"is_active": False},
        )
    sweep(shop_a)
    delivery = deliveries(shop_a)[0]
    assert (delivery.status, delivery.attempts) == ("failed", 0)
    assert delivery.last_error == "The subscription was turned off; not sent."
    assert receiver.requests == []


def test_private_addresses_are_refused_at_delivery_time(
    shop_a, merchant_a, receiver, settings, django_capture_on_commit_callbacks
):
    """Saved while allowed (or its DNS changed since): checked again before every attempt."""
    subscribe(shop_a, merchant_a, receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    emit(shop_a, django_capture_on_commit_callbacks)
    delivery = deliveries(shop_a)[0]
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "private or local address (127.0.0.1)" in delivery.last_error
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/",
        "http://192.168.0.8/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_private_urls_are_refused_when_not_allowed(shop_a, merchant_a, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(sender.UrlRefused, match="private or local address"):
        sender.resolve(url, allow_private=False)
    from backend.api.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        subscribe(shop_a, merchant_a, url)
    assert "url" in refused.value.fields


def test_a_public_address_is_accepted(shop_a, merchant_a, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    subscription = subscribe(shop_a, merchant_a, "https://93.184.215.14:8443/mall/hooks")
    assert subscription.url == "https://93.184.215.14:8443/mall/hooks"


def test_ping_and_redeliver(shop_a, merchant_a, receiver, django_capture_on_commit_callbacks):
    subscription = subscribe(shop_a, merchant_a, receiver.url, events=["order.completed"])
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        ping = services.subscription_ping(subscription_id=subscription.pk)
    body = json.loads(receiver.requests[0]["body"])
    assert body["event"] == "ping" and receiver.requests[0]["headers"]["X-Mall-Event"] == "ping"
    assert body["data"] == {"subscription_id": subscription.pk, "message": "ping"}
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        again = services.delivery_redeliver(delivery_id=ping.pk)
    assert again.pk != ping.pk and again.redelivery_of_id == ping.pk
    assert again.event_id == ping.event_id
    assert receiver.bodies()[0] == receiver.bodies()[1]
    first_id, second_id = (r["headers"]["X-Mall-Delivery"] for r in receiver.requests)
    assert first_id != second_id
    assert [d.status for d in deliveries(shop_a)] == ["delivered", "delivered"]


def test_a_rotated_secret_signs_the_next_attempts(
    shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(shop_a, merchant_a, receiver.url)
    receiver.answers.append(500)
    emit(shop_a, django_capture_on_commit_callbacks)
    with schema_context(shop_a.schema_name):
        rotated = services.subscription_rotate_secret(
            shop=shop_a, actor=merchant_a, subscription_id=subscription.pk
        )
    assert rotated.secret != subscription.secret and rotated.secret.startswith("whsec_")
    make_due(shop_a, deliveries(shop_a)[0].pk)
    sweep(shop_a)
    last = receiver.requests[-1]
    assert signing.verify(
        secret=rotated.secret,
        timestamp=last["headers"]["X-Mall-Timestamp"],
        body=last["body"],
        header=last["headers"]["X-Mall-Signature"],
    )
    assert not signing.verify(
        secret=subscription.secret,
        timestamp=last["headers"]["X-Mall-Timestamp"],
        body=last["body"],
        header=last["headers"]["X-Mall-Signature"],
    )


def test_verify_refuses_old_timestamps():
    body = b'{"id":"evt_1"}'
    header = signing.signature(secret="s", timestamp=1000, body=body)
    assert signing.verify(secret="s", timestamp="1000", body=body, header=header, now=1200)
    assert not signing.verify(secret="s", timestamp="1000", body=body, header=header, now=1400)
    assert not signing.verify(secret="s", timestamp="soon", body=body, header=header, now=1000)
