from celery import shared_task

from . import provisioning


@shared_task(ignore_result=True)
def refill_schema_pool() -> int:
    """Top up the pool of ready shop schemas (beat, and after each provisioning)."""
    return provisioning.pool_refill()


@shared_task(ignore_result=True)
def for_each_active_shop(task_name: str) -> int:
    """Beat's fan-out: one task per active shop, sent from that shop's schema so it runs there
    (tenant-schemas-celery carries the schema in the message)."""
    from django_tenants.utils import schema_context

    from backend.celery import app
    from tenants.models import Shop, ShopStatus

    schemas = list(Shop.objects.filter(status=ShopStatus.ACTIVE).values_list("schema_name", flat=True))
    for schema in schemas:
        with schema_context(schema):
            app.send_task(task_name)
    return len(schemas)
