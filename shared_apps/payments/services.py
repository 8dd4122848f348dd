"""Writes for payments: opening, closing, recording money in (notifications, queries, a
merchant's confirmation) and money back (refunds).

Rules that hold everywhere:
- a payment row is locked (SELECT … FOR UPDATE) before its status or its refunds change, so two
  notifications at once make exactly one success, and two refunds at once never exceed the
  amount paid; a refund locks its payment first, then itself, always in that order;
- the payable's callbacks run inside the transaction that records the money;
- providers are called only after commit (Celery tasks), never while a row is locked.
"""

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, ServiceError, amount_field, field_error
from backend.lib.money import format_cny

from . import providers, registry
from .models import (
    Outcome,
    Payment,
    PaymentNotification,
    PaymentStatus,
    PaymentTransition,
    Refund,
    RefundStatus,
    RefundTransition,
    Source,
)
from .providers.base import BadNotification, Checkout, ProviderError, ProviderEvent
from .records import payment_data, refund_data
from .transitions import can_move_payment, can_move_refund

log = logging.getLogger(__name__)

NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{6,32}$")  # WeChat Pay's limit is the tightest
REFUND_NO_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
REFERENCE_MAX = 64
SUBJECT_MAX = 127
# Outcomes that we answer with a refusal, so the provider keeps telling us (and a person looks).
REFUSING = frozenset({Outcome.REFUSED, Outcome.BAD_SIGNATURE, Outcome.MALFORMED, Outcome.UNKNOWN_PAYMENT,
                      Outcome.ERROR})



def _amount(value, field: str = "amount") -> Decimal:
    return amount_field(value, field, allow_zero=False)


def payment_locked(number: str) -> Payment:
    payment = Payment.objects.select_for_update().filter(number=number).first()
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment


def _move(payment: Payment, to_status: str, *, source: str, actor_user_id: int | None = None,
          reason: str = "") -> None:
    """Change the status of a locked payment per the table, with a history row; the caller saves."""
    if not can_move_payment(payment.status, to_status):
        raise Conflict(
            _("A payment that is %(status)s cannot become %(to)s.")
            % {"status": PaymentStatus(payment.status).label, "to": PaymentStatus(to_status).label},
            code="illegal_transition")
    PaymentTransition.objects.create(payment=payment, from_status=payment.status, to_status=to_status,
                                     source=source, actor_user_id=actor_user_id, reason=reason[:300])
    payment.status = to_status


def _move_refund(refund: Refund, to_status: str, *, source: str, actor_user_id: int | None = None,
                 reason: str = "") -> None:
    if not can_move_refund(refund.status, to_status):
        raise Conflict(
            _("A refund that is %(status)s cannot become %(to)s.")
            % {"status": RefundStatus(refund.status).label, "to": RefundStatus(to_status).label},
            code="illegal_transition")
    RefundTransition.objects.create(refund=refund, from_status=refund.status, to_status=to_status,
                                    source=source, actor_user_id=actor_user_id, reason=reason[:300])
    refund.status = to_status


# ---- opening and closing ----

@transaction.atomic
def payment_open(*, kind: str, reference: str, number: str, amount, subject: str, provider: str,
                 expires_at: datetime, user_id: int | None) -> Payment:
    """Open a payment of `amount` for the payable `kind`/`reference` under the caller's
    out-trade-number `number`, at `provider`.

    Idempotent on `number`: the same call again returns the payment already opened; a call
    with another kind, reference, amount or provider gets 409. Nothing is sent to the provider
    here (this runs inside the caller's checkout transaction): the sandbox records its trade in
    the same transaction, Alipay and WeChat Pay are asked when the shopper opens the pay URL.
    """
    amount = _amount(amount)
    if not NUMBER_PATTERN.match(str(number)):
        raise field_error("number", _("6 to 32 letters, digits, - or _."))
    if not registry.is_registered(kind):
        raise field_error("kind", _("Unknown payable kind %(kind)s.") % {"kind": str(kind)[:30]})
    reference = str(reference or "").strip()
    if not reference or len(reference) > REFERENCE_MAX:
        raise field_error("reference", _("1 to %(n)d characters.") % {"n": REFERENCE_MAX})
    subject = " ".join(str(subject or "").split())[:SUBJECT_MAX]
    if not subject:
        raise field_error("subject", _("Required."))
    if provider not in providers.ALL_PROVIDERS:
        raise field_error("provider", _("Choose one of: %(codes)s") % {"codes": ", ".join(providers.PROVIDERS)})
    impl = providers.get(provider)
    if not impl.enabled():
        raise field_error("provider", _("%(provider)s is not configured here.") % {"provider": provider})
    if timezone.is_naive(expires_at) or expires_at <= timezone.now():
        raise field_error("expires_at", _("A time zone-aware moment in the future."))
    existing = Payment.objects.filter(number=number).first()
    if existing is None:
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    number=number, kind=kind, reference=reference, provider=provider, amount=amount,
                    subject=subject, expires_at=expires_at, user_id=user_id)
                PaymentTransition.objects.create(payment=payment, to_status=PaymentStatus.PENDING,
                                                 source=Source.OPEN)
                payment.pay_url = impl.start(payment)
                payment.save(update_fields=["pay_url"])
                return payment
        except IntegrityError:
            existing = Payment.objects.get(number=number)  # opened by a concurrent call
    differs = [field for field, value in (("kind", kind), ("reference", reference), ("amount", amount),
                                           ("provider", provider)) if getattr(existing, field) != value]
    if differs:
        raise Conflict(_("Payment %(number)s was opened with another %(fields)s.")
                       % {"number": number, "fields": ", ".join(differs)}, code="payment_number_taken",
                       fields={field: [_("Differs from the payment already opened.")] for field in differs})
    return existing


@transaction.atomic
def payment_close(*, number: str, reason: str = "") -> Payment:
    """No more paying: the payable expired or was cancelled. Closing twice is harmless; a paid
    payment cannot be closed (409 `already_paid`: refund it instead). The provider is told after
    commit; money that still arrives is refunded automatically."""
    payment = payment_locked(number)
    if payment.status == PaymentStatus.CLOSED:
        return payment
    if payment.status == PaymentStatus.SUCCEEDED:
        raise Conflict(_("Payment %(number)s is already paid; refund it instead.") % {"number": number},
                       code="already_paid")
    _move(payment, PaymentStatus.CLOSED, source=Source.SYSTEM, reason=reason or "closed by the payable")
    payment.closed_reason = (reason or "closed by the payable")[:200]
    payment.save(update_fields=["status", "closed_reason", "updated_at"])
    if providers.get(payment.provider).online:
        from .tasks import payment_provider_close

        transaction.on_commit(lambda: payment_provider_close.delay(payment.pk))
    return payment


def payment_provider_close(*, payment_id: int) -> None:
    """Best effort: a provider that cannot be told now still refuses late money by our refund."""
    payment = Payment.objects.filter(pk=payment_id, status=PaymentStatus.CLOSED).first()
    if payment is None:
        return
    try:
        providers.get(payment.provider).close(payment)
    except ProviderError as exc:
        log.warning("payment %s: provider close failed: %s", payment.number, exc)


def payment_checkout(*, number: str) -> Checkout:
    """Where the shopper pays an open payment: a redirect or a WeChat code_url (kept on the
    payment so that reloading the page does not ask the provider again)."""
    payment = Payment.objects.filter(number=number).first()
    if payment is None:
        raise NotFound(_("No such payment."))
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.CANCELLED) \
            or payment.expires_at <= timezone.now():
        raise Conflict(_("This payment can no longer be paid."), code="not_payable")
    impl = providers.get(payment.provider)
    if payment.provider_data.get("code_url"):
        return Checkout(code_url=payment.provider_data["code_url"])
    try:
        checkout = impl.checkout(payment)
    except ProviderError as exc:
        log.warning("payment %s: checkout failed: %s", number, exc)
        raise ServiceError(_("The payment provider cannot be reached. Try again in a moment."),
                           code="provider_unavailable", status_code=503) from exc
    if checkout.code_url:
        Payment.objects.filter(pk=payment.pk).update(provider_data={**payment.provider_data,
                                                                    "code_url": checkout.code_url})
    return checkout


# ---- money in ----

def _record_success(payment: Payment, *, trade_no: str, paid_at: datetime | None, fee: Decimal | None,
                    source: str, actor_user_id: int | None = None, reason: str = "") -> None:
    """Record the money on a locked payment, then let the payable take it.

    A payment that was closed does not ask the payable (it gave the payment up); a payable
    whose on_paid answers False no longer wants it. Either way the money is real and recorded,
    and a full refund is started automatically, with the reason kept on the payment."""
    was = payment.status
    _move(payment, PaymentStatus.SUCCEEDED, source=source, actor_user_id=actor_user_id, reason=reason)
    impl = providers.get(payment.provider)
    payment.provider_trade_no = (trade_no or "")[:64]
    payment.paid_at = paid_at or timezone.now()
    payment.fee = fee if fee is not None else impl.fee_for(payment.amount)
    payment.save(update_fields=["status", "provider_trade_no", "paid_at", "fee", "updated_at"])
    if was == PaymentStatus.CLOSED:
        _refund_automatically(payment, reason=f"paid after the payment was closed ({payment.closed_reason})")
        return
    # It just became paid: nothing of it can have been refunded yet.
    accepted = registry.payable(payment.kind).on_paid(payment.reference,
                                                      payment_data(payment, refunded=Decimal("0.00")))
    if not accepted:
        _refund_automatically(payment, reason=f"the {payment.kind} {payment.reference} could not take the payment")


def _refund_automatically(payment: Payment, *, reason: str) -> Refund:
    log.warning("payment %s: refunding %s automatically: %s", payment.number, payment.amount, reason)
    payment.auto_refund_reason = reason[:200]
    payment.save(update_fields=["auto_refund_reason", "updated_at"])
    return _refund_create(payment, amount=payment.amount, refund_no=f"{payment.number}-AUTO", reason=reason,
                          automatic=True)


@transaction.atomic
def offline_confirm(*, number: str, actor_user_id: int, note: str = "") -> Payment:
    """The merchant took the money at the counter or saw the bank transfer. Confirming twice is
    harmless. A closed payment confirmed this way is refunded in full (pending until the
    merchant confirms handing it back)."""
    payment = payment_locked(number)
    if payment.provider != providers.OfflineProvider.code:
        raise Conflict(_("Only offline payments are confirmed by hand."), code="not_offline")
    if payment.status == PaymentStatus.SUCCEEDED:
        return payment
    _record_success(payment, trade_no=f"OFFLINE-{payment.number}", paid_at=timezone.now(), fee=Decimal("0.00"),
                    source=Source.MERCHANT, actor_user_id=actor_user_id, reason=note)
    return payment


@dataclass(frozen=True)
class Applied:
    outcome: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether to answer the provider `success` (it then stops telling us)."""
        return self.outcome not in REFUSING


def _dedupe_key(event: ProviderEvent, source: str) -> str:
    if event.notify_id and source == Source.NOTIFICATION:
        return f"id:{event.notify_id}"[:100]
    if event.target == "refund":
        return f"refund:{event.out_refund_no}:{event.status}"[:100]
    return f"payment:{event.trade_no or event.out_trade_no}:{event.status}"[:100]


@transaction.atomic
def event_apply(*, provider: str, event: ProviderEvent, source: str = Source.NOTIFICATION, body: str = "",
                headers: dict | None = None) -> Applied:
    """Act on a verified provider event exactly once, and keep it.

    The payment row is locked first, so a replay (or the same news by another path, a query)
    waits for the first to commit and then finds either its notification row (same key:
    counted, answered as before) or the payment already in that state (a duplicate)."""
    payment = Payment.objects.select_for_update().filter(number=event.out_trade_no, provider=provider).first()
    key = _dedupe_key(event, source)
    body, headers = _no_nul(body), _jsonable(headers or {})
    seen = PaymentNotification.objects.filter(provider=provider, dedupe_key=key).first()
    if seen is not None:
        PaymentNotification.objects.filter(pk=seen.pk).update(received_count=F("received_count") + 1,
                                                               last_received_at=timezone.now())
        return Applied(seen.outcome, seen.detail)
    if payment is None:
        applied = Applied(Outcome.UNKNOWN_PAYMENT, f"no {provider} payment {event.out_trade_no[:40]}")
    elif event.target == "refund":
        applied = _apply_refund_event(payment, event, source)
    else:
        applied = _apply_payment_event(payment, event, source)
    try:
        with transaction.atomic():
            PaymentNotification.objects.create(
                provider=provider, source=source, dedupe_key=key, verified=True, outcome=applied.outcome,
                detail=applied.detail[:300], event=(f"refund_{event.status}" if event.target == "refund"
                                                    else event.status),
                out_trade_no=event.out_trade_no[:64], trade_no=event.trade_no[:64], payment=payment,
                headers=headers, body=body, parsed=_jsonable(event.parsed))
    except IntegrityError:
        # Only reachable for an unknown payment (no row to lock): the same message at once.
        PaymentNotification.objects.filter(provider=provider, dedupe_key=key).update(
            received_count=F("received_count") + 1, last_received_at=timezone.now())
    return applied


def _apply_payment_event(payment: Payment, event: ProviderEvent, source: str) -> Applied:
    if event.status == PaymentStatus.SUCCEEDED:
        if event.amount != payment.amount:
            log.warning("payment %s: %s reports %s but the payment is %s; refused", payment.number,
                        payment.provider, event.amount, payment.amount)
            return Applied(Outcome.REFUSED, f"amount mismatch: provider says {event.amount}, payment is {payment.amount}")
        if payment.status == PaymentStatus.SUCCEEDED:
            if event.trade_no and payment.provider_trade_no and event.trade_no != payment.provider_trade_no:
                log.error("payment %s paid twice: trades %s and %s", payment.number, payment.provider_trade_no,
                          event.trade_no)
                return Applied(Outcome.REFUSED, f"a second trade {event.trade_no} for a paid payment")
            return Applied(Outcome.DUPLICATE, "already paid")
        _record_success(payment, trade_no=event.trade_no, paid_at=event.paid_at, fee=event.fee, source=source)
        detail = f"paid; refunding automatically: {payment.auto_refund_reason}" if payment.auto_refund_reason else "paid"
        return Applied(Outcome.PROCESSED, detail)
    if event.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
        if payment.status != event.status and can_move_payment(payment.status, event.status) \
                and payment.status != PaymentStatus.CLOSED:
            _move(payment, event.status, source=source)
            payment.save(update_fields=["status", "updated_at"])
            return Applied(Outcome.PROCESSED, event.status)
        return Applied(Outcome.IGNORED, f"payment is {payment.status}")
    return Applied(Outcome.IGNORED, f"nothing to do for {event.status}")


def _apply_refund_event(payment: Payment, event: ProviderEvent, source: str) -> Applied:
    refund = Refund.objects.select_for_update().filter(payment=payment, refund_no=event.out_refund_no).first()
    if refund is None:
        return Applied(Outcome.REFUSED, f"no refund {event.out_refund_no[:64]} on this payment")
    if event.amount is not None and event.amount != refund.amount:
        log.warning("refund %s: provider reports %s, refund is %s; refused", refund.refund_no, event.amount,
                    refund.amount)
        return Applied(Outcome.REFUSED, f"amount mismatch: provider says {event.amount}, refund is {refund.amount}")
    if event.status == refund.status:
        return Applied(Outcome.DUPLICATE, f"refund already {refund.status}")
    if event.status == RefundStatus.PENDING or not can_move_refund(refund.status, event.status):
        return Applied(Outcome.IGNORED, f"refund is {refund.status}")
    _finish_refund(payment, refund, status=event.status, provider_refund_no=event.provider_refund_no, source=source)
    return Applied(Outcome.PROCESSED, f"refund {event.status}")


def notification_refused(*, provider: str, error: BadNotification, body: str, headers: dict) -> None:
    """Keep a notification we would not act on (bad signature, malformed, another merchant's)."""
    body, headers = _no_nul(body), _jsonable(headers)
    PaymentNotification.objects.create(
        provider=provider, verified=error.verified, outcome=error.outcome, detail=error.message[:300],
        out_trade_no=str(error.parsed.get("out_trade_no", ""))[:64], headers=headers, body=body,
        parsed=_jsonable(error.parsed))


def notification_failed(*, provider: str, event: ProviderEvent | None, detail: str, body: str,
                        headers: dict) -> None:
    """Keep a notification whose processing raised: without a dedupe key, so the provider's
    next delivery is processed afresh."""
    body, headers = _no_nul(body), _jsonable(headers)
    PaymentNotification.objects.create(
        provider=provider, verified=event is not None, outcome=Outcome.ERROR, detail=detail[:300],
        out_trade_no=(event.out_trade_no if event else "")[:64], headers=headers, body=body,
        parsed=_jsonable(event.parsed) if event else {})


def _jsonable(data: dict) -> dict:
    """Plain JSON that PostgreSQL accepts (no NUL characters, which jsonb refuses)."""
    return json.loads(json.dumps(data, default=str), object_hook=_no_nul_object,
                      parse_constant=str) if data else {}


def _no_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_no_nul(item) for item in value]
    return value


def _no_nul_object(pairs: dict) -> dict:
    return {_no_nul(k): _no_nul(v) for k, v in pairs.items()}


def payment_sync(*, payment_id: int) -> Payment | None:
    """Ask the provider how a payment stands and act on news (a lost notification, money that
    reached a closed payment). Runs outside any transaction: the provider call holds no lock."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or not providers.get(payment.provider).online:
        return payment
    try:
        event = providers.get(payment.provider).query(payment)
    except ProviderError as exc:
        log.warning("payment %s: query failed: %s", payment.number, exc)
        return payment
    if event is None or event.out_trade_no != payment.number:
        return payment
    news = event.status == PaymentStatus.SUCCEEDED and payment.status != PaymentStatus.SUCCEEDED
    news = news or (event.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED) and event.status != payment.status
                    and payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.CANCELLED))
    if news:
        event_apply(provider=payment.provider, event=event, source=Source.QUERY,
                    body=json.dumps(_jsonable(event.parsed), ensure_ascii=False)[:65536])
    return Payment.objects.get(pk=payment_id)


# ---- money back ----

def _refund_create(payment: Payment, *, amount: Decimal, refund_no: str, reason: str, automatic: bool = False,
                   source: str = Source.SYSTEM) -> Refund:
    refund = Refund.objects.create(refund_no=refund_no, payment=payment, amount=amount, reason=reason[:200],
                                   automatic=automatic)
    RefundTransition.objects.create(refund=refund, to_status=RefundStatus.PENDING, source=source, reason=reason[:300])
    if providers.get(payment.provider).online:
        from .tasks import refund_submit

        transaction.on_commit(lambda: refund_submit.delay(refund.pk))
    return refund


def committed_refunds(payment: Payment) -> Decimal:
    """Refunded or being refunded: what the refund cap counts."""
    total = payment.refunds.filter(status__in=[RefundStatus.PENDING, RefundStatus.SUCCEEDED]).aggregate(
        total=Sum("amount"))["total"]
    return total or Decimal("0.00")


@transaction.atomic
def refund_request(*, number: str, amount, refund_no: str, reason: str) -> Refund:
    """Send back part or all of a paid payment.

    Idempotent on `refund_no`: the same number and amount return the first refund; another
    amount (or another payment) gets 409. The amount may not exceed what was paid less what
    is refunded or being refunded (409 naming the amounts). The provider is asked after commit
    (Celery); an offline refund waits for the merchant's confirmation."""
    amount = _amount(amount)
    refund_no = str(refund_no or "")
    if not REFUND_NO_PATTERN.match(refund_no):
        raise field_error("refund_no", _("1 to 64 letters, digits, - or _."))
    payment = payment_locked(number)
    existing = Refund.objects.filter(refund_no=refund_no).first()
    if existing is not None:
        if existing.payment_id == payment.pk and existing.amount == amount:
            return existing
        raise Conflict(_("Refund number %(no)s is already used for %(amount)s of payment %(number)s.")
                       % {"no": refund_no, "amount": format_cny(existing.amount), "number": existing.payment.number},
                       code="refund_no_taken")
    if payment.status != PaymentStatus.SUCCEEDED:
        raise Conflict(_("Payment %(number)s is not paid.") % {"number": number}, code="not_paid")
    committed = committed_refunds(payment)
    left = payment.amount - committed
    if amount > left:
        message = (_("A refund of %(amount)s is more than is left: paid %(paid)s, refunded or being refunded "
                     "%(refunded)s, left %(left)s.")
                   % {"amount": format_cny(amount), "paid": format_cny(payment.amount),
                      "refunded": format_cny(committed), "left": format_cny(left)})
        raise Conflict(message, code="refund_exceeds_payment", fields={"amount": [message]})
    try:
        with transaction.atomic():
            return _refund_create(payment, amount=amount, refund_no=refund_no, reason=str(reason or ""))
    except IntegrityError as exc:  # the same refund_no on another payment, at the same moment
        raise Conflict(_("Refund number %(no)s is already used.") % {"no": refund_no},
                       code="refund_no_taken") from exc


def _finish_refund(payment: Payment, refund: Refund, *, status: str, provider_refund_no: str = "",
                   source: str, actor_user_id: int | None = None, reason: str = "") -> None:
    """Settle a locked refund of a locked payment and tell the payable how it ended (not for
    automatic refunds: the payable never took that money)."""
    _move_refund(refund, status, source=source, actor_user_id=actor_user_id, reason=reason)
    refund.finished_at = timezone.now()
    refund.provider_refund_no = (provider_refund_no or refund.provider_refund_no)[:64]
    if status == RefundStatus.FAILED:
        refund.failure_reason = reason[:300]
    refund.save(update_fields=["status", "finished_at", "provider_refund_no", "failure_reason", "updated_at"])
    if refund.automatic:
        return
    payable = registry.payable(payment.kind)
    callback = payable.on_refunded if status == RefundStatus.SUCCEEDED else payable.on_refund_failed
    if callback is not None:
        callback(payment.reference, refund_data(refund))


@transaction.atomic
def refund_settle(*, refund_id: int, status: str, provider_refund_no: str = "", source: str = Source.QUERY,
                  reason: str = "") -> Refund:
    refund = Refund.objects.get(pk=refund_id)
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if status == RefundStatus.PENDING or refund.status != RefundStatus.PENDING:
        if provider_refund_no and not refund.provider_refund_no:
            refund.provider_refund_no = provider_refund_no[:64]
            refund.save(update_fields=["provider_refund_no", "updated_at"])
        return refund
    _finish_refund(payment, refund, status=status, provider_refund_no=provider_refund_no, source=source,
                   reason=reason)
    return refund


def refund_submit(*, refund_id: int) -> Refund | None:
    """Ask the provider for a pending refund (again: providers are idempotent on the refund
    number). Raises ProviderError when the provider cannot answer now (the task retries)."""
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None or refund.status != RefundStatus.PENDING:
        return refund
    impl = providers.get(refund.payment.provider)
    if not impl.online:
        return refund
    Refund.objects.filter(pk=refund_id).update(submit_attempts=F("submit_attempts") + 1)
    result = impl.refund(refund.payment, refund)
    return refund_settle(refund_id=refund_id, status=result.status, provider_refund_no=result.provider_refund_no,
                         source=Source.QUERY, reason=result.message)


@transaction.atomic
def offline_refund_confirm(*, refund_no: str, actor_user_id: int, note: str = "") -> Refund:
    """The merchant handed an offline payment's refund back (cash, bank transfer)."""
    found = Refund.objects.select_related("payment").filter(refund_no=refund_no).first()
    if found is None:
        raise NotFound(_("No such refund."))
    if found.payment.provider != providers.OfflineProvider.code:
        raise Conflict(_("Only refunds of offline payments are confirmed by hand."), code="not_offline")
    payment = Payment.objects.select_for_update().get(pk=found.payment_id)
    refund = Refund.objects.select_for_update().get(pk=found.pk)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    _finish_refund(payment, refund, status=RefundStatus.SUCCEEDED, source=Source.MERCHANT,
                   actor_user_id=actor_user_id, reason=note)
    return refund
