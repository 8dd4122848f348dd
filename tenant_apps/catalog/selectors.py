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
    """Listed products with their lowest active sale/member price and images, newest listing first."""
    active = Q(skus__is_active=True)
    return (
        Product.objects.filter(status=ProductStatus.LISTED)
        .annotate(min_price=Min("skus__sale_price", filter=active),
                  min_member_price=Min("skus__member_price", filter=active))
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("sort", "id")))
        .order_by("-listed_at", "-id")
    )


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
