"""A shop's flash sales on its host (/api/v1/shop/flash-sales/)."""

from django.urls import path

from . import flash_api

urlpatterns = [
    path("", flash_api.ShopFlashSalesApi.as_view()),
]
