"""Every API path of every host, for the one OpenAPI document (never routed to directly)."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("backend.api_public")),
    path("api/v1/ops/moderation/", include("shared_apps.moderation.api_urls")),
    path("api/v1/ops/coupons/", include("shared_apps.marketing.ops_api_urls")),
    path("api/v1/ops/payments/", include("shared_apps.payments.ops_api_urls")),
    path("api/v1/ops/finance/", include("shared_apps.settlement.ops_api_urls")),
    path("api/v1/ops/comparison/", include("shared_apps.comparison.ops_api_urls")),
    path("api/v1/ops/search/", include("shared_apps.search.ops_api_urls")),
    path("api/v1/ops/collection/", include("shared_apps.collection.ops_api_urls")),
    path("api/v1/ops/", include("shared_apps.orders.ops_api_urls")),
    path("api/v1/ops/", include("shared_apps.ops.api_urls")),
    path("api/v1/shop/", include("tenant_apps.shop.api_urls")),
]
