"""Public read API of the taxonomy on the mall host, under /api/v1/taxonomy/.

Anyone may read the active tree and look up active standard products; nothing here writes.
"""

from typing import ClassVar

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import NotFound, ServiceError
from shared_apps.ops.api import errors

from . import interface, selectors
from .serializers import CategoryNodeOut, StandardProductOut, node_data

TAGS = ["taxonomy"]


class PublicApi(APIView):
    permission_classes: ClassVar[list] = [permissions.AllowAny]


class PublicCategoryTreeApi(PublicApi):
    @extend_schema(responses={200: CategoryNodeOut(many=True)}, tags=TAGS,
                   summary="The active category tree with effective attributes",
                   operation_id="taxonomy_categories_list",
                   description="Depth-first; each node has `parent_id`, `level`, `path` and the attribute "
                   "templates that apply to it (inherited first).")
    def get(self, request):
        return Response([node_data(n) for n in selectors.category_tree(active_only=True, with_attributes=True)])


class PublicCategoryDetailApi(PublicApi):
    @extend_schema(responses={200: CategoryNodeOut, **errors(404)}, tags=TAGS,
                   summary="One active category with its effective attributes")
    def get(self, request, pk: int):
        for node in selectors.category_tree(active_only=True, with_attributes=True):
            if node.category.pk == pk:
                return Response(node_data(node))
        raise NotFound(_("No such category."))


class PublicStandardProductLookupApi(PublicApi):
    class Input(serializers.Serializer):
        gtin = serializers.CharField(required=False, allow_blank=True, max_length=20)
        brand = serializers.CharField(required=False, allow_blank=True, max_length=80)
        model = serializers.CharField(required=False, allow_blank=True, max_length=120)
        category_id = serializers.IntegerField(required=False, min_value=1)

        def validate(self, attrs):
            if not attrs.get("gtin") and not (attrs.get("brand") and attrs.get("model")):
                raise serializers.ValidationError({"gtin": _("Give a GTIN, or a brand and a model.")})
            return attrs

    @extend_schema(parameters=[Input], responses={200: StandardProductOut, **errors(400, 404)}, tags=TAGS,
                   summary="Find an active standard product by GTIN or brand+model",
                   description="By GTIN first, else by brand+model compared casefolded without spaces and "
                   "punctuation. A GTIN with a wrong check digit is 400; no match is 404.")
    def get(self, request):
        params = self.Input(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        from django.core.exceptions import ValidationError

        try:
            found = interface.standard_product_find(gtin=data.get("gtin") or None, brand=data.get("brand") or None,
                                                    model=data.get("model") or None,
                                                    category_id=data.get("category_id"))
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], fields=exc.message_dict) from None
        if found is None:
            raise NotFound(_("No standard product matches."))
        return Response(StandardProductOut(selectors.standard_product_detail(found.id)).data)
