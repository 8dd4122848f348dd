"""The freight pages of the merchant console, under /console/freight/: the templates, a template's
form with its region rules, and "try a quote". Freight is shop configuration: every page needs
the "settings" section (owner and manager).

The region picker needs no JavaScript: provinces are checkboxes, cities and districts are typed
as codes or unique names (深圳市, 南山区), and the region finder page lists the codes one level
at a time. Writes go through the services; their refusals are shown on the page with their
status code and the form keeps what was typed.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from backend.api.errors import ServiceError, field_error
from backend.lib import regions
from backend.lib.ip import client_ip
from tenant_apps.shop.access import console_page
from tenant_apps.shop.views import _console

from . import interface, selectors, services
from .models import PICKUP, DeliveryMethod, FreightBasis
from .pricing import FREE_PICKUP, FREE_RULE, FREE_THRESHOLD

SECTION = "settings"
BLANK_RULE_ROWS = 2
MAX_ROWS = services.MAX_RULES
RATE_FIELDS = services.RATE_FIELDS


def _page(request, template, context=None, status=200):
    return _console(request, f"freight/console/{template}", "freight", context or {}, status=status)


def _audit(request) -> dict:
    return {"actor": request.user, "shop_id": request.tenant.pk, "ip": client_ip(request)}


def _split(codes) -> tuple[list[str], str]:
    """Province codes (checkboxes) and the rest (typed), for the form."""
    provinces = [c for c in codes if regions.is_valid(c, "province")]
    return provinces, " ".join(c for c in codes if c not in provinces)


def _row(values: dict, provinces: list[str], more: str) -> dict:
    names = [regions.label(c) for c in _words(more) if regions.is_valid(c)]
    return {**values, "provinces": provinces, "more": more, "more_names": names,
            "count": len(provinces) + len(_words(more))}


def _numbered(rules: list[dict]) -> list[dict]:
    for index, row in enumerate(rules):
        row["prefix"] = f"rule-{index}-"
    return rules


def _form_values(template=None) -> dict:
    """What the form shows for an existing template (or the defaults of a new one)."""
    if template is None:
        return {"name": "", "method": DeliveryMethod.EXPRESS, "basis": FreightBasis.PIECE, "first_units": 1,
                "first_price": "", "additional_units": 1, "additional_price": "", "free_threshold": "",
                "is_active": True, "excluded": _row({}, [], ""),
                "rules": _numbered([_row({}, [], "") for _ in range(BLANK_RULE_ROWS)])}
    values = {f: getattr(template, f) for f in ("name", "method", "basis", *RATE_FIELDS, "is_active")}
    values["free_threshold"] = "" if template.free_threshold is None else template.free_threshold
    values["excluded"] = _row({}, *_split(template.excluded_regions))
    values["rules"] = [_row({f: getattr(rule, f) for f in RATE_FIELDS}, *_split(rule.regions))
                       for rule in template.rules.all()]
    values["rules"] += [_row({}, [], "") for _ in range(BLANK_RULE_ROWS)]
    _numbered(values["rules"])
    return values


def _posted(post) -> tuple[dict, dict, list[int]]:
    """(values to show again, data for the services, form row number of each rule sent)."""
    values = {f: post.get(f, "").strip() for f in ("name", "method", "basis", *RATE_FIELDS, "free_threshold")}
    values["is_active"] = post.get("is_active") == "on"
    values["excluded"] = _row({}, post.getlist("excluded_province"), post.get("excluded_more", "").strip())
    try:
        count = min(int(post.get("rule_rows", "0")), MAX_ROWS + BLANK_RULE_ROWS)
    except ValueError:
        count = 0
    values["rules"] = []
    for i in range(count):
        row = {f: post.get(f"rule-{i}-{f}", "").strip() for f in RATE_FIELDS}
        values["rules"].append(_row(row, post.getlist(f"rule-{i}-province"), post.get(f"rule-{i}-more", "").strip()))
    _numbered(values["rules"])
    data = {k: values[k] for k in ("name", "method", "basis", *RATE_FIELDS, "is_active")}
    data["free_threshold"] = values["free_threshold"] or None
    data["excluded_regions"] = values["excluded"]["provinces"] + _words(values["excluded"]["more"])
    data["rules"], numbers = [], []
    for number, row in enumerate(values["rules"]):
        codes = row["provinces"] + _words(row["more"])
        if not codes and not row["first_price"] and not row["additional_price"]:
            continue  # an untouched blank row
        # Empty units: the template's own (a weight rule then needs no grams typed twice).
        data["rules"].append({"regions": codes, **{f: row[f] for f in RATE_FIELDS if row[f] or "units" not in f}})
        numbers.append(number)
    return values, data, numbers


def _words(text: str) -> list[str]:
    return text.replace("，", " ").replace("、", " ").replace(",", " ").split()


def _message(exc: ServiceError, numbers: list[int]) -> str:
    """The service's message with `rules[k]` told as the form's row number."""
    message = exc.message
    for k, number in enumerate(numbers):
        message = message.replace(f"rules[{k}].", _("Rule %(n)d: ") % {"n": number + 1})
    return message


@require_safe
@console_page(SECTION)
def index(request):
    rows = list(selectors.templates())
    return _page(request, "index.html", {
        "templates": rows, "pickups": interface.pickup_locations(),
        "has_active": any(t.is_active for t in rows),
    })


def _form_page(request, template=None):
    values, error, status = _form_values(template), None, 200
    if request.method == "POST":
        values, data, numbers = _posted(request.POST)
        try:
            if template is None:
                services.template_create(data=data, **_audit(request))
                messages.success(request, _("The freight template was added."))
            else:
                services.template_update(template_id=template.pk, data=data, **_audit(request))
                messages.success(request, _("The freight template was saved."))
        except ServiceError as exc:
            if exc.status_code == 404:
                raise Http404 from exc
            error, status = _message(exc, numbers), exc.status_code
        else:
            return redirect("shop:freight")
    return _page(request, "form.html", {
        "template": template, "values": values, "error": error, "methods": DeliveryMethod.choices,
        "bases": FreightBasis.choices, "provinces": regions.children(None),
    }, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page(SECTION)
def create(request):
    return _form_page(request)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page(SECTION)
def edit(request, template_id: int):
    template = selectors.template(template_id)
    if template is None:
        raise Http404
    return _form_page(request, template)


@require_http_methods(["GET", "HEAD", "POST"])
@console_page(SECTION)
def delete(request, template_id: int):
    """GET asks for confirmation; POST deletes."""
    template = selectors.template(template_id)
    if template is None:
        raise Http404
    if request.method == "POST":
        try:
            services.template_delete(template_id=template.pk, **_audit(request))
        except ServiceError as exc:
            raise Http404 from exc
        messages.success(request, _("The freight template was deleted."))
        return redirect("shop:freight")
    return _page(request, "delete.html", {"template": template})


@require_safe
@console_page(SECTION)
def region_finder(request):
    """Region codes one level at a time, for typing them into a rule."""
    parent = request.GET.get("parent", "").strip()
    if parent and not regions.is_valid(parent):
        raise Http404
    chain = list(reversed(regions.ancestors(parent))) if parent else []
    leaf = bool(parent) and "province" not in regions.levels_of(parent)
    return _page(request, "regions.html", {
        "parent": parent, "parent_label": regions.label(parent) if parent else "",
        "crumbs": [(c, regions.region_name(c)) for c in chain],
        "rows": regions.children(parent or None), "leaf": leaf,
    })


def _district_of(text: str) -> str:
    """A district code from a code or a unique district name; ServiceError naming `region`."""
    text = text.strip()
    if regions.is_valid(text, "district"):
        return text
    found = [c for c in regions.find(text) if regions.is_valid(c, "district")] if text else []
    if len(found) == 1:
        return found[0]
    if found:
        raise field_error("region", _("%(name)s is ambiguous; use one of the codes %(codes)s.") % {
            "name": text, "codes": ", ".join(f"{c} {regions.label(c)}" for c in found)})
    raise field_error("region", _("Enter a district code or a district's name (e.g. 440305 or 南山区)."))


@require_http_methods(["GET", "HEAD", "POST"])
@console_page(SECTION)
def quote(request):
    values = {"method": "", "region": "", "quantity": "1", "weight_grams": "0", "amount": ""}
    quotes, error, status, district = None, None, 200, ""
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        try:
            district = _district_of(values["region"]) if values["method"] != PICKUP else ""
            item = interface.FreightItem(
                sku_id=0, quantity=services.whole_number(values["quantity"], "quantity"),
                weight_grams=services.whole_number(values["weight_grams"] or "0", "weight_grams", minimum=0),
                amount=services.amount(values["amount"] or "0", "amount"))
            if values["method"]:
                quotes = [interface.quote(method=values["method"], region_code=district, items=[item])]
            else:
                quotes = interface.methods_for(region_code=district, items=[item])
        except ServiceError as exc:
            error, status = exc.message, exc.status_code
    methods = [*DeliveryMethod.choices, (PICKUP, _("Pickup at a store"))]
    labels, reasons = dict(methods), {
        FREE_THRESHOLD: _("free: the goods amount reached the free-shipping threshold"),
        FREE_RULE: _("free in this region"), FREE_PICKUP: _("pickup is free"),
    }
    rows = None if quotes is None else [
        {"method": q.method, "label": labels[q.method], "amount": q.amount, "why": reasons.get(q.free_reason, "")}
        for q in quotes
    ]
    return _page(request, "quote.html", {
        "values": values, "quotes": rows, "error": error, "methods": methods,
        "district_label": regions.label(district) if district else "",
    }, status=status)
