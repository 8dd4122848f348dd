"""The catalog API at /api/v1/shop/catalog/ on the shop's host: products, SKUs and prices,
images and video, shop categories. One view per operation; the services check every rule and
their refusals become the one error body. A shop API token (ERP sync) works like a session.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.api.errors import NotFound
from backend.api.pagination import page_schema
from backend.lib.ip import client_ip
from backend.views import media_url
from tenant_apps.shop.api import ShopApiView

from . import review, selectors, services
from .models import ProductRevision, ProductStatus, ProductTag

TAGS = ["catalog"]


# --- output ------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="CatalogSku")
class SkuOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    gtin = serializers.CharField()
    spec = serializers.DictField(child=serializers.CharField())
    market_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    sale_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    member_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    cost_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    weight_grams = serializers.IntegerField(allow_null=True)
    is_active = serializers.BooleanField()


@extend_schema_serializer(component_name="CatalogImage")
class ImageOut(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    sort = serializers.IntegerField()

    def get_url(self, image) -> str:
        return media_url(image.image.name)

    def get_thumbnail_url(self, image) -> str:
        return media_url(image.thumbnail.name)


@extend_schema_serializer(component_name="CatalogProduct")
class ProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    subtitle = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    platform_category_id = serializers.IntegerField(allow_null=True)
    attributes = serializers.DictField()
    standard_product_id = serializers.IntegerField(allow_null=True)
    shop_category_ids = serializers.SerializerMethodField()
    description = serializers.CharField(help_text="Sanitised HTML.")
    tags = serializers.ListField(child=serializers.ChoiceField(choices=ProductTag.choices))
    tax_code = serializers.CharField()
    tax_rate = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    weight_grams = serializers.IntegerField()
    video_url = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="One of: " + ", ".join(ProductStatus.values) + ".")
    status_reason = serializers.CharField()
    list_at = serializers.DateTimeField(allow_null=True)
    delist_at = serializers.DateTimeField(allow_null=True)
    listed_at = serializers.DateTimeField(allow_null=True)
    images = ImageOut(many=True)
    skus = SkuOut(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_shop_category_ids(self, product) -> list[int]:
        return sorted(c.pk for c in product.shop_categories.all())

    def get_video_url(self, product) -> str:
        return media_url(product.video.name)


@extend_schema_serializer(component_name="CatalogRevision")
class RevisionOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    data = serializers.DictField(help_text="Proposed values of the reviewed fields.")
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="CatalogProductChange")
class ProductChangeOut(serializers.Serializer):
    product = ProductOut()
    revision = RevisionOut(
        allow_null=True,
        help_text="Set when the change of an approved or listed product waits for review.",
    )


@extend_schema_serializer(component_name="CatalogShopCategory")
class CategoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    sort = serializers.IntegerField()


# --- input -------------------------------------------------------------------------------------

PRICE_HELP = "Yuan with at most two decimals, e.g. \"12.50\"."


@extend_schema_serializer(component_name="CatalogSkuInput")
class SkuIn(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="Omit to create a SKU.")
    code = serializers.CharField(max_length=64, help_text="Unique in the shop.")
    gtin = serializers.CharField(required=False, allow_blank=True, max_length=14)
    spec = serializers.DictField(child=serializers.CharField(), required=False)
    market_price = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text=PRICE_HELP)
    sale_price = serializers.CharField(help_text=PRICE_HELP)
    member_price = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text=PRICE_HELP)
    cost_price = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text=PRICE_HELP)
    weight_grams = serializers.IntegerField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False, default=True)


class ProductFields(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True)
    subtitle = serializers.CharField(required=False, allow_blank=True)
    brand = serializers.CharField(required=False, allow_blank=True)
    model = serializers.CharField(required=False, allow_blank=True)
    platform_category_id = serializers.IntegerField(required=False, allow_null=True)
    attributes = serializers.DictField(required=False)
    standard_product_id = serializers.IntegerField(required=False, allow_null=True)
    shop_category_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="HTML; reduced to an allow-list, scripts removed."
    )
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    tax_code = serializers.CharField(required=False, allow_blank=True)
    tax_rate = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text="e.g. \"0.13\".")
    weight_grams = serializers.IntegerField(required=False)
    list_at = serializers.DateTimeField(required=False, allow_null=True)
    delist_at = serializers.DateTimeField(required=False, allow_null=True)


@extend_schema_serializer(component_name="CatalogProductCreate")
class ProductCreateIn(ProductFields):
    skus = SkuIn(many=True, required=False)


@extend_schema_serializer(component_name="CatalogProductUpdate")
class ProductUpdateIn(ProductFields):
    pass


def _valid(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return data.validated_data


class CatalogApiView(ShopApiView):
    section = "catalog"

    def audit_kwargs(self) -> dict:
        return {"actor": self.request.user, "shop_id": self.request.tenant.pk, "ip": client_ip(self.request)}

    def product_response(self, product_id: int, revision=None, code: int = 200) -> Response:
        product = selectors.product_get(product_id=product_id)
        if revision is None:
            return Response(ProductOut(product).data, status=code)
        return Response(ProductChangeOut({"product": product, "revision": revision}).data, status=code)


# --- products ----------------------------------------------------------------------------------


class ProductListApi(CatalogApiView):
    @extend_schema(
        tags=TAGS,
        summary="List the shop's products",
        operation_id="catalog_products_list",
        parameters=[
            OpenApiParameter("status", str, enum=ProductStatus.values),
            OpenApiParameter("q", str, description="Title, brand, model, exact SKU code or GTIN."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: page_schema("PaginatedCatalogProductList", ProductOut)},
    )
    def get(self, request):
        status_filter = request.query_params.get("status") or None
        if status_filter and status_filter not in ProductStatus.values:
            status_filter = "none"  # an unknown status matches nothing rather than everything
        products = selectors.product_list(status=status_filter, search=(request.query_params.get("q") or "").strip())
        return self.page(products, ProductOut)

    @extend_schema(
        tags=TAGS,
        summary="Create a draft product, optionally with its SKUs",
        request=ProductCreateIn,
        responses={201: ProductOut},
    )
    def post(self, request):
        product = services.product_create(**self.audit_kwargs(), data=_valid(ProductCreateIn, request))
        return self.product_response(product.pk, code=status.HTTP_201_CREATED)


class ProductDetailApi(CatalogApiView):
    @extend_schema(tags=TAGS, summary="Read a product with its SKUs and images", responses={200: ProductOut})
    def get(self, request, product_id: int):
        product = selectors.product_get(product_id=product_id)
        if product is None:
            raise NotFound(_("No such product."))
        return Response(ProductOut(product).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a product's fields",
        description="Draft and rejected products change at once. For an approved, listed or "
        "delisted product the title, subtitle, platform category, attributes and description go "
        "into a pending revision (returned in `revision`) while the live version stays on sale.",
        request=ProductUpdateIn,
        responses={200: ProductChangeOut},
    )
    def patch(self, request, product_id: int):
        product, revision = services.product_update(
            actor=request.user, product_id=product_id, data=_valid(ProductUpdateIn, request, partial=True)
        )
        product = selectors.product_get(product_id=product.pk)
        return Response(ProductChangeOut({"product": product, "revision": revision}).data)


class ProductSubmitApi(CatalogApiView):
    @extend_schema(
        tags=TAGS,
        summary="Submit a draft or rejected product for review",
        request=None,
        responses={200: ProductOut},
    )
    def post(self, request, product_id: int):
        services.product_submit(product_id=product_id, actor_user_id=request.user.pk)
        return self.product_response(product_id)


class ProductPutOnSaleApi(CatalogApiView):
    @extend_schema(tags=TAGS, summary="Put an approved or delisted product on sale", request=None,
                   responses={200: ProductOut})
    def post(self, request, product_id: int):
        review.product_list(product_id=product_id, actor_user_id=request.user.pk)
        return self.product_response(product_id)


class ProductDelistApi(CatalogApiView):
    @extend_schema(tags=TAGS, summary="Take a listed product off sale", request=None, responses={200: ProductOut})
    def post(self, request, product_id: int):
        review.product_delist(product_id=product_id, actor_user_id=request.user.pk)
        return self.product_response(product_id)


# --- SKUs and prices ---------------------------------------------------------------------------


class SkuSetApi(CatalogApiView):
    @extend_schema_serializer(component_name="CatalogSkuSet")
    class Input(serializers.Serializer):
        skus = SkuIn(many=True)

    @extend_schema(
        tags=TAGS,
        summary="Replace a product's SKU grid",
        description="Items with an id update that SKU, items without one create a SKU, SKUs left "
        "out are deactivated. 409 when a code is used by another SKU.",
        request=Input,
        responses={200: ProductOut},
    )
    def put(self, request, product_id: int):
        data = _valid(self.Input, request)
        services.sku_set(**self.audit_kwargs(), product_id=product_id, skus=data["skus"])
        return self.product_response(product_id)


class VariantGenerateApi(CatalogApiView):
    @extend_schema_serializer(component_name="CatalogVariantAxes")
    class Input(serializers.Serializer):
        axes = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField(max_length=40), max_length=50),
            help_text="Spec name → values, e.g. {\"colour\": [\"black\", \"white\"], \"size\": [\"M\", \"L\"]}.",
        )
        code_prefix = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,50}$")
        sale_price = serializers.CharField(help_text="Price of the new combinations. " + PRICE_HELP)

    @extend_schema(
        tags=TAGS,
        summary="Generate SKUs from spec axes (colour × size …)",
        description="Existing SKUs whose spec is a combination keep code and prices; new "
        "combinations get <code_prefix>-<n>; the others are deactivated.",
        request=Input,
        responses={200: ProductOut},
    )
    def post(self, request, product_id: int):
        data = _valid(self.Input, request)
        services.variants_generate(
            **self.audit_kwargs(), product_id=product_id, axes=list(data["axes"].items()),
            code_prefix=data["code_prefix"], sale_price=data["sale_price"],
        )
        return self.product_response(product_id)


class SkuPriceApi(CatalogApiView):
    @extend_schema_serializer(component_name="CatalogSkuPrices")
    class Input(serializers.Serializer):
        market_price = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text=PRICE_HELP)
        sale_price = serializers.CharField(required=False, help_text=PRICE_HELP)
        member_price = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text=PRICE_HELP)
        cost_price = serializers.CharField(required=False, allow_null=True, allow_blank=True, help_text=PRICE_HELP)

    @extend_schema(
        tags=TAGS,
        summary="Change a SKU's prices (no review; audited)",
        request=Input,
        responses={200: SkuOut},
    )
    def patch(self, request, sku_id: int):
        sku = services.sku_price_update(**self.audit_kwargs(), sku_id=sku_id, prices=_valid(self.Input, request))
        return Response(SkuOut(sku).data)


# --- media -------------------------------------------------------------------------------------


class ImageAddApi(CatalogApiView):
    @extend_schema_serializer(component_name="CatalogImageUpload")
    class Input(serializers.Serializer):
        image = serializers.FileField(help_text="JPEG, PNG or WebP; ≤ 10 MB; sides 200–6000 px.")

    @extend_schema(
        tags=TAGS,
        summary="Add an image to a product",
        description="On an approved or listed product the image joins the pending revision (the "
        "response then holds `revision`).",
        request={"multipart/form-data": Input},
        responses={201: ProductChangeOut},
    )
    def post(self, request, product_id: int):
        data = _valid(self.Input, request)
        result = services.image_add(actor=request.user, product_id=product_id, upload=data["image"])
        revision = result if isinstance(result, ProductRevision) else None
        product = selectors.product_get(product_id=product_id)
        return Response(ProductChangeOut({"product": product, "revision": revision}).data, status=201)


class ImageRemoveApi(CatalogApiView):
    @extend_schema(tags=TAGS, summary="Remove a product image", responses={200: ProductChangeOut})
    def delete(self, request, product_id: int, image_id: int):
        revision = services.image_remove(actor=request.user, product_id=product_id, image_id=image_id)
        product = selectors.product_get(product_id=product_id)
        return Response(ProductChangeOut({"product": product, "revision": revision}).data)


class ImageOrderApi(CatalogApiView):
    @extend_schema_serializer(component_name="CatalogImageOrder")
    class Input(serializers.Serializer):
        image_ids = serializers.ListField(child=serializers.IntegerField(), help_text="All image ids, in order.")

    @extend_schema(tags=TAGS, summary="Reorder a product's images", request=Input, responses={200: ProductChangeOut})
    def post(self, request, product_id: int):
        data = _valid(self.Input, request)
        revision = services.images_reorder(actor=request.user, product_id=product_id, image_ids=data["image_ids"])
        product = selectors.product_get(product_id=product_id)
        return Response(ProductChangeOut({"product": product, "revision": revision}).data)


class VideoApi(CatalogApiView):
    @extend_schema_serializer(component_name="CatalogVideoUpload")
    class Input(serializers.Serializer):
        video = serializers.FileField(help_text="MP4 or WebM; ≤ 50 MB.")

    @extend_schema(
        tags=TAGS,
        summary="Set a product's video",
        request={"multipart/form-data": Input},
        responses={200: ProductChangeOut},
    )
    def put(self, request, product_id: int):
        data = _valid(self.Input, request)
        result = services.video_set(actor=request.user, product_id=product_id, upload=data["video"])
        revision = result if isinstance(result, ProductRevision) else None
        product = selectors.product_get(product_id=product_id)
        return Response(ProductChangeOut({"product": product, "revision": revision}).data)

    @extend_schema(tags=TAGS, summary="Remove a product's video", responses={200: ProductChangeOut})
    def delete(self, request, product_id: int):
        result = services.video_remove(actor=request.user, product_id=product_id)
        revision = result if isinstance(result, ProductRevision) else None
        product = selectors.product_get(product_id=product_id)
        return Response(ProductChangeOut({"product": product, "revision": revision}).data)


# --- shop categories ---------------------------------------------------------------------------


@extend_schema_serializer(component_name="CatalogShopCategoryInput")
class CategoryIn(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    parent_id = serializers.IntegerField(required=False, allow_null=True)
    sort = serializers.IntegerField(required=False)


class CategoryListApi(CatalogApiView):
    @extend_schema(
        tags=TAGS,
        summary="List the shop's categories",
        operation_id="catalog_categories_list",
        responses={200: CategoryOut(many=True)},
    )
    def get(self, request):
        return Response(CategoryOut(selectors.shop_categories(), many=True).data)

    @extend_schema(tags=TAGS, summary="Create a shop category", request=CategoryIn, responses={201: CategoryOut})
    def post(self, request):
        category = services.shop_category_create(data=_valid(CategoryIn, request))
        return Response(CategoryOut(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailApi(CatalogApiView):
    @extend_schema(tags=TAGS, summary="Change a shop category", request=CategoryIn, responses={200: CategoryOut})
    def patch(self, request, category_id: int):
        category = services.shop_category_update(category_id=category_id, data=_valid(CategoryIn, request))
        return Response(CategoryOut(category).data)

    @extend_schema(tags=TAGS, summary="Delete a shop category", responses={204: None})
    def delete(self, request, category_id: int):
        services.shop_category_delete(category_id=category_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

