"""Keeping the mall offer index fed from every shop's outbox."""

from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context

from tenants.models import Shop


@shared_task(ignore_result=True)
def drain_shop_outbox() -> int:
    """Runs in the schema it was sent from (tenant-schemas-celery) and drains that shop."""
    from tenant_apps.catalog.outbox import drain_all

    if connection.schema_name == "public":
        return 0
    return drain_all()


def schemas_with_pending_outbox(batch: int = 250) -> list[str]:
    """The shops whose outbox holds rows, found with a few UNION ALL queries over all shops."""
    schemas = list(Shop.objects.values_list("schema_name", flat=True))
    pending = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for start in range(0, len(schemas), batch):
            chunk = schemas[start : start + batch]
            sql = " UNION ALL ".join(
                f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(s)}.catalog_offeroutbox)" for s in chunk
            )
            cursor.execute(sql, chunk)
            pending.extend(row[0] for row in cursor.fetchall())
    return pending


@shared_task(ignore_result=True)
def sweep_outboxes() -> int:
    """Beat: one drain task per shop with a non-empty outbox (a task lost with Redis, say)."""
    schemas = schemas_with_pending_outbox()
    for schema in schemas:
        with schema_context(schema):
            drain_shop_outbox.delay()
    return len(schemas)
