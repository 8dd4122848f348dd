"""The shopper's order pages on the mall host: checkout, their orders, one order.

The checkout page is one form: the address, then per shop the delivery method (priced by that
shop's freight templates for the chosen address), the store for pickup and how to pay there, a
shop coupon, an invoice request and a note; a platform coupon and the payment method. "Update"
re-prices it; "Place order" places it (a hidden client token makes a double click harmless).
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_tenants.utils import schema_context

from backend.api.errors import ServiceError
from shared_apps.cart.selectors import cart_view
from shared_apps.cart.services import cart_for
from tenants.models import Shop

from . import checkout, selectors, services
from .models import DeliveryMethod, OrderStatus

PAGE_SIZE = 20


def _shop_form(post, shop_id: int) -> dict:
    prefix = f"shop-{shop_id}-"
    invoice_kind = post.get(prefix + "invoice_kind", "")
    choice = {"shop_id": shop_id, "delivery_method": post.get(prefix + "method", DeliveryMethod.EXPRESS),
              "pickup_location_id": post.get(prefix + "pickup") or None,
              "payment_mode": post.get(prefix + "payment_mode") or "online",
              "coupon": post.get(prefix + "coupon", ""), "note": post.get(prefix + "note", "")}
    if invoice_kind:
        choice["invoice"] = {"kind": invoice_kind, "title": post.get(prefix + "invoice_title", ""),
                             "tax_number": post.get(prefix + "tax_number", "")}
    return choice


def _options(shop_ids: list[int]) -> dict[int, dict]:
    """Per shop: its name and pickup stores (read in its schema)."""
    from tenant_apps.freight.interface import pickup_locations

    options = {}
    for shop in Shop.objects.filter(pk__in=shop_ids).order_by("pk"):
        with schema_context(shop.schema_name):
            options[shop.pk] = {"shop": shop, "pickup": pickup_locations()}
    return options


@login_required
@require_http_methods(["GET", "POST"])
def checkout_page(request):
    from shared_apps.accounts.interface import addresses_list
    from shared_apps.payments.interface import PROVIDERS

    cart = cart_view(cart_for(user_id=request.user.pk, create=False))
    groups = [g for g in cart.groups if any(v.line.selected for v in g.lines)]
    if not groups:
        messages.info(request, _("Select something in your cart first."))
        return redirect("cart:cart")
    post = request.POST if request.method == "POST" else {}
    addresses = addresses_list(user_id=request.user.pk)
    default_address = next((a.id for a in addresses if a.is_default), addresses[0].id if addresses else None)
    data = {
        "client_token": post.get("client_token") or secrets.token_urlsafe(16),
        "address_id": post.get("address_id") or default_address,
        "provider": post.get("provider") or "sandbox",
        "platform_coupon": post.get("platform_coupon", ""),
        "shops": [_shop_form(post, g.shop_id) for g in groups],
    }
    plan, error, status = None, None, 200
    try:
        if post.get("action") == "place":
            order = checkout.checkout_place(user_id=request.user.pk, data=data)
            return redirect("orders:detail", number=order.number)
        plan = checkout.checkout_quote(user_id=request.user.pk, data=data)
    except ServiceError as exc:
        error, status = exc, exc.status_code if post else 200
    options = _options([g.shop_id for g in groups])
    choices = {c["shop_id"]: c for c in data["shops"]}
    return render(request, "orders/checkout.html", {
        "data": data, "plan": plan, "error": error, "addresses": addresses,
        "shops": [{"group": g, "choice": choices[g.shop_id], "pickup": options.get(g.shop_id, {}).get("pickup", [])}
                  for g in groups],
        "methods": DeliveryMethod.choices, "providers": [p for p in PROVIDERS if p != "offline"],
    }, status=status)


@login_required
def order_list(request):
    wanted = request.GET.get("status", "")
    orders = selectors.orders_of(user_id=request.user.pk, status=wanted if wanted in OrderStatus.values else "")
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/list.html", {"page": page, "statuses": OrderStatus.choices, "status": wanted})


def _tracking(order) -> dict[str, list]:
    """Each shipped sub-order's parcels with their tracking events, read in the shop's schema."""
    from tenant_apps.fulfilment.interface import shipments_for

    found = {}
    for sub in order.sub_orders.all():
        if sub.status in ("shipped", "delivered", "completed") and not sub.is_pickup:
            with schema_context(sub.shop.schema_name):
                found[sub.number] = shipments_for(sub.number)
    return found


@login_required
def order_detail(request, number: str):
    order = selectors.order_of(user_id=request.user.pk, number=number)
    if order is None:
        raise Http404("No such order.")
    pay_url = ""
    if order.status == OrderStatus.PENDING_PAYMENT and order.online_amount:
        from shared_apps.payments.interface import payment_get

        payment = payment_get(number=order.number)
        pay_url = payment.pay_url if payment else ""
    tracking = _tracking(order)
    for sub in order.sub_orders.all():  # the prefetched instances the template walks
        sub.parcels = tracking.get(sub.number, [])
    return render(request, "orders/detail.html", {"order": order, "pay_url": pay_url})


@login_required
@require_POST
def order_cancel(request, number: str):
    try:
        services.order_cancel(user_id=request.user.pk, number=number)
        messages.success(request, _("The order was cancelled."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("orders:detail", number=number)
