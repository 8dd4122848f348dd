"""Celery work of settlement: posting orders' money events to the ledger after they commit, and
the beat sweep that posts what a lost task left out."""

from celery import shared_task


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def post_sale(sub_order_id: int) -> bool:
    from .postings import sale_paid

    return sale_paid(sub_order_id)


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def post_refund(refund_id: int) -> None:
    from .postings import refund_moved

    refund_moved(refund_id)


@shared_task(ignore_result=True)
def ledger_catch_up() -> int:
    from .postings import catch_up

    return catch_up()
