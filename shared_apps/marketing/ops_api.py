"""Platform coupons in the operator API, under /api/v1/ops/coupons/ on the operator host.

One view per operation. Every operator role may read; creating and deactivating need an
administrator (the services check and raise Forbidden → 403). Only platform-funded coupons live
here: a shop's coupon id is 404, as if it did not exist.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from backend.api.errors import NotFound
from backend.api.pagination import page_schema, paginated_response
from backend.lib.ip import client_ip
from shared_apps.ops.api import OperatorApi, errors

from . import selectors, services
from .serializers import CouponIn, CouponOut, coupon_input

TAGS = ["coupons"]
CouponPage = page_schema("OpsCouponPage", CouponOut)


class CouponListApi(OperatorApi):
    @extend_schema(
        responses={200: CouponPage, **errors(403)},
        tags=TAGS,
        summary="List platform coupons",
        operation_id="ops_coupons_list",
        description="Platform-funded coupons only, newest first; shops' coupons are not listed.",
    )
    def get(self, request):
        return paginated_response(self, request, selectors.coupons(shop_id=None), CouponOut)

    @extend_schema(
        request=CouponIn,
        responses={201: CouponOut, **errors(400, 403, 409)},
        tags=TAGS,
        summary="Create a platform coupon",
        operation_id="ops_coupons_create",
        description="Administrators only. 400 names every wrong field (code, amounts with more "
        "than two decimals, an end before the start or in the past, quantities below 1, "
        "amount_off not below a threshold); 409 `duplicate` when any coupon has the code.",
    )
    def post(self, request):
        coupon = services.platform_coupon_create(
            actor=request.user, data=coupon_input(request.data), ip=client_ip(request)
        )
        return Response(CouponOut(coupon).data, status=status.HTTP_201_CREATED)


class CouponDetailApi(OperatorApi):
    @extend_schema(
        responses={200: CouponOut, **errors(403, 404)},
        tags=TAGS,
        summary="Get a platform coupon",
        operation_id="ops_coupon_retrieve",
    )
    def get(self, request, pk: int):
        coupon = selectors.coupon(coupon_id=pk, shop_id=None)
        if coupon is None:
            raise NotFound(_("No such coupon."))
        return Response(CouponOut(coupon).data)


class CouponDeactivateApi(OperatorApi):
    @extend_schema(
        request=None,
        responses={200: CouponOut, **errors(403, 404, 409)},
        tags=TAGS,
        summary="Deactivate a platform coupon",
        operation_id="ops_coupon_deactivate",
        description="Administrators only. Final: checkouts refuse the code from now on, orders "
        "already placed keep their discount. 409 `already_inactive` the second time.",
    )
    def post(self, request, pk: int):
        coupon = services.platform_coupon_deactivate(
            actor=request.user, coupon_id=pk, ip=client_ip(request)
        )
        return Response(CouponOut(coupon).data)
