from celery import shared_task

from . import imports, review


@shared_task(ignore_result=True)
def run_listing_schedule() -> tuple[int, int]:
    """List and delist this shop's products whose scheduled time has come (runs in its schema)."""
    return review.schedule_run()


@shared_task(ignore_result=True)
def import_catalog(job_id: int) -> None:
    """Run one bulk import job (runs in the shop's schema; a job that is not queued is skipped,
    so a redelivered message does nothing)."""
    imports.import_run(job_id=job_id)
