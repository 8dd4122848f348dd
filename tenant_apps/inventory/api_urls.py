"""The stock API, mounted at /api/v1/shop/inventory/ on every shop's host."""

from django.urls import path

from . import api

urlpatterns = [
    path("locations/", api.LocationListApi.as_view()),
    path("locations/reorder/", api.LocationReorderApi.as_view()),
    path("locations/<int:location_id>/", api.LocationDetailApi.as_view()),
    path("balances/", api.BalanceListApi.as_view()),
    path("movements/", api.MovementListApi.as_view()),
    path("adjustments/", api.AdjustmentApi.as_view()),
    path("transfers/", api.TransferApi.as_view()),
    path("stocktakes/", api.StockTakeListApi.as_view()),
    path("stocktakes/<int:stocktake_id>/", api.StockTakeDetailApi.as_view()),
    path("stocktakes/<int:stocktake_id>/counts/", api.StockTakeCountApi.as_view()),
    path("stocktakes/<int:stocktake_id>/post/", api.StockTakePostApi.as_view()),
    path("thresholds/", api.ThresholdListApi.as_view()),
    path("low-stock/", api.LowStockApi.as_view()),
]
