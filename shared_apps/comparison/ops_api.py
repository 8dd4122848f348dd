"""The comparison groups in the operator console's API, under /api/v1/ops/comparison/: list and
search groups, one group with its members, merge, split, and the similarity threshold.

Administrators read and act; auditors read (every GET) and get 403 on every write; other operator
roles and shoppers get 403. Merges, splits and threshold changes are audited by the services.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from backend.api.errors import NotFound, validated
from backend.api.pagination import named_page_response, page_schema
from backend.lib import hosts
from shared_apps.ops.api import OperatorApi, errors

from . import selectors, services
from .models import GroupKind
from .services import CHANGE_ROLES, READ_ROLES

TAGS = ["ops-comparison"]
MONEY = {"max_digits": 12, "decimal_places": 2}
ID = {"min_value": 1, "max_value": 2**63 - 1}


class ComparisonOpsApi(OperatorApi):
    """Reading needs administrator or auditor; writing administrator."""

    @property
    def operator_roles(self):
        return READ_ROLES if self.request.method in SAFE_METHODS else CHANGE_ROLES


# --- output ------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsComparisonGroup")
class GroupOut(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField(help_text="What the automatic grouping files offers under.")
    kind = serializers.CharField(help_text="One of: " + ", ".join(GroupKind.values) + ".")
    title = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    category_id = serializers.IntegerField(allow_null=True)
    standard_product_id = serializers.IntegerField(allow_null=True)
    locked = serializers.BooleanField(help_text="Merged or split by an operator: the automatic grouping leaves it.")
    member_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="OpsComparisonMember")
class MemberOut(serializers.Serializer):
    offer_id = serializers.IntegerField()
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField()
    shop_status = serializers.CharField(help_text="Offers of shops that are not active are hidden from shoppers.")
    product_id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    title = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    gtin = serializers.CharField()
    spec = serializers.DictField()
    price = serializers.DecimalField(allow_null=True, **MONEY)
    stock_state = serializers.CharField()


@extend_schema_serializer(component_name="OpsComparisonGroupDetail")
class GroupDetailOut(GroupOut):
    members = MemberOut(many=True, source="member_rows")
    mall_url = serializers.CharField(help_text="The product page shoppers see.")


@extend_schema_serializer(component_name="OpsComparisonSettings")
class SettingsOut(serializers.Serializer):
    similarity_threshold = serializers.DecimalField(max_digits=3, decimal_places=2)
    updated_at = serializers.DateTimeField()
    updated_by_user_id = serializers.IntegerField(source="updated_by_id", allow_null=True)


def _detail(group_id: int) -> dict:
    group = selectors.groups_search().filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("No such comparison group."))
    group.member_rows = selectors.group_members(group_id)
    group.mall_url = hosts.mall_url(selectors.product_path(group_id))
    return GroupDetailOut(group).data


# --- views -------------------------------------------------------------------------------------


class GroupListApi(ComparisonOpsApi):
    class Input(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                  help_text="Part of the title, brand or model, or a GTIN of a member offer or the "
                                            "bound standard product.")
        kind = serializers.ChoiceField(choices=GroupKind.values, required=False)
        locked = serializers.BooleanField(required=False, allow_null=True, default=None,
                                          help_text="true: merged or split by an operator; false: automatic.")

    @extend_schema(tags=TAGS, operation_id="ops_comparison_groups_list", summary="List and search comparison groups",
                   parameters=[Input], responses={200: page_schema("OpsComparisonGroupPage", GroupOut),
                                                  **errors(400, 403, 404)},
                   description="Newest first.")
    def get(self, request):
        params = validated(self.Input, request.query_params)
        rows = selectors.groups_search(q=params.get("q", ""), kind=params.get("kind", ""), locked=params["locked"])
        return named_page_response(self, request, rows, GroupOut)


class GroupDetailApi(ComparisonOpsApi):
    @extend_schema(tags=TAGS, operation_id="ops_comparison_group_retrieve", summary="One group with its offers",
                   responses={200: GroupDetailOut, **errors(403, 404)},
                   description="Every member offer, suspended shops' too (with the shop's status).")
    def get(self, request, pk: int):
        return Response(_detail(pk))


class GroupMergeApi(ComparisonOpsApi):
    @extend_schema_serializer(component_name="OpsComparisonMergeInput")
    class Input(serializers.Serializer):
        group_ids = serializers.ListField(child=serializers.IntegerField(**ID), min_length=2, max_length=50,
                                          help_text="The first keeps its id; the others' offers join it.")
        reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    @extend_schema(tags=TAGS, operation_id="ops_comparison_groups_merge", summary="Merge groups that are one product",
                   request=Input, responses={200: GroupDetailOut, **errors(400, 403, 404)},
                   description="The merged group is locked (the automatic grouping leaves it) and the merged-away "
                               "groups' keys file later offers into it; shoppers' price alerts follow. Audited.")
    def post(self, request):
        data = validated(self.Input, request.data)
        merged = services.group_merge(group_ids=data["group_ids"], actor=request.user, reason=data["reason"])
        return Response(_detail(merged.pk))


class GroupSplitApi(ComparisonOpsApi):
    @extend_schema_serializer(component_name="OpsComparisonSplitInput")
    class Input(serializers.Serializer):
        offer_ids = serializers.ListField(child=serializers.IntegerField(**ID), min_length=1, max_length=500,
                                          help_text="Offers of this group that are another product.")
        reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    @extend_schema(tags=TAGS, operation_id="ops_comparison_group_split", summary="Split offers off into a new group",
                   request=Input, responses={201: GroupDetailOut, **errors(400, 403, 404, 409)},
                   description="Both groups are locked. 400 naming `offer_ids` for offers not in the group; 409 "
                               "when every offer would leave. Audited. Answers the new group.")
    def post(self, request, pk: int):
        data = validated(self.Input, request.data)
        split = services.group_split(group_id=pk, offer_ids=data["offer_ids"], actor=request.user,
                                     reason=data["reason"])
        return Response(_detail(split.pk), status=201)


class SettingsApi(ComparisonOpsApi):
    @extend_schema_serializer(component_name="OpsComparisonSettingsInput")
    class Input(serializers.Serializer):
        similarity_threshold = serializers.DecimalField(max_digits=3, decimal_places=2, help_text="0.30–1.00.")

    @extend_schema(tags=TAGS, operation_id="ops_comparison_settings_retrieve", summary="The grouping's settings",
                   responses={200: SettingsOut, **errors(403)})
    def get(self, request):
        return Response(SettingsOut(services.group_settings_get()).data)

    @extend_schema(tags=TAGS, operation_id="ops_comparison_settings_update", summary="Change the similarity threshold",
                   request=Input, responses={200: SettingsOut, **errors(400, 403)},
                   description="Audited with the old and new value; every offer is then regrouped in the "
                               "background.")
    def patch(self, request):
        data = validated(self.Input, request.data)
        row = services.group_settings_update(similarity_threshold=data["similarity_threshold"], actor=request.user)
        return Response(SettingsOut(row).data)

