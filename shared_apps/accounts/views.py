"""Account pages: sign in and out on any host, register and reset on the mall, host handoff."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from backend.api.errors import ServiceError
from backend.lib import hosts
from backend.lib.forms import attach_service_error
from backend.lib.ip import client_ip

from . import services
from .forms import (
    EmailRegisterForm,
    LoginForm,
    PasswordResetForm,
    PhoneRegisterForm,
    SmsRequestForm,
    SmsResetForm,
)
from .models import SandboxSms, SmsPurpose
from .sms import sandbox_enabled


def _safe_next(request, default: str = "/") -> str:
    """`next` from the form or query when it stays on this host, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or default
    return target if _is_local(request, target) else default


def _is_local(request, target: str) -> bool:
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def locked_out_message() -> str:
    """What a locked-out sign-in hears: the same words whether or not the account exists."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The same answer for every locked identifier, whether or not an account exists."""
    message = locked_out_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "locked_out", "message": message, "fields": {}}}, status=429)
    return render(request, "accounts/login.html", {"form": LoginForm(), "error": message}, status=429)


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["identifier"],
                            password=form.cleaned_data["password"])
        if user is not None:
            login(request, user, backend="shared_apps.accounts.backends.IdentifierBackend")
            return redirect(_safe_next(request, _default_after_login(request)))
        error = _("The e-mail/phone or password is wrong.")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "error": error,
                                                   "next": _safe_next(request, "")}, status=status)


def _default_after_login(request) -> str:
    site = getattr(request, "site", None)
    if site and site.kind == hosts.SHOP:
        return "/console/"
    if site and site.kind == hosts.OPS:
        return "/"
    return "/accounts/"


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/")


@require_http_methods(["GET", "POST"])
def register_email(request):
    form = EmailRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register_email(**form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            login(request, user, backend="shared_apps.accounts.backends.IdentifierBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(_safe_next(request, "/accounts/"))
    return render(request, "accounts/register.html", {"form": form, "tab": "email"},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def register_phone(request):
    form = PhoneRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register_phone(**form.cleaned_data)
        except (ServiceError, ValidationError) as exc:
            attach_service_error(form, exc)
        else:
            login(request, user, backend="shared_apps.accounts.backends.IdentifierBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(_safe_next(request, "/accounts/"))
    return render(request, "accounts/register.html", {"form": form, "tab": "phone"},
                  status=400 if request.method == "POST" else 200)


@require_POST
def sms_send(request):
    """Send a code for registration or reset; answers on the page it was asked from."""
    form = SmsRequestForm(request.POST)
    purpose = request.POST.get("purpose", SmsPurpose.REGISTER)
    back = _safe_next(request, "/accounts/register/phone/")
    if not form.is_valid():
        messages.error(request, _("Enter a valid mainland China mobile number."))
        return redirect(back)
    try:
        if purpose == SmsPurpose.RESET:
            services.sms_reset_code_send(phone=form.cleaned_data["phone"], ip=client_ip(request))
        elif purpose == SmsPurpose.REGISTER:
            services.sms_code_send(phone=form.cleaned_data["phone"], purpose=purpose, ip=client_ip(request))
        else:
            raise ServiceError(_("Unknown purpose."))
    except (ServiceError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
    else:
        messages.success(request, _("If the number can receive it, a code is on its way."))
    return redirect(back)


@require_http_methods(["GET", "POST"])
def password_reset_sms(request):
    form = SmsResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_by_sms(**form.cleaned_data)
        except (ServiceError, ValidationError) as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, _("Your password was changed. Sign in with the new one."))
            return redirect("/accounts/login/")
    return render(request, "accounts/password_reset_sms.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def account_home(request):
    if not request.user.is_authenticated:
        return redirect("/accounts/login/?next=/accounts/")
    from shared_apps.onboarding.selectors import applications_of
    from tenants.selectors import shops_of

    shops = [
        {"shop": shop, "console": hosts.shop_url(shop.subdomain, "/console/")}
        for shop in shops_of(user=request.user)
    ]
    return render(request, "accounts/home.html", {
        "shops": shops,
        "applications": applications_of(applicant=request.user)[:20],
        "is_operator": request.user.is_operator,
    })


@require_POST
def handoff_go(request):
    """Signed in here, go signed-in to another mall host (a shop console, the ops console)."""
    if not request.user.is_authenticated:
        return redirect("/accounts/login/")
    target = request.POST.get("target", "")
    try:
        url = services.handoff_issue(user=request.user, target_url=target)
    except ServiceError as exc:
        return render(request, "errors/400.html", {"message": exc.message}, status=400)
    return HttpResponseRedirect(url)


@require_http_methods(["GET"])
def handoff_accept(request):
    """Trade a one-time token for a session on this host, then go to `next` on this host."""
    host = request.get_host().split(":")[0]
    try:
        user = services.handoff_redeem(token=request.GET.get("token", ""), host=host)
    except ServiceError as exc:
        return render(request, "accounts/login.html", {"form": LoginForm(), "error": exc.message}, status=400)
    login(request, user, backend="shared_apps.accounts.backends.IdentifierBackend")
    target = request.GET.get("next", "/")
    return HttpResponseRedirect(target if _is_local(request, target) else "/")


@require_http_methods(["GET"])
def sms_sandbox(request):
    """Developer page: what the sandbox SMS provider 'sent'. Absent in production."""
    if not sandbox_enabled():
        return render(request, "errors/404.html", status=404)
    return render(request, "accounts/sms_sandbox.html", {"messages_sent": SandboxSms.objects.all()[:50]})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/mail/password_reset.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)  # saves the new password
        # Sessions made with the old password end by themselves; API tokens must be revoked.
        services.api_tokens_revoke(user=form.user)
        return response
