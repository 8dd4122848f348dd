"""Pages of the operator console (运营后台), served on ops.MALL_DOMAIN only.

Every page needs a signed-in person with an operator role: anonymous visitors are sent to the
sign-in page of this host, everyone else without a role gets 403. Which role may do which action
is decided by the services (they raise Forbidden); the pages only hide buttons a role cannot use.
"""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from backend.api.errors import ServiceError
from backend.lib import hosts
from backend.lib.ip import client_ip
from shared_apps.accounts import roles
from shared_apps.collection import access as collection_access
from shared_apps.onboarding import services as onboarding_services
from shared_apps.onboarding.models import ApplicationStatus
from shared_apps.onboarding.transitions import can_move
from shared_apps.onboarding.views import document_response
from tenants import services as shop_services
from tenants.models import ShopStatus
from tenants.transitions import ALLOWED as SHOP_ALLOWED

from . import selectors
from .forms import APPLICATION_TABS, AuditFilterForm, ReasonForm, ShopFilterForm

LOGIN_URL = "/accounts/login/"
APPLICATIONS_PER_PAGE = 20
SHOPS_PER_PAGE = 30
AUDIT_PER_PAGE = 50

# Shop lifecycle actions of the console: URL name → (target status, button label, dangerous?).
SHOP_ACTIONS = {
    "suspend": (ShopStatus.SUSPENDED, gettext_lazy("Suspend"), True),
    "reactivate": (ShopStatus.ACTIVE, gettext_lazy("Reactivate"), False),
    "close": (ShopStatus.CLOSED, gettext_lazy("Close shop"), True),
}
SHOP_ACTION_HELP = {
    "suspend": gettext_lazy("The storefront closes and the console becomes read-only."),
    "reactivate": gettext_lazy("The storefront opens again."),
    "close": gettext_lazy("Closing is final: a closed shop cannot be reopened."),
}

# Served with the file itself: no scripts, embeddable only by the console's own pages.


def operator_required(allowed: frozenset = roles.VIEW):
    """Anonymous → this host's sign-in page; signed in without one of `allowed` roles → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url=LOGIN_URL)
            if not roles.has_operator_role(request.user, allowed):
                message = _("This page is for platform operators with a suitable role.")
                return render(request, "errors/403.html", {"message": message}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator



def capabilities(user) -> dict[str, bool]:
    """What the signed-in operator may do, for showing only the buttons and links they can use."""
    return {
        "review": roles.has_operator_role(user, roles.REVIEW),
        "lifecycle": roles.has_operator_role(user, roles.SHOP_LIFECYCLE),
        "bank": roles.has_operator_role(user, roles.REVIEW | roles.FINANCE),
        "audit": roles.has_operator_role(user, roles.AUDIT_LOG),
        "payments": roles.has_operator_role(user, roles.FINANCE | roles.REVIEW),
        "finance": roles.has_operator_role(user, roles.FINANCE | roles.REVIEW),
        "search": roles.has_operator_role(user, roles.SEARCH_READ),
        "collection": collection_access.can_view(user),
    }


def _render(request, template: str, context: dict, *, nav: str, status: int = 200) -> HttpResponse:
    context = {"can": capabilities(request.user), "nav_active": nav, **context}
    return render(request, template, context, status=status)


def _page(request, queryset, per_page: int) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _values_text(values: dict | None) -> str:
    """An audit entry's before/after as `key: value` pairs, for the log's table cells."""
    if not values:
        return ""
    return ", ".join(
        f"{key}: {json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}"
        for key, value in values.items()
    )


def _with_values_text(entries):
    for entry in entries:
        entry.before_text = _values_text(entry.before)
        entry.after_text = _values_text(entry.after)
    return entries


# --- dashboard ---------------------------------------------------------------------------------


@operator_required()
@require_GET
def dashboard(request):
    can = capabilities(request.user)
    data = selectors.dashboard(with_audit=can["audit"])
    _with_values_text(data.recent_audit)
    return _render(request, "ops/dashboard.html", {"data": data}, nav="dashboard")


# --- applications ------------------------------------------------------------------------------


@operator_required()
@require_GET
def application_list(request):
    status = request.GET.get("status", "")
    if status and status not in ApplicationStatus.values:
        status = ""
    counts = selectors.application_status_counts()
    tabs = [
        {
            "status": value,
            "label": label,
            "count": counts.get(value or selectors.WAITING, 0),
            "active": value == status,
        }
        for value, label in APPLICATION_TABS
    ]
    page = _page(request, selectors.application_queue(status=status or None), APPLICATIONS_PER_PAGE)
    return _render(
        request,
        "ops/application_list.html",
        {"tabs": tabs, "page": page, "status": status},
        nav="applications",
    )


def _application_page(
    request, pk: int, *, error: str = "", reject_form: ReasonForm | None = None, status: int = 200
) -> HttpResponse:
    application = selectors.application_detail(application_id=pk)
    if application is None:
        raise Http404("No such application.")
    context = {
        "application": application,
        "bank_account_masked": selectors.masked_account_number(application.bank_account_last4),
        "shop_url": hosts.shop_url(application.subdomain, "/") if application.shop_id else "",
        "can_claim": can_move(application.status, ApplicationStatus.UNDER_REVIEW),
        "can_decide": can_move(application.status, ApplicationStatus.APPROVED),
        "reject_form": reject_form or ReasonForm(auto_id="reject-%s"),
        "error": error,
    }
    return _render(
        request, "ops/application_detail.html", context, nav="applications", status=status
    )


@operator_required()
@require_GET
def application_detail(request, pk: int):
    return _application_page(request, pk)


@operator_required()
@require_POST
def application_claim(request, pk: int):
    try:
        onboarding_services.application_claim(
            application_id=pk, actor=request.user, ip=client_ip(request)
        )
    except ServiceError as exc:
        return _application_page(request, pk, error=exc.message, status=exc.status_code)
    messages.success(request, _("You took the application into review."))
    return redirect("ops:application", pk=pk)


@operator_required()
@require_POST
def application_approve(request, pk: int):
    try:
        onboarding_services.application_approve(
            application_id=pk, actor=request.user, ip=client_ip(request)
        )
    except ServiceError as exc:
        return _application_page(request, pk, error=exc.message, status=exc.status_code)
    messages.success(request, _("Application approved; the shop is live."))
    return redirect("ops:application", pk=pk)


@operator_required()
@require_POST
def application_reject(request, pk: int):
    form = ReasonForm(request.POST, auto_id="reject-%s")
    if not form.is_valid():
        return _application_page(request, pk, reject_form=form, status=400)
    try:
        onboarding_services.application_reject(
            application_id=pk,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except ServiceError as exc:
        return _application_page(
            request, pk, error=exc.message, reject_form=form, status=exc.status_code
        )
    messages.success(request, _("Application rejected; the applicant was told why."))
    return redirect("ops:application", pk=pk)


@operator_required()
@require_GET
@xframe_options_sameorigin
def application_document(request, pk: int, doc_id: int):
    document = selectors.application_document(application_id=pk, document_id=doc_id)
    if document is None:
        raise Http404("No such document.")
    return document_response(document)


# --- shops -------------------------------------------------------------------------------------


@operator_required()
@require_GET
def shop_list(request):
    form = ShopFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.shop_search(q=filters.get("q", ""), status=filters.get("status") or None)
    page = _page(request, queryset, SHOPS_PER_PAGE)
    return _render(
        request,
        "ops/shop_list.html",
        {"form": form, "page": page, "counts": selectors.shop_status_counts()},
        nav="shops",
        status=200 if form.is_valid() else 400,
    )


def _shop_page(
    request,
    pk: int,
    *,
    failed: str = "",
    error: str = "",
    form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.shop_detail(shop_id=pk)
    if detail is None:
        raise Http404("No such shop.")
    allowed = SHOP_ALLOWED[detail.shop.status]

    def reason_form(name: str) -> ReasonForm:
        action_form = (
            form if name == failed and form is not None else ReasonForm(auto_id=f"{name}-%s")
        )
        action_form.fields["reason"].help_text = SHOP_ACTION_HELP[name]
        return action_form

    actions = [
        {
            "name": name,
            "label": label,
            "danger": danger,
            "url": reverse(f"ops:shop-{name}", args=[pk]),
            "form": reason_form(name),
            "error": error if name == failed else "",
        }
        for name, (target, label, danger) in SHOP_ACTIONS.items()
        if target in allowed
    ]
    bank = detail.bank_account
    context = {
        "detail": detail,
        "shop": detail.shop,
        "actions": actions,
        # An action the shop's status no longer offers has no form to show its error next to.
        "error": error if not any(action["error"] for action in actions) else "",
        "storefront_url": hosts.shop_url(detail.shop.subdomain, "/"),
        "bank_account_masked": bank.account_number_masked if bank else "",
    }
    return _render(request, "ops/shop_detail.html", context, nav="shops", status=status)


@operator_required()
@require_GET
def shop_detail(request, pk: int):
    return _shop_page(request, pk)


@operator_required()
@require_POST
def shop_change_status(request, pk: int, action: str):
    target = SHOP_ACTIONS[action][0]
    form = ReasonForm(request.POST, auto_id=f"{action}-%s")
    if not form.is_valid():
        return _shop_page(request, pk, failed=action, form=form, status=400)
    try:
        shop_services.shop_change_status(
            shop_id=pk,
            to_status=target,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except ServiceError as exc:
        return _shop_page(
            request, pk, failed=action, error=exc.message, form=form, status=exc.status_code
        )
    messages.success(request, _("The shop's status was changed."))
    return redirect("ops:shop", pk=pk)


# --- bank account changes ----------------------------------------------------------------------


def _bank_accounts_page(
    request,
    *,
    failed: int | None = None,
    error: str = "",
    form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    changes = selectors.bank_account_changes()
    for change in changes:
        change.reject_form = (
            form
            if change.pk == failed and form is not None
            else ReasonForm(auto_id=f"reject-{change.pk}-%s")
        )
        change.error = error if change.pk == failed else ""
    listed = failed is None or any(change.pk == failed for change in changes)
    context = {"changes": changes, "error": error if not listed else ""}
    return _render(
        request, "ops/bank_account_list.html", context, nav="bank_accounts", status=status
    )


@operator_required()
@require_GET
def bank_account_list(request):
    return _bank_accounts_page(request)


@operator_required()
@require_POST
def bank_account_approve(request, pk: int):
    try:
        onboarding_services.bank_account_decide(
            account_id=pk, actor=request.user, approve=True, ip=client_ip(request)
        )
    except ServiceError as exc:
        return _bank_accounts_page(request, failed=pk, error=exc.message, status=exc.status_code)
    messages.success(request, _("Bank account change approved; payouts resume."))
    return redirect("ops:bank-accounts")


@operator_required()
@require_POST
def bank_account_reject(request, pk: int):
    form = ReasonForm(request.POST, auto_id=f"reject-{pk}-%s")
    if not form.is_valid():
        return _bank_accounts_page(request, failed=pk, form=form, status=400)
    try:
        onboarding_services.bank_account_decide(
            account_id=pk,
            actor=request.user,
            approve=False,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except ServiceError as exc:
        return _bank_accounts_page(
            request, failed=pk, error=exc.message, form=form, status=exc.status_code
        )
    messages.success(request, _("Bank account change rejected."))
    return redirect("ops:bank-accounts")


# --- audit log ---------------------------------------------------------------------------------


@operator_required(roles.AUDIT_LOG)
@require_GET
def audit_log(request):
    form = AuditFilterForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        queryset = selectors.audit_entries(
            action=data["action"],
            shop_id=selectors.shop_id_for(data["shop"]),
            actor_id=selectors.user_id_for(data["actor"]),
            since=data["since"],
            until=data["until"],
        )
        status = 200
    else:
        queryset = selectors.audit_entries().none()
        status = 400
    page = _page(request, queryset, AUDIT_PER_PAGE)
    _with_values_text(page.object_list)
    context = {"form": form, "page": page, "actions": selectors.audit_actions()}
    return _render(request, "ops/audit_log.html", context, nav="audit", status=status)
