"""Background work of data collection. Each task loads ids and calls one service."""

from celery import shared_task


@shared_task(ignore_result=True)
def run_import(run_id: int) -> None:
    """Run one queued import (a run that is not queued is skipped: a redelivered message does
    nothing)."""
    from .imports import import_run

    import_run(run_id=run_id)


@shared_task(ignore_result=True)
def rematch_offers(only_unmatched: bool = False) -> int:
    """Link external offers to comparison groups again. Meant also for the beat (e.g. every ten
    minutes with only_unmatched=True), as groups appear when shops list new products."""
    from .services import rematch

    return rematch(only_unmatched=only_unmatched)
