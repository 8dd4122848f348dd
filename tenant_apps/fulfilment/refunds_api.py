"""The shop's refunds at /api/v1/shop/fulfilment/…: give a buyer money back on lines of a paid
order, see its refunds, try a failed one again, and confirm money handed back at the counter.
The caller's role must open the "refunds" section (owner, manager, customer service); no API
token scope opens it."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from backend.api.errors import NotFound
from backend.api.pagination import page_schema, paginated_response
from shared_apps.orders import interface as orders
from shared_apps.orders.refund_api import RefundIn, RefundOut, refund_out, refund_values
from tenant_apps.shop.api import ShopApiView

TAGS = ["fulfilment"]


class RefundApiView(ShopApiView):
    section = "refunds"


class RefundListApi(RefundApiView):
    @extend_schema(tags=TAGS, summary="List the shop's refunds", operation_id="fulfilment_refunds_list",
                   responses={200: page_schema("FulfilmentRefundPage", RefundOut)},
                   description="Newest first; `status` = pending, succeeded or failed.")
    def get(self, request):
        wanted = request.query_params.get("status", "")
        refunds = orders.shop_refunds(shop_id=request.tenant.pk,
                                      status=wanted if wanted in ("pending", "succeeded", "failed") else "")
        return paginated_response(self, request, refunds, RefundOut)


class OrderRefundsApi(RefundApiView):
    @extend_schema(tags=TAGS, summary="An order's refunds", operation_id="fulfilment_order_refunds_list",
                   responses={200: RefundOut(many=True)})
    def get(self, request, number: str):
        sub = orders.sub_order(shop_id=request.tenant.pk, number=number)
        if sub is None:
            raise NotFound("No such order in this shop.")
        return Response(RefundOut(orders.refunds_of([sub]).get(sub.pk, []), many=True).data)

    @extend_schema(
        tags=TAGS, summary="Refund lines of a paid order", operation_id="fulfilment_order_refunds_create",
        request=RefundIn, responses={201: RefundOut},
        description="Money back per line (at most what the line was paid less what is refunded or being "
        "refunded), optionally shipping, and units that came back (`restock` puts them on sale again). "
        "Refunding everything before the order ships cancels it. The provider answers asynchronously: "
        "the refund is `pending`, then `succeeded` (webhook refund.succeeded) or `failed`. Money taken "
        "at the counter is handed back by the shop (POST refunds/{number}/handed-back/). 400 names the "
        "wrong field; 409 `refund_exceeds_line`, `refund_exceeds_quantity`, `refund_exceeds_shipping`, "
        "`not_refundable`. An `Idempotency-Key` header makes a retried request return the first refund.")
    def post(self, request, number: str):
        refund = orders.refund_create(shop_id=request.tenant.pk, number=number, actor=request.user,
                                      **refund_values(request))
        return Response(refund_out(refund), status=status.HTTP_201_CREATED)


class RefundRetryApi(RefundApiView):
    @extend_schema(tags=TAGS, summary="Try a failed refund again", operation_id="fulfilment_refunds_retry",
                   request=None, responses={200: RefundOut},
                   description="409 `not_failed` unless it failed; 409 `refund_exceeds_line` when another refund "
                   "took its amount meanwhile.")
    def post(self, request, number: str):
        refund = orders.refund_retry(shop_id=request.tenant.pk, refund_number=number, actor=request.user)
        return Response(refund_out(refund))


class RefundHandedBackApi(RefundApiView):
    @extend_schema(tags=TAGS, summary="Confirm a refund handed back at the counter",
                   operation_id="fulfilment_refunds_handed_back", request=None, responses={200: RefundOut},
                   description="For orders paid at the counter or by bank transfer: the shop gave the money "
                   "back itself, so the refund succeeds. 409 `not_offline` for a refund of an online payment.")
    def post(self, request, number: str):
        refund = orders.refund_handed_back(shop_id=request.tenant.pk, refund_number=number, actor=request.user)
        return Response(refund_out(refund))
