"""The purchasing API, mounted at /api/v1/shop/purchasing/ on every shop's host."""

from django.urls import path

from . import api

urlpatterns = [
    path("suppliers/", api.SupplierListApi.as_view()),
    path("suppliers/<int:supplier_id>/", api.SupplierDetailApi.as_view()),
    path("orders/", api.OrderListApi.as_view()),
    path("orders/<int:order_id>/", api.OrderDetailApi.as_view()),
    path("orders/<int:order_id>/order/", api.OrderPlaceApi.as_view()),
    path("orders/<int:order_id>/cancel/", api.OrderCancelApi.as_view()),
    path("orders/<int:order_id>/receipts/", api.ReceiptCreateApi.as_view()),
    path("orders/<int:order_id>/returns/", api.ReturnCreateApi.as_view()),
    path("settings/", api.SettingsApi.as_view()),
]
