"""A shop's coupons in the merchant console (shop host, /console/coupons/): the list, a form to
create one and a confirmation before deactivating one.

Coupons are shop configuration with money in them: every page needs the "settings" section
(owner and manager). The shop is the host's: the pages list, create and deactivate only this
shop's shop-funded coupons, and another shop's coupon id is 404. A suspended shop's console is
read-only (ShopStatusMiddleware refuses the POSTs).
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from backend.lib.ip import client_ip
from tenant_apps.shop.access import console_page
from tenant_apps.shop.views import _console

from . import selectors, services
from .page_steps import create_step, deactivate_step

SECTION = "settings"
PER_PAGE = 30
FORM_METHODS = ["GET", "HEAD", "POST"]


def _page(request, template: str, context: dict, status: int = 200):
    return _console(request, f"marketing/console/{template}", SECTION, context, status=status)


def _writer(request) -> dict:
    return {"shop_id": request.tenant.pk, "actor": request.user, "ip": client_ip(request)}


@require_safe
@console_page(SECTION)
def coupon_list(request):
    page = Paginator(selectors.coupons(shop_id=request.tenant.pk), PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for coupon in page:
        coupon.status = coupon.status_at(now)
    return _page(request, "coupon_list.html", {"page": page})


@require_http_methods(FORM_METHODS)
@console_page(SECTION)
def coupon_create(request):
    done, form, status = create_step(
        request, lambda data: services.shop_coupon_create(data=data, **_writer(request)), done="shop:coupons")
    return done or _page(request, "coupon_create.html", {"form": form}, status=status)


@require_http_methods(FORM_METHODS)
@console_page(SECTION)
def coupon_deactivate(request, coupon_id: int):
    """Asks first (GET); deactivates on POST."""
    coupon = selectors.coupon(coupon_id=coupon_id, shop_id=request.tenant.pk)
    if coupon is None:
        raise Http404("No such coupon.")
    done, error, status = deactivate_step(request, coupon, lambda: services.shop_coupon_deactivate(
        coupon_id=coupon.pk, **_writer(request)), done="shop:coupons")
    return done or _page(
        request, "coupon_deactivate.html", {"coupon": coupon, "error": error}, status=status
    )
