"""Operator pages for product moderation (on the operator host)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.api.errors import ServiceError
from backend.lib.ip import client_ip
from shared_apps.accounts import roles
from shared_apps.ops.views import operator_required

from . import services
from .models import ItemStatus, ModerationItem
from .selectors import diff_rows, moderation_queue


@operator_required()
@require_GET
def queue(request):
    status = request.GET.get("status", ItemStatus.PENDING)
    if status not in ItemStatus.values:
        status = ItemStatus.PENDING
    page = Paginator(moderation_queue(status=status), 30).get_page(request.GET.get("page"))
    return render(request, "moderation/queue.html", {
        "page": page, "status": status, "statuses": ItemStatus.choices, "nav_active": "moderation",
    })


def _detail(request, item, *, error=None, status=200):
    return render(request, "moderation/item.html", {
        "item": item, "rows": diff_rows(item), "error": error, "nav_active": "moderation",
        "can_decide": roles.has_operator_role(request.user, roles.REVIEW) and item.status == ItemStatus.PENDING,
    }, status=status)


@operator_required()
@require_GET
def item_detail(request, pk: int):
    return _detail(request, get_object_or_404(ModerationItem.objects.select_related("shop"), pk=pk))


@operator_required()
@require_POST
def item_decide(request, pk: int, approve: bool):
    item = get_object_or_404(ModerationItem.objects.select_related("shop"), pk=pk)
    try:
        services.moderation_decide(item_id=pk, actor=request.user, approve=approve,
                                   reason=request.POST.get("reason", ""), ip=client_ip(request))
    except ServiceError as exc:
        return _detail(request, item, error=exc.message, status=exc.status_code)
    messages.success(request, _("Approved.") if approve else _("Rejected."))
    return redirect("moderation:queue")
