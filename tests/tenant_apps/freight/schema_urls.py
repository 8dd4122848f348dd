"""Only the freight API, so its OpenAPI document can be checked on its own."""

from django.urls import include, path

urlpatterns = [path("api/v1/shop/freight/", include("tenant_apps.freight.api_urls"))]
