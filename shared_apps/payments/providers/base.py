"""What every payment provider does, whatever its protocol.

A provider turns an open payment into somewhere the shopper can pay (`start`, `checkout`),
reads and verifies what the provider tells us (`parse_notification`, `query`), moves money
back (`refund`), stops a trade (`close`) and says what the provider wants to hear back
(`answer`). Providers only talk; services.py decides what a verified event changes.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse

from backend.lib.money import to_fen

from .. import conf
from ..models import Outcome, Payment, Refund

MAX_NOTIFICATION_BYTES = 64 * 1024
MAX_STATEMENT_BYTES = 64 * 1024 * 1024  # a busy shop's day is a few MB; more is a broken download


@dataclass(frozen=True)
class ProviderEvent:
    """A verified statement of a provider about one trade (target "payment") or one refund.

    For a payment, `status` is a PaymentStatus value (or "pending": nothing yet) and `amount`
    the trade's total; for a refund, `status` is a RefundStatus value and `amount` the refund's.
    """

    target: str
    out_trade_no: str
    status: str
    trade_no: str = ""
    amount: Decimal | None = None
    paid_at: datetime | None = None
    fee: Decimal | None = None
    out_refund_no: str = ""
    provider_refund_no: str = ""
    notify_id: str = ""
    parsed: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    status: str  # a RefundStatus value; pending: the provider will tell (notification or query)
    provider_refund_no: str = ""
    message: str = ""


@dataclass(frozen=True)
class SplitResult:
    """A settle-to-merchant transfer's answer: ok, the provider's number, or why not."""

    ok: bool
    provider_no: str = ""
    message: str = ""


@dataclass(frozen=True)
class Checkout:
    """Where /pay/go/<number>/ sends the shopper: a redirect, or a page (e.g. a QR code link)."""

    redirect_url: str = ""
    code_url: str = ""


class BadNotification(Exception):
    """A notification we will not act on. `verified` says whether its signature held (a signed
    message for another merchant is verified yet refused)."""

    def __init__(self, message: str, *, outcome: str = Outcome.MALFORMED, verified: bool = False,
                 status: int = 400, parsed: dict | None = None):
        super().__init__(message)
        self.message = message
        self.outcome = outcome
        self.verified = verified
        self.status = status
        self.parsed = parsed or {}


class ProviderError(Exception):
    """The provider could not be reached or gave an answer we cannot trust or use."""


class NoStatement(ProviderError):
    """The provider has no statement for that day: not made yet, or (WeChat Pay) nothing was
    paid or refunded that day."""


class Provider(ABC):
    code: str = ""
    online: bool = True  # False: nobody notifies us, a merchant confirms (offline)
    fee_rate_setting: str = ""
    default_fee_rate: str = "0"

    def enabled(self) -> bool:
        return True

    @abstractmethod
    def start(self, payment: Payment) -> str:
        """The pay URL for a payment being opened. Runs inside the caller's transaction: no
        network calls here."""

    def checkout(self, payment: Payment) -> Checkout:
        """What /pay/go/<number>/ does; may call the provider."""
        return Checkout(redirect_url=payment.pay_url)

    def parse_notification(self, *, body: bytes, headers) -> ProviderEvent:
        raise BadNotification("This provider sends no notifications.", status=404)

    def answer(self, *, ok: bool, message: str = "", status: int | None = None) -> HttpResponse:
        """What the provider expects to read back. Alipay and the sandbox read exactly
        `success`; anything else makes them try again later."""
        return HttpResponse("success" if ok else "fail", status=200 if ok else (status or 400),
                            content_type="text/plain; charset=utf-8")

    def query(self, payment: Payment) -> ProviderEvent | None:
        """The provider's current view of a payment, or None when it cannot be asked."""
        return None

    @abstractmethod
    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        """Ask the provider to send money back. Providers are idempotent on the refund number,
        so asking again is also how a pending refund is looked up."""

    def close(self, payment: Payment) -> None:
        """Tell the provider to accept no more money for this trade (best effort)."""

    def statement_download(self, day: date) -> bytes:
        """The provider's daily statement (对账单) of `day` (Asia/Shanghai), the file exactly as the
        provider sends it; statements.py reads it."""
        raise ProviderError(f"The {self.code} provider has no daily statement.")

    def split_transfer(self, *, out_request_no: str, receiver: str, amount: Decimal) -> SplitResult:
        """Pay `amount` of the money the provider holds for the platform on to a merchant's account
        there (分账); idempotent on out_request_no."""
        raise ProviderError(f"The {self.code} provider has no settle-to-merchant transfer here.")

    def fee_for(self, amount: Decimal) -> Decimal:
        """The provider's fee for a trade, to the fen (half-up)."""
        rate = conf.rate(self.fee_rate_setting, self.default_fee_rate) if self.fee_rate_setting else Decimal(0)
        return to_fen(amount * rate)
