"""Taxonomy pages of the operator console (ops.MALL_DOMAIN/taxonomy/).

Every operator role may look; the forms show, and the services allow changes, for admins and
auditors only. A refused change re-renders the page with the message next to its field.
"""

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.api.errors import ServiceError
from backend.lib.ip import client_ip
from shared_apps.accounts import roles
from shared_apps.ops.views import capabilities, operator_required

from . import interface, selectors, services
from .forms import (
    AttributeForm,
    CategoryCreateForm,
    CategoryMoveForm,
    CategoryUpdateForm,
    MergeForm,
    ReasonForm,
    StandardProductFilterForm,
    StandardProductForm,
)
from .models import AttributeDefinition, StandardProductStatus

PRODUCTS_PER_PAGE = 30
NAV = "taxonomy"


def _render(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context = {"can": capabilities(request.user), "nav_active": NAV,
               "can_edit": roles.has_operator_role(request.user, services.EDIT), **context}
    return render(request, template, context, status=status)


def _form_field(name: str) -> str:
    """A service's field name as the form's: `gtins[1]` → gtins, `attributes.storage` → attr_storage."""
    if name.startswith("attributes."):
        return "attr_" + name.split(".", 1)[1]
    return re.sub(r"\[\d+\]$", "", name)


def _attach(form, exc: ServiceError) -> str:
    """Put the service's field errors on the form; whatever has no field there comes back as text."""
    leftover = []
    for name, field_messages in (exc.fields or {}).items():
        field = _form_field(name)
        if form is not None and field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
        else:
            leftover.extend(field_messages)
    return exc.message if (leftover or not exc.fields) else ""


# --- categories --------------------------------------------------------------------------------


def _category_list_page(request, *, form=None, error: str = "", status: int = 200) -> HttpResponse:
    nodes = selectors.category_tree(with_attributes=True)
    context = {"nodes": nodes, "form": form or CategoryCreateForm(auto_id="create-%s"), "error": error}
    return _render(request, "taxonomy/category_list.html", context, status=status)


@operator_required()
@require_GET
def category_list(request):
    return _category_list_page(request)


@operator_required()
@require_POST
def category_create(request):
    form = CategoryCreateForm(request.POST, auto_id="create-%s")
    if not form.is_valid():
        return _category_list_page(request, form=form, status=400)
    try:
        category = services.category_create(actor=request.user, ip=client_ip(request), **form.cleaned_data)
    except ServiceError as exc:
        return _category_list_page(request, form=form, error=_attach(form, exc), status=exc.status_code)
    messages.success(request, _("Category created."))
    return redirect("ops:taxonomy-category", pk=category.pk)


def _category_page(request, pk: int, *, forms: dict | None = None, error: str = "", status: int = 200
                   ) -> HttpResponse:
    category = selectors.category_get(pk)
    if category is None:
        raise Http404("No such category.")
    forms = forms or {}
    descendants = set(selectors.descendant_ids(category.pk))
    context = {
        "category": category,
        "path": selectors.ancestors_of(category),
        "children": list(category.children.all()),
        "attributes": selectors.effective_attributes(category),
        "products_count": category.standard_products.count(),
        "update_form": forms.get("update") or CategoryUpdateForm(
            auto_id="update-%s", initial={"code": category.code, "name": category.name,
                                          "name_en": category.name_en, "sort": category.sort}),
        "move_form": forms.get("move") or CategoryMoveForm(auto_id="move-%s", category=category,
                                                           exclude_ids=descendants),
        "attribute_form": forms.get("attribute") or AttributeForm(auto_id="attribute-%s"),
        "deactivate_form": forms.get("deactivate") or ReasonForm(auto_id="deactivate-%s"),
        "error": error,
    }
    return _render(request, "taxonomy/category_detail.html", context, status=status)


@operator_required()
@require_GET
def category_detail(request, pk: int):
    return _category_page(request, pk)


def _category_action(request, pk: int, *, name: str, form, call) -> HttpResponse:
    """Validate `form`, run `call(cleaned_data)`, and answer with a redirect or the page again."""
    if form is not None and not form.is_valid():
        return _category_page(request, pk, forms={name: form}, status=400)
    try:
        call(form.cleaned_data if form is not None else {})
    except ServiceError as exc:
        error = _attach(form, exc)
        return _category_page(request, pk, forms={name: form} if form is not None else {}, error=error,
                              status=exc.status_code)
    messages.success(request, _("Saved."))
    return redirect("ops:taxonomy-category", pk=pk)


@operator_required()
@require_POST
def category_update(request, pk: int):
    return _category_action(
        request, pk, name="update", form=CategoryUpdateForm(request.POST, auto_id="update-%s"),
        call=lambda data: services.category_update(actor=request.user, category_id=pk, ip=client_ip(request),
                                                   **data))


@operator_required()
@require_POST
def category_move(request, pk: int):
    category = selectors.category_get(pk)
    if category is None:
        raise Http404("No such category.")
    form = CategoryMoveForm(request.POST, auto_id="move-%s", category=category,
                            exclude_ids=set(selectors.descendant_ids(pk)))
    return _category_action(
        request, pk, name="move", form=form,
        call=lambda data: services.category_move(actor=request.user, category_id=pk, parent_id=data["parent_id"],
                                                 ip=client_ip(request)))


@operator_required()
@require_POST
def category_deactivate(request, pk: int):
    return _category_action(
        request, pk, name="deactivate", form=ReasonForm(request.POST, auto_id="deactivate-%s"),
        call=lambda data: services.category_set_active(actor=request.user, category_id=pk, active=False,
                                                       reason=data["reason"], ip=client_ip(request)))


@operator_required()
@require_POST
def category_activate(request, pk: int):
    return _category_action(
        request, pk, name="activate", form=None,
        call=lambda data: services.category_set_active(actor=request.user, category_id=pk, active=True,
                                                       ip=client_ip(request)))


@operator_required()
@require_POST
def attribute_create(request, pk: int):
    form = AttributeForm(request.POST, auto_id="attribute-%s")

    def call(data):
        data = dict(data)
        code = data.pop("code")
        services.attribute_create(actor=request.user, category_id=pk, code=code, data=data, ip=client_ip(request))

    return _category_action(request, pk, name="attribute", form=form, call=call)


def _attribute(pk: int) -> AttributeDefinition:
    attribute = AttributeDefinition.objects.select_related("category").filter(pk=pk).first()
    if attribute is None:
        raise Http404("No such attribute.")
    return attribute


@operator_required()
@require_http_methods(["GET", "POST"])
def attribute_edit(request, pk: int):
    attribute = _attribute(pk)
    initial = {field: getattr(attribute, field) for field in AttributeForm.base_fields}
    initial["choices"] = "\n".join(attribute.choices)
    form = AttributeForm(request.POST if request.method == "POST" else None, initial=initial,
                         auto_id="attribute-%s")
    form.fields["code"].disabled = True  # stable: shown, never taken from the request
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            try:
                services.attribute_update(actor=request.user, attribute_id=pk, data=form.cleaned_data,
                                          ip=client_ip(request))
            except ServiceError as exc:
                error, status = _attach(form, exc), exc.status_code
            else:
                messages.success(request, _("Attribute saved."))
                return redirect("ops:taxonomy-category", pk=attribute.category_id)
        else:
            status = 400
    return _render(request, "taxonomy/attribute_edit.html",
                   {"attribute": attribute, "form": form, "error": error}, status=status)


@operator_required()
@require_POST
def attribute_delete(request, pk: int):
    attribute = _attribute(pk)
    try:
        services.attribute_delete(actor=request.user, attribute_id=pk, ip=client_ip(request))
    except ServiceError as exc:
        return _category_page(request, attribute.category_id, error=exc.message, status=exc.status_code)
    messages.success(request, _("Attribute deleted."))
    return redirect("ops:taxonomy-category", pk=attribute.category_id)


# --- standard products -------------------------------------------------------------------------


@operator_required()
@require_GET
def standard_product_list(request):
    form = StandardProductFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.standard_product_search(q=filters.get("q", ""), status=filters.get("status") or None)
    page = Paginator(queryset, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "counts": selectors.standard_product_status_counts()}
    return _render(request, "taxonomy/standard_product_list.html", context,
                   status=200 if form.is_valid() else 400)


def _attributes_of(category_id) -> tuple:
    try:
        return interface.attributes_for(int(category_id))
    except (TypeError, ValueError, Exception):  # no or unknown category: no attribute fields  # noqa: BLE001
        return ()


@operator_required()
@require_http_methods(["GET", "POST"])
def standard_product_create(request):
    category_id = request.POST.get("category_id") or request.GET.get("category_id")
    attributes = _attributes_of(category_id)
    status, error = 200, ""
    if request.method == "POST":
        form = StandardProductForm(request.POST, attributes=attributes, auto_id="sp-%s")
        if form.is_valid():
            try:
                product = services.standard_product_create(
                    actor=request.user, category_id=form.cleaned_data["category_id"],
                    brand=form.cleaned_data["brand"], model=form.cleaned_data["model"],
                    gtins=form.cleaned_data["gtins"], attributes=form.attribute_values(), ip=client_ip(request))
            except ServiceError as exc:
                error, status = _attach(form, exc), exc.status_code
            else:
                messages.success(request, _("Standard product created."))
                return redirect("ops:taxonomy-standard-product", pk=product.pk)
        else:
            status = 400
    else:
        form = StandardProductForm(attributes=attributes, auto_id="sp-%s",
                                   initial={"category_id": category_id} if category_id else None)
    return _render(request, "taxonomy/standard_product_create.html", {"form": form, "error": error}, status=status)


def _product_page(request, pk: int, *, forms: dict | None = None, error: str = "", status: int = 200
                  ) -> HttpResponse:
    product = selectors.standard_product_detail(pk)
    if product is None:
        raise Http404("No such standard product.")
    forms = forms or {}
    attributes = selectors.effective_attributes(product.category)
    initial = {"brand": product.brand, "model": product.model, "gtins": "\n".join(product.gtin_list)}
    for code, value in product.attributes.items():
        initial[f"attr_{code}"] = str(value).lower() if isinstance(value, bool) else value
    context = {
        "product": product,
        "path": selectors.ancestors_of(product.category),
        "key_attributes": [(a, product.attributes.get(a.code)) for a in attributes if a.is_key],
        "is_proposed": product.status == StandardProductStatus.PROPOSED,
        "edit_form": forms.get("edit") or StandardProductForm(attributes=attributes, with_category=False,
                                                              initial=initial, auto_id="edit-%s"),
        "reject_form": forms.get("reject") or ReasonForm(auto_id="reject-%s"),
        "merge_form": forms.get("merge") or MergeForm(auto_id="merge-%s"),
        "error": error,
    }
    return _render(request, "taxonomy/standard_product_detail.html", context, status=status)


@operator_required()
@require_GET
def standard_product_detail(request, pk: int):
    return _product_page(request, pk)


def _product_action(request, pk: int, *, name: str, form, call) -> HttpResponse:
    if form is not None and not form.is_valid():
        return _product_page(request, pk, forms={name: form}, status=400)
    try:
        target = call(form.cleaned_data if form is not None else {})
    except ServiceError as exc:
        error = _attach(form, exc)
        return _product_page(request, pk, forms={name: form} if form is not None else {}, error=error,
                             status=exc.status_code)
    messages.success(request, _("Saved."))
    return redirect("ops:taxonomy-standard-product", pk=target.pk)


@operator_required()
@require_POST
def standard_product_update(request, pk: int):
    product = selectors.standard_product_detail(pk)
    if product is None:
        raise Http404("No such standard product.")
    form = StandardProductForm(request.POST, attributes=selectors.effective_attributes(product.category),
                               with_category=False, auto_id="edit-%s")
    return _product_action(
        request, pk, name="edit", form=form,
        call=lambda data: services.standard_product_update(
            actor=request.user, product_id=pk, brand=data["brand"], model=data["model"], gtins=data["gtins"],
            attributes=form.attribute_values(), ip=client_ip(request)))


@operator_required()
@require_POST
def standard_product_approve(request, pk: int):
    return _product_action(request, pk, name="approve", form=None, call=lambda data: services.standard_product_approve(
        actor=request.user, product_id=pk, ip=client_ip(request)))


@operator_required()
@require_POST
def standard_product_reject(request, pk: int):
    return _product_action(
        request, pk, name="reject", form=ReasonForm(request.POST, auto_id="reject-%s"),
        call=lambda data: services.standard_product_reject(actor=request.user, product_id=pk,
                                                           reason=data["reason"], ip=client_ip(request)))


@operator_required()
@require_POST
def standard_product_merge(request, pk: int):
    return _product_action(
        request, pk, name="merge", form=MergeForm(request.POST, auto_id="merge-%s"),
        call=lambda data: services.standard_product_merge(actor=request.user, product_id=pk,
                                                          into_id=data["into_id"], ip=client_ip(request)))
