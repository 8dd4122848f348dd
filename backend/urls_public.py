"""The mall host (MALL_DOMAIN): home, accounts, opening a shop, and the mall API."""

from django.urls import include, path

from backend import views
from backend.urls_common import common_patterns
from shared_apps.orders import flash_views
from shared_apps.search import analytics_views as search_analytics_views
from shared_apps.search import views as search_views

urlpatterns = [
    path("", views.mall_home, name="mall-home"),
    path("accounts/", include("shared_apps.accounts.urls")),
    path("open-shop/", include("shared_apps.onboarding.urls")),
    path("dev/", include("shared_apps.accounts.dev_urls")),
    path("cart/", include("shared_apps.cart.urls")),
    path("search/", search_views.search_page, name="search"),
    path("search/click/", search_analytics_views.click_redirect, name="search-click"),
    path("orders/", include("shared_apps.orders.urls")),
    path("pay/", include("shared_apps.payments.urls")),
    path("flash/<int:sale_id>/", flash_views.sale_page, name="flash-sale"),
    path("", include("shared_apps.comparison.urls")),
    path("api/v1/", include("backend.api_public")),
    *common_patterns,
]

handler400 = "backend.views.bad_request"
handler403 = "backend.views.permission_denied"
handler404 = "backend.views.page_not_found"
handler500 = "backend.views.server_error"
