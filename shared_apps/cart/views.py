"""The cart pages on the mall host: the cart, and adding an item a shop's product page sends here.

A shop's page cannot post to the mall (CSRF checks exact origins; a page on one host never acts
on another), so "add to cart" on a storefront is a link to `/cart/add/?shop_id=…&sku_id=…`,
which shows the item with a button that adds it here, on the mall's own host.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.api.errors import ServiceError
from backend.views import media_url
from shared_apps.offers.selectors import offers_for

from . import services
from .api import request_cart
from .selectors import cart_view


def _error(request, exc: ServiceError) -> None:
    messages.error(request, exc.message)


def cart_page(request):
    view = cart_view(request_cart(request, create=False))
    return render(request, "cart/cart.html", {"cart": view})


@require_http_methods(["GET", "POST"])
def add_page(request):
    source = request.POST if request.method == "POST" else request.GET
    try:
        key = (int(source.get("shop_id", "")), int(source.get("sku_id", "")))
    except ValueError:
        return render(request, "cart/add.html", {"offer": None}, status=400)
    offer = offers_for([key]).get(key)
    if request.method == "POST" and offer is not None:
        try:
            services.line_add(cart=request_cart(request, create=True), shop_id=key[0], sku_id=key[1],
                              quantity=source.get("quantity", "1"))
        except ServiceError as exc:
            _error(request, exc)
            return render(request, "cart/add.html", {"offer": offer, "quantity": source.get("quantity", "1"),
                                                     "image_url": media_url(offer.image)}, status=exc.status_code)
        messages.success(request, _("Added to your cart."))
        return redirect("cart:cart")
    return render(request, "cart/add.html", {"offer": offer, "quantity": source.get("quantity", "1"),
                                             "image_url": media_url(offer.image) if offer else ""},
                  status=200 if offer else 404)


@require_POST
def line_update(request, line_id: int):
    cart = request_cart(request, create=True)
    try:
        if request.POST.get("action") == "remove":
            services.line_remove(cart=cart, line_id=line_id)
        elif request.POST.get("action") == "toggle":
            services.line_update(cart=cart, line_id=line_id, selected=request.POST.get("selected") == "1")
        else:
            services.line_update(cart=cart, line_id=line_id, quantity=request.POST.get("quantity"))
    except ServiceError as exc:
        _error(request, exc)
    return redirect("cart:cart")


@require_POST
def prices_seen(request):
    services.price_acknowledge(cart=request_cart(request, create=True))
    return redirect("cart:cart")
