"""Refunds of paid sub-orders, line by line (O4: full and partial refunds, per line).

A shop (or an operator stepping in) gives money back on some lines of one sub-order, and
optionally on its shipping; units that came back may go on sale again (`restock`). What a
refund asks for counts against each line's cap at once (pending and succeeded refunds count), so
two refunds at the same moment can never give back more than the line was paid. The money goes
through the sub-order's payment (the order's online payment, or the pay-at-pickup payment): the
provider answers asynchronously, and `refund_succeeded` then moves the amounts into the lines'
and sub-order's `refunded_amount`. A refund the provider refuses is marked failed, stops counting
and may be tried again (`refund_retry`). A sub-order refunded in full before it left the shop is
cancelled.

Lock order, the same as a payment notification's: the payment row, then the sub-order, then the
refund rows; so refunds and notifications queue instead of deadlocking.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, NotFound, amount_field, field_error
from backend.lib.money import format_cny
from shared_apps.audit.services import audit_record
from shared_apps.settlement.interface import refund_moved as ledger_refund_moved

from .models import (
    OrderLine,
    OrderRefund,
    OrderRefundLine,
    PaymentMode,
    RefundBy,
    RefundStatus,
    SubOrder,
    SubOrderStatus,
)
from .selectors import sub_order_any
from .services import _emit, _locked, _move

S = SubOrderStatus
REFUNDABLE = frozenset({S.PAID, S.CONFIRMED, S.SHIPPED, S.DELIVERED, S.COMPLETED})
NOT_YET_SHIPPED = frozenset({S.PAID, S.CONFIRMED})
COUNTING = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)
MAX_LINES = 200


@dataclass(frozen=True)
class RefundLineIn:
    line_id: int
    amount: Decimal
    quantity: int = 0


def _parsed_lines(lines) -> list[RefundLineIn]:
    """[{line, amount, quantity}] from an API body or a form, checked for shape only."""
    if not isinstance(lines, list | tuple):
        raise field_error("lines", _("Give a list of lines."))
    if len(lines) > MAX_LINES:
        raise field_error("lines", _("At most %(n)d lines.") % {"n": MAX_LINES})
    parsed, seen = [], set()
    for index, raw in enumerate(lines):
        field = f"lines[{index}]"
        if isinstance(raw, RefundLineIn):
            raw = {"line": raw.line_id, "amount": raw.amount, "quantity": raw.quantity}
        if not isinstance(raw, dict):
            raise field_error(field, _("Each line is an object with line, amount and quantity."))
        try:
            line_id = int(raw.get("line"))
        except (TypeError, ValueError):
            raise field_error(f"{field}.line", _("Give the order line's id.")) from None
        if line_id in seen:
            raise field_error(f"{field}.line", _("This line is listed twice."))
        seen.add(line_id)
        amount = amount_field(raw.get("amount"), f"{field}.amount", allow_zero=False)
        quantity = raw.get("quantity")
        if isinstance(quantity, str):
            quantity = quantity.strip()
            quantity = int(quantity) if quantity.isdigit() else quantity
        if quantity in (None, ""):
            quantity = 0
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise field_error(f"{field}.quantity", _("A whole number of units, 0 or more."))
        parsed.append(RefundLineIn(line_id, amount, quantity))
    return parsed


def _shipping(value) -> Decimal:
    return amount_field(value if value not in (None, "") else "0", "shipping_amount")


def _reason(value) -> str:
    reason = str(value or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the money goes back (the buyer sees it)."))
    if len(reason) > 200 or "\x00" in reason:
        raise field_error("reason", _("At most 200 characters."))
    return reason


def _committed(sub: SubOrder, *, excluding: int | None = None) -> tuple[dict[int, tuple[Decimal, int]], Decimal]:
    """Per line (amount, units) and the shipping that pending or succeeded refunds take."""
    rows = OrderRefundLine.objects.filter(refund__sub_order=sub, refund__status__in=COUNTING)
    refunds = OrderRefund.objects.filter(sub_order=sub, status__in=COUNTING)
    if excluding is not None:
        rows, refunds = rows.exclude(refund_id=excluding), refunds.exclude(pk=excluding)
    per_line = {row["line_id"]: (row["amount"], row["units"])
                for row in rows.values("line_id").annotate(amount=Sum("amount"), units=Sum("quantity"))}
    shipping = refunds.aggregate(total=Sum("shipping_amount"))["total"] or Decimal("0.00")
    return per_line, shipping


def _check_caps(sub: SubOrder, lines: list[RefundLineIn], shipping: Decimal, *, excluding: int | None = None
                ) -> dict[int, OrderLine]:
    """409 naming the line when a refund asks more money or units than are left on it."""
    own = {line.pk: line for line in sub.lines.all()}
    committed, shipping_taken = _committed(sub, excluding=excluding)
    for index, wanted in enumerate(lines):
        line = own.get(wanted.line_id)
        if line is None:
            raise field_error(f"lines[{index}].line", _("Order %(number)s has no line %(line)s.")
                              % {"number": sub.number, "line": wanted.line_id})
        taken, units = committed.get(line.pk, (Decimal("0.00"), 0))
        left = line.paid_amount - taken
        if wanted.amount > left:
            message = (_("%(item)s: %(amount)s is more than is left to refund (paid %(paid)s, refunded or being "
                         "refunded %(taken)s, left %(left)s).")
                       % {"item": line.title, "amount": format_cny(wanted.amount), "paid": format_cny(line.paid_amount),
                          "taken": format_cny(taken), "left": format_cny(left)})
            raise Conflict(message, code="refund_exceeds_line", fields={f"lines[{index}].amount": [message]})
        if wanted.quantity > line.quantity - units:
            message = (_("%(item)s: %(n)d units cannot come back; %(left)d of %(bought)d are left.")
                       % {"item": line.title, "n": wanted.quantity, "left": line.quantity - units,
                          "bought": line.quantity})
            raise Conflict(message, code="refund_exceeds_quantity", fields={f"lines[{index}].quantity": [message]})
    if shipping > sub.shipping_amount - shipping_taken:
        message = (_("Shipping: %(amount)s is more than is left to refund (%(left)s).")
                   % {"amount": format_cny(shipping), "left": format_cny(sub.shipping_amount - shipping_taken)})
        raise Conflict(message, code="refund_exceeds_shipping", fields={"shipping_amount": [message]})
    return own


@dataclass(frozen=True)
class LineRoom:
    line: OrderLine
    amount_left: Decimal
    units_left: int


@dataclass(frozen=True)
class Room:
    """What is still refundable on a sub-order, for the refund form."""

    lines: list[LineRoom]
    shipping_left: Decimal

    @property
    def any(self) -> bool:
        return self.shipping_left > 0 or any(r.amount_left > 0 for r in self.lines)


def refund_room(sub: SubOrder) -> Room:
    committed, shipping_taken = _committed(sub)
    rows = []
    for line in sub.lines.all():
        taken, units = committed.get(line.pk, (Decimal("0.00"), 0))
        rows.append(LineRoom(line, line.paid_amount - taken, line.quantity - units))
    return Room(rows, sub.shipping_amount - shipping_taken if sub.paid_amount else Decimal("0.00"))


def posted(form, room: Room) -> dict:
    """refund_create's values from the refund form: `amount_<line>`, `qty_<line>` (empty skips a
    line), `shipping_amount`, `reason`, `restock`, `request_key`."""
    lines = []
    for row in room.lines:
        amount = form.get(f"amount_{row.line.pk}", "").strip()
        if amount in ("", "0", "0.00"):
            continue
        lines.append({"line": row.line.pk, "amount": amount, "quantity": form.get(f"qty_{row.line.pk}", "").strip()})
    return {"lines": lines, "shipping_amount": form.get("shipping_amount", "").strip(),
            "reason": form.get("reason", ""), "restock": form.get("restock") == "on",
            "request_key": form.get("request_key", "")}


def _payment_number(sub: SubOrder) -> str:
    return sub.offline_payment_number if sub.payment_mode == PaymentMode.AT_PICKUP else sub.order.number


def _find_sub(number: str, shop_id: int | None) -> SubOrder:
    sub = sub_order_any(number=number, shop_id=shop_id)
    if sub is None:
        raise NotFound(_("No such order."))
    return sub


def _refunded_in_full(sub: SubOrder) -> bool:
    committed, shipping = _committed(sub)
    return shipping == sub.shipping_amount and all(
        committed.get(line.pk, (Decimal("0.00"), 0))[0] == line.paid_amount for line in sub.lines.all())


def _earlier(sub: SubOrder, request_key: str) -> OrderRefund | None:
    return OrderRefund.objects.filter(sub_order=sub, request_key=request_key).first() if request_key else None


@transaction.atomic
def refund_create(*, number: str, lines, shipping_amount="0", reason, restock: bool = False,
                  requested_by: str, actor=None, shop_id: int | None = None, request_key: str = "") -> OrderRefund:
    """Give money back on lines of the paid sub-order `number` (a shop passes its `shop_id`: it
    can only refund its own). `lines` are {line, amount, quantity}: quantity is how many units
    came back (0: money only) and, with `restock`, they go on sale again. Idempotent on
    `request_key` (a form submitted twice makes one refund). 400 bad input, 404, 409 over a cap
    or when the sub-order is not paid."""
    from shared_apps.payments.interface import payment_lock, refund_request

    parsed = _parsed_lines(lines)
    shipping = _shipping(shipping_amount)
    reason = _reason(reason)
    if requested_by not in RefundBy.values:
        raise field_error("requested_by", _("Unknown requester."))
    request_key = str(request_key or "")[:64]
    total = sum((line.amount for line in parsed), Decimal("0.00")) + shipping
    if total <= 0:
        raise field_error("lines", _("Give at least one line or a shipping amount to refund."))

    sub = _find_sub(number, shop_id)
    if (earlier := _earlier(sub, request_key)) is not None:
        return earlier  # the same form again
    if sub.status not in REFUNDABLE or not sub.paid_amount:
        raise Conflict(_("Order %(number)s is %(status)s: only a paid order can be refunded.")
                       % {"number": sub.number, "status": S(sub.status).label}, code="not_refundable")
    payment_lock(number=_payment_number(sub))
    if (earlier := _earlier(sub, request_key)) is not None:
        return earlier  # sent beside the first, which committed while this one waited for the lock
    sub = _locked(SubOrder.objects).get(pk=sub.pk)
    own = _check_caps(sub, parsed, shipping)

    refund_number = f"{sub.number}-R{OrderRefund.objects.filter(sub_order=sub).count() + 1}"
    refund = OrderRefund.objects.create(
        number=refund_number, sub_order=sub, amount=total, shipping_amount=shipping, reason=reason,
        restocked=restock and any(line.quantity for line in parsed), requested_by=requested_by,
        actor_user_id=getattr(actor, "pk", None), request_key=request_key, payment_refund_no=refund_number)
    OrderRefundLine.objects.bulk_create(
        [OrderRefundLine(refund=refund, line_id=line.line_id, quantity=line.quantity, amount=line.amount)
         for line in parsed])
    if refund.restocked:
        from tenant_apps.inventory.interface import sale_return

        with schema_context(sub.shop.schema_name):
            sale_return(reference=sub.number, actor_user_id=refund.actor_user_id, reason=f"refund {refund_number}",
                        items=[(own[line.line_id].sku_id, line.quantity) for line in parsed if line.quantity])
    refund_request(number=_payment_number(sub), amount=total, refund_no=refund_number, reason=reason)
    if sub.status in NOT_YET_SHIPPED and _refunded_in_full(sub):
        _move(sub, S.CANCELLED, actor_user_id=refund.actor_user_id, reason=f"refunded in full ({refund_number})")
        _emit(sub, "order.cancelled")
    ledger_refund_moved(refund_id=refund.pk)
    audit_record(actor=actor, action="order.refund", target_type="sub_order", target_id=sub.number,
                 shop_id=sub.shop_id, after={"refund": refund_number, "amount": str(total),
                                             "by": requested_by, "restocked": refund.restocked}, reason=reason)
    return refund


def _refund_for_payment(refund_no: str) -> OrderRefund | None:
    return (OrderRefund.objects.select_for_update(of=("self",)).select_related("sub_order__shop", "sub_order__order")
            .filter(payment_refund_no=refund_no).first())


def refund_succeeded(reference: str, data) -> None:
    """payments → orders: the money of a refund is back with the buyer (inside the payment's
    transaction, which holds the payment row). Told twice: no change."""
    refund = _refund_for_payment(data.refund_no)
    if refund is None or refund.status == RefundStatus.SUCCEEDED:
        return
    refund.status, refund.finished_at, refund.failure_reason = RefundStatus.SUCCEEDED, timezone.now(), ""
    refund.save(update_fields=["status", "finished_at", "failure_reason"])
    ledger_refund_moved(refund_id=refund.pk)
    for row in refund.lines.all():
        OrderLine.objects.filter(pk=row.line_id).update(refunded_amount=F("refunded_amount") + row.amount)
    SubOrder.objects.filter(pk=refund.sub_order_id).update(refunded_amount=F("refunded_amount") + refund.amount)
    sub = refund.sub_order
    from tenant_apps.webhooks.interface import webhook_emit

    with schema_context(sub.shop.schema_name):
        webhook_emit(event="refund.succeeded", payload={
            "refund": refund.number, "sub_order": sub.number, "order": sub.order.number,
            "amount": str(refund.amount), "shipping_amount": str(refund.shipping_amount),
            "lines": [{"line": row.line_id, "amount": str(row.amount), "quantity": row.quantity}
                      for row in refund.lines.all()]})


def refund_failed(reference: str, data) -> None:
    """payments → orders: the provider refused the refund for good. Its amounts stop counting
    against the lines' caps; an operator (or the shop) can try again."""
    refund = _refund_for_payment(data.refund_no)
    if refund is None or refund.status != RefundStatus.PENDING:
        return
    refund.status, refund.finished_at = RefundStatus.FAILED, timezone.now()
    refund.failure_reason = (data.failure_reason or _("The payment provider refused the refund."))[:300]
    refund.save(update_fields=["status", "finished_at", "failure_reason"])
    ledger_refund_moved(refund_id=refund.pk)


@transaction.atomic
def refund_retry(*, refund_number: str, actor, shop_id: int | None = None) -> OrderRefund:
    """Ask the provider again for a failed refund, under a new payment refund number. 409 if it
    did not fail, or if its amounts no longer fit the caps (another refund took them meanwhile)."""
    from shared_apps.payments.interface import payment_lock, refund_request

    found = (OrderRefund.objects.select_related("sub_order__order", "sub_order__shop")
             .filter(number=str(refund_number)[:32]).first())
    if found is None or (shop_id is not None and found.sub_order.shop_id != shop_id):
        raise NotFound(_("No such refund."))
    payment_lock(number=_payment_number(found.sub_order))
    sub = _locked(SubOrder.objects).get(pk=found.sub_order_id)
    refund = OrderRefund.objects.select_for_update().get(pk=found.pk)
    if refund.status != RefundStatus.FAILED:
        raise Conflict(_("Refund %(number)s is %(status)s; only a failed refund is tried again.")
                       % {"number": refund.number, "status": RefundStatus(refund.status).label}, code="not_failed")
    lines = [RefundLineIn(row.line_id, row.amount, row.quantity) for row in refund.lines.all()]
    _check_caps(sub, lines, refund.shipping_amount, excluding=refund.pk)
    refund.attempts += 1
    refund.payment_refund_no = f"{refund.number}-{refund.attempts}"
    refund.status, refund.finished_at, refund.failure_reason = RefundStatus.PENDING, None, ""
    refund.save(update_fields=["attempts", "payment_refund_no", "status", "finished_at", "failure_reason"])
    refund_request(number=_payment_number(sub), amount=refund.amount, refund_no=refund.payment_refund_no,
                   reason=refund.reason)
    ledger_refund_moved(refund_id=refund.pk)
    audit_record(actor=actor, action="order.refund_retry", target_type="sub_order", target_id=sub.number,
                 shop_id=sub.shop_id, after={"refund": refund.number, "attempt": refund.attempts})
    return refund


@transaction.atomic
def refund_handed_back(*, refund_number: str, shop_id: int, actor) -> OrderRefund:
    """The shop handed back the money of a refund on a payment it took itself (pay at pickup,
    bank transfer): the refund succeeds."""
    from shared_apps.payments.interface import offline_refund_confirm

    refund = (OrderRefund.objects.select_related("sub_order")
              .filter(number=str(refund_number)[:32], sub_order__shop_id=shop_id).first())
    if refund is None:
        raise NotFound(_("No such refund."))
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    offline_refund_confirm(refund_no=refund.payment_refund_no, actor_user_id=actor.pk,
                           note=_("handed back by the shop"))
    refund.refresh_from_db()
    return refund


def refunds_of(sub_orders) -> dict[int, list[OrderRefund]]:
    """The refunds of some sub-orders with their lines, by sub-order id, in one query each."""
    found: dict[int, list[OrderRefund]] = {}
    for refund in (OrderRefund.objects.filter(sub_order__in=sub_orders).select_related("sub_order__order")
                   .prefetch_related("lines__line")):
        found.setdefault(refund.sub_order_id, []).append(refund)
    return found
