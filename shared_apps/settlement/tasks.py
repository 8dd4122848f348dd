"""Celery work of settlement: posting orders' money events to the ledger after they commit, and
the beat sweep that posts what a lost task left out."""

from celery import shared_task


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def post_sales(sub_order_ids: list[int]) -> int:
    from .postings import sale_paid

    return sum(sale_paid(pk) for pk in sub_order_ids)


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def post_refund(refund_id: int) -> None:
    from .postings import refund_moved

    refund_moved(refund_id)


@shared_task(ignore_result=True)
def ledger_catch_up() -> int:
    from .postings import catch_up

    return catch_up()


@shared_task(ignore_result=True)
def settlement_daily() -> int:
    """Beat, daily: settle what is due. A run already in progress makes this one a no-op."""
    from backend.api.errors import Conflict

    from .runs import run_start

    try:
        return run_start().lines_settled
    except Conflict:
        return 0
