"""Flash-sale pages: the sale on the mall (with its buy button) and the shop's own sales in its
console (set one up: it starts and ends by itself at its times)."""

import secrets
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backend.api.errors import ServiceError
from shared_apps.marketing.models import FlashSale
from tenant_apps.shop.access import console_page
from tenant_apps.shop.views import _console

from . import flash


@require_http_methods(["GET", "POST"])
def sale_page(request, sale_id: int):
    sale = FlashSale.objects.select_related("shop").filter(pk=sale_id).first()
    if sale is None:
        raise Http404("No such flash sale.")
    error, status = None, 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        from shared_apps.accounts.interface import address_default

        address = address_default(user_id=request.user.pk)
        try:
            if address is None:
                raise ServiceError(_("Add a delivery address first."), fields={"address_id": [_("Required.")]})
            order = flash.flash_buy(user_id=request.user.pk, sale_id=sale.pk, data={
                "client_token": request.POST.get("client_token", ""), "address_id": address.id})
            return redirect("orders:detail", number=order.number)
        except ServiceError as exc:
            error, status = exc, exc.status_code
    return render(request, "orders/flash_sale.html", {
        "sale": flash.sale_view(sale), "shop": sale.shop, "error": error,
        "client_token": secrets.token_urlsafe(16), "now": timezone.now()}, status=status)


def _when(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ServiceError(_("%(field)s: enter a date and time.") % {"field": field},
                           fields={field: [_("Enter a date and time.")]}) from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@console_page("catalog")
@require_http_methods(["GET", "POST"])
def console_sales(request):
    from tenant_apps.catalog.models import SKU

    error, status, form = None, 200, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            sku = SKU.objects.filter(code=form.get("sku_code", "").strip()).first()
            if sku is None:
                raise ServiceError(_("sku_code: no SKU has this code."), fields={"sku_code": [_("No SKU has this code.")]})
            flash.flash_create(shop=request.tenant, data={
                "sku_id": sku.pk, "price": form.get("price"), "quantity": form.get("quantity"),
                "per_person_limit": form.get("per_person_limit") or 1, "hold_minutes": form.get("hold_minutes") or 5,
                "starts_at": _when(form.get("starts_at"), "starts_at"), "ends_at": _when(form.get("ends_at"), "ends_at")})
            messages.success(request, _("The flash sale is set up; it starts by itself at its time."))
            return redirect("shop:flash-sales")
        except ServiceError as exc:
            error, status = exc, exc.status_code
    sales = [flash.sale_view(s) for s in FlashSale.objects.filter(shop=request.tenant).select_related("shop")[:100]]
    return _console(request, "orders/console/flash_sales.html", "catalog",
                    {"sales": sales, "error": error, "form": form}, status=status)
