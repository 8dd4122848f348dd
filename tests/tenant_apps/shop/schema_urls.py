"""Only the shop API, so its OpenAPI document can be checked on its own."""

from django.urls import include, path

urlpatterns = [path("api/v1/shop/", include("tenant_apps.shop.api_urls"))]
