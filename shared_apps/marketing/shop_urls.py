"""A shop's coupon pages in the merchant console, under /console/coupons/ (names in the shop
namespace)."""

from django.urls import path

from . import shop_views

urlpatterns = [
    path("", shop_views.coupon_list, name="coupons"),
    path("new/", shop_views.coupon_create, name="coupons-create"),
    path("<int:coupon_id>/deactivate/", shop_views.coupon_deactivate, name="coupons-deactivate"),
]
