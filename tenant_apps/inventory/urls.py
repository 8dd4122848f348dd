"""The stock pages of the merchant console, under /console/inventory/ (names in the shop namespace)."""

from django.urls import path

from . import views

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
]
