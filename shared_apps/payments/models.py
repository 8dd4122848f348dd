"""Payments, refunds and provider notifications (public schema), and the sandbox provider's
own records.

A Payment is one out-trade-number at one provider for one payable (a checkout, say); the
payable is named by `kind` + `reference` and learns about money only through the callbacks it
registered (interface.payable_register). Status changes and refunds are appended as history
rows; the refunded amount is derived from the refunds.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.lib.money import CURRENCY, MoneyField


class Provider(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox")
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    OFFLINE = "offline", _("Offline payment")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Payment failed")
    CANCELLED = "cancelled", _("Payment cancelled")
    CLOSED = "closed", _("Closed")


class Source(models.TextChoices):
    """What made a change: who or what told us."""

    OPEN = "open", pgettext_lazy("payment source", "Opened")
    NOTIFICATION = "notification", _("Provider notification")
    QUERY = "query", _("Provider query")
    MERCHANT = "merchant", _("Merchant")
    SYSTEM = "system", _("System")


class Payment(models.Model):  # 支付单
    number = models.CharField(max_length=32, unique=True)  # our out_trade_no
    kind = models.CharField(max_length=24)
    reference = models.CharField(max_length=64)
    provider = models.CharField(max_length=12, choices=Provider.choices)
    amount = MoneyField()
    currency = models.CharField(max_length=3, default=CURRENCY)
    subject = models.CharField(max_length=128)
    status = models.CharField(max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING,
                              db_index=True)
    pay_url = models.CharField(max_length=300, blank=True)
    provider_trade_no = models.CharField(max_length=64, blank=True)
    provider_data = models.JSONField(default=dict, blank=True)  # e.g. WeChat's code_url
    fee = MoneyField(default=0)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    auto_refund_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_created")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.number} ({self.status})"


class PaymentTransition(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, blank=True)  # blank: the payment was opened
    to_status = models.CharField(max_length=12, choices=PaymentStatus.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Refund in progress")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")


class Refund(models.Model):  # 退款单
    refund_no = models.CharField(max_length=64, unique=True)  # our out_refund_no / out_request_no
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField()
    status = models.CharField(max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING,
                              db_index=True)
    reason = models.CharField(max_length=200, blank=True)
    automatic = models.BooleanField(default=False)  # money the payable refused, sent back by us
    provider_refund_no = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    submit_attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]


class RefundTransition(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, choices=RefundStatus.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Outcome(models.TextChoices):
    PROCESSED = "processed", _("Processed")
    DUPLICATE = "duplicate", _("Already known")
    IGNORED = "ignored", _("Nothing to do")
    REFUSED = "refused", _("Refused")
    BAD_SIGNATURE = "bad_signature", _("Bad signature")
    MALFORMED = "malformed", _("Malformed")
    UNKNOWN_PAYMENT = "unknown_payment", _("Unknown payment")
    ERROR = "error", _("Error, to be retried")


class PaymentNotification(models.Model):
    """Every message a provider sent us (and every answer to our status queries), kept raw.

    `dedupe_key` is the provider's notification id (or trade number + status) of a verified
    message; the partial unique constraint makes a replay land on the first row, which counts
    it in `received_count` instead of processing it again. Unverified messages and ones whose
    processing failed keep no key, so a later genuine delivery is still processed."""

    provider = models.CharField(max_length=12, choices=Provider.choices)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.NOTIFICATION)
    dedupe_key = models.CharField(max_length=100, null=True, blank=True)
    verified = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True)
    event = models.CharField(max_length=24, blank=True)  # e.g. succeeded, refund_succeeded
    out_trade_no = models.CharField(max_length=64, blank=True, db_index=True)
    trade_no = models.CharField(max_length=64, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="notifications")
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    parsed = models.JSONField(default=dict, blank=True)  # what was read out of it (decrypted)
    received_count = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)
    last_received_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "dedupe_key"], condition=Q(dedupe_key__isnull=False),
                                    name="payment_notification_once"),
        ]


# ---- The sandbox provider's side: what a real provider keeps in its own systems. ----

class SandboxTradeStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Closed")


class SandboxTrade(models.Model):
    trade_no = models.CharField(max_length=32, unique=True)
    out_trade_no = models.CharField(max_length=32, unique=True)
    amount = MoneyField()
    subject = models.CharField(max_length=128)
    status = models.CharField(max_length=12, choices=SandboxTradeStatus.choices,
                              default=SandboxTradeStatus.WAITING)
    fee = MoneyField(default=0)
    notify_url = models.CharField(max_length=300)
    return_url = models.CharField(max_length=300)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)


class SandboxRefund(models.Model):
    refund_no = models.CharField(max_length=32, unique=True)  # the sandbox's own number
    out_refund_no = models.CharField(max_length=64, unique=True)
    trade = models.ForeignKey(SandboxTrade, on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField()
    status = models.CharField(max_length=12, default="processing")  # processing → succeeded
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)


class SandboxDelivery(models.Model):
    """One asynchronous notification the sandbox owes the mall, retried until it answers
    `success` (attempt times follow PAYMENTS_SANDBOX_NOTIFY_BACKOFF)."""

    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="deliveries")
    url = models.CharField(max_length=300)
    params = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)  # None: done or given up
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_answer = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class SandboxSplit(models.Model):
    """The sandbox's settle-to-merchant (分账) transfers: money it holds for the platform, paid on
    to a merchant's account there. Idempotent on out_request_no."""

    split_no = models.CharField(max_length=32, unique=True)
    out_request_no = models.CharField(max_length=64, unique=True)
    receiver = models.CharField(max_length=64)
    amount = MoneyField()
    created_at = models.DateTimeField(auto_now_add=True)
