"""The stock pages of the merchant console. Every page needs the "inventory" section; writes go
through the services and their refusals are shown on the page with their status code."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backend.api.errors import ServiceError
from backend.lib.ip import client_ip
from tenant_apps.shop.access import console_page
from tenant_apps.shop.views import _console

from . import selectors, services
from .models import LocationKind, MovementKind

LIST_LIMIT = 200
LOCATION_TEXT = ("kind", "name", "code", "province_code", "city_code", "district_code", "address_detail", "phone", "opening_hours")
LOCATION_FLAGS = ("sells_online", "does_pickup", "is_active")


def _page(request, template, context=None, status=200):
    return _console(request, f"inventory/console/{template}", "inventory", context or {}, status=status)


def _sku_id(code: str) -> int:
    return services.sku_by_scan(code).pk


def _location_data(post) -> dict:
    data = {key: post.get(key, "").strip() for key in LOCATION_TEXT}
    data.update({key: post.get(key) == "on" for key in LOCATION_FLAGS})
    return data


@require_safe
@console_page("inventory")
def dashboard(request):
    return _page(request, "dashboard.html", {
        "low": selectors.low_stock(),
        "thresholds": selectors.thresholds()[:LIST_LIMIT],
        "locations": selectors.locations(),
    })


@require_POST
@console_page("inventory")
def threshold_set(request):
    post = request.POST
    try:
        services.threshold_set(sku_id=_sku_id(post.get("sku_code", "")),
                               location_id=int(post["location_id"]) if post.get("location_id", "").isdigit() else None,
                               threshold=post.get("threshold", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The threshold was saved."))
    return redirect("shop:inventory")


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("inventory")
def locations(request):
    error, status, values = None, 200, {"sells_online": True, "is_active": True}
    if request.method == "POST":
        values = _location_data(request.POST)
        try:
            services.location_create(data=values)
        except ServiceError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("The location was added."))
            return redirect("shop:inventory-locations")
    return _page(request, "locations.html", {"locations": selectors.locations(), "error": error, "values": values,
                                             "kinds": LocationKind.choices}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("inventory")
def location_edit(request, location_id: int):
    location = selectors.locations().filter(pk=location_id).first()
    if location is None:
        raise Http404
    error, status = None, 200
    values = {key: getattr(location, key) for key in LOCATION_TEXT + LOCATION_FLAGS}
    if request.method == "POST":
        values = _location_data(request.POST)
        try:
            services.location_update(location_id=location_id, data=values)
        except ServiceError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("The location was saved."))
            return redirect("shop:inventory-locations")
    return _page(request, "location_edit.html", {"location": location, "values": values, "error": error,
                                                 "kinds": LocationKind.choices}, status=status)


@require_POST
@console_page("inventory")
def location_move(request, location_id: int):
    try:
        services.location_move(location_id=location_id, up=request.POST.get("direction") == "up")
    except ServiceError as exc:
        raise Http404 from exc
    return redirect("shop:inventory-locations")


@require_safe
@console_page("inventory")
def stock(request):
    q = request.GET
    rows = selectors.balances(sku_code=q.get("sku", "").strip(), location_id=int(q["location"]) if q.get("location", "").isdigit() else None,
                              only_in_stock=q.get("in_stock") == "1")
    return _page(request, "stock.html", {"rows": rows[:LIST_LIMIT], "locations": selectors.locations(), "q": q})


@require_safe
@console_page("inventory")
def movements(request):
    q = request.GET
    rows = selectors.movements(sku_code=q.get("sku", "").strip(), location_id=int(q["location"]) if q.get("location", "").isdigit() else None,
                               kind=q.get("kind", ""), reference=q.get("reference", "").strip())
    return _page(request, "movements.html", {"rows": rows[:LIST_LIMIT], "locations": selectors.locations(),
                                             "kinds": MovementKind.choices, "q": q})


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("inventory")
def adjust(request):
    error, status, values = None, 200, {}
    if request.method == "POST":
        values = request.POST
        try:
            services.adjust(sku_id=_sku_id(values.get("sku_code", "")), location_id=values.get("location_id", ""),
                            quantity=values.get("quantity", ""), reason=values.get("reason", ""),
                            actor=request.user, shop_id=request.tenant.pk, ip=client_ip(request))
        except (ServiceError, ValueError) as exc:
            error, status = getattr(exc, "message", str(exc)), getattr(exc, "status_code", 400)
        else:
            messages.success(request, _("Stock was adjusted."))
            return redirect("shop:inventory-movements")
    return _page(request, "adjust.html", {"locations": selectors.locations(), "values": values, "error": error}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("inventory")
def transfer(request):
    error, status, values = None, 200, {}
    if request.method == "POST":
        values = request.POST
        try:
            services.transfer(from_location_id=values.get("from_location_id", ""), to_location_id=values.get("to_location_id", ""),
                              items=[(_sku_id(values.get("sku_code", "")), values.get("quantity", ""))],
                              reference=values.get("reference", ""), actor_user_id=request.user.pk)
        except (ServiceError, ValueError) as exc:
            error, status = getattr(exc, "message", str(exc)), getattr(exc, "status_code", 400)
        else:
            messages.success(request, _("Stock was transferred."))
            return redirect("shop:inventory-movements")
    return _page(request, "transfer.html", {"locations": selectors.locations(), "values": values, "error": error}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("inventory")
def stocktakes(request):
    error, status = None, 200
    if request.method == "POST":
        try:
            take = services.stocktake_open(location_id=request.POST.get("location_id", ""), actor_user_id=request.user.pk,
                                           note=request.POST.get("note", ""))
        except (ServiceError, ValueError) as exc:
            error, status = getattr(exc, "message", str(exc)), getattr(exc, "status_code", 400)
        else:
            return redirect("shop:inventory-stocktake", stocktake_id=take.pk)
    return _page(request, "stocktakes.html", {"stocktakes": selectors.stocktakes()[:LIST_LIMIT],
                                              "locations": selectors.locations(), "error": error}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("inventory")
def stocktake(request, stocktake_id: int):
    """The counting page: a barcode field that keyboard-wedge scanners type into and end with
    Enter, so each scan posts the form and adds one (or sets the typed quantity)."""
    take = selectors.stocktakes().filter(pk=stocktake_id).first()
    if take is None:
        raise Http404
    error, status, last = None, 200, None
    if request.method == "POST":
        try:
            last = services.stocktake_count(stocktake_id=take.pk, code=request.POST.get("code", ""),
                                            quantity=request.POST.get("quantity") or None,
                                            mode="set" if request.POST.get("quantity") else "add")
        except ServiceError as exc:
            error, status = exc.message, exc.status_code
    lines = list(take.lines.select_related("sku").order_by("-counted_at", "sku__code"))
    return _page(request, "stocktake.html", {"take": take, "lines": lines, "error": error, "last": last}, status=status)


@require_POST
@console_page("inventory")
def stocktake_post(request, stocktake_id: int):
    try:
        services.stocktake_post(stocktake_id=stocktake_id, actor=request.user, shop_id=request.tenant.pk, ip=client_ip(request))
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
        return redirect("shop:inventory-stocktake", stocktake_id=stocktake_id)
    messages.success(request, _("The variances were posted."))
    return redirect("shop:inventory-movements")


