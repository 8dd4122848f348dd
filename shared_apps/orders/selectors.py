"""Reads of orders: the shopper's (all their orders across shops), a shop's (its sub-orders only,
always filtered by shop) and the operators' (all)."""

from django.db.models import Prefetch, Q, QuerySet

from .models import Order, OrderLine, OrderRefund, SubOrder, SubOrderStatusChange


def _with_sub_orders(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with their sub-orders (by number), lines and refunds: a fixed number of queries."""
    return orders.prefetch_related(
        Prefetch("sub_orders", queryset=SubOrder.objects.select_related("shop").prefetch_related(
            "lines", Prefetch("refunds", queryset=OrderRefund.objects.prefetch_related("lines__line")))
                 .order_by("number")))


def orders_of(*, user_id: int, status: str = "") -> QuerySet[Order]:
    orders = Order.objects.filter(user_id=user_id)
    if status:
        orders = orders.filter(status=status)
    return _with_sub_orders(orders)


def plausible_number(number) -> bool:
    """Order numbers are digits and hyphens: anything else (NUL bytes, 10 KB strings) is no order."""
    return isinstance(number, str) and 0 < len(number) <= 24 and all(c.isdigit() or c == "-" for c in number)


def order_of(*, user_id: int, number: str) -> Order | None:
    if not plausible_number(number):
        return None
    return orders_of(user_id=user_id).prefetch_related(
        Prefetch("sub_orders__status_changes", queryset=SubOrderStatusChange.objects.order_by("id"))).filter(
        number=number).first()


def sub_orders_of_shop(*, shop_id: int, status: str = "", search: str = "") -> QuerySet[SubOrder]:
    subs = SubOrder.objects.filter(shop_id=shop_id)
    if status:
        subs = subs.filter(status=status)
    if search:
        subs = subs.filter(Q(number__startswith=search.strip()) | Q(lines__sku_code__iexact=search.strip())).distinct()
    return subs.select_related("order").prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))


def sub_order_of_shop(*, shop_id: int, number: str) -> SubOrder | None:
    if not plausible_number(number):
        return None
    return sub_orders_of_shop(shop_id=shop_id).prefetch_related("status_changes").filter(number=number).first()


def all_orders(*, status: str = "", search: str = "") -> QuerySet[SubOrder]:
    subs = SubOrder.objects.all()
    if status:
        subs = subs.filter(status=status)
    if search:
        subs = subs.filter(Q(number__startswith=search.strip()) | Q(shop__subdomain=search.strip().lower()))
    return subs.select_related("order", "shop").prefetch_related("lines")


def order_whole(*, number: str) -> Order | None:
    """Any order with everything in it (operators)."""
    if not plausible_number(number):
        return None
    return _with_sub_orders(Order.objects.filter(number=number)).prefetch_related(
        Prefetch("sub_orders__status_changes", queryset=SubOrderStatusChange.objects.order_by("id"))).first()


def sub_order_any(*, number: str, shop_id: int | None = None) -> SubOrder | None:
    """Any shop's sub-order (operators), or only of `shop_id` when given, with order and shop."""
    if not plausible_number(number):
        return None
    subs = SubOrder.objects.select_related("order", "shop").filter(number=number)
    return (subs.filter(shop_id=shop_id) if shop_id is not None else subs).first()


def all_refunds(*, status: str = "", shop_id: int | None = None) -> QuerySet[OrderRefund]:
    refunds = OrderRefund.objects.all()
    if status:
        refunds = refunds.filter(status=status)
    if shop_id is not None:
        refunds = refunds.filter(sub_order__shop_id=shop_id)
    return refunds.select_related("sub_order__shop", "sub_order__order").prefetch_related(
        "lines__line").order_by("-created_at", "-id")
