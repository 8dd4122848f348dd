"""The simulated carrier (模拟快递): both the carrier's side and the mall's adapter for it.

Registering a tracking number starts the carrier's side: a Celery task (`tasks.sim_carrier_push`)
posts the parcel's events one after another — picked up, in transit, out for delivery,
delivered — to the callback URL, `CARRIER_SIM_STEP_SECONDS` apart (default 30), each retried
with backoff while the mall does not answer 2xx (a 4xx ends the feed: the mall refused it for
good). A real carrier feed behaves the same way.

Every push is signed like the mall's own webhooks: `X-Sim-Timestamp: <unix seconds>` and
`X-Sim-Signature: v1=<hex>`, HMAC-SHA256 keyed with `CARRIER_SIM_SECRET` (one per deployment;
a development default below) over `"<timestamp>.<raw body>"`. The timestamp is signed, so a
captured push cannot be replayed later with a fresh one; pushes older than five minutes are
refused. The body is JSON:
`{"event_id", "tracking_number", "code", "description", "location", "occurred_at"}`; the event id
is the tracking number and step, the same on every retry, so a replay records nothing new.

Settings (read with defaults, nothing has to be set in development):
- CARRIER_SIM_SECRET: the shared secret (set a long random one in production);
- CARRIER_SIM_STEP_SECONDS: seconds between events (tests run Celery eagerly: no wait);
- CARRIER_SIM_ENABLED: offer the simulated carrier at all (turn off in production).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import time
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .base import BadSignature, Carrier, CarrierEvent, WaybillRequest, WebhookRefused

CODE = "sim"
DEV_SECRET = "carrier-sim-dev-secret-change-me"
TIMESTAMP_HEADER = "X-Sim-Timestamp"
SIGNATURE_HEADER = "X-Sim-Signature"
TOLERANCE_SECONDS = 300
MAX_BODY = 16 * 1024

# (code, description, location): what a courier's scanner would report, in the carrier's words.
STEPS: tuple[tuple[str, str, str], ...] = (
    ("picked_up", "快件已揽收", "深圳市南山区营业点"),
    ("in_transit", "快件已到达转运中心", "广州转运中心"),
    ("out_for_delivery", "快件正在派送中", "目的地营业点"),
    ("delivered", "快件已签收，签收人：本人", "目的地营业点"),
)
CODES = frozenset(code for code, _d, _l in STEPS) | {"exception"}


class Unreachable(Exception):
    """No HTTP answer from the mall (refused, timed out, reset): worth retrying."""


def secret() -> str:
    return getattr(settings, "CARRIER_SIM_SECRET", "") or DEV_SECRET


def step_seconds() -> float:
    return float(getattr(settings, "CARRIER_SIM_STEP_SECONDS", 30))


def retry_delay(retries: int) -> int:
    """Backoff between attempts of one push: 10 s, 20 s, 40 s … at most 10 minutes."""
    return min(10 * 2**retries, 600)


# --- signing (pure) ----------------------------------------------------------------------------


def signature(*, key: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(
        key.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"v1={digest}"


def signature_valid(
    *, key: str, timestamp: str, body: bytes, header: str, now: float | None = None
) -> bool:
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent_at) > TOLERANCE_SECONDS:
        return False
    expected = signature(key=key, timestamp=sent_at, body=body)
    return any(hmac.compare_digest(expected, part.strip()) for part in str(header or "").split(","))


def signed_headers(
    body: bytes, *, key: str | None = None, now: float | None = None
) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(key=key or secret(), timestamp=timestamp, body=body),
    }


# --- the carrier's side ------------------------------------------------------------------------


def event_body(*, tracking_number: str, step: int, occurred_at: datetime | None = None) -> bytes:
    code, description, location = STEPS[step]
    return json.dumps(
        {
            "event_id": f"{tracking_number}-{step + 1}",
            "tracking_number": tracking_number,
            "code": code,
            "description": description,
            "location": location,
            "occurred_at": (occurred_at or timezone.now()).isoformat(),
        },
        ensure_ascii=False,
    ).encode()


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = 10.0) -> int:
    """POST and return the status. Names under `.localhost` go to the loopback address
    (RFC 6761; the C resolver often does not do this), so a developer's mall is reachable."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unreachable(f"not an http(s) URL: {url[:100]}")
    host = parts.hostname
    connect_to = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    port = parts.port or (443 if parts.scheme == "https" else 80)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(connect_to, port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Host": parts.netloc, "User-Agent": "carrier-sim/1", **headers},
        )
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        raise Unreachable(f"{exc.__class__.__name__}: {exc}") from exc
    finally:
        connection.close()


def push(*, callback_url: str, tracking_number: str, step: int) -> int:
    """Post step `step` of a parcel's journey to the mall; the HTTP status it answered."""
    body = event_body(tracking_number=tracking_number, step=step)
    return post(callback_url, body, signed_headers(body))


# --- the mall's adapter ------------------------------------------------------------------------


class SimCarrier(Carrier):
    code = CODE
    name = _("Simulated carrier")
    tracks = True
    issues_waybills = True

    def enabled(self) -> bool:
        return bool(getattr(settings, "CARRIER_SIM_ENABLED", True))

    def create_waybill(self, request: WaybillRequest) -> str:
        return "SIM" + "".join(secrets.choice("0123456789") for _ in range(12))

    def register_tracking(self, *, tracking_number: str, callback_url: str) -> None:
        from ..tasks import sim_carrier_push

        sim_carrier_push.apply_async(
            kwargs={"callback_url": callback_url, "tracking_number": tracking_number, "step": 0},
            countdown=step_seconds(),
        )

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> list[CarrierEvent]:
        if not signature_valid(
            key=secret(),
            timestamp=headers.get(TIMESTAMP_HEADER, ""),
            body=body,
            header=headers.get(SIGNATURE_HEADER, ""),
        ):
            raise BadSignature("The signature or its timestamp is wrong.")
        if len(body) > MAX_BODY:
            raise WebhookRefused("The body is too large.")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise WebhookRefused("The body is not JSON.") from exc
        if not isinstance(data, dict):
            raise WebhookRefused("The body is not a JSON object.")
        fields = {}
        for key, limit in (
            ("event_id", 64),
            ("tracking_number", 40),
            ("code", 20),
            ("description", 200),
            ("location", 100),
            ("occurred_at", 40),
        ):
            value = data.get(key, "")
            if not isinstance(value, str) or len(value) > limit or not value.isprintable():
                raise WebhookRefused(f"{key}: printable text of at most {limit} characters.")
            fields[key] = value.strip()
        try:
            occurred_at = parse_datetime(fields["occurred_at"])
        except ValueError:  # well-formed but impossible, such as month 13
            occurred_at = None
        if occurred_at is None or timezone.is_naive(occurred_at):
            raise WebhookRefused("occurred_at: an ISO 8601 time with its offset.")
        if not fields["event_id"] or not fields["tracking_number"] or fields["code"] not in CODES:
            raise WebhookRefused("event_id, tracking_number and a known code are needed.")
        return [
            CarrierEvent(
                event_id=fields["event_id"],
                tracking_number=self.normalise_tracking_number(fields["tracking_number"]),
                code=fields["code"],
                description=fields["description"],
                location=fields["location"],
                occurred_at=occurred_at,
            )
        ]
