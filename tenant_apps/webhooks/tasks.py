"""Celery tasks of the webhooks app: each runs in the shop schema it was sent from."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def deliver(delivery_ids: list[int]) -> int:
    """Attempt these deliveries now (queued after the emitting transaction commits)."""
    return sum(services.delivery_attempt(delivery_id=pk) != "skipped" for pk in delivery_ids)


@shared_task(ignore_result=True)
def sweep_deliveries() -> int:
    """Beat, per shop (tenants.tasks.for_each_active_shop): send whatever is due."""
    return services.deliveries_sweep()
