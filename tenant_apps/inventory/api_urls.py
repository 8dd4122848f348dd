"""The stock API, mounted at /api/v1/shop/inventory/ on every shop's host, and the reports API
(`report_urlpatterns`), mounted at /api/v1/shop/reports/."""

from django.urls import path

from . import api, report_api

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

report_urlpatterns = [
    path("purchases/", report_api.PurchasesApi.as_view()),
    path("purchases/by-supplier/", report_api.PurchasesBySupplierApi.as_view()),
    path("sales/", report_api.SalesApi.as_view()),
    path("margin/", report_api.MarginApi.as_view()),
    path("stock-summary/", report_api.StockSummaryApi.as_view()),
    path("valuation/", report_api.ValuationApi.as_view()),
    path("daily/", report_api.DailyApi.as_view()),
]
