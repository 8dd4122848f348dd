"""The mall host's API: accounts, onboarding, categories."""

from django.urls import include, path

urlpatterns = [
    path("", include("shared_apps.accounts.api_urls")),
    path("", include("shared_apps.onboarding.api_urls")),
    path("taxonomy/", include("shared_apps.taxonomy.public_api_urls")),
    path("cart/", include("shared_apps.cart.api_urls")),
    path("", include("shared_apps.orders.api_urls")),
    path("payments/", include("shared_apps.payments.api_urls")),
    path("flash/", include("shared_apps.orders.flash_urls")),
    path("search/", include("shared_apps.search.api_urls")),
    path("", include("shared_apps.comparison.api_urls")),
]
