"""Beat work on orders (public schema): expiring unpaid checkouts, completing delivered orders."""

from celery import shared_task


@shared_task(ignore_result=True)
def expire_unpaid_orders() -> int:
    from .services import orders_expire

    return orders_expire()


@shared_task(ignore_result=True)
def complete_delivered_orders() -> int:
    from .services import sub_orders_complete_delivered

    return sub_orders_complete_delivered()


@shared_task(ignore_result=True)
def run_flash_sales() -> int:
    from .flash import flash_schedule

    return flash_schedule()
