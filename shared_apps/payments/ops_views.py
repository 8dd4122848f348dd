"""Payments on the operator host (administrators, finance, auditors): every payment with its
moves, refunds and the provider messages about it, and the log of provider notifications (where
refused signatures and unknown payments show up)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shared_apps.ops.views import operator_required

from . import selectors
from .models import Outcome, PaymentStatus, Provider
from .roles import READ


def _choice(request, name: str, allowed) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


@operator_required(READ)
@require_GET
def payment_list(request):
    status = _choice(request, "status", PaymentStatus.values)
    provider = _choice(request, "provider", Provider.values)
    search = request.GET.get("q", "").strip()[:64]
    page = Paginator(selectors.all_payments(status=status, provider=provider, search=search), 50).get_page(
        request.GET.get("page"))
    return render(request, "payments/ops/list.html", {
        "page": page, "status": status, "provider": provider, "q": search, "statuses": PaymentStatus.choices,
        "providers": Provider.choices, "nav_active": "payments"})


@operator_required(READ)
@require_GET
def payment_detail(request, number: str):
    payment = selectors.payment_whole(number=number)
    if payment is None:
        raise Http404("No such payment.")
    return render(request, "payments/ops/detail.html", {"payment": payment, "nav_active": "payments"})


@operator_required(READ)
@require_GET
def notification_list(request):
    outcome = _choice(request, "outcome", Outcome.values)
    provider = _choice(request, "provider", Provider.values)
    page = Paginator(selectors.notifications(outcome=outcome, provider=provider), 50).get_page(
        request.GET.get("page"))
    return render(request, "payments/ops/notifications.html", {
        "page": page, "outcome": outcome, "provider": provider, "outcomes": Outcome.choices,
        "providers": Provider.choices, "nav_active": "payments"})
