from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def expire_reservations() -> int:
    """Release this shop's held reservations past their expiry (runs in its schema)."""
    return services.reservations_expire()
