"""What a shop's side (console, fulfilment) may read and do with orders. Everything is scoped
to one shop id: a shop can never read or move another shop's sub-orders."""

from . import refunds, selectors, services
from .models import (  # noqa: F401  (re-exported)
    DeliveryMethod,
    OrderRefund,
    PaymentMode,
    RefundBy,
    RefundStatus,
    SubOrder,
    SubOrderStatus,
)


def sub_orders(*, shop_id: int, status: str = "", search: str = ""):
    """The shop's sub-orders, newest first, with their lines and parent order."""
    return selectors.sub_orders_of_shop(shop_id=shop_id, status=status, search=search)


def sub_order(*, shop_id: int, number: str) -> SubOrder | None:
    return selectors.sub_order_of_shop(shop_id=shop_id, number=number)


def confirm(*, shop_id: int, number: str, actor_user_id: int) -> SubOrder:
    return services.sub_order_confirm(shop_id=shop_id, number=number, actor_user_id=actor_user_id)


def mark_shipped(*, shop_id: int, number: str, actor_user_id: int | None) -> SubOrder:
    """The first parcel of a sub-order left (later parcels: no change)."""
    return services.sub_order_shipped(shop_id=shop_id, number=number, actor_user_id=actor_user_id)


def mark_delivered(*, shop_id: int, number: str) -> SubOrder:
    return services.sub_order_delivered(shop_id=shop_id, number=number)


def mark_picked_up(*, shop_id: int, number: str, actor_user_id: int) -> SubOrder:
    return services.sub_order_picked_up(shop_id=shop_id, number=number, actor_user_id=actor_user_id)


def pickup_code_matches(*, shop_id: int, number: str, code: str) -> bool:
    """Whether `code` is the pickup code of this shop's pickup sub-order (constant-time)."""
    import hmac

    if not selectors.plausible_number(number):
        return False
    sub = SubOrder.objects.filter(shop_id=shop_id, number=number, delivery_method=DeliveryMethod.PICKUP).first()
    return sub is not None and bool(sub.pickup_code) and hmac.compare_digest(sub.pickup_code, str(code).strip())


def refund_create(*, shop_id: int, number: str, actor, **values) -> OrderRefund:
    """The shop gives money back on lines of its paid sub-order (see orders.refunds.refund_create
    for `values`: lines, shipping_amount, reason, restock, request_key)."""
    return refunds.refund_create(number=number, shop_id=shop_id, requested_by=RefundBy.SHOP, actor=actor, **values)


def refund_retry(*, shop_id: int, refund_number: str, actor) -> OrderRefund:
    return refunds.refund_retry(refund_number=refund_number, shop_id=shop_id, actor=actor)


def refund_handed_back(*, shop_id: int, refund_number: str, actor) -> OrderRefund:
    return refunds.refund_handed_back(refund_number=refund_number, shop_id=shop_id, actor=actor)


def refunds_of(sub_orders) -> dict[int, list[OrderRefund]]:
    return refunds.refunds_of(sub_orders)


def shop_refunds(*, shop_id: int, status: str = ""):
    """The shop's refunds, newest first."""
    return selectors.all_refunds(status=status, shop_id=shop_id)


def refund_room(sub: SubOrder) -> refunds.Room:
    """What is still refundable on the sub-order, line by line and for shipping (the form)."""
    return refunds.refund_room(sub)


def refund_form_values(form, room: refunds.Room) -> dict:
    """refund_create's values from a posted refund form (templates/orders/refunds/_form.html)."""
    return refunds.posted(form, room)
