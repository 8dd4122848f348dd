from celery import shared_task

from . import provisioning


@shared_task(ignore_result=True)
def refill_schema_pool() -> int:
    """Top up the pool of ready shop schemas (beat, and after each provisioning)."""
    return provisioning.pool_refill()
