"""The mall's search page (/search/ on the mall host): results with facets, sorts and pages."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from backend.api.errors import ServiceError
from backend.lib import hosts, regions
from backend.views import media_url
from shared_apps.comparison.selectors import groups_for_offers
from shared_apps.taxonomy.models import Category
from tenants.models import Shop

from . import analytics, query

FILTERS = ("q", "category", "brand", "shop", "price_min", "price_max", "in_stock", "rating_min", "pickup_city", "sort")


@require_safe
def search_page(request):
    params = {name: request.GET.get(name, "") for name in FILTERS}
    error, results, status = "", None, 200
    try:
        results = query.search(q=params["q"], category_id=params["category"], brand=params["brand"],
                               shop_id=params["shop"], price_min=params["price_min"], price_max=params["price_max"],
                               in_stock=params["in_stock"] == "1", rating_min=params["rating_min"],
                               pickup_city=params["pickup_city"], sort=params["sort"] or "relevance",
                               page=request.GET.get("page"))
    except ServiceError as exc:
        error, status = exc.message, exc.status_code
    hits, related, facets = [], [], {}
    if results is not None:
        shown = [*results.hits, *results.related]
        shop_ids = {h.shop_id for h in shown} | {int(f.value) for f in results.shops}
        shops = {pk: (sub, name) for pk, sub, name in
                 Shop.objects.filter(pk__in=shop_ids).values_list("pk", "subdomain", "name")}

        groups = groups_for_offers(h.offer_id for h in shown)

        def card(h) -> dict:
            group = groups.get(h.offer_id)
            return {"hit": h, "image_url": media_url(h.image) if h.image else "",
                    "url": hosts.shop_url(shops.get(h.shop_id, ("", ""))[0], f"/products/{h.product_id}/"),
                    "compare_url": reverse("comparison:product", args=[group]) if group else ""}

        hits, related = [card(h) for h in results.hits], [card(h) for h in results.related]
        analytics.page_logged(request, results, hits)
        names = dict(Category.objects.filter(pk__in=[int(f.value) for f in results.categories]).values_list("pk", "name"))
        facets = {
            "category": [(f, names.get(int(f.value), f.value)) for f in results.categories],
            "brand": [(f, f.value) for f in results.brands],
            "shop": [(f, shops.get(int(f.value), ("", f.value))[1]) for f in results.shops],
            "rating_min": [(f, _("%(rating)s and up") % {"rating": f.value}) for f in results.ratings],
            "pickup_city": [(f, regions.region_name(f.value) or f.value) for f in results.pickup_cities],
        }
    kept = {k: v for k, v in params.items() if v}

    def link(**changes) -> str:
        merged = {**kept, **changes}
        return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    pages = {}
    if results is not None:
        if results.page > 1:
            pages["previous"] = link(page=results.page - 1)
        if results.page * results.per_page < results.total and results.page < query.MAX_PAGE:
            pages["next"] = link(page=results.page + 1)
    titles = {"category": _("Categories"), "brand": _("Brands"), "shop": _("Shops"), "rating_min": _("Shop rating"),
              "pickup_city": _("Pick up in")}
    facet_groups = [{"title": titles[name], "links": [
        {"label": label, "count": facet.count, "href": link(**{name: facet.value, "page": ""}),
         "active": params[name] == facet.value} for facet, label in entries]}
        for name, entries in facets.items() if entries]
    if results is not None and results.price_ranges:
        facet_groups.append({"title": _("Price"), "links": [_price_link(f, link) for f in results.price_ranges]})
    return render(request, "search/results.html", {
        "params": params, "results": results, "hits": hits, "related": related, "error": error,
        "sorts": list(query.SORTS), "pages": pages, "facet_groups": facet_groups,
        "clear_links": [(titles.get(name, _("Price") if name.startswith("price") else _("In stock")), params[name],
                         link(**{name: "", "page": ""})) for name in FILTERS[1:-1] if params[name]],
    }, status=status)


def _price_link(facet, link) -> dict:
    low, high = facet.value.split("-")
    if low and high:
        label = f"¥{low}–{high}"
    else:
        label = _("under ¥%(price)s") % {"price": high} if high else _("¥%(price)s and up") % {"price": low}
    return {"label": label, "count": facet.count, "href": link(price_min=low, price_max=high, page=""), "active": False}
