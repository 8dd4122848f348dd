"""The mall's search page (/search/ on the mall host): results with facets, sorts and pages."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.views.decorators.http import require_safe

from backend.api.errors import ServiceError
from backend.lib import hosts
from backend.views import media_url
from shared_apps.taxonomy.models import Category
from tenants.models import Shop

from . import query

FILTERS = ("q", "category", "brand", "shop", "price_min", "price_max", "in_stock", "sort")


@require_safe
def search_page(request):
    params = {name: request.GET.get(name, "") for name in FILTERS}
    error, results, status = "", None, 200
    try:
        results = query.search(q=params["q"], category_id=params["category"], brand=params["brand"],
                               shop_id=params["shop"], price_min=params["price_min"], price_max=params["price_max"],
                               in_stock=params["in_stock"] == "1", sort=params["sort"] or "relevance",
                               page=request.GET.get("page"))
    except ServiceError as exc:
        error, status = exc.message, exc.status_code
    hits, categories = [], []
    if results is not None:
        shops = dict(Shop.objects.filter(pk__in={h.shop_id for h in results.hits}).values_list("pk", "subdomain"))
        hits = [{"hit": h, "image_url": media_url(h.image) if h.image else "",
                 "url": hosts.shop_url(shops.get(h.shop_id, ""), f"/products/{h.product_id}/")} for h in results.hits]
        names = dict(Category.objects.filter(pk__in=[int(f.value) for f in results.categories]).values_list("pk", "name"))
        categories = [{"facet": f, "name": names.get(int(f.value), f.value)} for f in results.categories]
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
    return render(request, "search/results.html", {
        "params": params, "results": results, "hits": hits, "categories": categories, "error": error,
        "sorts": list(query.SORTS), "pages": pages,
        "category_links": [(c, link(category=c["facet"].value, page="")) for c in categories],
        "brand_links": [(b, link(brand=b.value, page="")) for b in (results.brands if results else [])],
    }, status=status)
