"""Operators see every order (ops host): a searchable list of sub-orders, one order whole with its
refunds, refunding lines of any shop's order (a complaint, a shop that does not answer), and the
list of refunds where finance tries failed ones again."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.api.errors import ServiceError
from shared_apps.accounts import roles
from shared_apps.ops.views import operator_required

from . import refunds, selectors
from .models import RefundBy, RefundStatus, SubOrderStatus


@operator_required()
@require_GET
def order_list(request):
    status = request.GET.get("status", "")
    status = status if status in SubOrderStatus.values else ""
    search = request.GET.get("q", "")[:40]
    page = Paginator(selectors.all_orders(status=status, search=search), 50).get_page(request.GET.get("page"))
    return render(request, "orders/ops/list.html", {
        "page": page, "status": status, "q": search, "statuses": SubOrderStatus.choices, "nav_active": "orders"})


def _detail(request, number: str, *, error: str = "", status: int = 200):
    order = selectors.order_whole(number=number)
    if order is None:
        raise Http404("No such order.")
    can_refund = roles.has_operator_role(request.user, roles.REFUNDS)
    subs = [(sub, refunds.refund_room(sub) if can_refund and sub.paid_amount else None)
            for sub in order.sub_orders.all()]
    return render(request, "orders/ops/detail.html", {
        "order": order, "subs": subs, "error": error, "request_key": uuid.uuid4().hex,
        "refund_actions_url": "/orders/refunds/" if roles.has_operator_role(request.user, roles.FINANCE) else "",
        "nav_active": "orders"}, status=status)


@operator_required()
@require_GET
def order_detail(request, number: str):
    return _detail(request, number)


@operator_required(roles.REFUNDS)
@require_POST
def sub_order_refund(request, number: str):
    sub = selectors.sub_order_any(number=number)
    if sub is None:
        raise Http404("No such order.")
    values = refunds.posted(request.POST, refunds.refund_room(sub))
    try:
        refund = refunds.refund_create(number=number, requested_by=RefundBy.OPERATOR, actor=request.user, **values)
    except ServiceError as exc:
        return _detail(request, sub.order.number, error=f"{sub.number}: {exc.message}", status=exc.status_code)
    messages.success(request, _("Refund %(number)s of %(amount)s is on its way to the buyer.")
                     % {"number": refund.number, "amount": f"¥{refund.amount}"})
    return redirect("ops-orders:detail", sub.order.number)


@operator_required()
@require_GET
def refund_list(request):
    status = request.GET.get("status", "")
    status = status if status in RefundStatus.values else ""
    page = Paginator(selectors.all_refunds(status=status), 50).get_page(request.GET.get("page"))
    return render(request, "orders/ops/refunds.html", {
        "page": page, "status": status, "statuses": RefundStatus.choices, "nav_active": "refunds",
        "can_retry": roles.has_operator_role(request.user, roles.FINANCE)})


@operator_required(roles.FINANCE)
@require_POST
def refund_retry(request, number: str):
    try:
        refund = refunds.refund_retry(refund_number=number, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Refund %(number)s was sent again.") % {"number": refund.number})
    return redirect("ops-orders:refunds")
