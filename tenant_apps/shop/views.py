"""A shop's pages on its own host: the storefront at `/` and the merchant console at `/console/`.

Every console page goes through `access.console_page(section)`; writes go through the shop
services, whose refusals are shown on the page with their status code (400, 403, 404, 409).
"""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backend.api.errors import ServiceError
from backend.lib import hosts
from backend.lib.forms import attach_service_error
from backend.lib.ip import client_ip
from backend.views import media_url
from shared_apps.onboarding.interface import request_bank_account_change, settlement_accounts

from . import permissions, selectors, services
from .access import console_member, console_page
from .forms import (
    ApiTokenForm,
    BankAccountForm,
    InviteForm,
    OrderSettingsForm,
    ProfileForm,
    RoleForm,
    role_choices,
)
from .models import ApiTokenScope, StaffRole

# Console sections in menu order: label, and the page's URL name where the page exists yet.
SECTIONS = {
    "dashboard": (gettext_lazy("Dashboard"), "shop:console"),
    "settings": (gettext_lazy("Shop settings"), "shop:settings"),
    "staff": (gettext_lazy("Staff"), "shop:staff"),
    "bank_account": (gettext_lazy("Settlement bank account"), "shop:bank-account"),
    "catalog": (gettext_lazy("Products"), None),
    "inventory": (gettext_lazy("Stock"), None),
    "orders": (gettext_lazy("Orders"), None),
    "customers": (gettext_lazy("Customers"), None),
    "finance": (gettext_lazy("Finance"), "shop:finance"),
}
# Sections whose pages have links of their own in the console nav (base.html): the dashboard
# lists them too.
SECTION_PAGES = {"catalog": "/console/catalog/", "inventory": "/console/inventory/", "orders": "/console/fulfilment/"}


def _sections(role: str) -> list[dict]:
    return [
        {
            "key": key,
            "label": SECTIONS[key][0],
            "url": reverse(SECTIONS[key][1]) if SECTIONS[key][1] else None,
        }
        for key in permissions.sections_for(role)
        if key in SECTIONS
    ]


def _console(request, template: str, active: str, context: dict | None = None, status: int = 200):
    member = request.staff_member
    sections = _sections(member.role)
    return render(
        request,
        template,
        {
            "member": member,
            "role_label": StaffRole(member.role).label,
            "nav": [s for s in sections if s["url"]],
            "active": active,
            "read_only": request.tenant.is_read_only,
            **(context or {}),
        },
        status=status,
    )


def _service_kwargs(request) -> dict:
    return {
        "shop": request.tenant,
        "member": request.staff_member,
        "actor": request.user,
        "ip": client_ip(request),
    }


# --- storefront --------------------------------------------------------------------------------


@require_safe
def storefront(request):
    """The shop's home page: its profile and its newest listed products."""
    from tenant_apps.catalog.selectors import storefront_products
    from tenant_apps.catalog.views import product_cards

    profile = selectors.profile()
    return render(
        request,
        "shop/storefront.html",
        {
            "profile": profile,
            "logo_url": media_url(profile.logo.name),
            "is_staff_here": console_member(request) is not None,
            "cards": product_cards(storefront_products()[:NEW_ARRIVALS]),
        },
    )


NEW_ARRIVALS = 8


# --- console -----------------------------------------------------------------------------------


@require_safe
@console_page("dashboard")
def dashboard(request):
    # Imported here: the inventory pages import this module (for `_console`).
    from tenant_apps.inventory.report_views import dashboard_chart

    profile = selectors.profile()
    return _console(
        request,
        "shop/console/dashboard.html",
        "dashboard",
        {
            "profile": profile,
            "logo_url": media_url(profile.logo.name),
            "status": request.tenant.status,
            "status_label": request.tenant.get_status_display(),
            "staff_count": selectors.staff_list().count(),
            "sections": [{**sec, "url": sec["url"] or SECTION_PAGES.get(sec["key"])}
                         for sec in _sections(request.staff_member.role)],
            "storefront_url": hosts.shop_url(request.tenant.subdomain, "/"),
            "chart": dashboard_chart(request.staff_member.role),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("settings")
def settings_page(request):
    profile = selectors.profile()
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_update(
                    **_service_kwargs(request),
                    data={"name": data["name"], "description": data["description"]},
                    logo=data["logo"],
                    remove_logo=data["remove_logo"],
                )
            except ServiceError as exc:
                attach_service_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The shop settings were saved."))
                return redirect("shop:settings")
        else:
            status = 400
        profile.refresh_from_db()  # show what is stored, not what a refused save left in memory
    else:
        form = ProfileForm(initial={"name": profile.name, "description": profile.description})
    return _settings(request, profile, form=form, status=status)


def _settings(request, profile, *, form=None, order_form=None, status: int = 200):
    fields = ("payment_minutes", "confirm_orders", "auto_complete_days", "after_sales_days")
    return _console(
        request,
        "shop/console/settings.html",
        "settings",
        {
            "form": form or ProfileForm(initial={"name": profile.name, "description": profile.description}),
            "order_form": order_form or OrderSettingsForm(initial={f: getattr(profile, f) for f in fields}),
            "profile": profile,
            "logo_url": media_url(profile.logo.name),
        },
        status=status,
    )


@require_POST
@console_page("settings")
def order_settings_page(request):
    form = OrderSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.order_settings_update(**_service_kwargs(request), data=form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc)
            return _settings(request, selectors.profile(), order_form=form, status=exc.status_code)
        messages.success(request, _("The order settings were saved."))
        return redirect("shop:settings")
    return _settings(request, selectors.profile(), order_form=form, status=400)


def _staff_page(request, *, invite_form=None, error: str | None = None, status: int = 200):
    member = request.staff_member
    grantable = permissions.grantable_roles(member.role)
    staff = [
        {
            "record": row,
            "role_label": StaffRole(row.role).label,
            "is_me": row.pk == member.pk,
            "manageable": row.pk != member.pk and row.role in grantable,
        }
        for row in selectors.staff_list()
    ]
    invitations = [
        {"record": row, "role_label": StaffRole(row.role).label}
        for row in selectors.open_invitations()
    ]
    return _console(
        request,
        "shop/console/staff.html",
        "staff",
        {
            "staff": staff,
            "invitations": invitations,
            "invite_form": invite_form or InviteForm(grantable=grantable),
            "role_options": role_choices(grantable),
            "error": error,
        },
        status=status,
    )


@require_safe
@console_page("staff")
def staff_page(request):
    return _staff_page(request)


@require_POST
@console_page("staff")
def staff_invite(request):
    form = InviteForm(request.POST, grantable=permissions.grantable_roles(request.staff_member.role))
    if not form.is_valid():
        return _staff_page(request, invite_form=form, status=400)
    try:
        invitation = services.staff_invite(
            **_service_kwargs(request),
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
        )
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _staff_page(request, invite_form=form, status=exc.status_code)
    messages.success(
        request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
    )
    return redirect("shop:staff")


@require_POST
@console_page("staff")
def staff_role(request, member_id: int):
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, error=_("Choose a role."), status=400)
    try:
        target = services.staff_change_role(
            **_service_kwargs(request), member_id=member_id, role=form.cleaned_data["role"]
        )
    except ServiceError as exc:
        return _staff_page(request, error=exc.message, status=exc.status_code)
    messages.success(
        request,
        _("%(name)s is now %(role)s.") % {"name": target, "role": StaffRole(target.role).label},
    )
    return redirect("shop:staff")


@require_POST
@console_page("staff")
def staff_remove(request, member_id: int):
    try:
        services.staff_remove(**_service_kwargs(request), member_id=member_id)
    except ServiceError as exc:
        return _staff_page(request, error=exc.message, status=exc.status_code)
    messages.success(request, _("The staff member was removed."))
    return redirect("shop:staff")


@require_POST
@console_page("staff")
def invitation_revoke(request, invitation_id: int):
    try:
        services.invitation_revoke(**_service_kwargs(request), invitation_id=invitation_id)
    except ServiceError as exc:
        return _staff_page(request, error=exc.message, status=exc.status_code)
    messages.success(request, _("The invitation was revoked."))
    return redirect("shop:staff")


@require_http_methods(["GET", "HEAD", "POST"])
@console_page(None)
def invitation_accept(request):
    """The link from the invitation mail. Needs a sign-in on this host (not a staff record yet);
    joining takes a click, so a mail scanner that follows the link joins nobody."""
    token = (
        request.POST.get("token") if request.method == "POST" else request.GET.get("token")
    ) or ""
    context = {"token": token, "profile": selectors.profile(), "error": None}
    if not token or len(token) > 200:
        context["error"] = _(
            "This invitation link is incomplete; open the link from the e-mail again."
        )
        return render(request, "shop/console/invitation_accept.html", context, status=400)
    if request.method == "POST":
        try:
            services.invitation_accept(
                shop=request.tenant, user=request.user, token=token, ip=client_ip(request)
            )
        except ServiceError as exc:
            context["error"] = exc.message
            return render(
                request, "shop/console/invitation_accept.html", context, status=exc.status_code
            )
        messages.success(
            request, _("Welcome to the staff of %(shop)s.") % {"shop": context["profile"].name}
        )
        return redirect("shop:console")
    return render(request, "shop/console/invitation_accept.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("bank_account")
def bank_account(request):
    """The owner sees the account payouts go to (masked) and asks to change it; the change waits
    for an operator's review and payouts pause meanwhile."""
    shop = request.tenant
    status = 200
    if request.method == "POST":
        form = BankAccountForm(request.POST)
        if form.is_valid():
            try:
                request_bank_account_change(
                    shop_id=shop.pk, actor=request.user, ip=client_ip(request), **form.cleaned_data
                )
            except ServiceError as exc:
                attach_service_error(form, exc)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("The change was sent for review. Payouts are paused until it is approved."),
                )
                return redirect("shop:bank-account")
        else:
            status = 400
    else:
        form = BankAccountForm(initial={"account_name": shop.company_name})
    active, pending = settlement_accounts(shop_id=shop.pk)
    return _console(
        request,
        "shop/console/bank_account.html",
        "bank_account",
        {
            "form": form,
            "active_account": active,
            "pending_account": pending,
            "company_name": shop.company_name,
        },
        status=status,
    )


# --- API tokens --------------------------------------------------------------------------------

TOKEN_BADGES = {"active": "active", "expired": "pending", "revoked": "closed"}


def _api_tokens_page(request, *, form=None, issued=None, error: str | None = None, status: int = 200):
    now = timezone.now()
    people = {row.user_id: str(row) for row in selectors.staff_list()}
    scope_labels = dict(ApiTokenScope.choices)
    state_labels = {"active": _("Active"), "expired": _("Expired"), "revoked": _("Revoked")}
    tokens = []
    for token in selectors.api_tokens():
        state = token.state(now)
        tokens.append({
            "record": token,
            "scopes": [scope_labels.get(scope, scope) for scope in token.scopes],
            "state": state,
            "state_label": state_labels[state],
            "badge": TOKEN_BADGES[state],
            "created_by": people.get(token.created_by_user_id, f"#{token.created_by_user_id}"),
        })
    response = _console(
        request,
        "shop/console/api_tokens.html",
        "settings",
        {
            "tokens": tokens,
            "form": form or ApiTokenForm(),
            "issued": issued,
            "error": error,
            "api_url": hosts.shop_url(request.tenant.subdomain, "/api/v1/shop/"),
        },
        status=status,
    )
    if issued is not None:
        response["Cache-Control"] = "no-store"  # the secret must not be kept by any cache
    return response


def _end_of_day(day):
    """The moment a token set to expire 'after' `day` stops working: the next local midnight.
    (The last representable day stays itself; the service refuses such a far expiry anyway.)"""
    if day < date.max:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))


@require_http_methods(["GET", "HEAD", "POST"])
@console_page(permissions.TOKENS_SECTION)
def api_tokens(request):
    """The shop's API tokens for ERPs and other programs: list, make one (its secret is shown on
    this one response only), link to revoke. Owner and managers only."""
    if request.method != "POST":
        return _api_tokens_page(request)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _api_tokens_page(request, form=form, status=400)
    data = form.cleaned_data
    try:
        issued = services.api_token_create(
            **_service_kwargs(request),
            name=data["name"],
            scopes=data["scopes"],
            expires_at=_end_of_day(data["expires_at"]) if data["expires_at"] else None,
        )
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _api_tokens_page(request, form=form, status=exc.status_code)
    return _api_tokens_page(request, issued=issued, status=201)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page(permissions.TOKENS_SECTION)
def api_token_revoke(request, token_id: int):
    """Asks first (GET shows which token will stop working), revokes on POST."""
    if request.method == "POST":
        try:
            token = services.api_token_revoke(**_service_kwargs(request), token_id=token_id)
        except ServiceError as exc:
            return _api_tokens_page(request, error=exc.message, status=exc.status_code)
        messages.success(request, _("The API token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("shop:api-tokens")
    token = selectors.api_tokens().filter(pk=token_id).first()
    if token is None:
        raise Http404("No such API token.")
    return _console(
        request,
        "shop/console/api_token_revoke.html",
        "settings",
        {"token": token, "state": token.state(timezone.now())},
    )
