"""Operators see every order (ops host): a searchable list of sub-orders and one order whole."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shared_apps.ops.views import operator_required

from . import selectors
from .models import Order, SubOrderStatus


@operator_required()
@require_GET
def order_list(request):
    status = request.GET.get("status", "")
    status = status if status in SubOrderStatus.values else ""
    search = request.GET.get("q", "")[:40]
    page = Paginator(selectors.all_orders(status=status, search=search), 50).get_page(request.GET.get("page"))
    return render(request, "orders/ops/list.html", {
        "page": page, "status": status, "q": search, "statuses": SubOrderStatus.choices, "nav_active": "orders"})


@operator_required()
@require_GET
def order_detail(request, number: str):
    if not selectors.plausible_number(number):
        raise Http404("No such order.")
    order = (Order.objects.prefetch_related("sub_orders__lines", "sub_orders__status_changes", "sub_orders__shop")
             .filter(number=number).first())
    if order is None:
        raise Http404("No such order.")
    return render(request, "orders/ops/detail.html", {"order": order, "nav_active": "orders"})
