"""A shop's coupons in the shop API, mounted at /api/v1/shop/coupons/ on every shop's host."""

from django.urls import path

from . import shop_api

urlpatterns = [
    path("", shop_api.CouponListApi.as_view()),
    path("<int:coupon_id>/", shop_api.CouponDetailApi.as_view()),
    path("<int:coupon_id>/deactivate/", shop_api.CouponDeactivateApi.as_view()),
]
