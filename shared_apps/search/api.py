"""Mall search in the API (/api/v1/search/ on the mall host): anyone may search."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.views import media_url
from shared_apps.comparison.selectors import groups_for_offers

from . import analytics, query

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
    rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True, help_text="The shop's rating, 0–5.")
    group_id = serializers.SerializerMethodField(help_text="The comparison group: every shop's offer of this product "
                                                 "at /api/v1/products/{group_id}/ (null: not grouped yet).")

    def get_image_url(self, hit) -> str:
        return media_url(hit.image) if hit.image else ""

    def get_group_id(self, hit) -> int | None:
        return self.context.get("groups", {}).get(hit.offer_id)


@extend_schema_serializer(component_name="SearchFacet")
class FacetOut(serializers.Serializer):
    value = serializers.CharField(help_text="A category id, a brand as written, a shop id, a city's region code, a "
                                  "lowest rating (4.5: rated 4.5 and up) or a price band (100-500, 5000-).")
    count = serializers.IntegerField()


@extend_schema_serializer(component_name="SearchResults")
class ResultsOut(serializers.Serializer):
    total = serializers.IntegerField(help_text="Every match, counted exactly.")
    estimated = serializers.BooleanField(help_text="The facet counts are estimates (about): more than 2,000 matches.")
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    hits = HitOut(many=True)
    categories = FacetOut(many=True)
    brands = FacetOut(many=True)
    shops = FacetOut(many=True)
    ratings = FacetOut(many=True)
    price_ranges = FacetOut(many=True)
    pickup_cities = FacetOut(many=True)
    in_stock = serializers.IntegerField(help_text="How many of the matches are in stock.")
    did_you_mean = serializers.ListField(child=serializers.CharField(),
                                         help_text="Corrections when nothing matched.")
    related = HitOut(many=True, help_text="When nothing matched: best sellers for the first correction, else for "
                     "any one of the words, else the mall's.")
    search_id = serializers.CharField(default="", help_text="Send it with a click: POST /api/v1/search/clicks/.")


PARAMETERS = [
    OpenApiParameter("q", str, description="Words, Chinese and/or English (at most 200 characters count)."),
    OpenApiParameter("category", int, description="A platform category; its sub-categories are included."),
    OpenApiParameter("brand", str), OpenApiParameter("shop", int),
    OpenApiParameter("price_min", str), OpenApiParameter("price_max", str),
    OpenApiParameter("in_stock", bool),
    OpenApiParameter("rating_min", str, description="Shops rated at least this (0–5), e.g. 4.5."),
    OpenApiParameter("pickup_city", str, description="A city's 6-digit region code: shops that hand goods over there."),
    OpenApiParameter("sort", str, enum=list(query.SORTS)),
    OpenApiParameter("page", int, description=f"1 to {query.MAX_PAGE}."),
    OpenApiParameter("per_page", int, description=f"1 to {query.PER_PAGE_MAX}."),
]


class SearchApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(tags=TAGS, operation_id="search", summary="Search every shop's offers", parameters=PARAMETERS,
                   responses={200: ResultsOut},
                   description="Words match titles, brands, models and attributes (synonyms and brand names "
                   "in either language included); filters narrow; facets count categories, brands, shops, ratings, "
                   "price bands and pickup cities. The total is exact; above 2,000 matches the facet counts are "
                   "estimates from a sample (`estimated`) and rare values are left out. 400 names a bad value.")
    def get(self, request):
        params = request.query_params
        results = query.search(
            q=params.get("q", ""), category_id=params.get("category"), brand=params.get("brand", ""),
            shop_id=params.get("shop"), price_min=params.get("price_min"), price_max=params.get("price_max"),
            in_stock=params.get("in_stock", "").lower() in ("1", "true", "yes"), rating_min=params.get("rating_min"),
            pickup_city=params.get("pickup_city", ""), sort=params.get("sort") or "relevance",
            page=params.get("page"), per_page=params.get("per_page"))
        groups = groups_for_offers(h.offer_id for h in [*results.hits, *results.related])
        return Response({**ResultsOut(results, context={"groups": groups}).data,
                         "search_id": analytics.search_logged(request, results, source="api")})


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
