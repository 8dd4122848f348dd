"""The search pages of the operator console (ops host, under /search/): search analytics (volume,
top queries, zero-result queries, click-through by position) and the synonym groups.

Administrators and auditors read every page; only administrators add, change or delete synonyms
(the forms and buttons are hidden from auditors, and the services refuse them with 403). Other
operator roles and shoppers get 403. A bad date range is a 400 page naming the field.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.api.errors import ServiceError
from backend.lib.forms import attach_service_error
from backend.lib.ip import client_ip
from shared_apps.accounts import roles
from shared_apps.ops.views import capabilities, operator_required

from . import analytics_selectors as stats
from . import synonym_selectors, synonym_services
from .ops_forms import SynonymGroupForm

READ = roles.SEARCH_READ
EDIT = roles.SEARCH_SYNONYMS
NAV = "search"
GROUPS_PER_PAGE = 50


def _render(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context = {"can": capabilities(request.user), "can_edit": roles.has_operator_role(request.user, EDIT),
               "nav_active": NAV, **context}
    return render(request, f"search/ops/{template}", context, status=status)


def _period(request) -> tuple[stats.Period, str]:
    """The days asked for in ?since=&until=, or the default days with the refusal's message."""
    try:
        return stats.period(since=request.GET.get("since"), until=request.GET.get("until")), ""
    except ServiceError as exc:
        return stats.period(), exc.message


def _analytics_page(request, template: str, figures) -> HttpResponse:
    """A page of figures over a period: `figures(period)` gives the template's context."""
    period, error = _period(request)
    context = {"period": period, "error": error}
    if not error:
        try:
            context.update(figures(period))
        except ServiceError as exc:
            context["error"] = exc.message
    return _render(request, template, context, status=400 if context["error"] else 200)


# --- analytics ---------------------------------------------------------------------------------


@operator_required(READ)
@require_GET
def overview(request):
    def figures(period):
        days = stats.daily_volume(period=period)
        top = max((day.searches for day in days), default=0)
        bars = [(day, round(day.searches * 100 / top) if top else 0) for day in days]
        return {"summary": stats.summary(period=period), "bars": bars,
                "top": stats.top_queries(period=period, limit=10),
                "zero": stats.zero_result_queries(period=period, limit=10)}

    return _analytics_page(request, "overview.html", figures)


@operator_required(READ)
@require_GET
def top_queries(request):
    return _analytics_page(request, "queries.html", lambda period: {
        "rows": stats.top_queries(period=period, limit=request.GET.get("limit"))})


@operator_required(READ)
@require_GET
def zero_results(request):
    return _analytics_page(request, "zero_results.html", lambda period: {
        "rows": stats.zero_result_queries(period=period, limit=request.GET.get("limit"))})


@operator_required(READ)
@require_GET
def positions(request):
    return _analytics_page(request, "positions.html", lambda period: {
        "rows": stats.ctr_by_position(period=period, positions=request.GET.get("positions"))})


# --- synonyms ----------------------------------------------------------------------------------


def _synonyms_page(request, *, form: SynonymGroupForm | None = None, status: int = 200) -> HttpResponse:
    q = request.GET.get("q", "")[:64]
    page = Paginator(synonym_selectors.synonym_groups(q=q), GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    groups = [synonym_selectors.group_data(row) for row in page]
    if form is None:  # "Add synonyms" from a zero-result query arrives with ?terms=
        form = SynonymGroupForm(initial={"terms": request.GET.get("terms", "")[:200]})
    return _render(request, "synonyms.html", {
        "q": q, "page": page, "groups": groups, "builtin": synonym_selectors.builtin_groups(q=q), "form": form},
        status=status)


@operator_required(READ)
@require_GET
def synonym_list(request):
    return _synonyms_page(request)


@operator_required(EDIT)
@require_POST
def synonym_create(request):
    form = SynonymGroupForm(request.POST)
    if not form.is_valid():
        return _synonyms_page(request, form=form, status=400)
    try:
        group = synonym_services.synonym_group_create(terms=form.term_list(), actor=request.user,
                                                      ip=client_ip(request))
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _synonyms_page(request, form=form, status=exc.status_code)
    messages.success(request, _("Synonyms added: %(terms)s.") % {"terms": " · ".join(group.terms)})
    return redirect("ops-search:synonyms")


def _group_page(request, key: str, *, form: SynonymGroupForm | None = None, status: int = 200) -> HttpResponse:
    group = synonym_selectors.synonym_group(key=key)
    if group is None:
        raise Http404("No such synonym group.")
    form = form or SynonymGroupForm(initial={"terms": "\n".join(group.terms)})
    return _render(request, "synonym_detail.html", {"group": group, "form": form}, status=status)


@operator_required(READ)
@require_GET
def synonym_detail(request, key: str):
    return _group_page(request, key)


@operator_required(EDIT)
@require_POST
def synonym_update(request, key: str):
    form = SynonymGroupForm(request.POST)
    if not form.is_valid():
        return _group_page(request, key, form=form, status=400)
    try:
        group = synonym_services.synonym_group_update(key=key, terms=form.term_list(), actor=request.user,
                                                      ip=client_ip(request))
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404("No such synonym group.") from exc
        attach_service_error(form, exc)
        return _group_page(request, key, form=form, status=exc.status_code)
    messages.success(request, _("Synonyms saved: %(terms)s.") % {"terms": " · ".join(group.terms)})
    return redirect("ops-search:synonyms")


@operator_required(EDIT)
@require_POST
def synonym_delete(request, key: str):
    try:
        synonym_services.synonym_group_delete(key=key, actor=request.user, ip=client_ip(request))
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404("No such synonym group.") from exc
        messages.error(request, exc.message)
        return redirect("ops-search:synonyms")
    messages.success(request, _("The synonym group is deleted."))
    return redirect("ops-search:synonyms")
