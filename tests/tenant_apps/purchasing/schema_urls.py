"""Only the purchasing API, so its OpenAPI document can be checked on its own."""

from django.urls import include, path

urlpatterns = [path("api/v1/shop/purchasing/", include("tenant_apps.purchasing.api_urls"))]
