"""Helpers for other apps' tests and demo data: pay through the sandbox without a browser.

The money takes the same path as in production: the sandbox's cashier records the trade, its
signed notification is verified and applied by the same code as /pay/notify/sandbox/. Only
the HTTP hop is skipped (the HTTP path is tested in tests/shared_apps/payments)."""

from urllib.parse import urlencode

from django.db import transaction

from . import providers, sandbox_gateway, services
from .models import Payment, SandboxDelivery, Source
from .records import PaymentData, payment_data
from .services import Applied


def sandbox_pay(number: str, *, action: str = "pay") -> PaymentData:
    """Press Pay (or "fail", "cancel") on the sandbox cashier of payment `number` and deliver the
    resulting notification in-process. Raises sandbox_gateway.SandboxRefused when the cashier
    would refuse (closed, expired, already paid)."""
    with transaction.atomic():
        trade = sandbox_gateway.trade_act(out_trade_no=number, action=action)
        delivery = SandboxDelivery.objects.filter(trade=trade).order_by("-id").first()
    sandbox_notify(delivery.params)
    return payment_data(Payment.objects.get(number=number))


def sandbox_notify(params: dict) -> Applied:
    """Apply a sandbox notification's parameters exactly as the notify endpoint would."""
    event = providers.get("sandbox").parse_notification(body=urlencode(params).encode(), headers={})
    return services.event_apply(provider="sandbox", event=event, source=Source.NOTIFICATION,
                                body=urlencode(params))
