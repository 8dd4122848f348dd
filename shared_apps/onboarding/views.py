"""The 'open a shop' wizard on the mall host: one page per step over one draft application."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from backend.api.errors import ServiceError
from backend.lib import hosts
from backend.lib.forms import attach_service_error
from backend.lib.ip import client_ip
from shared_apps.taxonomy.selectors import business_categories

from . import services
from .forms import BankStepForm, CategoriesStepForm, CompanyStepForm, DocumentForm, ShopStepForm
from .models import ShopApplication
from .selectors import applications_of

# (slug, title, form class, the application fields shown as initial values)
STEPS = [
    ("shop", gettext_lazy("Shop"), ShopStepForm, ["shop_name", "subdomain"]),
    ("company", gettext_lazy("Company"), CompanyStepForm, ["company_name", "credit_code", "contact_name"]),
    ("categories", gettext_lazy("Categories"), CategoriesStepForm, []),
    ("bank", gettext_lazy("Bank account"), BankStepForm, ["bank_name", "bank_branch", "bank_account_name"]),
    ("documents", gettext_lazy("Documents"), None, []),
    ("review", gettext_lazy("Review"), None, []),
]
SLUGS = [step[0] for step in STEPS]


def _mine(request, pk: int) -> ShopApplication:
    return get_object_or_404(ShopApplication.objects.prefetch_related("categories", "documents"),
                             pk=pk, applicant=request.user)


def _next_slug(slug: str) -> str:
    return SLUGS[min(SLUGS.index(slug) + 1, len(SLUGS) - 1)]


@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    if request.method == "POST":
        application = services.application_create(applicant=request.user)
        return redirect(f"/open-shop/{application.pk}/step/shop/")
    return render(request, "onboarding/start.html", {"applications": applications_of(applicant=request.user)})


@login_required
def detail(request, pk: int):
    application = _mine(request, pk)
    shop_url = None
    if application.shop_id:
        from tenants.models import Shop

        shop = Shop.objects.filter(pk=application.shop_id).first()
        shop_url = hosts.shop_url(shop.subdomain, "/console/") if shop else None
    return render(request, "onboarding/detail.html", {
        "application": application, "transitions": application.transitions.select_related("actor"),
        "shop_url": shop_url, "steps": STEPS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def step(request, pk: int, slug: str):
    if slug not in SLUGS:
        raise Http404("No such step.")
    application = _mine(request, pk)
    if not application.is_editable:
        messages.info(request, _("This application can no longer be changed."))
        return redirect(f"/open-shop/{pk}/")
    if slug == "documents":
        return _documents(request, application)
    if slug == "review":
        return _review(request, application)
    _slug, title, form_class, fields = STEPS[SLUGS.index(slug)]
    kwargs = {"categories": business_categories()} if slug == "categories" else {}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.application_update(application_id=pk, actor=request.user, data=form.cleaned_data)
            except ServiceError as exc:
                attach_service_error(form, exc)
            else:
                return redirect(f"/open-shop/{pk}/step/{_next_slug(slug)}/")
    else:
        initial = {field: getattr(application, field) for field in fields}
        if slug == "categories":
            initial["category_ids"] = [str(c.pk) for c in application.categories.all()]
        form = form_class(initial=initial, **kwargs)
    return render(request, "onboarding/step.html", {
        "application": application, "form": form, "slug": slug, "title": title, "steps": STEPS,
    }, status=400 if request.method == "POST" else 200)


def _documents(request, application):
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(application_id=application.pk, actor=request.user,
                                  kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"])
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, _("Document uploaded."))
            return redirect(f"/open-shop/{application.pk}/step/documents/")
    return render(request, "onboarding/documents.html", {
        "application": application, "form": form, "slug": "documents", "steps": STEPS,
        "documents": application.documents.all(),
    }, status=400 if request.method == "POST" else 200)


def _review(request, application):
    error = None
    if request.method == "POST":
        try:
            services.application_submit(application_id=application.pk, actor=request.user,
                                        ip=client_ip(request))
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("Submitted. We will e-mail you when it is decided."))
            return redirect(f"/open-shop/{application.pk}/")
    return render(request, "onboarding/review.html", {
        "application": application, "slug": "review", "steps": STEPS, "error": error,
        "documents": application.documents.all(),
    }, status=400 if error else 200)


@login_required
@require_POST
def document_delete(request, pk: int, doc_id: int):
    try:
        services.document_remove(application_id=pk, document_id=doc_id, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(f"/open-shop/{pk}/step/documents/")


@login_required
def document_file(request, pk: int, doc_id: int):
    """The applicant's own document; private storage is never served by path."""
    application = _mine(request, pk)
    document = get_object_or_404(application.documents, pk=doc_id)
    return document_response(document)


# Documents are never pages: no scripts, only same-origin embedding (the console's preview).
DOCUMENT_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


def document_response(document) -> FileResponse:
    """Stream a private qualification document with its stored (content-checked) type.

    The caller has checked who may see it (the applicant, an operator). nosniff and a script-free
    CSP keep a file from ever being run as a page; it shows inline so images and PDFs preview.
    """
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except OSError as exc:  # missing from storage: the row outlived its file
        raise Http404("No such document.") from exc
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=False,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    return response
