from celery import shared_task

from . import review


@shared_task(ignore_result=True)
def run_listing_schedule() -> tuple[int, int]:
    """List and delist this shop's products whose scheduled time has come (runs in its schema)."""
    return review.schedule_run()
