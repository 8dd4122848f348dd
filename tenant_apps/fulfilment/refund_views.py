"""The shop's refund pages under /console/fulfilment/: refunding lines of one order (the form sits
on the order's page), the list of the shop's refunds, trying a failed refund again and confirming
money handed back at the counter. They need the "refunds" section (owner, manager, customer
service); the order page shows the form only to those roles."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backend.api.errors import ServiceError
from shared_apps.orders import interface as orders
from tenant_apps.shop.access import console_page

from .views import _detail, _page

PAGE_SIZE = 50
STATUSES = orders.RefundStatus.choices


@require_POST
@console_page("refunds")
def order_refund(request, number: str):
    sub = orders.sub_order(shop_id=request.tenant.pk, number=number)
    if sub is None:
        raise Http404
    values = orders.refund_form_values(request.POST, orders.refund_room(sub))
    try:
        refund = orders.refund_create(shop_id=request.tenant.pk, number=number, actor=request.user, **values)
    except ServiceError as exc:
        return _detail(request, number, error=exc.message, status=exc.status_code)
    messages.success(request, _("Refund %(number)s of %(amount)s is on its way to the buyer.")
                     % {"number": refund.number, "amount": f"¥{refund.amount}"})
    return redirect("shop:fulfilment-order", number=number)


@require_safe
@console_page("refunds")
def refund_list(request):
    status = request.GET.get("status", "")
    status = status if status in dict(STATUSES) else ""
    page = Paginator(orders.shop_refunds(shop_id=request.tenant.pk, status=status), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return _page(request, "refunds.html", {"page": page, "status": status, "statuses": STATUSES})


def _refund_action(request, number: str, act, done: str):
    try:
        refund = act(shop_id=request.tenant.pk, refund_number=number, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("shop:fulfilment-refunds")
    messages.success(request, done % {"number": refund.number})
    return redirect("shop:fulfilment-order", number=refund.sub_order.number)


@require_POST
@console_page("refunds")
def refund_retry(request, number: str):
    return _refund_action(request, number, orders.refund_retry, _("Refund %(number)s was sent again."))


@require_POST
@console_page("refunds")
def refund_handed_back(request, number: str):
    return _refund_action(request, number, orders.refund_handed_back,
                          _("Refund %(number)s is recorded as handed back."))

