"""Orders and refunds in the operator API, under /api/v1/ops/orders/ and /api/v1/ops/refunds/ on
the operator host. Every operator role reads; refunding needs administrator, finance or customer
service; trying a failed refund again needs administrator or finance."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.api.errors import NotFound
from backend.api.pagination import page_schema, paginated_response
from shared_apps.accounts import roles
from shared_apps.ops.api import OperatorApi, errors

from . import refunds, selectors
from .api import OrderOut
from .models import RefundBy, RefundStatus, SubOrderStatus
from .refund_api import MONEY, RefundIn, RefundOut, refund_out, refund_values

TAGS = ["ops-orders"]


@extend_schema_serializer(component_name="OpsSubOrder")
class OpsSubOrderOut(serializers.Serializer):
    number = serializers.CharField()
    order = serializers.CharField(source="order.number")
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField(source="shop.name")
    user_id = serializers.IntegerField()
    status = serializers.CharField(help_text="One of: " + ", ".join(SubOrderStatus.values) + ".")
    delivery_method = serializers.CharField()
    payment_mode = serializers.CharField()
    payable_amount = serializers.DecimalField(**MONEY)
    paid_amount = serializers.DecimalField(**MONEY)
    refunded_amount = serializers.DecimalField(**MONEY)
    created_at = serializers.DateTimeField()


class OpsOrderListApi(OperatorApi):
    @extend_schema(tags=TAGS, operation_id="ops_orders_list", summary="List every shop's sub-orders",
                   responses={200: page_schema("OpsSubOrderPage", OpsSubOrderOut), **errors(403, 404)},
                   description="Newest first. `status` filters by sub-order status (unknown values are "
                               "ignored); `q` is a number prefix or a shop's subdomain.")
    def get(self, request):
        wanted = request.query_params.get("status", "")
        subs = selectors.all_orders(status=wanted if wanted in SubOrderStatus.values else "",
                                    search=request.query_params.get("q", "")[:40])
        return paginated_response(self, request, subs, OpsSubOrderOut)


@extend_schema_serializer(component_name="OpsOrder")
class OpsOrderOut(OrderOut):
    user_id = serializers.IntegerField()


class OpsOrderDetailApi(OperatorApi):
    @extend_schema(tags=TAGS, operation_id="ops_orders_retrieve", summary="Read one order with its sub-orders",
                   responses={200: OpsOrderOut, **errors(403, 404)})
    def get(self, request, number: str):
        order = selectors.order_whole(number=number)
        if order is None:
            raise NotFound(_("No such order."))
        return Response(OpsOrderOut(order).data)


class OpsSubOrderRefundsApi(OperatorApi):
    operator_roles = roles.REFUNDS

    @extend_schema(tags=TAGS, operation_id="ops_sub_order_refunds_list", summary="A sub-order's refunds",
                   responses={200: RefundOut(many=True), **errors(403, 404)})
    def get(self, request, number: str):
        sub = selectors.sub_order_any(number=number)
        if sub is None:
            raise NotFound(_("No such order."))
        return Response(RefundOut(refunds.refunds_of([sub]).get(sub.pk, []), many=True).data)

    @extend_schema(tags=TAGS, operation_id="ops_sub_order_refunds_create",
                   summary="Refund lines of any shop's paid sub-order",
                   request=RefundIn, responses={201: RefundOut, **errors(400, 403, 404, 409)},
                   description="Administrators, finance and customer service. The same rules as the shop's "
                               "refunds: 409 `refund_exceeds_line` / `refund_exceeds_quantity` / "
                               "`refund_exceeds_shipping` naming the line, `not_refundable` when unpaid. An "
                               "`Idempotency-Key` header makes a retried request return the first refund.")
    def post(self, request, number: str):
        refund = refunds.refund_create(number=number, requested_by=RefundBy.OPERATOR, actor=request.user,
                                       **refund_values(request))
        return Response(refund_out(refund), status=status.HTTP_201_CREATED)


class OpsRefundListApi(OperatorApi):
    @extend_schema(tags=TAGS, operation_id="ops_refunds_list", summary="List refunds",
                   responses={200: page_schema("OpsRefundPage", RefundOut), **errors(403, 404)},
                   description="Newest first; `status` = pending, succeeded or failed.")
    def get(self, request):
        wanted = request.query_params.get("status", "")
        return paginated_response(self, request, selectors.all_refunds(
            status=wanted if wanted in RefundStatus.values else ""), RefundOut)


class OpsRefundRetryApi(OperatorApi):
    operator_roles = roles.FINANCE

    @extend_schema(tags=TAGS, operation_id="ops_refunds_retry", summary="Try a failed refund again",
                   request=None, responses={200: RefundOut, **errors(403, 404, 409)},
                   description="Administrators and finance. 409 `not_failed` unless the refund failed; 409 "
                               "`refund_exceeds_line` when another refund took its amount meanwhile.")
    def post(self, request, number: str):
        return Response(refund_out(refunds.refund_retry(refund_number=number, actor=request.user)))
