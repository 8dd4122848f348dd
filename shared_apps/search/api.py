"""Mall search in the API (/api/v1/search/ on the mall host): anyone may search."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.views import media_url

from . import query

TAGS = ["search"]
MONEY = {"max_digits": 12, "decimal_places": 2}


@extend_schema_serializer(component_name="SearchHit")
class HitOut(serializers.Serializer):
    offer_id = serializers.IntegerField()
    shop_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    title = serializers.CharField()
    brand = serializers.CharField()
    image_url = serializers.SerializerMethodField()
    price = serializers.DecimalField(**MONEY, allow_null=True)
    sales_count = serializers.IntegerField()
    in_stock = serializers.BooleanField()

    def get_image_url(self, hit) -> str:
        return media_url(hit.image) if hit.image else ""


@extend_schema_serializer(component_name="SearchFacet")
class FacetOut(serializers.Serializer):
    value = serializers.CharField(help_text="A category id, or a brand as written.")
    count = serializers.IntegerField()


@extend_schema_serializer(component_name="SearchResults")
class ResultsOut(serializers.Serializer):
    total = serializers.IntegerField()
    estimated = serializers.BooleanField(help_text="The total and facet counts are estimates (about).")
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    hits = HitOut(many=True)
    categories = FacetOut(many=True)
    brands = FacetOut(many=True)
    did_you_mean = serializers.ListField(child=serializers.CharField(),
                                         help_text="Corrections when nothing matched.")


PARAMETERS = [
    OpenApiParameter("q", str, description="Words, Chinese and/or English (at most 200 characters count)."),
    OpenApiParameter("category", int, description="A platform category; its sub-categories are included."),
    OpenApiParameter("brand", str), OpenApiParameter("shop", int),
    OpenApiParameter("price_min", str), OpenApiParameter("price_max", str),
    OpenApiParameter("in_stock", bool),
    OpenApiParameter("sort", str, enum=list(query.SORTS)),
    OpenApiParameter("page", int, description=f"1 to {query.MAX_PAGE}."),
    OpenApiParameter("per_page", int, description=f"1 to {query.PER_PAGE_MAX}."),
]


class SearchApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(tags=TAGS, operation_id="search", summary="Search every shop's offers", parameters=PARAMETERS,
                   responses={200: ResultsOut},
                   description="Words match titles, brands, models and attributes (synonyms and brand names "
                   "in either language included); filters narrow; facets count categories and brands. Above "
                   "2,000 matches the total and facets are estimates (`estimated`). 400 names a bad value.")
    def get(self, request):
        params = request.query_params
        results = query.search(
            q=params.get("q", ""), category_id=params.get("category"), brand=params.get("brand", ""),
            shop_id=params.get("shop"), price_min=params.get("price_min"), price_max=params.get("price_max"),
            in_stock=params.get("in_stock", "").lower() in ("1", "true", "yes"), sort=params.get("sort") or "relevance",
            page=params.get("page"), per_page=params.get("per_page"))
        return Response(ResultsOut(results).data)


@extend_schema_serializer(component_name="SearchSuggestions")
class SuggestOut(serializers.Serializer):
    suggestions = serializers.ListField(child=serializers.CharField())


class SuggestApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(tags=TAGS, operation_id="search_suggest", summary="Suggestions while typing",
                   parameters=[OpenApiParameter("q", str, description="What the shopper has typed so far.")],
                   responses={200: SuggestOut},
                   description="The last word completed by spelling, pinyin or initials (hw → 华为), the most "
                   "searched first; the words before it kept.")
    def get(self, request):
        from .services import suggest

        return Response({"suggestions": suggest(request.query_params.get("q", ""))})
