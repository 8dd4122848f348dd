"""Catalog pages on the shop's host: the console's products and shop categories
(/console/catalog/…) and the storefront's product list and product page (/products/…).

Writes go through the catalog services; a refusal is shown on the page with its status code.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backend.api.errors import ServiceError
from backend.lib.forms import attach_service_error
from backend.lib.hosts import mall_url
from backend.lib.ip import client_ip
from backend.lib.money import format_cny
from backend.lib.pagecache import storefront_page
from backend.views import media_url
from tenant_apps.inventory.interface import available_online
from tenant_apps.shop import selectors as shop_selectors
from tenant_apps.shop.access import console_member, console_page
from tenant_apps.shop.views import (
    _console,  # the console frame (navigation, role, read-only banner)
)

from . import review, selectors, services
from .models import ProductStatus, ProductTag
from .variants import parse_axes

PAGE_SIZE = 24
CONSOLE_PAGE_SIZE = 50


class ProductForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    subtitle = forms.CharField(label=gettext_lazy("Subtitle"), max_length=200, required=False)
    brand = forms.CharField(label=gettext_lazy("Brand"), max_length=60, required=False)
    model = forms.CharField(label=gettext_lazy("Model"), max_length=60, required=False)
    platform_category_id = forms.IntegerField(label=gettext_lazy("Platform category id"), required=False)
    shop_category_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Shop categories"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("Tags"), choices=ProductTag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("HTML: paragraphs, headings, lists, bold, links and images from this shop."),
    )
    tax_code = forms.CharField(label=gettext_lazy("Tax classification code"), max_length=19, required=False)
    tax_rate = forms.CharField(label=gettext_lazy("Tax rate"), required=False, help_text="0.13")
    weight_grams = forms.IntegerField(label=gettext_lazy("Weight (g)"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop_category_ids"].choices = [(c.pk, c.name) for c in selectors.shop_categories()]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["weight_grams"] = data.get("weight_grams") or 0
        return data


def _product_initial(product) -> dict:
    return {
        "title": product.title, "subtitle": product.subtitle, "brand": product.brand, "model": product.model,
        "platform_category_id": product.platform_category_id,
        "shop_category_ids": [c.pk for c in product.shop_categories.all()],
        "tags": product.tags, "description": product.description, "tax_code": product.tax_code,
        "tax_rate": product.tax_rate if product.tax_rate is not None else "", "weight_grams": product.weight_grams,
    }


def _audit_kwargs(request) -> dict:
    return {"actor": request.user, "shop_id": request.tenant.pk, "ip": client_ip(request)}


def _product_or_404(product_id: int):
    product = selectors.product_get(product_id=product_id)
    if product is None:
        raise Http404("No such product.")
    return product


# --- console: products -------------------------------------------------------------------------


@require_safe
@console_page("catalog")
def product_list(request):
    status = request.GET.get("status") or ""
    search = (request.GET.get("q") or "").strip()
    products = selectors.product_list(
        status=status if status in ProductStatus.values else None, search=search[:100]
    )
    page = Paginator(products, CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
    return _console(request, "catalog/console/product_list.html", "catalog", {
        "page": page, "status": status, "q": search, "statuses": ProductStatus.choices,
    })


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("catalog")
def product_create(request):
    code = 200
    form = ProductForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                product = services.product_create(**_audit_kwargs(request), data=form.service_data())
            except ServiceError as exc:
                attach_service_error(form, exc)
                code = exc.status_code
            else:
                messages.success(request, _("The product was created as a draft."))
                return redirect(f"/console/catalog/{product.pk}/")
        else:
            code = 400
    return _console(request, "catalog/console/product_form.html", "catalog", {"form": form}, status=code)


def _edit_page(request, product, *, form=None, error: str | None = None, status: int = 200):
    skus = list(product.skus.all())
    axes = selectors.spec_axes([s for s in skus if s.is_active])
    return _console(request, "catalog/console/product_edit.html", "catalog", {
        "product": product,
        "form": form or ProductForm(initial=_product_initial(product)),
        "skus": skus,
        "axes_text": "\n".join(f"{name}: {', '.join(values)}" for name, values in axes),
        "images": [{"record": i, "url": media_url(i.image.name), "thumb": media_url(i.thumbnail.name)}
                   for i in product.images.all()],
        "video_url": media_url(product.video.name),
        "pending_revision": product.revisions.filter(status="pending").first(),
        "can_submit": product.status in services.EDITABLE,
        "error": error,
    }, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("catalog")
def product_edit(request, product_id: int):
    product = _product_or_404(product_id)
    if request.method != "POST":
        return _edit_page(request, product)
    form = ProductForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, product, form=form, status=400)
    try:
        _product, revision = services.product_update(actor=request.user, product_id=product.pk,
                                                     data=form.service_data())
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _edit_page(request, _product_or_404(product_id), form=form, status=exc.status_code)
    if revision is not None:
        messages.success(request, _("The change waits for the platform's review; the live version stays on sale."))
    else:
        messages.success(request, _("The product was saved."))
    return redirect(f"/console/catalog/{product.pk}/")


def _action(request, product_id: int, call, done: str):
    """Run one service call for a console form; on refusal show the edit page with the error."""
    try:
        call()
    except ServiceError as exc:
        detail = "; ".join(f"{field}: {msgs[0]}" for field, msgs in exc.fields.items()) or exc.message
        return _edit_page(request, _product_or_404(product_id), error=detail, status=exc.status_code)
    messages.success(request, done)
    return redirect(f"/console/catalog/{product_id}/")


def _sku_rows(post) -> list[dict]:
    """The SKU grid's rows (parallel lists named sku_<field>), empty rows skipped."""
    fields = ["id", "code", "gtin", "spec", "market_price", "sale_price", "member_price", "cost_price",
              "weight_grams", "is_active"]
    columns = {f: post.getlist(f"sku_{f}") for f in fields}
    rows = []
    for index, code in enumerate(columns["code"]):
        def cell(field: str, index: int = index) -> str:
            values = columns[field]
            return values[index].strip() if index < len(values) else ""
        if not code.strip() and not cell("id"):
            continue
        spec = dict(p.split("=", 1) for p in cell("spec").split(";") if "=" in p)
        rows.append({
            "id": cell("id") or None, "code": code, "gtin": cell("gtin"), "spec": spec,
            **{f: cell(f) or None for f in ("market_price", "sale_price", "member_price", "cost_price")},
            "weight_grams": cell("weight_grams") or None,
            "is_active": str(index) in post.getlist("sku_active_rows") or not cell("id"),
        })
    return rows


@require_POST
@console_page("catalog")
def sku_grid(request, product_id: int):
    return _action(request, product_id, lambda: services.sku_set(
        **_audit_kwargs(request), product_id=product_id, skus=_sku_rows(request.POST)), _("The SKUs were saved."))


@require_POST
@console_page("catalog")
def variants(request, product_id: int):
    return _action(request, product_id, lambda: services.variants_generate(
        **_audit_kwargs(request), product_id=product_id, axes=parse_axes(request.POST.get("axes", "")),
        code_prefix=(request.POST.get("code_prefix") or "SKU").strip()[:50],
        sale_price=request.POST.get("sale_price", "")), _("The variants were generated."))


@require_POST
@console_page("catalog")
def image_add(request, product_id: int):
    uploads = request.FILES.getlist("image")
    if not uploads:
        return _action(request, product_id, lambda: services.image_add(
            actor=request.user, product_id=product_id, upload=None), "")

    def add_all():
        for upload in uploads[:services.MAX_IMAGES]:
            services.image_add(actor=request.user, product_id=product_id, upload=upload)

    return _action(request, product_id, add_all, _("The images were added."))


@require_POST
@console_page("catalog")
def image_remove(request, product_id: int, image_id: int):
    return _action(request, product_id, lambda: services.image_remove(
        actor=request.user, product_id=product_id, image_id=image_id), _("The image was removed."))


@require_POST
@console_page("catalog")
def image_move(request, product_id: int, image_id: int):
    """Move one image a place up or down (buttons next to each preview)."""
    ids = [i.pk for i in _product_or_404(product_id).images.all()]
    if image_id not in ids:
        raise Http404("No such image.")
    at = ids.index(image_id)
    to = at - 1 if request.POST.get("direction") == "up" else at + 1
    if 0 <= to < len(ids):
        ids[at], ids[to] = ids[to], ids[at]
    return _action(request, product_id, lambda: services.images_reorder(
        actor=request.user, product_id=product_id, image_ids=ids), _("The images were reordered."))


@require_POST
@console_page("catalog")
def video_set(request, product_id: int):
    return _action(request, product_id, lambda: services.video_set(
        actor=request.user, product_id=product_id, upload=request.FILES.get("video")), _("The video was saved."))


@require_POST
@console_page("catalog")
def video_remove(request, product_id: int):
    return _action(request, product_id, lambda: services.video_remove(
        actor=request.user, product_id=product_id), _("The video was removed."))


@require_POST
@console_page("catalog")
def product_submit(request, product_id: int):
    return _action(request, product_id, lambda: services.product_submit(
        product_id=product_id, actor_user_id=request.user.pk), _("The product was submitted for review."))


@require_POST
@console_page("catalog")
def product_list_on_sale(request, product_id: int):
    return _action(request, product_id, lambda: review.product_list(
        product_id=product_id, actor_user_id=request.user.pk), _("The product is on sale."))


@require_POST
@console_page("catalog")
def product_delist(request, product_id: int):
    return _action(request, product_id, lambda: review.product_delist(
        product_id=product_id, actor_user_id=request.user.pk), _("The product was taken off sale."))


# --- console: shop categories ------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@console_page("catalog")
def categories(request):
    error, status = None, 200
    if request.method == "POST":
        try:
            services.shop_category_create(data={
                "name": request.POST.get("name", ""), "parent_id": request.POST.get("parent_id") or None,
                "sort": request.POST.get("sort") or 0,
            })
        except ServiceError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("The category was created."))
            return redirect("/console/catalog/categories/")
    rows = list(selectors.shop_categories())
    return _console(request, "catalog/console/categories.html", "catalog", {
        "categories": rows, "top_level": [c for c in rows if c.parent_id is None], "error": error,
    }, status=status)


@require_POST
@console_page("catalog")
def category_delete(request, category_id: int):
    try:
        services.shop_category_delete(category_id=category_id)
    except ServiceError as exc:
        rows = list(selectors.shop_categories())
        return _console(request, "catalog/console/categories.html", "catalog", {
            "categories": rows, "top_level": [c for c in rows if c.parent_id is None], "error": exc.message,
        }, status=exc.status_code)
    messages.success(request, _("The category was deleted."))
    return redirect("/console/catalog/categories/")


# --- storefront --------------------------------------------------------------------------------


def _storefront_context(request) -> dict:
    profile = shop_selectors.profile()
    return {"profile": profile, "is_staff_here": console_member(request) is not None}


@require_safe
@storefront_page
def storefront_list(request):
    """Listed products, newest listing first, with their lowest price and first image."""
    page = Paginator(selectors.storefront_products(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/storefront/product_list.html",
                  {**_storefront_context(request), "page": page, "cards": product_cards(page.object_list)})


def product_cards(products) -> list[dict]:
    """Storefront cards (`catalog/storefront/_cards.html`): title, first image, lowest prices."""
    products = list(products)
    prices = selectors.lowest_prices(p.pk for p in products)
    cards = []
    for product in products:
        images = list(product.images.all())
        sale, member = prices.get(product.pk, (None, None))
        cards.append({
            "product": product,
            "thumb": media_url(images[0].thumbnail.name or images[0].image.name) if images else "",
            "price": format_cny(sale),
            "member_price": format_cny(member),
        })
    return cards


@require_safe
@storefront_page
def storefront_product(request, product_id: int):
    product = selectors.storefront_product(product_id=product_id)
    if product is None:
        raise Http404("No such product.")
    skus = list(product.skus.all())
    available = available_online([sku.pk for sku in skus])
    variants_ = [{
        "sku": sku,
        "in_stock": available.get(sku.pk, 0) > 0,
        "label": " / ".join(sku.spec.values()) or sku.code,
        "price": format_cny(sku.sale_price),
        "market_price": format_cny(sku.market_price) if sku.market_price and sku.market_price > sku.sale_price else "",
        "member_price": format_cny(sku.member_price),
    } for sku in skus]
    return render(request, "catalog/storefront/product_detail.html", {
        **_storefront_context(request),
        "product": product,
        "images": [{"url": media_url(i.image.name), "thumb": media_url(i.thumbnail.name), "record": i}
                   for i in product.images.all()],
        "video_url": media_url(product.video.name),
        "variants": variants_,
        "tag_labels": [ProductTag(t).label for t in product.tags if t in ProductTag.values],
        "cart_add_url": mall_url("/cart/add/"),  # the cart is the mall's: a link there, not a post
    })
