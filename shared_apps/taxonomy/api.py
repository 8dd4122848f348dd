"""Operator API of the taxonomy, under /api/v1/ops/taxonomy/ on the operator host.

One view per operation. Any operator role may read; changes need admin or auditor (the services
check and raise Forbidden → 403).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.api.errors import NotFound, validated
from backend.api.pagination import page_schema, paginated_response
from backend.lib.ip import client_ip
from shared_apps.ops.api import OperatorApi, errors

from . import selectors, services
from .models import StandardProductStatus, ValueType
from .serializers import (
    AttributeOut,
    AttributeValuesField,
    CategoryNodeOut,
    StandardProductOut,
    node_data,
)

TAGS = ["taxonomy"]
StandardProductPage = page_schema("TaxonomyStandardProductPage", StandardProductOut)


def category_data(category_id: int) -> dict:
    for node in selectors.category_tree(with_attributes=True):
        if node.category.pk == category_id:
            return node_data(node)
    raise NotFound(_("No such category."))


def product_data(product_id: int) -> dict:
    product = selectors.standard_product_detail(product_id)
    if product is None:
        raise NotFound(_("No such standard product."))
    return StandardProductOut(product).data


# --- categories --------------------------------------------------------------------------------


class CategoryTreeApi(OperatorApi):
    @extend_schema(responses={200: CategoryNodeOut(many=True), **errors(403)}, tags=TAGS,
                   summary="The whole category tree with effective attributes",
                   operation_id="ops_taxonomy_categories_list",
                   description="Depth-first in display order, inactive categories included.")
    def get(self, request):
        return Response([node_data(n) for n in selectors.category_tree(with_attributes=True)])


class CategoryDetailApi(OperatorApi):
    @extend_schema(responses={200: CategoryNodeOut, **errors(403, 404)}, tags=TAGS, summary="Get a category")
    def get(self, request, pk: int):
        return Response(category_data(pk))


class CategoryCreateApi(OperatorApi):
    class Input(serializers.Serializer):
        parent_id = serializers.IntegerField(help_text="A business category or a level-2 category.")
        code = serializers.CharField(max_length=40, help_text="Stable slug, unique in the tree.")
        name = serializers.CharField(max_length=40)
        name_en = serializers.CharField(max_length=60)
        sort = serializers.IntegerField(min_value=0, max_value=32767, default=0)

    @extend_schema(request=Input, responses={201: CategoryNodeOut, **errors(400, 403)}, tags=TAGS,
                   summary="Create a sub-category")
    def post(self, request):
        data = validated(self.Input, request.data)
        category = services.category_create(actor=request.user, ip=client_ip(request), **data)
        return Response(category_data(category.pk), status=status.HTTP_201_CREATED)


class CategoryUpdateApi(OperatorApi):
    class Input(serializers.Serializer):
        name = serializers.CharField(max_length=40)
        name_en = serializers.CharField(max_length=60)
        sort = serializers.IntegerField(min_value=0, max_value=32767, default=0)
        code = serializers.CharField(max_length=40, required=False,
                                     help_text="Only while no sub-category, attribute or product uses it.")

    @extend_schema(request=Input, responses={200: CategoryNodeOut, **errors(400, 403, 404, 409)}, tags=TAGS,
                   summary="Rename or re-sort a sub-category")
    def post(self, request, pk: int):
        data = validated(self.Input, request.data)
        services.category_update(actor=request.user, category_id=pk, ip=client_ip(request), **data)
        return Response(category_data(pk))


class CategoryMoveApi(OperatorApi):
    class Input(serializers.Serializer):
        parent_id = serializers.IntegerField()

    @extend_schema(request=Input, responses={200: CategoryNodeOut, **errors(400, 403, 404, 409)}, tags=TAGS,
                   summary="Move a sub-category under another parent")
    def post(self, request, pk: int):
        data = validated(self.Input, request.data)
        services.category_move(actor=request.user, category_id=pk, parent_id=data["parent_id"],
                               ip=client_ip(request))
        return Response(category_data(pk))


class CategoryDeactivateApi(OperatorApi):
    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(request=Input, responses={200: CategoryNodeOut, **errors(400, 403, 404, 409)}, tags=TAGS,
                   summary="Deactivate a sub-category and everything below it")
    def post(self, request, pk: int):
        data = validated(self.Input, request.data)
        services.category_set_active(actor=request.user, category_id=pk, active=False, reason=data["reason"],
                                     ip=client_ip(request))
        return Response(category_data(pk))


class CategoryActivateApi(OperatorApi):
    @extend_schema(request=None, responses={200: CategoryNodeOut, **errors(403, 404, 409)}, tags=TAGS,
                   summary="Reactivate a sub-category")
    def post(self, request, pk: int):
        services.category_set_active(actor=request.user, category_id=pk, active=True, ip=client_ip(request))
        return Response(category_data(pk))


# --- attribute templates -----------------------------------------------------------------------


class AttributeFields(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    name_en = serializers.CharField(max_length=60)
    value_type = serializers.ChoiceField(choices=ValueType.values)
    unit = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    choices = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list,
                                    max_length=200, help_text="Allowed values of choice and multi_choice.")
    required = serializers.BooleanField(default=False)
    is_key = serializers.BooleanField(default=False)
    is_spec = serializers.BooleanField(default=False)
    sort = serializers.IntegerField(min_value=0, max_value=32767, default=0)


class AttributeCreateApi(OperatorApi):
    class Input(AttributeFields):
        code = serializers.CharField(max_length=40, help_text="snake_case, unique on the category's paths.")

    @extend_schema(request=Input, responses={201: AttributeOut, **errors(400, 403, 404)}, tags=TAGS,
                   summary="Add an attribute template to a category")
    def post(self, request, pk: int):
        data = validated(self.Input, request.data)
        code = data.pop("code")
        attribute = services.attribute_create(actor=request.user, category_id=pk, code=code, data=data,
                                              ip=client_ip(request))
        return Response(AttributeOut(attribute).data, status=status.HTTP_201_CREATED)


class AttributeUpdateApi(OperatorApi):
    class Input(AttributeFields):
        code = serializers.CharField(max_length=40, required=False, help_text="Cannot change; 409 if it differs.")

    @extend_schema(request=Input, responses={200: AttributeOut, **errors(400, 403, 404, 409)}, tags=TAGS,
                   summary="Change an attribute template")
    def post(self, request, pk: int):
        data = validated(self.Input, request.data)
        attribute = services.attribute_update(actor=request.user, attribute_id=pk, data=data, ip=client_ip(request))
        return Response(AttributeOut(attribute).data)


class AttributeDeleteApi(OperatorApi):
    @extend_schema(request=None, responses={204: None, **errors(403, 404, 409)}, tags=TAGS,
                   summary="Delete an attribute template no standard product uses")
    def post(self, request, pk: int):
        services.attribute_delete(actor=request.user, attribute_id=pk, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- standard products -------------------------------------------------------------------------


class StandardProductListApi(OperatorApi):
    class Input(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                  help_text="A GTIN, or part of the brand or model.")
        # A plain field, not an enum: "status" enums of other apps would collide in the schema.
        status = serializers.CharField(required=False, allow_blank=True,
                                       help_text=" | ".join(StandardProductStatus.values))
        category_id = serializers.IntegerField(required=False, min_value=1, help_text="Includes sub-categories.")

        def validate_status(self, value: str) -> str:
            if value and value not in StandardProductStatus.values:
                raise serializers.ValidationError(_("Choose one of: %(values)s.")
                                                  % {"values": ", ".join(StandardProductStatus.values)})
            return value

    @extend_schema(parameters=[Input], responses={200: StandardProductPage, **errors(400, 403)}, tags=TAGS,
                   summary="Search standard products", operation_id="ops_taxonomy_standard_products_list")
    def get(self, request):
        params = validated(self.Input, request.query_params)
        queryset = selectors.standard_product_search(q=params.get("q", ""), status=params.get("status"),
                                                     category_id=params.get("category_id"))
        return paginated_response(self, request, queryset, StandardProductOut)


class StandardProductDetailApi(OperatorApi):
    @extend_schema(responses={200: StandardProductOut, **errors(403, 404)}, tags=TAGS,
                   summary="Get a standard product")
    def get(self, request, pk: int):
        return Response(product_data(pk))


class ProductFields(serializers.Serializer):
    brand = serializers.CharField(max_length=80)
    model = serializers.CharField(max_length=120)
    gtins = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list,
                                  max_length=20, help_text="GTIN-8/12/13/14; the check digit is verified.")
    attributes = AttributeValuesField(required=False, default=dict, help_text="Key attribute values by code.")


class StandardProductCreateApi(OperatorApi):
    class Input(ProductFields):
        category_id = serializers.IntegerField()

    @extend_schema(request=Input, responses={201: StandardProductOut, **errors(400, 403, 409)}, tags=TAGS,
                   summary="Create an active standard product")
    def post(self, request):
        data = validated(self.Input, request.data)
        product = services.standard_product_create(actor=request.user, ip=client_ip(request), **data)
        return Response(product_data(product.pk), status=status.HTTP_201_CREATED)


class StandardProductUpdateApi(OperatorApi):
    class Input(ProductFields):
        pass

    @extend_schema(request=Input, responses={200: StandardProductOut, **errors(400, 403, 404, 409)}, tags=TAGS,
                   summary="Correct a standard product")
    def post(self, request, pk: int):
        data = validated(self.Input, request.data)
        services.standard_product_update(actor=request.user, product_id=pk, ip=client_ip(request), **data)
        return Response(product_data(pk))


class StandardProductApproveApi(OperatorApi):
    @extend_schema(request=None, responses={200: StandardProductOut, **errors(403, 404, 409)}, tags=TAGS,
                   summary="Approve a proposed standard product")
    def post(self, request, pk: int):
        services.standard_product_approve(actor=request.user, product_id=pk, ip=client_ip(request))
        return Response(product_data(pk))


class StandardProductRejectApi(OperatorApi):
    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=Input, responses={200: StandardProductOut, **errors(400, 403, 404, 409)}, tags=TAGS,
                   summary="Reject a proposed standard product with a reason")
    def post(self, request, pk: int):
        data = validated(self.Input, request.data)
        services.standard_product_reject(actor=request.user, product_id=pk, reason=data["reason"],
                                         ip=client_ip(request))
        return Response(product_data(pk))


class StandardProductMergeApi(OperatorApi):
    class Input(serializers.Serializer):
        into_id = serializers.IntegerField(help_text="The active standard product the proposal duplicates.")

    @extend_schema(request=Input, responses={200: StandardProductOut, **errors(400, 403, 404, 409)}, tags=TAGS,
                   summary="Merge a proposal into an existing standard product",
                   description="Answers with the target product, which receives the proposal's new GTINs.")
    def post(self, request, pk: int):
        data = validated(self.Input, request.data)
        target = services.standard_product_merge(actor=request.user, product_id=pk, into_id=data["into_id"],
                                                 ip=client_ip(request))
        return Response(product_data(target.pk))
