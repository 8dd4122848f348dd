"""Only the coupon APIs, so their part of the OpenAPI document can be checked on its own."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/ops/coupons/", include("shared_apps.marketing.ops_api_urls")),
    path("api/v1/shop/coupons/", include("shared_apps.marketing.shop_api_urls")),
]
