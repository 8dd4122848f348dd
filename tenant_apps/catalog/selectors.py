"""Reads of a shop's catalog for the console, the API and the storefront.

List querysets prefetch what their pages show, so the number of queries does not grow with the
number of products or variants on a page.
"""

from django.db.models import Min, Prefetch, Q, QuerySet

from .models import SKU, Product, ProductImage, ProductStatus, ShopCategory


def product_list(*, status: str | None = None, search: str | None = None,
                 shop_category_id: int | None = None) -> QuerySet[Product]:
    """Console/API list, newest change first."""
    products = Product.objects.prefetch_related(
        "images", "shop_categories", Prefetch("skus", queryset=SKU.objects.order_by("sort", "id"))
    )
    if status:
        products = products.filter(status=status)
    if search:
        products = products.filter(
            Q(title__icontains=search) | Q(brand__icontains=search) | Q(model__icontains=search)
            | Q(skus__code__iexact=search) | Q(skus__gtin=search)
        ).distinct()
    if shop_category_id:
        products = products.filter(shop_categories__id=shop_category_id)
    return products


def product_get(*, product_id: int) -> Product | None:
    return product_list().filter(pk=product_id).first()


def storefront_products() -> QuerySet[Product]:
    """Listed products with their images, newest listing first (prices: `lowest_prices`)."""
    return (
        Product.objects.filter(status=ProductStatus.LISTED)
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("sort", "id")))
        .order_by("-listed_at", "-id")
    )


def lowest_prices(product_ids) -> dict[int, tuple]:
    """(lowest sale price, lowest member price) of each product's active SKUs, in one query.
    Kept apart from the page's query: as an annotation PostgreSQL would compute it for every
    row an OFFSET skips, which makes deep pages slow."""
    rows = (SKU.objects.filter(product_id__in=list(product_ids), is_active=True).order_by()
            .values("product_id").annotate(sale=Min("sale_price"), member=Min("member_price")))
    return {row["product_id"]: (row["sale"], row["member"]) for row in rows}


def storefront_product(*, product_id: int) -> Product | None:
    """A listed product with its active SKUs and images; None when not on sale."""
    return (
        Product.objects.filter(pk=product_id, status=ProductStatus.LISTED)
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("sort", "id")),
            Prefetch("skus", queryset=SKU.objects.filter(is_active=True).order_by("sort", "id")),
        )
        .first()
    )


def shop_categories() -> QuerySet[ShopCategory]:
    return ShopCategory.objects.select_related("parent")


def spec_axes(skus) -> list[tuple[str, list[str]]]:
    """The spec names and their values in first-seen order, from a list of SKUs."""
    axes: dict[str, list[str]] = {}
    for sku in skus:
        for name, value in (sku.spec or {}).items():
            values = axes.setdefault(name, [])
            if value not in values:
                values.append(value)
    return list(axes.items())
