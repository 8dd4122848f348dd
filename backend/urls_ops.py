"""The operator console host (ops.MALL_DOMAIN)."""

from django.urls import include, path

from backend.urls_common import common_patterns

urlpatterns = [
    path("", include("shared_apps.ops.urls")),
    path("moderation/", include("shared_apps.moderation.urls")),
    path("orders/", include("shared_apps.orders.ops_urls")),
    path("coupons/", include("shared_apps.marketing.ops_urls")),
    path("payments/", include("shared_apps.payments.ops_urls")),
    path("finance/", include("shared_apps.settlement.ops_urls")),
    path("comparison/", include("shared_apps.comparison.ops_urls")),
    path("collection/", include("shared_apps.collection.ops_urls")),
    path("search/", include("shared_apps.search.ops_urls")),
    path("accounts/", include("shared_apps.accounts.urls_host")),
    path("api/v1/ops/moderation/", include("shared_apps.moderation.api_urls")),
    path("api/v1/ops/coupons/", include("shared_apps.marketing.ops_api_urls")),
    path("api/v1/ops/payments/", include("shared_apps.payments.ops_api_urls")),
    path("api/v1/ops/finance/", include("shared_apps.settlement.ops_api_urls")),
    path("api/v1/ops/comparison/", include("shared_apps.comparison.ops_api_urls")),
    path("api/v1/ops/collection/", include("shared_apps.collection.ops_api_urls")),
    path("api/v1/ops/search/", include("shared_apps.search.ops_api_urls")),
    path("api/v1/ops/", include("shared_apps.orders.ops_api_urls")),
    path("api/v1/ops/", include("shared_apps.ops.api_urls")),
    *common_patterns,
]

handler400 = "backend.views.bad_request"
handler403 = "backend.views.permission_denied"
handler404 = "backend.views.page_not_found"
handler500 = "backend.views.server_error"
