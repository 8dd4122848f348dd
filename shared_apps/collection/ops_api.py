"""The collected-data API on the operator host, under /api/v1/ops/collection/: sources, imports
(multipart upload, progress, error report), collected offers, statistics, price analysis, and the
access grants.

Administrators and operators granted access use every endpoint but the grants, which are for
administrators only; everyone else gets 403. Refusals use the one error body naming the field.
Dates are Asia/Shanghai days, both ends included.
"""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from backend.api.errors import NotFound, validated
from backend.api.pagination import named_page_response, page_schema
from backend.lib.ip import client_ip
from shared_apps.ops.api import IgnoreAcceptHeader, IsOperator, OperatorApi, errors
from shared_apps.taxonomy.models import Category

from . import access, imports, selectors, services
from .exports import csv_response
from .models import ImportFormat, ImportState, MatchKind, Source, SourceKind

TAGS = ["ops-collection"]
MONEY = {"max_digits": 14, "decimal_places": 2}


class CanSeeCollectedData(permissions.BasePermission):
    message = gettext_lazy("Collected data is for administrators and operators granted access to it.")

    def has_permission(self, request, view) -> bool:
        return access.can_view(request.user)


class CollectionApi(OperatorApi):
    """An operator allowed to see collected data (an administrator, or granted)."""

    permission_classes: ClassVar[list] = [IsOperator, CanSeeCollectedData]


class GrantsApi(OperatorApi):
    operator_roles = access.ADMINS


def _one_of(values, value: str) -> str:
    if value not in values:
        raise serializers.ValidationError(_("Choose one of: %(values)s.") % {"values": ", ".join(v for v in values if v)})
    return value


# --- output ------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsCollectionRef")
class RefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


@extend_schema_serializer(component_name="OpsCollectionCategory")
class CategoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="OpsCollectionSource")
class SourceOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=" | ".join(SourceKind.values))
    notes = serializers.CharField()
    offer_count = serializers.IntegerField(required=False, help_text="Offers collected from it (in lists).")
    import_count = serializers.IntegerField(required=False, help_text="Imports of it (in lists).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="OpsCollectionImport")
class ImportOut(serializers.Serializer):
    id = serializers.IntegerField()
    source = RefOut()
    original_name = serializers.CharField()
    file_format = serializers.CharField(help_text=" | ".join(ImportFormat.values))
    state = serializers.CharField(help_text=" | ".join(ImportState.values))
    message = serializers.CharField(help_text="Why the whole import failed (an unreadable file, too many rows).")
    total_rows = serializers.IntegerField()
    processed_rows = serializers.IntegerField()
    percent = serializers.IntegerField()
    imported_rows = serializers.IntegerField()
    updated_rows = serializers.IntegerField(help_text="Imported rows that updated an offer already collected.")
    failed_rows = serializers.IntegerField(help_text="Rows left out; their problems are in the error report.")
    matched_rows = serializers.IntegerField(help_text="Imported rows linked to a comparison group.")
    created_by = RefOut(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="OpsCollectionImportError")
class ImportErrorOut(serializers.Serializer):
    row = serializers.IntegerField(help_text="As the file counts it: a CSV's header is row 1; JSON items and the "
                                             "products of a page count from 1.")
    field = serializers.CharField()
    message = serializers.CharField()


@extend_schema_serializer(component_name="OpsCollectionOffer")
class OfferOut(serializers.Serializer):
    id = serializers.IntegerField()
    source = RefOut()
    external_id = serializers.CharField()
    url = serializers.CharField()
    title = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    gtin = serializers.CharField(help_text="GTIN-14 form; empty when the source gave none.")
    category = CategoryOut(allow_null=True, help_text="The platform category the source's category names.")
    category_text = serializers.CharField(help_text="The category as the source named it.")
    price = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    sales_count = serializers.IntegerField(allow_null=True)
    seller = serializers.CharField()
    collected_at = serializers.DateTimeField()
    group_id = serializers.IntegerField(allow_null=True, help_text="The comparison group it is matched to.")
    match_kind = serializers.SerializerMethodField(
        help_text="How it was matched: " + " | ".join(v for v in MatchKind.values if v) + "; empty when not matched.")

    def get_match_kind(self, offer) -> str:
        return offer.match_kind if offer.group_id else ""


@extend_schema_serializer(component_name="OpsCollectionPrice")
class PriceOut(serializers.Serializer):
    price = serializers.DecimalField(**MONEY)
    sales_count = serializers.IntegerField(allow_null=True)
    collected_at = serializers.DateTimeField()
    run_id = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="OpsCollectionOfferDetail")
class OfferDetailOut(OfferOut):
    raw = serializers.JSONField(help_text="The record as the source had it (long texts cut).")
    prices = PriceOut(many=True, source="prices_list", help_text="Price history, newest first.")


@extend_schema_serializer(component_name="OpsCollectionGrant")
class GrantOut(serializers.Serializer):
    id = serializers.IntegerField()
    user = RefOut()
    operator_role = serializers.CharField(source="user.operator_role")
    granted_by = RefOut(allow_null=True)
    granted_at = serializers.DateTimeField()
    reason = serializers.CharField()
    revoked_by = RefOut(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True, help_text="Empty while the grant is in force.")


# --- input -------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsCollectionSourceInput")
class SourceIn(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    kind = serializers.CharField(required=False, default=SourceKind.MARKETPLACE, help_text=" | ".join(SourceKind.values))
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    def validate_kind(self, value):
        return _one_of(SourceKind.values, value)


@extend_schema_serializer(component_name="OpsCollectionSourcePatch")
class SourcePatchIn(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False)
    kind = serializers.CharField(required=False, help_text=" | ".join(SourceKind.values))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def validate_kind(self, value):
        return _one_of(SourceKind.values, value)


@extend_schema_serializer(component_name="OpsCollectionUploadInput")
class UploadIn(serializers.Serializer):
    source_id = serializers.IntegerField(min_value=1)
    file = serializers.FileField(help_text="CSV (UTF-8 or GBK), JSON, or a saved web page with schema.org Product.",
                                 allow_empty_file=True)
    file_format = serializers.CharField(required=False, allow_blank=True, default="",
                                        help_text="csv | json | html; empty: detected from the content.")

    def validate_file_format(self, value):
        return _one_of(["", *ImportFormat.values], value)


class PeriodIn(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="First day, included.")
    until = serializers.DateField(required=False, help_text="Last day, included.")
    source_id = serializers.IntegerField(required=False, min_value=1)
    category_id = serializers.IntegerField(required=False, min_value=1, help_text="A platform category.")

    def validate_source_id(self, value):
        if not Source.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("No such source."))
        return value

    def validate_category_id(self, value):
        if not Category.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("No such category."))
        return value

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": _("The end date is before the start date.")})
        return attrs


class OfferFilterIn(PeriodIn):
    q = serializers.CharField(required=False, allow_blank=True, max_length=selectors.SEARCH_MAX,
                              help_text="Part of the title, brand, model or seller; or an external id or GTIN.")
    matched = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text="true: only offers matched to a comparison group; false: only not.")


class ImportFilterIn(serializers.Serializer):
    source_id = serializers.IntegerField(required=False, min_value=1)
    state = serializers.CharField(required=False, allow_blank=True, default="", help_text=" | ".join(ImportState.values))

    def validate_state(self, value):
        return _one_of(["", *ImportState.values], value)


# --- sources -----------------------------------------------------------------------------------


class SourceListApi(CollectionApi):
    @extend_schema(tags=TAGS, operation_id="ops_collection_sources_list", summary="List sources of collected data",
                   responses={200: SourceOut(many=True), **errors(403)})
    def get(self, request):
        return Response(SourceOut(selectors.sources_with_counts(), many=True).data)

    @extend_schema(tags=TAGS, operation_id="ops_collection_source_create", summary="Add a source",
                   request=SourceIn, responses={201: SourceOut, **errors(400, 403, 409)},
                   description="Names are unique whatever their case (409 `source_exists`). Audited.")
    def post(self, request):
        data = validated(SourceIn, request.data)
        source = services.source_create(actor=request.user, **data)
        return Response(SourceOut(source).data, status=status.HTTP_201_CREATED)


def _source(pk: int) -> Source:
    source = selectors.sources_with_counts().filter(pk=pk).first()
    if source is None:
        raise NotFound(_("No such source."))
    return source


class SourceDetailApi(CollectionApi):
    @extend_schema(tags=TAGS, operation_id="ops_collection_source_retrieve", summary="One source",
                   responses={200: SourceOut, **errors(403, 404)})
    def get(self, request, pk: int):
        return Response(SourceOut(_source(pk)).data)

    @extend_schema(tags=TAGS, operation_id="ops_collection_source_update", summary="Rename or describe a source",
                   request=SourcePatchIn, responses={200: SourceOut, **errors(400, 403, 404, 409)},
                   description="Fields left out stay. Audited with the values before and after.")
    def patch(self, request, pk: int):
        data = validated(SourcePatchIn, request.data)
        services.source_update(actor=request.user, source_id=pk, **data)
        return Response(SourceOut(_source(pk)).data)


# --- imports -----------------------------------------------------------------------------------


class ImportListApi(CollectionApi):
    parser_classes: ClassVar[list] = [MultiPartParser, FormParser]

    @extend_schema(tags=TAGS, operation_id="ops_collection_imports_list", summary="List imports, newest first",
                   parameters=[ImportFilterIn],
                   responses={200: page_schema("OpsCollectionImportPage", ImportOut), **errors(400, 403, 404)})
    def get(self, request):
        params = validated(ImportFilterIn, request.query_params)
        return named_page_response(self, request, selectors.import_list(**params), ImportOut)

    @extend_schema(
        tags=TAGS, operation_id="ops_collection_import_create", summary="Upload a file to import",
        request={"multipart/form-data": UploadIn}, responses={202: ImportOut, **errors(400, 403)},
        description="The file is checked (present, not empty, size, CSV/JSON/HTML by content and agreeing with "
                    "`file_format` when given) and queued; poll the import for its progress. Rows are checked one "
                    "by one: good rows are imported (the same external id of the same source updates the offer "
                    "and adds to its price history), bad rows go to the error report. A file that cannot be read "
                    "at all, or has too many rows, fails the import with a `message`.")
    def post(self, request):
        data = validated(UploadIn, request.data)
        run = imports.import_start(actor=request.user, source_id=data["source_id"], upload=data["file"],
                                   file_format=data["file_format"])
        run.refresh_from_db()
        return Response(ImportOut(run).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(CollectionApi):
    @extend_schema(tags=TAGS, operation_id="ops_collection_import_retrieve", summary="An import's progress and counts",
                   responses={200: ImportOut, **errors(403, 404)})
    def get(self, request, pk: int):
        return Response(ImportOut(imports.run_get(actor=request.user, run_id=pk)).data)


class ImportErrorListApi(CollectionApi):
    @extend_schema(tags=TAGS, operation_id="ops_collection_import_errors_list",
                   summary="An import's error report (rows left out)",
                   responses={200: page_schema("OpsCollectionImportErrorPage", ImportErrorOut), **errors(403, 404)})
    def get(self, request, pk: int):
        run = imports.run_get(actor=request.user, run_id=pk)
        return named_page_response(self, request, run.errors.all(), ImportErrorOut)


class ImportErrorCsvApi(CollectionApi):
    renderer_classes: ClassVar[list] = [JSONRenderer]
    content_negotiation_class = IgnoreAcceptHeader

    @extend_schema(tags=TAGS, operation_id="ops_collection_import_errors_download",
                   summary="Download an import's error report as CSV",
                   responses={(200, "text/csv"): OpenApiResponse(
                       response=OpenApiTypes.STR, description="UTF-8 with a BOM; columns " +
                       ",".join(imports.ERROR_COLUMNS) + "."), **errors(403, 404)})
    def get(self, request, pk: int):
        run = imports.run_get(actor=request.user, run_id=pk)
        return csv_response(f"collection-import-{run.pk}-errors", imports.ERROR_COLUMNS, imports.errors_csv_rows(run))


# --- collected offers --------------------------------------------------------------------------


class OfferListApi(CollectionApi):
    @extend_schema(tags=TAGS, operation_id="ops_collection_offers_list", summary="List collected offers",
                   parameters=[OfferFilterIn],
                   responses={200: page_schema("OpsCollectionOfferPage", OfferOut), **errors(400, 403, 404)},
                   description="Newest collection first; the dates filter the offers' latest collection.")
    def get(self, request):
        params = validated(OfferFilterIn, request.query_params)
        return named_page_response(self, request, selectors.offer_search(**params), OfferOut)


class OfferDetailApi(CollectionApi):
    @extend_schema(tags=TAGS, operation_id="ops_collection_offer_retrieve",
                   summary="One collected offer with its price history and raw data",
                   responses={200: OfferDetailOut, **errors(403, 404)})
    def get(self, request, pk: int):
        offer = selectors.offer_detail(pk)
        if offer is None:
            raise NotFound(_("No such offer."))
        offer.prices_list = selectors.price_history(offer.pk)
        return Response(OfferDetailOut(offer).data)


class RematchApi(CollectionApi):
    @extend_schema_serializer(component_name="OpsCollectionRematchInput")
    class Input(serializers.Serializer):
        only_unmatched = serializers.BooleanField(required=False, default=False)

    @extend_schema(tags=TAGS, operation_id="ops_collection_rematch",
                   summary="Match collected offers to comparison groups again (background)",
                   request=Input, responses={202: OpenApiResponse(description="Queued."), **errors(400, 403)})
    def post(self, request):
        data = validated(self.Input, request.data)
        services.rematch_start(actor=request.user, only_unmatched=data["only_unmatched"])
        return Response(status=status.HTTP_202_ACCEPTED)


# --- statistics and analysis -------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsCollectionStats")
class StatsOut(serializers.Serializer):
    @extend_schema_serializer(component_name="OpsCollectionStatsBySource")
    class BySource(serializers.Serializer):
        source_id = serializers.IntegerField()
        name = serializers.CharField()
        offers = serializers.IntegerField()
        matched = serializers.IntegerField()
        observations = serializers.IntegerField(help_text="Prices collected.")
        last_collected_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_serializer(component_name="OpsCollectionStatsByCategory")
    class ByCategory(serializers.Serializer):
        category_id = serializers.IntegerField(allow_null=True)
        name = serializers.CharField(help_text="Empty: offers without a platform category.")
        offers = serializers.IntegerField()

    @extend_schema_serializer(component_name="OpsCollectionStatsByDay")
    class ByDay(serializers.Serializer):
        day = serializers.DateField()
        offers = serializers.IntegerField()
        observations = serializers.IntegerField()

    offers = serializers.IntegerField(help_text="Offers collected in the period.")
    matched = serializers.IntegerField(help_text="Of them, matched to a comparison group.")
    observations = serializers.IntegerField(help_text="Prices collected in the period.")
    by_source = BySource(many=True)
    by_category = ByCategory(many=True)
    by_day = ByDay(many=True)


class StatsApi(CollectionApi):
    @extend_schema(tags=TAGS, operation_id="ops_collection_stats", summary="Statistics of collected data",
                   parameters=[PeriodIn], responses={200: StatsOut, **errors(400, 403)},
                   description="Offers and prices collected in the period by source, platform category and day.")
    def get(self, request):
        params = validated(PeriodIn, request.query_params)
        return Response(StatsOut(selectors.collection_stats(**params)).data)


@extend_schema_serializer(component_name="OpsCollectionGroupPosition")
class GroupPositionOut(serializers.Serializer):
    group_id = serializers.IntegerField()
    title = serializers.CharField()
    category_id = serializers.IntegerField(allow_null=True)
    category_name = serializers.CharField()
    mall_lowest = serializers.DecimalField(**MONEY)
    mall_offers = serializers.IntegerField()
    reference_median = serializers.DecimalField(**MONEY)
    reference_lowest = serializers.DecimalField(**MONEY)
    reference_offers = serializers.IntegerField()
    difference_percent = serializers.DecimalField(max_digits=12, decimal_places=1,
                                                  help_text="(mall lowest − outside median) / outside median × 100.")
    position = serializers.CharField(help_text="cheaper | same | dearer (the mall against outside prices).")


@extend_schema_serializer(component_name="OpsCollectionAnalysis")
class AnalysisOut(serializers.Serializer):
    @extend_schema_serializer(component_name="OpsCollectionCategoryPosition")
    class CategoryPosition(serializers.Serializer):
        category_id = serializers.IntegerField(allow_null=True)
        name = serializers.CharField()
        groups = serializers.IntegerField()
        cheaper = serializers.IntegerField()
        same = serializers.IntegerField()
        dearer = serializers.IntegerField()
        average_difference_percent = serializers.DecimalField(max_digits=12, decimal_places=1)

    same_within_percent = serializers.SerializerMethodField(
        help_text="Within this percentage of the outside median the mall's price counts as the same (a decimal).")
    cheaper = serializers.IntegerField()
    same = serializers.IntegerField()
    dearer = serializers.IntegerField()
    without_mall_offer = serializers.IntegerField(help_text="Groups with outside prices but no mall offer in stock.")
    categories = CategoryPosition(many=True)

    def get_same_within_percent(self, _report) -> str:
        return str(selectors.SAME_WITHIN_PERCENT)


ANALYSIS_RULES = ("The mall's lowest price today (in-stock offers of active shops) of each comparison group against "
                  "the median of its outside prices, each outside offer with its latest price collected in the "
                  "period; within `same_within_percent` counts as the same.")


class AnalysisApi(CollectionApi):
    @extend_schema(tags=TAGS, operation_id="ops_collection_analysis",
                   summary="Price position of the mall against outside prices, per category",
                   parameters=[PeriodIn], responses={200: AnalysisOut, **errors(400, 403)}, description=ANALYSIS_RULES)
    def get(self, request):
        params = validated(PeriodIn, request.query_params)
        return Response(AnalysisOut(selectors.price_position(**params)).data)


class AnalysisGroupsApi(CollectionApi):
    @extend_schema(tags=TAGS, operation_id="ops_collection_analysis_groups",
                   summary="Price position of the mall against outside prices, per comparison group",
                   parameters=[PeriodIn],
                   responses={200: page_schema("OpsCollectionGroupPositionPage", GroupPositionOut),
                              **errors(400, 403, 404)},
                   description=ANALYSIS_RULES + " The mall's dearest against outside prices first.")
    def get(self, request):
        params = validated(PeriodIn, request.query_params)
        return named_page_response(self, request, selectors.price_position(**params).groups, GroupPositionOut)


# --- access grants -----------------------------------------------------------------------------


class GrantListApi(GrantsApi):
    @extend_schema_serializer(component_name="OpsCollectionGrantInput")
    class Input(serializers.Serializer):
        user_id = serializers.IntegerField(min_value=1, help_text="An operator who is not an administrator.")
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    @extend_schema(tags=TAGS, operation_id="ops_collection_grants_list",
                   summary="List grants of access to collected data",
                   responses={200: GrantOut(many=True), **errors(403)},
                   description="Grants in force first, then revoked ones. Administrators only.")
    def get(self, request):
        return Response(GrantOut(selectors.grant_list(), many=True).data)

    @extend_schema(tags=TAGS, operation_id="ops_collection_grant_create",
                   summary="Grant an operator access to collected data",
                   request=Input, responses={201: GrantOut, **errors(400, 403, 409)},
                   description="Administrators only; audited as `collection.grant`. 409 when a grant is in force "
                               "already or the person is an administrator (who always has access).")
    def post(self, request):
        data = validated(self.Input, request.data)
        grant = services.grant_give(actor=request.user, ip=client_ip(request), **data)
        return Response(GrantOut(grant).data, status=status.HTTP_201_CREATED)


class GrantRevokeApi(GrantsApi):
    @extend_schema_serializer(component_name="OpsCollectionRevokeInput")
    class Input(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    @extend_schema(tags=TAGS, operation_id="ops_collection_grant_revoke",
                   summary="Revoke an operator's access to collected data",
                   request=Input, responses={200: GrantOut, **errors(400, 403, 404)},
                   description="Administrators only; audited as `collection.revoke`. 404 when the person has no "
                               "grant in force.")
    def post(self, request, user_id: int):
        data = validated(self.Input, request.data)
        grant = services.grant_revoke(actor=request.user, user_id=user_id, ip=client_ip(request), **data)
        return Response(GrantOut(grant).data)
