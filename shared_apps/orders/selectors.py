"""Reads of orders: the shopper's (all their orders across shops), a shop's (its sub-orders only,
always filtered by shop) and the operators' (all)."""

from django.db.models import Prefetch, Q, QuerySet

from .models import Order, OrderLine, SubOrder, SubOrderStatusChange


def orders_of(*, user_id: int, status: str = "") -> QuerySet[Order]:
    orders = Order.objects.filter(user_id=user_id)
    if status:
        orders = orders.filter(status=status)
    return orders.prefetch_related(
        Prefetch("sub_orders", queryset=SubOrder.objects.select_related("shop").prefetch_related("lines")
                 .order_by("number")))


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
