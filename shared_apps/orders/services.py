"""What happens to orders after checkout: payment, expiry, the sub-order lifecycle.

Every status move goes through `_move`, which checks the transition table and writes a history
row. Work in a shop's schema (selling or releasing held stock, webhooks) happens in the same
transaction as the move, shops in id order.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, NotFound
from shared_apps.settlement.interface import sales_paid

from . import transitions
from .models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentMode,
    SubOrder,
    SubOrderStatus,
    SubOrderStatusChange,
)

S = SubOrderStatus


def _locked(sub_orders, *, skip_locked: bool = False):
    """Sub-orders locked FOR UPDATE with their shop and order read alongside. Only the sub-order
    rows are locked: locking the joined shop row would block every concurrent checkout of that
    shop (their foreign-key checks take a KEY SHARE lock on it) and deadlock with them."""
    return sub_orders.select_for_update(of=("self",), skip_locked=skip_locked).select_related("shop", "order")


def history_add(sub: SubOrder, from_status: str, to_status: str, *, actor_user_id: int | None, reason: str = "") -> None:
    SubOrderStatusChange.objects.create(sub_order=sub, from_status=from_status, to_status=to_status,
                                        actor_user_id=actor_user_id, reason=reason[:200])


def _move(sub: SubOrder, to: str, *, actor_user_id: int | None = None, reason: str = "",
          also: list[str] | None = None) -> SubOrder:
    """Move a locked sub-order to `to` (409 naming both states when the table forbids it)."""
    if not transitions.allowed(sub.status, to):
        raise Conflict(_("Order %(number)s is %(from)s; it cannot become %(to)s.") % {
            "number": sub.number, "from": S(sub.status).label, "to": S(to).label}, code="illegal_transition")
    before = sub.status
    sub.status = to
    stamp = {S.PAID: "paid_at", S.SHIPPED: "shipped_at", S.DELIVERED: "delivered_at",
             S.COMPLETED: "completed_at", S.CANCELLED: "cancelled_at"}.get(to)
    fields = ["status", *(also or [])]
    if stamp:
        setattr(sub, stamp, timezone.now())
        fields.append(stamp)
    sub.save(update_fields=fields)
    history_add(sub, before, to, actor_user_id=actor_user_id, reason=reason)
    return sub


def _emit_here(sub: SubOrder, event: str) -> None:
    """Tell the shop's webhook subscribers; the connection is in the shop's schema already."""
    from tenant_apps.webhooks.interface import webhook_emit

    webhook_emit(event=event, payload={
        "sub_order": sub.number, "order": sub.order.number, "status": sub.status,
        "payable_amount": str(sub.payable_amount), "delivery_method": sub.delivery_method})


def _emit(sub: SubOrder, event: str) -> None:
    """Tell the shop's webhook subscribers (inside its schema, in this transaction)."""
    with schema_context(sub.shop.schema_name):
        _emit_here(sub, event)


def _mark_paid(sub: SubOrder, *, actor_user_id: int | None = None) -> None:
    """The public rows first, then one visit to the shop's schema: the held stock sold and the
    webhook queued (all in the payment's transaction)."""
    from tenant_apps.inventory.interface import sell

    sub.paid_amount = sub.payable_amount
    _move(sub, S.PAID, actor_user_id=actor_user_id, also=["paid_amount"])
    OrderLine.objects.filter(sub_order=sub).update(paid_amount=F("payable_amount"))
    with schema_context(sub.shop.schema_name):
        sell(reference=sub.number)
        _emit_here(sub, "order.paid")


# --- payment -----------------------------------------------------------------------------------


def checkout_paid(reference: str, payment) -> bool:
    """payments → orders: the checkout `reference` was paid online. Inside the payment's
    transaction. False (→ the payment is refunded) when the order can no longer take it."""
    order = Order.objects.select_for_update().filter(number=reference).first()
    if order is None:
        return False
    if order.status == OrderStatus.PAID:
        return True  # told twice
    if order.status != OrderStatus.PENDING_PAYMENT or timezone.now() >= order.expires_at:
        return False
    if payment.amount != order.online_amount:
        return False
    order.status, order.paid_at = OrderStatus.PAID, timezone.now()
    order.save(update_fields=["status", "paid_at"])
    paid = list(_locked(order.sub_orders).filter(payment_mode=PaymentMode.ONLINE).order_by("shop_id"))
    for sub in paid:
        _mark_paid(sub)
    sales_paid(sub_order_ids=[sub.pk for sub in paid])
    return True


def sub_order_paid_offline(reference: str, payment) -> bool:
    """payments → orders: a pay-at-pickup sub-order was paid at the counter."""
    sub = _locked(SubOrder.objects).filter(number=reference).first()
    if sub is None or sub.status == S.CANCELLED:
        return False
    if sub.status == S.PENDING_PAYMENT:
        _mark_paid(sub)
        sales_paid(sub_order_ids=[sub.pk])
    return True


def flash_claim_release(*, order_number: str) -> None:
    from .flash import claim_release

    claim_release(order_number=order_number)


# --- expiry ------------------------------------------------------------------------------------


def _release(sub: SubOrder, *, reason: str, actor_user_id: int | None = None) -> None:
    from tenant_apps.inventory.interface import release

    with schema_context(sub.shop.schema_name):
        release(reference=sub.number)
    _move(sub, S.CANCELLED, actor_user_id=actor_user_id, reason=reason)
    _emit(sub, "order.cancelled")


def _payment_first(orders) -> None:
    """Lock the order's online payment before the order itself: the order a payment notification
    takes (payment, then order), so an expiry or a cancel meeting a notification queues instead of
    deadlocking."""
    from shared_apps.payments.interface import payment_lock

    found = orders.filter(online_amount__gt=0).values_list("number", flat=True).first()
    if found is not None:
        payment_lock(number=found)


@transaction.atomic
def order_expire(*, order_id: int, now=None) -> bool:
    """An unpaid order past its deadline: its online sub-orders are cancelled, their stock goes
    back on sale, coupons are given back and the payment is closed. False if it was paid or
    closed meanwhile."""
    from shared_apps.marketing.services import coupons_release
    from shared_apps.payments.interface import payment_close

    now = now or timezone.now()
    due = Order.objects.filter(pk=order_id, status=OrderStatus.PENDING_PAYMENT, expires_at__lte=now)
    _payment_first(due)
    order = due.select_for_update(skip_locked=True).first()
    if order is None:
        return False
    order.status, order.closed_at = OrderStatus.EXPIRED, now
    order.save(update_fields=["status", "closed_at"])
    for sub in (_locked(order.sub_orders)
                .filter(payment_mode=PaymentMode.ONLINE, status=S.PENDING_PAYMENT).order_by("shop_id")):
        _release(sub, reason="payment deadline passed")
    coupons_release(order_number=order.number)
    flash_claim_release(order_number=order.number)
    if order.online_amount:
        payment_close(number=order.number)
    return True


def orders_expire(*, now=None, limit: int = 500) -> int:
    """Beat: expire unpaid orders past their deadline, each in its own transaction."""
    now = now or timezone.now()
    ids = list(Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lte=now)
               .order_by("expires_at").values_list("pk", flat=True)[:limit])
    return sum(order_expire(order_id=pk, now=now) for pk in ids)


@transaction.atomic
def order_cancel(*, user_id: int, number: str) -> Order:
    """The shopper gives up an unpaid order before its deadline."""
    from shared_apps.marketing.services import coupons_release
    from shared_apps.payments.interface import payment_close

    from .selectors import plausible_number

    mine = Order.objects.filter(number=number, user_id=user_id) if plausible_number(number) else Order.objects.none()
    _payment_first(mine)
    order = mine.select_for_update().first()
    if order is None:
        raise NotFound(_("No such order."))
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Conflict(_("Only an unpaid order can be cancelled here."), code="not_cancellable")
    order.status, order.closed_at = OrderStatus.CANCELLED, timezone.now()
    order.save(update_fields=["status", "closed_at"])
    for sub in (_locked(order.sub_orders)
                .filter(status=S.PENDING_PAYMENT).order_by("shop_id")):
        _release(sub, reason="cancelled by the buyer", actor_user_id=user_id)
        if sub.offline_payment_number:
            payment_close(number=sub.offline_payment_number)
    coupons_release(order_number=order.number)
    flash_claim_release(order_number=order.number)
    if order.online_amount:
        payment_close(number=order.number)
    return order


# --- the shop's side ---------------------------------------------------------------------------


def _shop_sub_order(*, shop_id: int, number: str) -> SubOrder:
    from .selectors import plausible_number

    if not plausible_number(number):
        raise NotFound(_("No such order in this shop."))
    sub = (_locked(SubOrder.objects)
           .filter(number=number, shop_id=shop_id).first())
    if sub is None:
        raise NotFound(_("No such order in this shop."))
    return sub


@transaction.atomic
def sub_order_confirm(*, shop_id: int, number: str, actor_user_id: int) -> SubOrder:
    sub = _shop_sub_order(shop_id=shop_id, number=number)
    return _move(sub, S.CONFIRMED, actor_user_id=actor_user_id)


@transaction.atomic
def sub_order_shipped(*, shop_id: int, number: str, actor_user_id: int | None) -> SubOrder:
    """Fulfilment → orders: the first parcel left. A shop that confirms orders must have."""
    sub = _shop_sub_order(shop_id=shop_id, number=number)
    if sub.status == S.SHIPPED:
        return sub  # a further parcel
    if sub.requires_confirmation and sub.status == S.PAID:
        raise Conflict(_("Confirm the order before shipping it."), code="not_confirmed")
    if sub.is_pickup:
        raise Conflict(_("A pickup order is not shipped; verify the pickup code instead."), code="pickup_order")
    _move(sub, S.SHIPPED, actor_user_id=actor_user_id)
    _emit(sub, "order.shipped")
    return sub


@transaction.atomic
def sub_order_delivered(*, shop_id: int, number: str) -> SubOrder:
    """Fulfilment → orders: the carrier delivered the last parcel."""
    sub = _shop_sub_order(shop_id=shop_id, number=number)
    if sub.status in (S.DELIVERED, S.COMPLETED):
        return sub
    _move(sub, S.DELIVERED)
    _emit(sub, "order.delivered")
    return sub


@transaction.atomic
def sub_order_picked_up(*, shop_id: int, number: str, actor_user_id: int) -> SubOrder:
    """Fulfilment → orders: the buyer collected a pickup order (paid online or at the counter)."""
    sub = _shop_sub_order(shop_id=shop_id, number=number)
    if not sub.is_pickup:
        raise Conflict(_("This order is delivered, not picked up."), code="not_pickup")
    if sub.status == S.PENDING_PAYMENT:
        raise Conflict(_("Take the payment at the counter first."), code="unpaid")
    _move(sub, S.COMPLETED, actor_user_id=actor_user_id, reason="picked up")
    _emit(sub, "order.completed")
    return sub


def sub_orders_complete_delivered(*, now=None, limit: int = 500) -> int:
    """Beat: delivered sub-orders complete by themselves after their shop's number of days."""
    now = now or timezone.now()
    done = 0
    due = ExpressionWrapper(F("delivered_at") + F("auto_complete_days") * timedelta(days=1),
                            output_field=DateTimeField())
    for pk in SubOrder.objects.filter(status=S.DELIVERED).alias(due=due).filter(due__lte=now).values_list(
            "pk", flat=True)[:limit]:
        with transaction.atomic():
            sub = _locked(SubOrder.objects, skip_locked=True).filter(
                pk=pk, status=S.DELIVERED).first()
            if sub is not None:
                _move(sub, S.COMPLETED, reason="completed automatically")
                _emit(sub, "order.completed")
                done += 1
    return done
