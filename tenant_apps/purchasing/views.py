"""The purchasing pages of the merchant console, under /console/purchasing/ (names in the shop
namespace). Every page needs the "inventory" section; writes go through the services and their
refusals are shown on the page with their status code."""

import uuid
from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backend.api.errors import ServiceError
from backend.lib.ip import client_ip
from tenant_apps.inventory import selectors as inventory_selectors
from tenant_apps.shop.access import console_page
from tenant_apps.shop.views import _console

from . import selectors, services
from .models import PurchaseOrderStatus

LIST_LIMIT = 200
BLANK_LINES = 5
SUPPLIER_TEXT = ("name", "code", "contact", "phone", "address", "payment_terms")
FORM_METHODS = ["GET", "HEAD", "POST"]


def _page(request, template, context=None, status=200):
    return _console(
        request, f"purchasing/console/{template}", "purchasing", context or {}, status=status
    )


def _refusal(exc: ServiceError) -> tuple[str, int]:
    return exc.message, exc.status_code


def _order(order_id: int):
    order = selectors.order_detail(order_id=order_id)
    if order is None:
        raise Http404
    return order


def _supplier_data(post) -> dict:
    data = {key: post.get(key, "").strip() for key in SUPPLIER_TEXT}
    data["is_active"] = post.get("is_active") == "on"
    return data


# --- suppliers ---------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
@console_page("inventory")
def suppliers(request):
    error, status, values = None, 200, {"is_active": True}
    if request.method == "POST":
        values = _supplier_data(request.POST)
        try:
            services.supplier_create(data=values)
        except ServiceError as exc:
            error, status = _refusal(exc)
        else:
            messages.success(request, _("The supplier was added."))
            return redirect("shop:purchasing-suppliers")
    rows = selectors.suppliers(q=request.GET.get("q", "").strip())[:LIST_LIMIT]
    return _page(
        request,
        "suppliers.html",
        {"suppliers": rows, "values": values, "error": error, "q": request.GET},
        status=status,
    )


@require_http_methods(FORM_METHODS)
@console_page("inventory")
def supplier_edit(request, supplier_id: int):
    supplier = selectors.supplier(supplier_id=supplier_id)
    if supplier is None:
        raise Http404
    error, status = None, 200
    values = {key: getattr(supplier, key) for key in (*SUPPLIER_TEXT, "is_active")}
    if request.method == "POST":
        values = _supplier_data(request.POST)
        try:
            services.supplier_update(supplier_id=supplier.pk, data=values)
        except ServiceError as exc:
            error, status = _refusal(exc)
        else:
            messages.success(request, _("The supplier was saved."))
            return redirect("shop:purchasing-suppliers")
    return _page(
        request,
        "supplier_edit.html",
        {"supplier": supplier, "values": values, "error": error},
        status=status,
    )


# --- purchase orders ---------------------------------------------------------------------------


@require_safe
@console_page("inventory")
def orders(request):
    q = request.GET
    rows = selectors.orders(status=q.get("status", ""), q=q.get("q", "").strip())[:LIST_LIMIT]
    return _page(
        request, "orders.html", {"orders": rows, "statuses": PurchaseOrderStatus.choices, "q": q}
    )


def _posted_lines(post) -> tuple[list[services.OrderLineInput], list[dict]]:
    """The lines typed on the order form (by SKU code), skipping empty rows. Unknown codes are
    refused here, naming the row, since the service speaks in SKU ids."""
    rows = [
        {"sku_code": code.strip(), "quantity": qty.strip(), "unit_cost": cost.strip()}
        for code, qty, cost in zip(
            post.getlist("sku_code"),
            post.getlist("quantity"),
            post.getlist("unit_cost"),
            strict=False,
        )
        if code.strip() or qty.strip() or cost.strip()
    ]
    ids = selectors.sku_ids_by_code([r["sku_code"] for r in rows])
    lines = []
    for index, row in enumerate(rows):
        if row["sku_code"] not in ids:
            raise ServiceError(
                _("Line %(n)d: no SKU with code “%(code)s”.")
                % {"n": index + 1, "code": row["sku_code"]},
                fields={f"lines[{index}].sku_code": ["Unknown SKU code."]},
            )
        lines.append(
            services.OrderLineInput(ids[row["sku_code"]], row["quantity"], row["unit_cost"])
        )
    return lines, rows


def _order_header(post) -> dict:
    raw = post.get("expected_date", "").strip()
    try:
        expected = date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise ServiceError(
            _("Expected date: enter a date such as 2025-06-30."),
            fields={"expected_date": ["Enter a valid date."]},
        ) from exc
    return {
        "supplier_id": post.get("supplier_id", ""),
        "location_id": post.get("location_id", ""),
        "expected_date": expected,
        "note": post.get("note", "").strip(),
    }


def _form_context(values: dict, rows: list[dict], error, order=None) -> dict:
    return {
        "order": order,
        "values": values,
        "rows": rows + [{}] * BLANK_LINES,
        "error": error,
        "suppliers": selectors.suppliers(active_only=True),
        "locations": inventory_selectors.locations().filter(is_active=True),
    }


@require_http_methods(FORM_METHODS)
@console_page("inventory")
def order_new(request):
    error, status, values, rows = None, 200, {}, []
    if request.method == "POST":
        values = request.POST.dict()
        try:
            lines, rows = _posted_lines(request.POST)
            header = _order_header(request.POST)
            order = services.order_create(**header, lines=lines, actor_user_id=request.user.pk)
        except ServiceError as exc:
            error, status = _refusal(exc)
        else:
            messages.success(
                request,
                _("Purchase order %(number)s was created as a draft.") % {"number": order.number},
            )
            return redirect("shop:purchasing-order", order_id=order.pk)
    return _page(request, "order_form.html", _form_context(values, rows, error), status=status)


@require_http_methods(FORM_METHODS)
@console_page("inventory")
def order_edit(request, order_id: int):
    order = _order(order_id)
    if not order.is_editable:
        messages.error(request, _("Only a draft can be edited."))
        return redirect("shop:purchasing-order", order_id=order.pk)
    error, status = None, 200
    values = {
        "supplier_id": str(order.supplier_id),
        "location_id": str(order.location_id),
        "expected_date": order.expected_date.isoformat() if order.expected_date else "",
        "note": order.note,
    }
    rows = [
        {"sku_code": line.sku.code, "quantity": line.quantity_ordered, "unit_cost": line.unit_cost}
        for line in order.lines.all()
    ]
    if request.method == "POST":
        values = request.POST.dict()
        try:
            lines, rows = _posted_lines(request.POST)
            services.order_update(order_id=order.pk, data=_order_header(request.POST), lines=lines)
        except ServiceError as exc:
            error, status = _refusal(exc)
        else:
            messages.success(request, _("The purchase order was saved."))
            return redirect("shop:purchasing-order", order_id=order.pk)
    return _page(
        request, "order_form.html", _form_context(values, rows, error, order), status=status
    )


@require_safe
@console_page("inventory")
def order_detail(request, order_id: int):
    return _page(request, "order_detail.html", {"order": _order(order_id)})


def _action(request, order_id: int, call, done: str):
    try:
        call()
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("shop:purchasing-order", order_id=order_id)


@require_POST
@console_page("inventory")
def order_place(request, order_id: int):
    return _action(
        request,
        order_id,
        lambda: services.order_place(
            order_id=order_id, actor=request.user, shop_id=request.tenant.pk, ip=client_ip(request)
        ),
        _("The purchase order was sent to the supplier."),
    )


@require_POST
@console_page("inventory")
def order_cancel(request, order_id: int):
    return _action(
        request,
        order_id,
        lambda: services.order_cancel(
            order_id=order_id,
            reason=request.POST.get("reason", ""),
            actor=request.user,
            shop_id=request.tenant.pk,
            ip=client_ip(request),
        ),
        _("The purchase order was cancelled."),
    )


def _posted_quantities(post, order) -> list[services.QuantityInput]:
    """qty_<line id> fields; empty and 0 mean "none of this line"."""
    out = []
    for line in order.lines.all():
        raw = post.get(f"qty_{line.pk}", "").strip()
        if raw and raw != "0":
            out.append(services.QuantityInput(line.pk, raw))
    return out


@require_http_methods(FORM_METHODS)
@console_page("inventory")
def order_receive(request, order_id: int):
    """The receiving form, made for a phone in the warehouse: one big numeric field per line,
    pre-filled with what is still outstanding. A hidden key makes a double tap or a resubmitted
    form receive once."""
    order = _order(order_id)
    error, status, values = None, 200, {}
    key = request.POST.get("idempotency_key") or uuid.uuid4().hex
    if request.method == "POST":
        values = request.POST
        try:
            services.receipt_post(
                order_id=order.pk,
                lines=_posted_quantities(request.POST, order),
                idempotency_key=key,
                note=request.POST.get("note", ""),
                actor=request.user,
                shop_id=request.tenant.pk,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            if exc.status_code == 404:
                raise Http404 from exc
            error, status = _refusal(exc)
        else:
            messages.success(request, _("The goods were received."))
            return redirect("shop:purchasing-order", order_id=order.pk)
    elif not order.can_receive:
        error, status = (
            _("Only an ordered or partially received purchase order can be received."),
            409,
        )
    lines = [
        {
            "line": line,
            "value": values.get(f"qty_{line.pk}", line.outstanding if not values else ""),
        }
        for line in order.lines.all()
    ]
    return _page(
        request,
        "receive.html",
        {"order": order, "lines": lines, "error": error, "key": key},
        status=status,
    )


@require_http_methods(FORM_METHODS)
@console_page("inventory")
def order_return(request, order_id: int):
    order = _order(order_id)
    error, status, values = None, 200, {}
    key = request.POST.get("idempotency_key") or uuid.uuid4().hex
    if request.method == "POST":
        values = request.POST
        try:
            services.return_post(
                order_id=order.pk,
                lines=_posted_quantities(request.POST, order),
                idempotency_key=key,
                reason=request.POST.get("reason", ""),
                actor=request.user,
                shop_id=request.tenant.pk,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            if exc.status_code == 404:
                raise Http404 from exc
            error, status = _refusal(exc)
        else:
            messages.success(request, _("The goods were returned to the supplier."))
            return redirect("shop:purchasing-order", order_id=order.pk)
    lines = [
        {"line": line, "value": values.get(f"qty_{line.pk}", "")}
        for line in order.lines.all()
        if line.returnable
    ]
    return _page(
        request,
        "return.html",
        {
            "order": order,
            "lines": lines,
            "error": error,
            "key": key,
            "reason": values.get("reason", ""),
        },
        status=status,
    )


@require_http_methods(FORM_METHODS)
@console_page("inventory")
def settings_page(request):
    error, status = None, 200
    if request.method == "POST":
        try:
            services.settings_update(
                over_receipt_tolerance_percent=request.POST.get(
                    "over_receipt_tolerance_percent", ""
                ),
                actor=request.user,
                shop_id=request.tenant.pk,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            error, status = _refusal(exc)
        else:
            messages.success(request, _("The purchasing settings were saved."))
            return redirect("shop:purchasing-settings")
    return _page(
        request, "settings.html", {"settings": selectors.settings(), "error": error}, status=status
    )
