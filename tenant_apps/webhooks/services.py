"""Writes of the webhooks app: subscriptions (audited), deliveries and their attempts.

Everything runs in the shop's schema. Deliveries are rows first and HTTP second: an event is
written in the emitter's transaction, the send is queued after commit, and a beat sweep sends
whatever a lost task or a dead worker left due (`next_attempt_at`), so nothing is lost and
nothing is sent for a transaction that rolled back.
"""

import json
import secrets
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.audit.services import audit_record

from . import sender, signing
from .models import Delivery, DeliveryAttempt, DeliveryStatus, Subscription, WebhookEvent
from .transitions import ALLOWED

MAX_SUBSCRIPTIONS = 10
MAX_ATTEMPTS = 6
# The wait after failed attempt n (1-based) before attempt n + 1.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
# An attempt in flight holds its delivery this long (more than the 10 s timeout); a worker that
# dies mid-attempt leaves the delivery due again after it.
LEASE = timedelta(seconds=60)
IN_FLIGHT = "No result recorded: the attempt was interrupted (worker stopped)."
SECRET_PREFIX = "whsec_"
SWEEP_LIMIT = 200
SWEEP_BUDGET_SECONDS = 50
EVENT_VALUES = tuple(WebhookEvent.values)


def _invalid(field: str, message: str, code: str = "invalid") -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]})


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


def _clean_url(url) -> str:
    url = str(url or "").strip()
    try:
        sender.resolve(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE)
    except sender.UrlRefused as exc:
        raise _invalid("url", str(exc)) from None
    return url


def _clean_events(events) -> list[str]:
    if isinstance(events, str) or not isinstance(events, list | tuple | set | frozenset):
        raise _invalid("events", _("Choose at least one event."))
    chosen = {str(event) for event in events}
    unknown = sorted(chosen - set(EVENT_VALUES))
    if unknown:
        raise _invalid(
            "events",
            _("Unknown event “%(event)s”; choose from %(known)s.")
            % {"event": unknown[0], "known": ", ".join(EVENT_VALUES)},
        )
    if not chosen:
        raise _invalid("events", _("Choose at least one event."))
    return [event for event in EVENT_VALUES if event in chosen]


def _clean_description(description) -> str:
    description = str(description or "").strip()
    if len(description) > 100:
        raise _invalid("description", _("At most %(n)d characters.") % {"n": 100})
    return description


def _locked(subscription_id: int) -> Subscription:
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(_("No such webhook subscription."))
    return subscription


def _audit(
    *, shop, actor, action: str, subscription: Subscription, before=None, after=None, ip=None
):
    audit_record(
        actor=actor,
        action=action,
        target_type="webhook_subscription",
        target_id=subscription.pk,
        shop_id=shop.pk,
        before=before,
        after=after,
        ip=ip,
    )


# --- subscriptions -----------------------------------------------------------------------------


@transaction.atomic
def subscription_create(
    *, shop, actor, url: str, events, description: str = "", is_active: bool = True, ip=None
) -> Subscription:
    """Subscribe a URL to some events. The URL must be http(s) and public (see sender); at most
    MAX_SUBSCRIPTIONS per shop (the table is locked against a concurrent create, so the limit
    holds). A signing secret is generated. Audited (without the secret)."""
    url = _clean_url(url)
    events = _clean_events(events)
    description = _clean_description(description)
    with connection.cursor() as cursor:
        # Two concurrent creates would both count 9 and both insert; one waits for the other.
        cursor.execute(
            f"LOCK TABLE {connection.ops.quote_name(Subscription._meta.db_table)} "
            "IN SHARE ROW EXCLUSIVE MODE"
        )
    if Subscription.objects.count() >= MAX_SUBSCRIPTIONS:
        message = _("A shop can have at most %(n)d webhook subscriptions; delete one first.") % {
            "n": MAX_SUBSCRIPTIONS
        }
        raise ServiceError(
            message, code="too_many_subscriptions", fields={"non_field_errors": [message]}
        )
    subscription = Subscription.objects.create(
        url=url,
        events=events,
        description=description,
        is_active=bool(is_active),
        secret=new_secret(),
        created_by_user_id=getattr(actor, "pk", None),
    )
    _audit(
        shop=shop,
        actor=actor,
        action="webhooks.subscription_created",
        subscription=subscription,
        after={"url": url, "events": events, "is_active": subscription.is_active},
        ip=ip,
    )
    return subscription


@transaction.atomic
def subscription_update(*, shop, actor, subscription_id: int, data: dict, ip=None) -> Subscription:
    """Change some of url, events, description, is_active (the others stay). Same rules as
    creating. Audited with the changed fields."""
    subscription = _locked(subscription_id)
    changes = {}
    if "url" in data:
        changes["url"] = _clean_url(data["url"])
    if "events" in data:
        changes["events"] = _clean_events(data["events"])
    if "description" in data:
        changes["description"] = _clean_description(data["description"])
    if "is_active" in data:
        changes["is_active"] = bool(data["is_active"])
    before = {key: getattr(subscription, key) for key in changes}
    changed = [key for key, value in changes.items() if before[key] != value]
    if not changed:
        return subscription
    for key in changed:
        setattr(subscription, key, changes[key])
    subscription.save(update_fields=[*changed, "updated_at"])
    _audit(
        shop=shop,
        actor=actor,
        action="webhooks.subscription_changed",
        subscription=subscription,
        before={key: before[key] for key in changed},
        after={key: changes[key] for key in changed},
        ip=ip,
    )
    return subscription


@transaction.atomic
def subscription_delete(*, shop, actor, subscription_id: int, ip=None) -> None:
    """Delete a subscription and its delivery log; its pending deliveries are not sent. Audited."""
    subscription = _locked(subscription_id)
    _audit(
        shop=shop,
        actor=actor,
        action="webhooks.subscription_deleted",
        subscription=subscription,
        before={"url": subscription.url, "events": subscription.events},
        ip=ip,
    )
    subscription.delete()


@transaction.atomic
def subscription_rotate_secret(*, shop, actor, subscription_id: int, ip=None) -> Subscription:
    """Replace the signing secret at once: every attempt from now on, retries of older events
    included, is signed with the new one. Audited (the secrets themselves are not)."""
    subscription = _locked(subscription_id)
    subscription.secret = new_secret()
    subscription.secret_rotated_at = timezone.now()
    subscription.save(update_fields=["secret", "secret_rotated_at", "updated_at"])
    _audit(
        shop=shop, actor=actor, action="webhooks.secret_rotated", subscription=subscription, ip=ip
    )
    return subscription


# --- deliveries --------------------------------------------------------------------------------


def _body(*, event_id: str, event: str, created_at: datetime, payload: dict) -> str:
    return json.dumps(
        {"id": event_id, "event": event, "created_at": created_at.isoformat(), "data": payload},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def new_event_id() -> str:
    return "evt_" + uuid.uuid4().hex


def queue_after_commit(delivery_ids: list[int]) -> None:
    """Send these deliveries right after the current transaction commits (never if it rolls
    back). Robust: with the broker down the rows stay due and the beat sweep sends them."""
    if not delivery_ids:
        return
    schema = connection.schema_name

    def enqueue():
        from .tasks import deliver

        with schema_context(schema):
            deliver.apply_async(args=[list(delivery_ids)], headers={"_schema_name": schema})

    transaction.on_commit(enqueue, robust=True)


def deliveries_create(*, event: str, payload: dict) -> list[Delivery]:
    """One pending delivery per active subscription that wants `event`, due now, queued after
    commit. Call inside the emitter's transaction (see interface.webhook_emit)."""
    if event not in EVENT_VALUES:
        raise ValueError(f"Unknown webhook event {event!r}; known: {', '.join(EVENT_VALUES)}")
    now = timezone.now()
    event_id = new_event_id()
    body = _body(event_id=event_id, event=event, created_at=now, payload=payload)
    wanted = [s for s in Subscription.objects.filter(is_active=True) if s.wants(event)]
    rows = Delivery.objects.bulk_create(
        [
            Delivery(subscription=s, event=event, event_id=event_id, body=body, next_attempt_at=now)
            for s in wanted
        ]
    )
    queue_after_commit([row.pk for row in rows])
    return rows


@transaction.atomic
def subscription_ping(*, subscription_id: int) -> Delivery:
    """Send a `ping` event to this subscription alone (whatever events it chose), to test the
    receiver and its signature check. 409 when the subscription is turned off."""
    subscription = _locked(subscription_id)
    if not subscription.is_active:
        raise Conflict(
            _("This subscription is turned off; turn it on to send a ping."),
            code="subscription_inactive",
        )
    now = timezone.now()
    event_id = new_event_id()
    body = _body(
        event_id=event_id,
        event=WebhookEvent.PING,
        created_at=now,
        payload={"subscription_id": subscription.pk, "message": "ping"},
    )
    delivery = Delivery.objects.create(
        subscription=subscription,
        event=WebhookEvent.PING,
        event_id=event_id,
        body=body,
        next_attempt_at=now,
    )
    queue_after_commit([delivery.pk])
    return delivery


@transaction.atomic
def delivery_redeliver(*, delivery_id: int) -> Delivery:
    """Send a delivered or failed delivery again, as a new delivery with the same event id and
    body (a fresh set of attempts). 409 while the original is still pending or the subscription
    is turned off."""
    original = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if original is None:
        raise NotFound(_("No such webhook delivery."))
    if original.status == DeliveryStatus.PENDING:
        raise Conflict(
            _("This delivery is still being attempted; wait for it to finish."),
            code="delivery_pending",
        )
    if not original.subscription.is_active:
        raise Conflict(
            _("The subscription is turned off; turn it on to redeliver."),
            code="subscription_inactive",
        )
    delivery = Delivery.objects.create(
        subscription=original.subscription,
        event=original.event,
        event_id=original.event_id,
        body=original.body,
        next_attempt_at=timezone.now(),
        redelivery_of=original,
    )
    queue_after_commit([delivery.pk])
    return delivery


def _move(delivery: Delivery, status: str) -> None:
    if status not in ALLOWED[delivery.status]:
        raise Conflict(f"A delivery cannot go from {delivery.status} to {status}.")
    delivery.status = status


def _claim(delivery_id: int, now: datetime) -> tuple[Delivery, DeliveryAttempt] | None:
    """Take a due delivery for one attempt: count it, push `next_attempt_at` a lease ahead and
    log the attempt as interrupted until its result is written. SKIP LOCKED: a delivery that
    another worker is claiming is left to it."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.subscription.is_active:
            _move(delivery, DeliveryStatus.FAILED)
            delivery.next_attempt_at = None
            delivery.last_error = _("The subscription was turned off; not sent.")
            delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at"])
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, started_at=now, error=IN_FLIGHT
        )
    return delivery, attempt


def signed_headers(*, delivery: Delivery, secret: str, timestamp: int) -> dict[str, str]:
    return {
        "X-Mall-Event": delivery.event,
        "X-Mall-Delivery": str(delivery.uuid),
        "X-Mall-Timestamp": str(timestamp),
        "X-Mall-Signature": signing.signature(
            secret=secret, timestamp=timestamp, body=delivery.body.encode()
        ),
    }


def delivery_attempt(*, delivery_id: int) -> str:
    """Make one attempt at a due pending delivery, outside any transaction (the HTTP call must
    not hold row locks). A 2xx answer delivers it; anything else schedules the next attempt
    after BACKOFF, or fails it after MAX_ATTEMPTS. Returns "delivered", "retry", "failed", or
    "skipped" when the delivery was not due (already sent, in flight elsewhere, or not yet)."""
    now = timezone.now()
    claimed = _claim(delivery_id, now)
    if claimed is None:
        return "skipped"
    delivery, attempt = claimed
    timestamp = int(time.time())
    result = sender.post(
        delivery.subscription.url,
        body=delivery.body.encode(),
        headers=signed_headers(
            delivery=delivery, secret=delivery.subscription.secret, timestamp=timestamp
        ),
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE,
    )
    return _record(delivery_id=delivery.pk, attempt_id=attempt.pk, result=result)


def _error_of(result: sender.SendResult) -> str:
    if result.error:
        return result.error
    if result.ok:
        return ""
    return _("The receiver answered %(status)s; only 2xx counts as delivered.") % {
        "status": result.status_code
    }


@transaction.atomic
def _record(*, delivery_id: int, attempt_id: int, result: sender.SendResult) -> str:
    DeliveryAttempt.objects.filter(pk=attempt_id).update(
        duration_ms=result.duration_ms,
        status_code=result.status_code,
        response_snippet=result.snippet[: sender.SNIPPET_BYTES],
        error=_error_of(result)[:500],
    )
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return "skipped"  # its subscription was deleted meanwhile
    now = timezone.now()
    delivery.last_status_code = result.status_code
    delivery.last_error = _error_of(result)[:500]
    if result.ok:
        _move(delivery, DeliveryStatus.DELIVERED)
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        outcome = "delivered"
    elif delivery.attempts >= MAX_ATTEMPTS:
        _move(delivery, DeliveryStatus.FAILED)
        delivery.next_attempt_at = None
        outcome = "failed"
    else:
        _move(delivery, DeliveryStatus.PENDING)
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        outcome = "retry"
    delivery.save(
        update_fields=[
            "status",
            "delivered_at",
            "next_attempt_at",
            "last_status_code",
            "last_error",
        ]
    )
    return outcome


def deliveries_sweep(
    *, limit: int = SWEEP_LIMIT, budget_seconds: float = SWEEP_BUDGET_SECONDS
) -> int:
    """Attempt every due pending delivery of this shop, oldest due first: retries whose wait is
    over, deliveries whose queued task was lost, attempts interrupted by a dead worker (their
    lease ran out). Stops after `limit` deliveries or `budget_seconds`, so one shop's dead
    receiver cannot hold a worker for long; the next sweep goes on. Returns attempts made."""
    started = time.monotonic()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    made = 0
    for delivery_id in due:
        if time.monotonic() - started > budget_seconds:
            break
        if delivery_attempt(delivery_id=delivery_id) != "skipped":
            made += 1
    return made
