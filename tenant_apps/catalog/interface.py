"""What the platform side (checkout) reads of a shop's catalog. Call inside the shop's schema."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from .models import SKU, ProductImage, ProductStatus


@dataclass(frozen=True)
class SellableSku:
    """A SKU as checkout prices it: on sale now, at today's price."""

    sku_id: int
    product_id: int
    code: str
    title: str
    spec: dict
    image: str  # storage name of the first image's thumbnail
    sale_price: Decimal
    member_price: Decimal | None
    weight_grams: int
    category_id: int | None
    tax_rate: Decimal | None


def sellable_skus(sku_ids) -> dict[int, SellableSku]:
    """The given SKUs that are active and belong to a listed product (others are absent), in one
    query whatever their number (the first image comes from a subquery)."""
    first_image = (ProductImage.objects.filter(product_id=OuterRef("product_id")).order_by("sort", "pk")
                   .annotate(name=Coalesce(NullIf("thumbnail", Value("")), "image", output_field=CharField()))
                   .values("name")[:1])
    skus = (SKU.objects.filter(pk__in=list(sku_ids), is_active=True, product__status=ProductStatus.LISTED)
            .select_related("product").annotate(first_image=Subquery(first_image)))
    found = {}
    for sku in skus:
        product = sku.product
        found[sku.pk] = SellableSku(
            sku_id=sku.pk, product_id=product.pk, code=sku.code, title=product.title, spec=sku.spec or {},
            image=sku.first_image or "",
            sale_price=sku.sale_price, member_price=sku.member_price,
            weight_grams=sku.weight_grams if sku.weight_grams is not None else product.weight_grams,
            category_id=product.platform_category_id, tax_rate=product.tax_rate,
        )
    return found
