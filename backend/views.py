"""Pages and endpoints that belong to no single app: the mall home, media, error pages."""

import mimetypes

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backend.lib import hosts
from tenants.models import Shop, ShopStatus


@require_GET
def mall_home(request):
    """The mall's front page. Reads only the public schema (no loop over shop schemas)."""
    from shared_apps.offers.selectors import latest_products

    shops = Shop.objects.filter(status=ShopStatus.ACTIVE).order_by("-created_at")[:60]
    products = [
        {"card": card, "image_url": media_url(card.image),
         "url": hosts.shop_url(card.shop_subdomain, f"/products/{card.product_id}/")}
        for card in latest_products(limit=24)
    ]
    return render(request, "mall/home.html", {"shops": shops, "products": products})


def public_media_allowed(request, path: str) -> bool:
    """Which stored files a host may serve to anyone.

    Shop files live under shops/<schema>/; only the public/ part is served, and on a shop's host
    only that shop's. Everything under private/ goes through permission-checked views instead.
    """
    parts = path.split("/")
    if len(parts) < 4 or parts[0] != "shops" or parts[2] != "public" or ".." in parts:
        return False
    tenant = getattr(request, "tenant", None)
    if tenant is not None:
        return parts[1] == tenant.schema_name
    return True  # the mall host shows every shop's public images (logos)


@require_GET
def media(request, path: str):
    if not public_media_allowed(request, path) or not default_storage.exists(path):
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def media_url(name: str) -> str:
    """URL of a stored public file: our media view on disk, the storage's own URL on S3."""
    if not name:
        return ""
    if settings.S3_BUCKET:
        return default_storage.url(name)
    return settings.MEDIA_URL + name


def api_not_found(request, exception=None):
    return JsonResponse({"error": {"code": "not_found", "message": "No such endpoint.", "fields": {}}}, status=404)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "permission_denied", "message": str(exception or "Not allowed."),
                                       "fields": {}}}, status=403)
    return render(request, "errors/403.html", {"message": str(exception or "")}, status=403)


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "bad_request", "message": "Bad request.", "fields": {}}}, status=400)
    return render(request, "errors/400.html", status=400)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "server_error", "message": "Internal error.", "fields": {}}}, status=500)
    return render(request, "errors/500.html", status=500)
