"""The collected-data pages (数据采集) on the operator host, under /collection/: collected offers,
sources, imports with their progress and error report, statistics, price analysis, and the
access grants.

Administrators and operators granted access see and use every page but the grants page, which is
for administrators only; every other person gets 403 (anonymous visitors the sign-in page). The
import page refreshes itself every two seconds while the import runs (a meta refresh: the
console's content security policy allows no inline script).
"""

from __future__ import annotations

from functools import wraps

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

from . import access, imports, selectors, services
from .exports import csv_response
from .models import ImportState, Source
from .ops_forms import (
    GrantForm,
    ImportFilterForm,
    OfferFilterForm,
    PeriodForm,
    RevokeForm,
    SourceForm,
    UploadForm,
)

PER_PAGE = 50
ERRORS_PER_PAGE = 100
NAV = "collection"


def collected_data_required(view):
    """An operator (else the sign-in page or 403) who may see collected data (else 403)."""

    @operator_required(roles.VIEW)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.can_view(request.user):
            message = _("Collected data is for administrators and operators granted access to it.")
            return render(request, "errors/403.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _render(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context = {"can": capabilities(request.user), "can_grant": access.can_manage_grants(request.user),
               "nav_active": NAV, **context}
    return render(request, f"collection/ops/{template}", context, status=status)


def _page(request, rows, per_page: int = PER_PAGE):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _first_error(form) -> str:
    name, errors = next(iter(form.errors.items()))
    return f"{name}: {errors[0]}"


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- collected offers --------------------------------------------------------------------------


@collected_data_required
@require_GET
def offer_list(request):
    form = OfferFilterForm(request.GET)
    if form.is_valid():
        rows, error, status = selectors.offer_search(**form.filters()), "", 200
    else:
        rows, error, status = selectors.offer_search().none(), _first_error(form), 400
    return _render(request, "offers.html", {"form": form, "page": _page(request, rows), "error": error,
                                            "query": _query_without_page(request)}, status=status)


@collected_data_required
@require_GET
def offer_detail(request, pk: int):
    offer = selectors.offer_detail(pk)
    if offer is None:
        raise Http404("No such offer.")
    return _render(request, "offer_detail.html", {"offer": offer, "prices": selectors.price_history(pk)})


# --- sources -----------------------------------------------------------------------------------


def _sources_page(request, *, form=None, status: int = 200):
    return _render(request, "sources.html", {"sources": selectors.sources_with_counts(), "form": form or SourceForm()},
                   status=status)


@collected_data_required
@require_GET
def source_list(request):
    return _sources_page(request)


@collected_data_required
@require_POST
def source_create(request):
    form = SourceForm(request.POST)
    if not form.is_valid():
        return _sources_page(request, form=form, status=400)
    try:
        services.source_create(actor=request.user, **form.cleaned_data)
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _sources_page(request, form=form, status=exc.status_code)
    messages.success(request, _("The source was added."))
    return redirect("ops-collection:sources")


@collected_data_required
def source_edit(request, pk: int):
    source = Source.objects.filter(pk=pk).first()
    if source is None:
        raise Http404("No such source.")
    if request.method != "POST":
        form = SourceForm(initial={"name": source.name, "kind": source.kind, "notes": source.notes})
        return _render(request, "source_edit.html", {"source": source, "form": form})
    form = SourceForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.source_update(actor=request.user, source_id=pk, **form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("The source was saved."))
            return redirect("ops-collection:sources")
    return _render(request, "source_edit.html", {"source": source, "form": form}, status=status)


# --- imports -----------------------------------------------------------------------------------


def _imports_page(request, *, upload=None, status: int = 200):
    filters = ImportFilterForm(request.GET)
    if filters.is_valid():
        source = filters.cleaned_data.get("source")
        rows = selectors.import_list(source_id=source.pk if source else None,
                                     state=filters.cleaned_data.get("state") or "")
        error = ""
    else:
        rows, error, status = selectors.import_list().none(), _first_error(filters), 400
    return _render(request, "imports.html", {
        "page": _page(request, rows), "filters": filters, "upload": upload or UploadForm(), "error": error,
        "max_size": imports.file_size(imports.max_bytes()), "max_rows": imports.max_rows()}, status=status)


@collected_data_required
@require_GET
def import_list(request):
    return _imports_page(request)


@collected_data_required
@require_POST
def import_upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _imports_page(request, upload=form, status=400)
    try:
        run = imports.import_start(actor=request.user, source_id=form.cleaned_data["source"].pk,
                                   upload=form.cleaned_data.get("file"),
                                   file_format=form.cleaned_data.get("file_format") or "")
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _imports_page(request, upload=form, status=exc.status_code)
    messages.success(request, _("The file was received; the import runs in the background."))
    return redirect("ops-collection:import", run.pk)


@collected_data_required
@require_GET
def import_detail(request, pk: int):
    try:
        run = imports.run_get(actor=request.user, run_id=pk)
    except ServiceError as exc:
        raise Http404(exc.message) from None
    errors = _page(request, run.errors.all(), ERRORS_PER_PAGE)
    return _render(request, "import_detail.html", {
        "run": run, "errors": errors, "refresh": run.state in (ImportState.QUEUED, ImportState.RUNNING)})


@collected_data_required
@require_GET
def import_errors_csv(request, pk: int):
    try:
        run = imports.run_get(actor=request.user, run_id=pk)
    except ServiceError as exc:
        raise Http404(exc.message) from None
    return csv_response(f"collection-import-{run.pk}-errors", imports.ERROR_COLUMNS, imports.errors_csv_rows(run))


@collected_data_required
@require_POST
def rematch(request):
    services.rematch_start(actor=request.user, only_unmatched=request.POST.get("only_unmatched") == "on")
    messages.success(request, _("Matching to comparison groups runs in the background."))
    return redirect("ops-collection:offers")


# --- statistics and analysis -------------------------------------------------------------------


@collected_data_required
@require_GET
def stats(request):
    form = PeriodForm(request.GET)
    if form.is_valid():
        data, error, status = selectors.collection_stats(**form.filters()), "", 200
    else:
        data, error, status = None, _first_error(form), 400
    peak = max((day.offers for day in data.by_day), default=0) if data else 0
    return _render(request, "stats.html", {"form": form, "data": data, "error": error, "peak": peak},
                   status=status)


@collected_data_required
@require_GET
def analysis(request):
    form = PeriodForm(request.GET)
    if form.is_valid():
        report, error, status = selectors.price_position(**form.filters()), "", 200
        page = _page(request, report.groups)
    else:
        report, error, status, page = None, _first_error(form), 400, None
    return _render(request, "analysis.html", {
        "form": form, "report": report, "page": page, "error": error, "query": _query_without_page(request),
        "same_within": selectors.SAME_WITHIN_PERCENT}, status=status)


# --- access grants (administrators) ------------------------------------------------------------


def _grants_page(request, *, form=None, error: str = "", status: int = 200):
    return _render(request, "grants.html", {"grants": selectors.grant_list(), "form": form or GrantForm(),
                                            "revoke_form": RevokeForm(), "error": error}, status=status)


@operator_required(access.ADMINS)
@require_GET
def grant_list(request):
    return _grants_page(request)


@operator_required(access.ADMINS)
@require_POST
def grant_create(request):
    form = GrantForm(request.POST)
    if not form.is_valid():
        return _grants_page(request, form=form, status=400)
    try:
        services.grant_give(actor=request.user, user_id=form.cleaned_data["user"].pk,
                            reason=form.cleaned_data["reason"], ip=client_ip(request))
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _grants_page(request, form=form, status=exc.status_code)
    messages.success(request, _("Access to collected data was granted."))
    return redirect("ops-collection:grants")


@operator_required(access.ADMINS)
@require_POST
def grant_revoke(request, user_id: int):
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _grants_page(request, error=_first_error(form), status=400)
    try:
        services.grant_revoke(actor=request.user, user_id=user_id, reason=form.cleaned_data["reason"],
                              ip=client_ip(request))
    except ServiceError as exc:
        return _grants_page(request, error=exc.message, status=exc.status_code)
    messages.success(request, _("Access to collected data was revoked."))
    return redirect("ops-collection:grants")
