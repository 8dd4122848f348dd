"""Background work of payments. Each task takes ids, runs in the public schema, is safe to run
twice, and calls one service.

Beat schedule wanted in backend/settings/base.py (CELERY_BEAT_SCHEDULE):
    "payments-reconcile": {"task": "shared_apps.payments.tasks.payments_reconcile", "schedule": 60.0},
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import conf, providers, sandbox_gateway, services
from .models import Payment, PaymentStatus, Refund, RefundStatus
from .providers.base import ProviderError
from .transitions import OPEN

log = logging.getLogger(__name__)
REFUND_RETRY_SECONDS = [30, 120, 600, 1800]


def _eager() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


@shared_task(ignore_result=True)
def sandbox_deliver(delivery_id: int) -> None:
    """The sandbox sends one notification; if the mall does not answer `success`, the next
    attempt is scheduled per the backoff. (Run eagerly, as in tests, only one attempt is made:
    payments_reconcile, or a test, sends the ones that fall due.)"""
    connection.set_schema_to_public()
    if sandbox_gateway.delivery_attempt(delivery_id=delivery_id) is False and not _eager():
        delay = sandbox_gateway.retry_delay(delivery_id)
        if delay is not None:
            sandbox_deliver.apply_async((delivery_id,), countdown=delay)


@shared_task(ignore_result=True)
def sandbox_refund_process(refund_id: int) -> None:
    connection.set_schema_to_public()
    sandbox_gateway.refund_process(refund_id=refund_id)


@shared_task(ignore_result=True)
def payment_provider_close(payment_id: int) -> None:
    connection.set_schema_to_public()
    services.payment_provider_close(payment_id=payment_id)


@shared_task(bind=True, ignore_result=True, max_retries=len(REFUND_RETRY_SECONDS))
def refund_submit(self, refund_id: int) -> None:
    connection.set_schema_to_public()
    try:
        services.refund_submit(refund_id=refund_id)
    except ProviderError as exc:
        log.warning("refund %s: provider not answering: %s", refund_id, exc)
        if not _eager() and self.request.retries < len(REFUND_RETRY_SECONDS):
            raise self.retry(countdown=REFUND_RETRY_SECONDS[self.request.retries]) from exc
        # Given up for now: payments_reconcile asks again.


@shared_task(ignore_result=True)
def payment_sync(payment_id: int) -> None:
    connection.set_schema_to_public()
    services.payment_sync(payment_id=payment_id)


@shared_task(ignore_result=True)
def payments_reconcile() -> dict:
    """Beat, every minute: catch what a lost message left behind.

    - open payments older than PAYMENTS_RECONCILE_AFTER_SECONDS (and younger than
      PAYMENTS_RECONCILE_WINDOW_HOURS), and payments closed in the last hour: ask the provider
      (a lost notification; money that reached a closed payment is refunded);
    - refunds still pending after that delay: ask the provider again;
    - the sandbox's notifications that fell due: send them (its retry lost with Redis)."""
    connection.set_schema_to_public()
    now = timezone.now()
    cutoff = now - timedelta(seconds=conf.reconcile_after_seconds())
    window = now - timedelta(hours=conf.reconcile_window_hours())
    online = [code for code in providers.enabled_codes() if providers.get(code).online]
    open_ids = list(Payment.objects.filter(provider__in=online, status__in=OPEN, created_at__lte=cutoff,
                                           created_at__gte=window).values_list("pk", flat=True)[:1000])
    closed_ids = list(Payment.objects.filter(provider__in=online, status=PaymentStatus.CLOSED,
                                             updated_at__gte=now - timedelta(hours=1))
                      .values_list("pk", flat=True)[:1000])
    for payment_id in open_ids + closed_ids:
        payment_sync.delay(payment_id)
    refund_ids = list(Refund.objects.filter(status=RefundStatus.PENDING, payment__provider__in=online,
                                            updated_at__lte=cutoff, created_at__gte=window)
                      .values_list("pk", flat=True)[:1000])
    for refund_id in refund_ids:
        refund_submit.delay(refund_id)
    deliveries = sandbox_gateway.deliveries_due(now=now)
    for delivery_id in deliveries:
        sandbox_deliver.delay(delivery_id)
    return {"payments": len(open_ids) + len(closed_ids), "refunds": len(refund_ids), "deliveries": len(deliveries)}
