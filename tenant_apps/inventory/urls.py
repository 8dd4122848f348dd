"""The stock pages of the merchant console, under /console/inventory/ (names in the shop namespace)."""

from django.urls import path

from . import report_views, views

urlpatterns = [
    path("", views.dashboard, name="inventory"),
    path("thresholds/", views.threshold_set, name="inventory-threshold"),
    path("locations/", views.locations, name="inventory-locations"),
    path("locations/<int:location_id>/", views.location_edit, name="inventory-location"),
    path("locations/<int:location_id>/move/", views.location_move, name="inventory-location-move"),
    path("stock/", views.stock, name="inventory-stock"),
    path("movements/", views.movements, name="inventory-movements"),
    path("adjust/", views.adjust, name="inventory-adjust"),
    path("transfer/", views.transfer, name="inventory-transfer"),
    path("stocktakes/", views.stocktakes, name="inventory-stocktakes"),
    path("stocktakes/<int:stocktake_id>/", views.stocktake, name="inventory-stocktake"),
    path("stocktakes/<int:stocktake_id>/post/", views.stocktake_post, name="inventory-stocktake-post"),
    path("reports/", report_views.index, name="inventory-reports"),
    path("reports/stock/", report_views.stock_summary, name="inventory-report-stock"),
    path("reports/purchases/", report_views.purchases, name="inventory-report-purchases"),
    path("reports/sales/", report_views.sales, name="inventory-report-sales"),
    path("reports/margin/", report_views.margin, name="inventory-report-margin"),
    path("reports/valuation/", report_views.valuation, name="inventory-report-valuation"),
]
