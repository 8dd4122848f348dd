"""The comparison groups in the operator console (比价分组管理), under /comparison/: the groups with
search by title, brand, model or GTIN, one group with its member offers, merging groups, splitting
offers off a group, and the similarity threshold of the automatic grouping.

Administrators act; auditors read every page but get 403 on every action (the buttons are hidden
from them); other operator roles and shoppers get 403. Every write goes through the services,
which audit it; their refusals show on the page with the service's 4xx status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.api.errors import ServiceError
from backend.lib import hosts
from backend.lib.forms import attach_service_error
from shared_apps.accounts import roles
from shared_apps.ops.views import capabilities, operator_required

from . import selectors, services
from .forms import GroupFilterForm, ReasonForm, ThresholdForm
from .models import ComparisonGroup
from .services import CHANGE_ROLES, READ_ROLES

PER_PAGE = 30
NAV = "comparison"


def _render(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context = {"can": capabilities(request.user), "can_act": roles.has_operator_role(request.user, CHANGE_ROLES),
               "nav_active": NAV, **context}
    return render(request, f"comparison/ops/{template}", context, status=status)


def _ids(values, field: str) -> list[int]:
    """Checked ids from a form's checkboxes; a value that is not one: 400 naming the field."""
    ids = []
    for value in values:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
            raise ServiceError(_("%(field)s: choose from the list.") % {"field": field},
                               fields={field: [_("Choose from the list.")]})
        ids.append(int(text))
    return ids


def _groups_page(request, *, error: str = "", status: int = 200) -> HttpResponse:
    form = GroupFilterForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        locked = {"1": True, "0": False}.get(data["locked"])
        rows = selectors.groups_search(q=data["q"], kind=data["kind"], locked=locked)
    else:
        field, errors = next(iter(form.errors.items()))
        error, status, rows = f"{field}: {errors[0]}", 400, ComparisonGroup.objects.none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return _render(request, "groups.html", {"form": form, "page": page, "error": error,
                                            "reason_form": ReasonForm()}, status=status)


@operator_required(READ_ROLES)
@require_GET
def group_list(request):
    return _groups_page(request)


@operator_required(CHANGE_ROLES)
@require_POST
def group_merge(request):
    """Merge the ticked groups into the first ticked (the lowest id, as the list is newest first
    the oldest group keeps its id and what hangs on it)."""
    form = ReasonForm(request.POST)
    try:
        ids = sorted(_ids(request.POST.getlist("group_ids"), "group_ids"))
        if not form.is_valid():
            raise ServiceError(_("reason: at most 300 characters."), fields={"reason": [_("At most 300 characters.")]})
        merged = services.group_merge(group_ids=ids, actor=request.user, reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        return _groups_page(request, error=exc.message, status=exc.status_code)
    messages.success(request, _("Merged %(n)d groups into group %(id)s.") % {"n": len(set(ids)), "id": merged.pk})
    return redirect("ops-comparison:group", pk=merged.pk)


def _group_page(request, pk: int, *, form: ReasonForm | None = None, error: str = "", status: int = 200):
    group = ComparisonGroup.objects.filter(pk=pk).first()
    if group is None:
        raise Http404(_("No such comparison group."))
    return _render(request, "group_detail.html", {
        "group": group, "members": selectors.group_members(pk), "form": form or ReasonForm(), "error": error,
        "product_url": hosts.mall_url(selectors.product_path(pk))}, status=status)


@operator_required(READ_ROLES)
@require_GET
def group_detail(request, pk: int):
    return _group_page(request, pk)


@operator_required(CHANGE_ROLES)
@require_POST
def group_split(request, pk: int):
    form = ReasonForm(request.POST)
    try:
        ids = _ids(request.POST.getlist("offer_ids"), "offer_ids")
        if not form.is_valid():
            raise ServiceError(_("reason: at most 300 characters."), fields={"reason": [_("At most 300 characters.")]})
        split = services.group_split(group_id=pk, offer_ids=ids, actor=request.user,
                                     reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        return _group_page(request, pk, form=form, error=exc.message, status=exc.status_code)
    messages.success(request, _("Split %(n)d offers off into group %(id)s.") % {"n": len(set(ids)), "id": split.pk})
    return redirect("ops-comparison:group", pk=split.pk)


@operator_required(READ_ROLES)
@require_http_methods(["GET", "POST"])
def group_settings(request):
    current = services.group_settings_get()
    if request.method == "POST":
        if not roles.has_operator_role(request.user, CHANGE_ROLES):
            return render(request, "errors/403.html",
                          {"message": _("Your operator role does not allow this action.")}, status=403)
        form = ThresholdForm(request.POST)
        if form.is_valid():
            try:
                services.group_settings_update(similarity_threshold=form.cleaned_data["similarity_threshold"],
                                               actor=request.user)
            except ServiceError as exc:
                attach_service_error(form, exc)
                return _render(request, "settings.html", {"form": form, "current": current}, status=exc.status_code)
            messages.success(request, _("The threshold was saved; every offer is being regrouped."))
            return redirect("ops-comparison:settings")
        return _render(request, "settings.html", {"form": form, "current": current}, status=400)
    form = ThresholdForm(initial={"similarity_threshold": current.similarity_threshold})
    return _render(request, "settings.html", {"form": form, "current": current})

