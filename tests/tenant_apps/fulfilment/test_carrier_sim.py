"""The simulated carrier without a server: signing, parsing pushes, and the push task's steps,
retries and stop (Celery runs eagerly in tests, so countdowns do not wait)."""

import json
import time

import pytest

from tenant_apps.fulfilment import tasks
from tenant_apps.fulfilment.carriers import registry, sim
from tenant_apps.fulfilment.carriers.base import BadSignature, WebhookRefused

KEY = "test-secret"


def test_signatures_cover_timestamp_and_body():
    now = 1_800_000_000
    header = sim.signature(key=KEY, timestamp=now, body=b"{}")
    assert header.startswith("v1=") and len(header) == 3 + 64
    assert sim.signature_valid(
        key=KEY, timestamp=str(now), body=b"{}", header=header, now=now + 299
    )
    assert sim.signature_valid(
        key=KEY, timestamp=str(now), body=b"{}", header=f"v1=00, {header}", now=now
    )
    assert not sim.signature_valid(key=KEY, timestamp=str(now), body=b"{} ", header=header, now=now)
    assert not sim.signature_valid(
        key="other", timestamp=str(now), body=b"{}", header=header, now=now
    )
    assert not sim.signature_valid(
        key=KEY, timestamp=str(now + 1), body=b"{}", header=header, now=now
    )
    assert not sim.signature_valid(
        key=KEY, timestamp=str(now), body=b"{}", header=header, now=now + 301
    )
    assert not sim.signature_valid(key=KEY, timestamp="soon", body=b"{}", header=header, now=now)


def signed(body: bytes, **kwargs) -> dict:
    return sim.signed_headers(body, **kwargs)


def test_a_signed_push_parses_to_one_event(settings):
    settings.CARRIER_SIM_SECRET = KEY
    body = sim.event_body(tracking_number="sim000000000042", step=3)
    (event,) = registry.get("sim").parse_webhook(body=body, headers=signed(body, key=KEY))
    assert (event.event_id, event.tracking_number, event.code, event.description) == (
        "sim000000000042-4",
        "SIM000000000042",
        "delivered",
        "快件已签收，签收人：本人",
    )
    assert event.occurred_at.tzinfo is not None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"event_id": 1}',
        json.dumps(
            {
                "event_id": "e",
                "tracking_number": "T1",
                "code": "lost",
                "occurred_at": "2026-01-01T00:00:00+08:00",
            }
        ).encode(),
        json.dumps(
            {
                "event_id": "e",
                "tracking_number": "T1",
                "code": "delivered",
                "occurred_at": "2026-13-45T00:00:00+08:00",
            }
        ).encode(),
        json.dumps(
            {
                "event_id": "e",
                "tracking_number": "T1",
                "code": "delivered",
                "occurred_at": "2026-01-01T00:00:00",
            }
        ).encode(),
        json.dumps(
            {
                "event_id": "",
                "tracking_number": "T1",
                "code": "delivered",
                "occurred_at": "2026-01-01T00:00:00Z",
            }
        ).encode(),
        b"{" + b" " * sim.MAX_BODY + b"}",
        json.dumps(
            {
                "event_id": "e\u0000",
                "tracking_number": "T1",
                "code": "delivered",
                "occurred_at": "2026-01-01T00:00:00Z",
            }
        ).encode(),
    ],
)
def test_unreadable_pushes_are_refused_as_bad_payloads(settings, body):
    settings.CARRIER_SIM_SECRET = KEY
    with pytest.raises(WebhookRefused) as refused:
        registry.get("sim").parse_webhook(body=body, headers=signed(body, key=KEY))
    assert refused.value.status_code == 400 and not isinstance(refused.value, BadSignature)


def test_a_push_signed_with_another_key_or_too_late_is_refused(settings):
    settings.CARRIER_SIM_SECRET = KEY
    body = sim.event_body(tracking_number="SIM1", step=0)
    for headers in (signed(body, key="guess"), signed(body, key=KEY, now=time.time() - 600), {}):
        with pytest.raises(BadSignature) as refused:
            registry.get("sim").parse_webhook(body=body, headers=headers)
        assert refused.value.status_code == 401


def test_the_simulated_carrier_can_be_switched_off(settings):
    settings.CARRIER_SIM_ENABLED = False
    assert registry.get("sim") is None and "sim" not in [code for code, _name in registry.choices()]


# --- the push task -----------------------------------------------------------------------------


@pytest.fixture
def posts(monkeypatch):
    """What the carrier posted; answers come from `posts.answers` (default 200)."""

    class Posts(list):
        answers: list = []

    sent = Posts()

    def fake_post(url, body, headers, timeout=10.0):
        sent.append((url, json.loads(body), headers))
        answer = sent.answers.pop(0) if sent.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(sim, "post", fake_post)
    return sent


def test_the_carrier_walks_a_parcel_through_four_signed_events(posts, settings):
    settings.CARRIER_SIM_SECRET = KEY
    tasks.sim_carrier_push.delay(
        callback_url="http://alpha.mall.localhost/x/", tracking_number="SIM7", step=0
    )
    assert [(url, body["event_id"], body["code"]) for url, body, _h in posts] == [
        ("http://alpha.mall.localhost/x/", "SIM7-1", "picked_up"),
        ("http://alpha.mall.localhost/x/", "SIM7-2", "in_transit"),
        ("http://alpha.mall.localhost/x/", "SIM7-3", "out_for_delivery"),
        ("http://alpha.mall.localhost/x/", "SIM7-4", "delivered"),
    ]
    _url, body, headers = posts[0]
    assert sim.signature_valid(
        key=KEY,
        timestamp=headers[sim.TIMESTAMP_HEADER],
        body=json.dumps(body, ensure_ascii=False).encode(),
        header=headers[sim.SIGNATURE_HEADER],
    )


def test_a_push_the_mall_did_not_take_is_retried_and_a_refusal_ends_the_feed(posts, monkeypatch):
    from backend.celery import app

    # Eager Celery re-runs a retried task at once, unless it propagates the Retry instead.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    posts.answers = [sim.Unreachable("refused"), 503, 200, 404]
    tasks.sim_carrier_push.delay(
        callback_url="http://alpha.mall.localhost/x/", tracking_number="SIM8", step=0
    )
    assert [body["event_id"] for _u, body, _h in posts] == ["SIM8-1", "SIM8-1", "SIM8-1", "SIM8-2"]


def test_backoff_grows_and_is_capped():
    assert [sim.retry_delay(n) for n in (0, 1, 2, 6, 10)] == [10, 20, 40, 600, 600]
