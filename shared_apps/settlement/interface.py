"""What orders tell settlement. Call inside the transaction that moved the money: the ledger is
posted after it commits (a Celery task; the beat sweep `ledger_catch_up` posts what a lost task
left out), so a rolled-back payment posts nothing and a slow ledger never slows a payment."""

from django.db import transaction


def sales_paid(*, sub_order_ids: list[int]) -> None:
    """Sub-orders were paid (online: the sub-orders of one payment; at the counter or by bank
    transfer): one task posts them all."""
    from .tasks import post_sales

    if sub_order_ids:
        transaction.on_commit(lambda: post_sales.delay(list(sub_order_ids)))


def refund_moved(*, refund_id: int) -> None:
    """A refund was asked for, tried again, or the provider answered it."""
    from .tasks import post_refund

    transaction.on_commit(lambda: post_refund.delay(refund_id))
