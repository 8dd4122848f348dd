"""The two coupon page steps operators and shops share: submitting the coupon form, and
confirming a deactivation. Each side passes its own service call and where to go when done."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from backend.api.errors import ServiceError
from backend.lib.forms import attach_service_error

from .forms import CouponForm


def create_step(request, create, *, done: str):
    """GET: a blank form. POST: `create(cleaned_data)`; made → (redirect to `done`, form, 302),
    else (None, the form with its errors, the 4xx status)."""
    if request.method != "POST":
        return None, CouponForm.blank(), 200
    form = CouponForm(request.POST)
    if not form.is_valid():
        return None, form, 400
    try:
        coupon = create(form.cleaned_data)
    except ServiceError as exc:
        attach_service_error(form, exc)
        return None, form, exc.status_code
    messages.success(request, _("The coupon %(code)s was created.") % {"code": coupon.code})
    return redirect(done), form, 302


def deactivate_step(request, coupon, deactivate, *, done: str):
    """GET: ask. POST: `deactivate()`; done → (redirect to `done`, "", 302), else (None, the
    refusal's message, its status)."""
    if request.method != "POST":
        return None, "", 200
    try:
        deactivate()
    except ServiceError as exc:
        return None, exc.message, exc.status_code
    messages.success(request, _("The coupon %(code)s was deactivated.") % {"code": coupon.code})
    return redirect(done), "", 302
