"""What other apps call to tell a shop's webhook subscribers that something happened.

    from tenant_apps.webhooks.interface import webhook_emit

    with transaction.atomic():                      # in the shop's schema
        ...change the order...
        webhook_emit(event="order.shipped", payload={"order_no": "…", "parcels": [...]})

The event is written as rows in *your* transaction: it is sent only if that transaction commits,
and once committed it is never lost (a lost task or a dead worker is made up by the beat sweep).
"""

from django.db import connection
from django_tenants.utils import get_public_schema_name

from . import services
from .models import WebhookEvent

EVENTS: tuple[str, ...] = tuple(WebhookEvent.values)


def webhook_emit(*, event: str, payload: dict) -> int:
    """Queue `event` for every active subscription of the current shop that wants it.

    Call inside the shop's schema and inside the caller's transaction. `payload` becomes the
    `data` of the JSON body `{"id", "event", "created_at", "data"}` and must be JSON-serialisable
    (Decimal, dates and UUIDs are turned into strings); keep it to plain values and ids. Each
    delivery is POSTed after commit, signed (`X-Mall-Signature`), and retried with backoff until
    a 2xx answer or six attempts. Returns the number of deliveries queued (0 when nobody
    subscribed). Raises ValueError for an unknown event, RuntimeError outside a shop schema.
    """
    if connection.schema_name == get_public_schema_name():
        raise RuntimeError("webhook_emit must run in a shop's schema (schema_context(shop)).")
    return len(services.deliveries_create(event=event, payload=payload))
