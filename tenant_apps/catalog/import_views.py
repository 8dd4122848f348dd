"""Console pages for bulk import and export (/console/catalog/import/…, /console/catalog/export/…).

The job page refreshes itself every two seconds while the job is queued or running (a meta
refresh, no script), showing a <progress> bar and then the error table.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from backend.api.errors import ServiceError
from tenant_apps.shop.access import console_page
from tenant_apps.shop.views import _console

from . import exports, imports
from .models import ImportJob

RECENT_JOBS = 20
SHOWN_ERRORS = 200


def _job_or_404(job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import.")
    return job


def _format(fmt: str) -> str:
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format.")
    return fmt


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("catalog")
def import_page(request):
    error, status = None, 200
    if request.method == "POST":
        try:
            job = imports.import_start(upload=request.FILES.get("file"), actor_user_id=request.user.pk)
        except ServiceError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("The file was received; the import runs in the background."))
            return redirect(f"/console/catalog/import/{job.pk}/")
    return _console(request, "catalog/console/import.html", "catalog", {
        "jobs": ImportJob.objects.all()[:RECENT_JOBS], "error": error, "columns": imports.COLUMNS,
        "required": imports.REQUIRED_COLUMNS, "max_mb": imports.MAX_BYTES // (1024 * 1024),
    }, status=status)


@require_safe
@console_page("catalog")
def import_job(request, job_id: int):
    job = _job_or_404(job_id)
    return _console(request, "catalog/console/import_job.html", "catalog", {
        "job": job, "errors": job.errors[:SHOWN_ERRORS], "more_errors": max(len(job.errors) - SHOWN_ERRORS, 0),
    })


@require_safe
@console_page("catalog")
def import_errors(request, job_id: int):
    return exports.errors_response(_job_or_404(job_id))


@require_safe
@console_page("catalog")
def export_catalog(request, fmt: str):
    return exports.export_response("catalog", _format(fmt))


@require_safe
@console_page("inventory")
def export_stock(request, fmt: str):
    return exports.export_response("stock", _format(fmt))
