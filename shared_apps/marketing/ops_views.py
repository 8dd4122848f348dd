"""Platform coupons in the operator console (ops host, /coupons/): the list, a form to create
one and a confirmation before deactivating one.

Every operator may look; creating and deactivating need an administrator (the pages refuse
others with 403 and hide the buttons; the services check again). Only platform-funded coupons
are here: a shop's coupon id is 404.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from backend.lib.ip import client_ip
from shared_apps.accounts import roles
from shared_apps.ops.views import capabilities, operator_required

from . import selectors, services
from .page_steps import create_step, deactivate_step

PER_PAGE = 30
NAV = "coupons"


def _render(request, template: str, context: dict, *, status: int = 200):
    context = {
        "can": capabilities(request.user),
        "can_manage": roles.has_operator_role(request.user, services.MANAGE_PLATFORM_COUPONS),
        "nav_active": NAV,
        **context,
    }
    return render(request, f"marketing/ops/{template}", context, status=status)


def _platform_coupon(pk: int):
    coupon = selectors.coupon(coupon_id=pk, shop_id=None)
    if coupon is None:
        raise Http404("No such coupon.")
    return coupon


@operator_required()
@require_GET
def coupon_list(request):
    page = Paginator(selectors.coupons(shop_id=None), PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    for coupon in page:
        coupon.status = coupon.status_at(now)
    return _render(request, "coupon_list.html", {"page": page})


@operator_required(services.MANAGE_PLATFORM_COUPONS)
@require_http_methods(["GET", "HEAD", "POST"])
def coupon_create(request):
    done, form, status = create_step(request, lambda data: services.platform_coupon_create(
        actor=request.user, data=data, ip=client_ip(request)), done="ops-coupons:list")
    return done or _render(request, "coupon_create.html", {"form": form}, status=status)


@operator_required(services.MANAGE_PLATFORM_COUPONS)
@require_http_methods(["GET", "HEAD", "POST"])
def coupon_deactivate(request, pk: int):
    """Asks first (GET); deactivates on POST."""
    coupon = _platform_coupon(pk)
    done, error, status = deactivate_step(request, coupon, lambda: services.platform_coupon_deactivate(
        actor=request.user, coupon_id=coupon.pk, ip=client_ip(request)), done="ops-coupons:list")
    return done or _render(
        request, "coupon_deactivate.html", {"coupon": coupon, "error": error}, status=status
    )
