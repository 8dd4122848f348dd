"""The search API of the operator console, under /api/v1/ops/search/ on the operator host: the
synonym groups (list, add, replace, delete; built-in brand names read-only) and search analytics
(daily volume, top queries, zero-result queries, click-through by position).

Administrators and auditors read (every GET); only administrators write, others get 403; other
operator roles and shoppers get 403 on everything. Dates are whole days in the mall's time zone
(`since`, `until`, both included, 7 days to today by default, at most 366); rates are strings
with four decimals (0.1250 = 12.5 %). Every refusal uses the one error body naming its field.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from backend.api.errors import NotFound, validated
from backend.api.pagination import Pagination, page_of, page_schema
from backend.lib.ip import client_ip
from shared_apps.ops.api import OperatorApi, errors

from . import analytics_selectors as stats
from . import synonym_selectors, synonym_services
from .ops_views import EDIT, READ

TAGS = ["ops-search"]
RATE = {"max_digits": 5, "decimal_places": 4}


class SearchOpsApi(OperatorApi):
    """Reading needs administrator or auditor; writing administrator."""

    @property
    def operator_roles(self):
        return READ if self.request.method in SAFE_METHODS else EDIT


# --- synonyms ----------------------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsSearchSynonymGroup")
class SynonymGroupOut(serializers.Serializer):
    key = serializers.CharField(help_text="Names the group in URLs; a built-in group's starts with `builtin:`.")
    terms = serializers.ListField(child=serializers.CharField(),
                                  help_text="As search stores them: lower-cased, half-width, words split by spaces.")
    builtin = serializers.BooleanField(help_text="A built-in brand group: read-only.")
    created_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="OpsSearchSynonymGroupInput")
class SynonymGroupIn(serializers.Serializer):
    terms = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False), allow_empty=True,
        help_text=f"{synonym_services.GROUP_TERMS} terms at most, two different ones at least, each up to "
        f"{synonym_services.TERM_CHARS} characters and in no other group. A term of several words matches "
        "only text holding all of them.")


def _group_out(key: str) -> dict:
    group = synonym_selectors.synonym_group(key=key)
    if group is None:
        raise NotFound(_("No such synonym group."))
    return SynonymGroupOut(group).data


class SynonymListApi(SearchOpsApi):
    @extend_schema(tags=TAGS, operation_id="ops_search_synonyms_list", summary="List the operators' synonym groups",
                   parameters=[OpenApiParameter("q", str, description="Keep groups with a term containing this."),
                               OpenApiParameter("page", int)],
                   responses={200: page_schema("OpsSearchSynonymGroupPage", SynonymGroupOut), **errors(403, 404)},
                   description="Newest first, 20 a page. The built-in brand names are listed by "
                   "`GET synonyms/builtin/`.")
    def get(self, request):
        rows = synonym_selectors.synonym_groups(q=request.query_params.get("q", "")[:64])
        paginator = Pagination()
        page = page_of(paginator, rows, request, self)
        groups = [synonym_selectors.group_data(row) for row in page]
        return paginator.get_paginated_response(SynonymGroupOut(groups, many=True).data)

    @extend_schema(tags=TAGS, operation_id="ops_search_synonym_create", summary="Add a synonym group",
                   request=SynonymGroupIn, responses={201: SynonymGroupOut, **errors(400, 403, 409)},
                   description="Search uses it from the next query. 400 names what is wrong with `terms` "
                   "(empty, too long, only one term, the same term twice); 409 `synonym_term_taken` when a term "
                   "is in another group, `synonym_builtin` when the terms are one built-in group. Audited.")
    def post(self, request):
        data = validated(SynonymGroupIn, request.data)
        group = synonym_services.synonym_group_create(terms=data["terms"], actor=request.user, ip=client_ip(request))
        return Response(SynonymGroupOut(group).data, status=status.HTTP_201_CREATED)


class SynonymBuiltinApi(SearchOpsApi):
    @extend_schema(tags=TAGS, operation_id="ops_search_synonyms_builtin", summary="List the built-in brand synonyms",
                   parameters=[OpenApiParameter("q", str, description="Keep groups with a term containing this.")],
                   responses={200: SynonymGroupOut(many=True), **errors(403)})
    def get(self, request):
        groups = synonym_selectors.builtin_groups(q=request.query_params.get("q", "")[:64])
        return Response(SynonymGroupOut(groups, many=True).data)


class SynonymDetailApi(SearchOpsApi):
    @extend_schema(tags=TAGS, operation_id="ops_search_synonym_retrieve", summary="Get a synonym group",
                   responses={200: SynonymGroupOut, **errors(403, 404)})
    def get(self, request, key: str):
        return Response(_group_out(key))

    @extend_schema(tags=TAGS, operation_id="ops_search_synonym_update", summary="Replace a synonym group's terms",
                   request=SynonymGroupIn, responses={200: SynonymGroupOut, **errors(400, 403, 404, 409)},
                   description="The rules of adding a group. The same terms again change nothing. Audited.")
    def put(self, request, key: str):
        data = validated(SynonymGroupIn, request.data)
        group = synonym_services.synonym_group_update(key=key, terms=data["terms"], actor=request.user,
                                                      ip=client_ip(request))
        return Response(SynonymGroupOut(group).data)

    @extend_schema(tags=TAGS, operation_id="ops_search_synonym_delete", summary="Delete a synonym group",
                   request=None, responses={204: None, **errors(403, 404, 409)},
                   description="Its terms stop finding each other from the next query. Audited.")
    def delete(self, request, key: str):
        synonym_services.synonym_group_delete(key=key, actor=request.user, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- analytics ---------------------------------------------------------------------------------


class PeriodIn(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="First day, included (default: 6 days before `until`).")
    until = serializers.DateField(required=False, help_text="Last day, included (default: today).")


def _period(request) -> stats.Period:
    data = validated(PeriodIn, request.query_params)
    return stats.period(since=data.get("since"), until=data.get("until"))


class PeriodOut(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()


@extend_schema_serializer(component_name="OpsSearchDay")
class DayOut(serializers.Serializer):
    day = serializers.DateField()
    searches = serializers.IntegerField()
    zero_results = serializers.IntegerField()
    clicked = serializers.IntegerField(help_text="Searches after which a result was opened.")
    ctr = serializers.DecimalField(**RATE)
    searchers = serializers.IntegerField(help_text="Distinct people (signed in, or by session or client).")


@extend_schema_serializer(component_name="OpsSearchVolume")
class VolumeOut(PeriodOut):
    searches = serializers.IntegerField()
    zero_results = serializers.IntegerField()
    zero_rate = serializers.DecimalField(**RATE)
    clicked = serializers.IntegerField()
    ctr = serializers.DecimalField(**RATE)
    searchers = serializers.IntegerField()
    days = DayOut(many=True, help_text="Every day of the range, oldest first (days without searches as zeros).")


@extend_schema_serializer(component_name="OpsSearchQueryStat")
class QueryStatOut(serializers.Serializer):
    query = serializers.CharField(help_text="The query's words as search reads them (the grouping key).")
    searches = serializers.IntegerField()
    avg_results = serializers.DecimalField(max_digits=14, decimal_places=1)
    zero_results = serializers.IntegerField()
    clicked = serializers.IntegerField()
    ctr = serializers.DecimalField(**RATE)


@extend_schema_serializer(component_name="OpsSearchTopQueries")
class TopQueriesOut(PeriodOut):
    results = QueryStatOut(many=True)


@extend_schema_serializer(component_name="OpsSearchZeroQuery")
class ZeroQueryOut(serializers.Serializer):
    query = serializers.CharField(help_text="The query's words as search reads them.")
    example = serializers.CharField(help_text="The latest spelling a shopper typed.")
    searches = serializers.IntegerField()
    filtered = serializers.IntegerField(help_text="Of which with filters (a filter may have emptied them).")
    last_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="OpsSearchZeroQueries")
class ZeroQueriesOut(PeriodOut):
    results = ZeroQueryOut(many=True)


@extend_schema_serializer(component_name="OpsSearchPositionStat")
class PositionOut(serializers.Serializer):
    position = serializers.IntegerField(help_text="1 = the first result of the first page.")
    impressions = serializers.IntegerField(help_text="Searches that showed a result there.")
    clicks = serializers.IntegerField(help_text="Of those, the ones whose result there was opened.")
    ctr = serializers.DecimalField(**RATE)


@extend_schema_serializer(component_name="OpsSearchPositions")
class PositionsOut(PeriodOut):
    results = PositionOut(many=True)


class LimitIn(PeriodIn):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=stats.LIMIT_MAX,
                                     help_text="How many queries (default 50).")


class PositionsIn(PeriodIn):
    positions = serializers.IntegerField(required=False, min_value=1, max_value=stats.POSITIONS_MAX,
                                         help_text="Positions 1 to this (default 20).")


class VolumeApi(SearchOpsApi):
    @extend_schema(tags=TAGS, operation_id="ops_search_analytics_volume", summary="Search volume per day",
                   parameters=[PeriodIn], responses={200: VolumeOut, **errors(400, 403)},
                   description="Totals of the days and each day: searches (every page of results counts), "
                   "those that found nothing, those clicked, distinct searchers.")
    def get(self, request):
        period = _period(request)
        total = stats.summary(period=period)
        return Response(VolumeOut({
            "since": period.since, "until": period.until, "searches": total.searches,
            "zero_results": total.zero_results, "zero_rate": total.zero_rate, "clicked": total.clicked,
            "ctr": total.ctr, "searchers": total.searchers, "days": stats.daily_volume(period=period)}).data)


class TopQueriesApi(SearchOpsApi):
    @extend_schema(tags=TAGS, operation_id="ops_search_analytics_top_queries", summary="Top search queries",
                   parameters=[LimitIn], responses={200: TopQueriesOut, **errors(400, 403)},
                   description="Queries grouped by their words as search reads them, most searched first, with "
                   "the average number of results and the click-through rate (clicked searches / searches).")
    def get(self, request):
        period = _period(request)
        limit = validated(LimitIn, request.query_params).get("limit")
        return Response(TopQueriesOut({"since": period.since, "until": period.until,
                                       "results": stats.top_queries(period=period, limit=limit)}).data)


class ZeroQueriesApi(SearchOpsApi):
    @extend_schema(tags=TAGS, operation_id="ops_search_analytics_zero_results", summary="Queries that found nothing",
                   parameters=[LimitIn], responses={200: ZeroQueriesOut, **errors(400, 403)},
                   description="Most frequent first: where a synonym (POST synonyms/) or a spelling is missing.")
    def get(self, request):
        period = _period(request)
        limit = validated(LimitIn, request.query_params).get("limit")
        return Response(ZeroQueriesOut({"since": period.since, "until": period.until,
                                        "results": stats.zero_result_queries(period=period, limit=limit)}).data)


class PositionsApi(SearchOpsApi):
    @extend_schema(tags=TAGS, operation_id="ops_search_analytics_positions", summary="Click-through by position",
                   parameters=[PositionsIn], responses={200: PositionsOut, **errors(400, 403)})
    def get(self, request):
        period = _period(request)
        positions = validated(PositionsIn, request.query_params).get("positions")
        return Response(PositionsOut({"since": period.since, "until": period.until,
                                      "results": stats.ctr_by_position(period=period, positions=positions)}).data)
