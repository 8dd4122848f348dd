"""Payable kinds: what other apps sell through payments, and how they hear about money.

An app registers its kind once (AppConfig.ready). The callbacks run inside the transaction
that records the money, so what they write commits or rolls back together with it."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from .records import PaymentData, RefundData

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


@dataclass(frozen=True)
class Payable:
    kind: str
    on_paid: Callable[[str, PaymentData], bool]
    on_refunded: Callable[[str, RefundData], None] | None = None
    on_refund_failed: Callable[[str, RefundData], None] | None = None


_payables: dict[str, Payable] = {}


def payable_register(kind: str, *, on_paid, on_refunded=None, on_refund_failed=None) -> None:
    """Register (or replace) the callbacks of a payable kind."""
    if not KIND_PATTERN.match(kind):
        raise ValueError(f"A payable kind is 1-24 lowercase letters, digits or _: {kind!r}")
    _payables[kind] = Payable(kind=kind, on_paid=on_paid, on_refunded=on_refunded,
                               on_refund_failed=on_refund_failed)


def payable(kind: str) -> Payable:
    try:
        return _payables[kind]
    except KeyError:
        raise LookupError(f"No payable kind {kind!r} is registered.") from None


def is_registered(kind: str) -> bool:
    return kind in _payables
