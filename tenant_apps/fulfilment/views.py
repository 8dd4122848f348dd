"""The order pages of the merchant console, under /console/fulfilment/ (names in the shop
namespace): the shop's orders, one order with its parcels, shipping (one parcel or many orders
at once), packing lists to print, and the pickup counter (a phone-sized page).

Every page needs the "orders" section; writes go through the services, whose refusals are shown
on the page with their status code.
"""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backend.api.errors import ServiceError
from backend.lib.ip import client_ip
from shared_apps.orders import interface as order_records
from tenant_apps.shop import permissions
from tenant_apps.shop.access import console_page
from tenant_apps.shop.views import _console

from . import selectors, services
from .carriers import registry

PAGE_SIZE = 50
MAX_PACKING_LISTS = 50
FORM_METHODS = ["GET", "HEAD", "POST"]


def _page(request, template, context=None, status=200):
    return _console(
        request, f"fulfilment/console/{template}", "orders", context or {}, status=status
    )


def _default_carrier() -> str:
    carriers = registry.all()
    return carriers[0].code if carriers else ""


def _carrier_context() -> dict:
    carriers = registry.all()
    return {
        "carriers": carriers,
        "default_carrier": _default_carrier(),
        "tracking_carriers": [c.code for c in carriers if c.tracks],
    }


# --- orders ------------------------------------------------------------------------------------


@require_safe
@console_page("orders")
def orders(request):
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:64]
    page = Paginator(
        selectors.sub_orders(shop_id=request.tenant.pk, status=status, search=q), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return _page(
        request,
        "orders.html",
        {
            "page": page,
            "views": selectors.order_views(page.object_list),
            "statuses": selectors.S.choices,
            "status": status,
            "q": q,
        },
    )


def _refund_context(request, sub) -> dict:
    """What the order page shows of refunds: the list, and the form for roles that may refund."""
    can_refund = permissions.can(request.staff_member.role, "refunds") and not request.tenant.is_read_only
    return {
        "refunds": order_records.refunds_of([sub]).get(sub.pk, []),
        "refund_actions_url": "/console/fulfilment/refunds/" if can_refund else "",
        "room": order_records.refund_room(sub) if can_refund and sub.paid_amount else None,
        "request_key": uuid.uuid4().hex,
    }


def _detail(request, number: str, *, error=None, status=200, values=None):
    view = selectors.order_view(shop_id=request.tenant.pk, number=number)
    if view is None:
        raise Http404
    return _page(
        request,
        "order_detail.html",
        {
            "view": view,
            "sub": view.sub,
            "error": error,
            "values": values or {},
            **_carrier_context(),
            **_refund_context(request, view.sub),
        },
        status=status,
    )


@require_safe
@console_page("orders")
def order_detail(request, number: str):
    return _detail(request, number)


@require_POST
@console_page("orders")
def order_confirm(request, number: str):
    try:
        services.sub_order_confirm(
            shop_id=request.tenant.pk, number=number, actor_user_id=request.user.pk
        )
    except ServiceError as exc:
        return _detail(request, number, error=exc.message, status=exc.status_code)
    messages.success(request, _("Order %(number)s was confirmed.") % {"number": number})
    return redirect("shop:fulfilment-order", number=number)


def _posted_lines(request, view) -> list[services.ShipLine]:
    """The units typed per line of the ship form (`qty_<line id>`); empty or 0 skips a line."""
    lines = []
    for progress in view.lines:
        raw = request.POST.get(f"qty_{progress.line.pk}", "").strip()
        if raw in ("", "0"):
            continue
        try:
            units = int(raw)
        except ValueError as exc:
            raise ServiceError(
                _("%(sku)s: enter a whole number of units.") % {"sku": progress.line.sku_code}
            ) from exc
        lines.append(services.ShipLine(progress.line.pk, units))
    return lines


@require_POST
@console_page("orders")
def order_ship(request, number: str):
    view = selectors.order_view(shop_id=request.tenant.pk, number=number)
    if view is None:
        raise Http404
    try:
        shipment = services.shipment_create(
            shop=request.tenant,
            number=number,
            carrier=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
            lines=_posted_lines(request, view),
            actor_user_id=request.user.pk,
        )
    except ServiceError as exc:
        return _detail(
            request, number, error=exc.message, status=exc.status_code, values=request.POST
        )
    messages.success(
        request,
        _("Parcel %(tracking)s of order %(number)s was shipped.")
        % {"tracking": shipment.tracking_number, "number": number},
    )
    return redirect("shop:fulfilment-order", number=number)


@require_POST
@console_page("orders")
def shipment_delivered(request, shipment_id: int):
    try:
        shipment = services.shipment_mark_delivered(
            shop_id=request.tenant.pk, shipment_id=shipment_id, actor_user_id=request.user.pk
        )
    except ServiceError as exc:
        parcel = selectors.shipment(shipment_id)
        if parcel is None:
            raise Http404 from exc
        return _detail(request, parcel.sub_order_number, error=exc.message, status=exc.status_code)
    messages.success(
        request,
        _("Parcel %(tracking)s was recorded as delivered.")
        % {"tracking": shipment.tracking_number},
    )
    return redirect("shop:fulfilment-order", number=shipment.sub_order_number)


# --- bulk shipping -----------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
@console_page("orders")
def bulk_ship(request):
    """One row per order waiting for its first parcel: tick it (or type its tracking number) to
    ship all of it in one parcel. Rows that fail keep what was typed and show why."""
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        post = request.POST
        ticked = set(post.getlist("ship"))
        rows = []
        for number in post.getlist("number"):
            tracking = post.get(f"tracking:{number}", "").strip()
            values[number] = {"carrier": post.get(f"carrier:{number}", ""), "tracking": tracking}
            if tracking or number in ticked:
                rows.append(
                    services.BulkRow(
                        number=number, carrier=values[number]["carrier"], tracking_number=tracking
                    )
                )
        try:
            outcomes = services.shipments_bulk_create(
                shop=request.tenant, rows=rows, actor_user_id=request.user.pk
            )
        except ServiceError as exc:
            errors[""], status = exc.message, exc.status_code
        else:
            shipped = [o for o in outcomes if o.shipment is not None]
            failed = [o for o in outcomes if o.error is not None]
            if shipped:
                messages.success(
                    request,
                    ngettext("%(n)d order was shipped.", "%(n)d orders were shipped.", len(shipped))
                    % {"n": len(shipped)},
                )
            if not failed:
                return redirect("shop:fulfilment-bulk-ship")
            errors = {o.number: o.error.message for o in failed}
            status = failed[0].error.status_code
    rows = [
        {
            "view": v,
            "number": v.sub.number,
            "error": errors.get(v.sub.number, ""),
            **values.get(v.sub.number, {"carrier": "", "tracking": ""}),
        }
        for v in selectors.awaiting_shipment(shop_id=request.tenant.pk)
    ]
    failures = [(number, message) for number, message in errors.items() if number]
    return _page(
        request,
        "bulk_ship.html",
        {"rows": rows, "form_error": errors.get(""), "failures": failures, **_carrier_context()},
        status=status,
    )


# --- packing lists -----------------------------------------------------------------------------


def _packing_lists(request, numbers: list[str]):
    views = []
    for number in dict.fromkeys(n.strip() for n in numbers if n.strip()):
        view = selectors.order_view(shop_id=request.tenant.pk, number=number)
        if view is not None:
            views.append(view)
    if not views:
        raise Http404
    return render(
        request, "fulfilment/console/packing_list.html", {"views": views, "shop": request.tenant}
    )


@require_safe
@console_page("orders")
def packing_list(request, number: str):
    return _packing_lists(request, [number])


@require_safe
@console_page("orders")
def packing_lists(request):
    """Packing lists of the orders ticked on the list page, one printed page each."""
    return _packing_lists(request, request.GET.getlist("n")[:MAX_PACKING_LISTS])


# --- pickup counter ----------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
@console_page("orders")
def pickup(request):
    error, status, values = None, 200, {}
    if request.method == "POST":
        values = {"number": request.POST.get("number", "").strip(), "code": ""}
        try:
            sub = services.pickup_verify(
                shop_id=request.tenant.pk,
                number=values["number"],
                code=request.POST.get("code", ""),
                actor=request.user,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            error, status = exc.message, exc.status_code
        else:
            return redirect("shop:fulfilment-pickup-order", number=sub.number)
    return _page(request, "pickup.html", {"error": error, "values": values}, status=status)


def _verified_or_back(request, number: str):
    if not services.pickup_verified(number=number, actor_user_id=request.user.pk):
        messages.error(request, _("Check the buyer's pickup code first."))
        return None
    view = selectors.order_view(shop_id=request.tenant.pk, number=number)
    if view is None:
        raise Http404
    return view


def _pickup_order_page(request, view, *, error=None, status=200):
    sub = view.sub
    return _page(
        request,
        "pickup_order.html",
        {
            "view": view,
            "sub": sub,
            "error": error,
            "can_take_payment": sub.status == selectors.S.PENDING_PAYMENT
            and sub.payment_mode == "at_pickup",
            "can_hand_over": sub.status in (selectors.S.PAID, selectors.S.CONFIRMED),
        },
        status=status,
    )


@require_safe
@console_page("orders")
def pickup_order(request, number: str):
    view = _verified_or_back(request, number)
    if view is None:
        return redirect("shop:fulfilment-pickup")
    return _pickup_order_page(request, view)


@require_POST
@console_page("orders")
def pickup_payment(request, number: str):
    view = _verified_or_back(request, number)
    if view is None:
        return redirect("shop:fulfilment-pickup")
    try:
        sub = services.pickup_take_payment(
            shop_id=request.tenant.pk,
            number=number,
            actor=request.user,
            note=request.POST.get("note", ""),
        )
    except ServiceError as exc:
        return _pickup_order_page(request, view, error=exc.message, status=exc.status_code)
    messages.success(
        request,
        _("¥%(amount)s was taken for order %(number)s.")
        % {"amount": sub.payable_amount, "number": number},
    )
    return redirect("shop:fulfilment-pickup-order", number=number)


@require_POST
@console_page("orders")
def pickup_hand_over(request, number: str):
    view = _verified_or_back(request, number)
    if view is None:
        return redirect("shop:fulfilment-pickup")
    try:
        services.pickup_hand_over(shop_id=request.tenant.pk, number=number, actor=request.user)
    except ServiceError as exc:
        return _pickup_order_page(request, view, error=exc.message, status=exc.status_code)
    messages.success(request, _("Order %(number)s was handed over.") % {"number": number})
    return redirect("shop:fulfilment-pickup")
