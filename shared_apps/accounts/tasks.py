from celery import shared_task

from . import services


@shared_task
def purge_expired() -> int:
    return services.purge_expired()
