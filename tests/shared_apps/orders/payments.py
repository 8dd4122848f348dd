"""Paying an order in tests: the sandbox cashier's Pay and its signed notification, applied by
the same code as /pay/notify/sandbox/ (the HTTP hop is tested in tests/shared_apps/payments)."""

from shared_apps.payments.testing import sandbox_pay


def pay(order):
    return sandbox_pay(order.number)
