"""Moderation API on the operator host (/api/v1/ops/moderation/)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from backend.api.pagination import page_schema, paginated_response
from backend.lib.ip import client_ip
from shared_apps.ops.api import OperatorApi

from . import services
from .models import ItemStatus, ModerationItem
from .selectors import moderation_queue

TAGS = ["moderation"]


class ItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField(source="shop.name")
    product_id = serializers.IntegerField()
    revision_id = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField()
    title = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()
    status = serializers.CharField()
    reason = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class QueueApi(OperatorApi):
    @extend_schema(tags=TAGS, summary="The moderation queue", operation_id="ops_moderation_list",
                   responses={200: page_schema("ModerationItemPage", ItemOut)},
                   parameters=[OpenApiParameter("status", str, enum=ItemStatus.values),
                               OpenApiParameter("page", int)])
    def get(self, request):
        status = request.query_params.get("status")
        if status and status not in ItemStatus.values:
            raise serializers.ValidationError({"status": [f"Choose one of: {', '.join(ItemStatus.values)}"]})
        return paginated_response(self, request, moderation_queue(status=status), ItemOut)


class ItemApi(OperatorApi):
    @extend_schema(tags=TAGS, summary="One moderation item with the values to review", responses={200: ItemOut},
                   operation_id="ops_moderation_retrieve")
    def get(self, request, pk: int):
        return Response(ItemOut(get_object_or_404(ModerationItem.objects.select_related("shop"), pk=pk)).data)


class DecideApi(OperatorApi):
    approve = True

    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def post(self, request, pk: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.moderation_decide(item_id=pk, actor=request.user, approve=self.approve,
                                          reason=data.validated_data["reason"], ip=client_ip(request))
        return Response(ItemOut(item).data)


class ApproveApi(DecideApi):
    @extend_schema(tags=TAGS, summary="Approve a product or revision", request=DecideApi.Input,
                   responses={200: ItemOut})
    def post(self, request, pk: int):
        return super().post(request, pk)


class RejectApi(DecideApi):
    approve = False

    @extend_schema(tags=TAGS, summary="Reject a product or revision (reason required)", request=DecideApi.Input,
                   responses={200: ItemOut})
    def post(self, request, pk: int):
        return super().post(request, pk)
