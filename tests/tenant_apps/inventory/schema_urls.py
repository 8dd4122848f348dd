"""Only the stock API, so its OpenAPI document can be checked on its own."""

from django.urls import include, path

urlpatterns = [path("api/v1/shop/inventory/", include("tenant_apps.inventory.api_urls"))]
