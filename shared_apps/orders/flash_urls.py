"""Flash sales on the mall host (/api/v1/flash/…)."""

from django.urls import path

from . import flash_api

urlpatterns = [
    path("<int:sale_id>/", flash_api.FlashSaleApi.as_view()),
    path("<int:sale_id>/buy/", flash_api.FlashBuyApi.as_view()),
]
