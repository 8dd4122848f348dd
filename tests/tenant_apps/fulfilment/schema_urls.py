"""Only the fulfilment API, so its OpenAPI document can be checked on its own."""

from django.urls import include, path

urlpatterns = [path("api/v1/shop/fulfilment/", include("tenant_apps.fulfilment.api_urls"))]
