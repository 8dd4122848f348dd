"""A shop's own coupons in the shop API, under /api/v1/shop/coupons/ on the shop's host.

Coupons are shop configuration with money in them: the "settings" section opens them (owner and
manager) and API tokens are refused. The shop is the host's, never the input's, so every
operation sees and changes only this shop's shop-funded coupons; another shop's coupon id is 404.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from backend.api.errors import NotFound
from backend.api.pagination import page_schema
from backend.lib.ip import client_ip
from tenant_apps.shop.api import ShopApiView

from . import selectors, services
from .serializers import CouponIn, CouponOut, coupon_input

TAGS = ["coupons"]


class ShopCouponApiView(ShopApiView):
    section = "settings"
    token_access = False

    def writer_kwargs(self) -> dict:
        return {
            "shop_id": self.request.tenant.pk,
            "actor": self.request.user,
            "ip": client_ip(self.request),
        }


class CouponListApi(ShopCouponApiView):
    @extend_schema(
        tags=TAGS,
        summary="List the shop's coupons",
        operation_id="shop_coupons_list",
        description="This shop's coupons (shop-funded), newest first.",
        responses={200: page_schema("PaginatedShopCouponList", CouponOut)},
    )
    def get(self, request):
        return self.page(selectors.coupons(shop_id=request.tenant.pk), CouponOut)

    @extend_schema(
        tags=TAGS,
        summary="Create a shop coupon",
        operation_id="shop_coupons_create",
        description="A coupon this shop funds, covering only its own lines at checkout. 400 names "
        "every wrong field (code, amounts with more than two decimals, an end before the start "
        "or in the past, quantities below 1, amount_off not below a threshold); 409 `duplicate` "
        "when any coupon in the mall has the code.",
        request=CouponIn,
        responses={201: CouponOut},
    )
    def post(self, request):
        coupon = services.shop_coupon_create(
            data=coupon_input(request.data), **self.writer_kwargs()
        )
        return Response(CouponOut(coupon).data, status=status.HTTP_201_CREATED)


class CouponDetailApi(ShopCouponApiView):
    @extend_schema(
        tags=TAGS,
        summary="Read one of the shop's coupons",
        operation_id="shop_coupons_retrieve",
        responses={200: CouponOut},
    )
    def get(self, request, coupon_id: int):
        coupon = selectors.coupon(coupon_id=coupon_id, shop_id=request.tenant.pk)
        if coupon is None:
            raise NotFound(_("No such coupon."))
        return Response(CouponOut(coupon).data)


class CouponDeactivateApi(ShopCouponApiView):
    @extend_schema(
        tags=TAGS,
        summary="Deactivate one of the shop's coupons",
        operation_id="shop_coupons_deactivate",
        description="Final: checkouts refuse the code from now on, orders already placed keep "
        "their discount. 409 `already_inactive` the second time.",
        request=None,
        responses={200: CouponOut},
    )
    def post(self, request, coupon_id: int):
        coupon = services.shop_coupon_deactivate(coupon_id=coupon_id, **self.writer_kwargs())
        return Response(CouponOut(coupon).data)
