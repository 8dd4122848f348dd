from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .models import ShopStatus

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CONSOLE_PREFIXES = ("/console", "/api/v1/shop")
# Carriers keep pushing tracking for parcels already on their way while a shop is suspended.
ALWAYS_OPEN = ("/accounts/", "/i18n/", "/api/schema/", "/api/docs/", "/static/", "/api/v1/shop/fulfilment/carrier/")


class ShopStatusMiddleware:
    """A suspended or closed shop: storefront shows a closed page, console is read-only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        shop = getattr(request, "tenant", None)
        if shop is None or shop.status == ShopStatus.ACTIVE or request.path.startswith(ALWAYS_OPEN):
            return self.get_response(request)
        if request.path.startswith(CONSOLE_PREFIXES):
            if request.method in SAFE_METHODS:
                return self.get_response(request)
            message = _("This shop is %(status)s; its console is read-only.") % {
                "status": ShopStatus(shop.status).label.lower()}
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "shop_read_only", "message": message, "fields": {}}}, status=403)
            return render(request, "errors/403.html", {"message": message}, status=403)
        status = 410 if shop.status == ShopStatus.CLOSED else 503
        return render(request, "errors/shop_closed.html", {"closed_shop": shop}, status=status)
