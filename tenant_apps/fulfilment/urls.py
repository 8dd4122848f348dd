"""The order pages of the merchant console, under /console/fulfilment/ (names in the shop namespace)."""

from django.urls import path

from . import refund_views, views

urlpatterns = [
    path("", views.orders, name="fulfilment"),
    path("bulk-ship/", views.bulk_ship, name="fulfilment-bulk-ship"),
    path("packing-lists/", views.packing_lists, name="fulfilment-packing-lists"),
    path("pickup/", views.pickup, name="fulfilment-pickup"),
    path("pickup/<str:number>/", views.pickup_order, name="fulfilment-pickup-order"),
    path("pickup/<str:number>/payment/", views.pickup_payment, name="fulfilment-pickup-payment"),
    path(
        "pickup/<str:number>/hand-over/", views.pickup_hand_over, name="fulfilment-pickup-hand-over"
    ),
    path(
        "shipments/<int:shipment_id>/delivered/",
        views.shipment_delivered,
        name="fulfilment-shipment-delivered",
    ),
    path("refunds/", refund_views.refund_list, name="fulfilment-refunds"),
    path("refunds/<str:number>/retry/", refund_views.refund_retry, name="fulfilment-refund-retry"),
    path("refunds/<str:number>/handed-back/", refund_views.refund_handed_back,
         name="fulfilment-refund-handed-back"),
    path("<str:number>/", views.order_detail, name="fulfilment-order"),
    path("<str:number>/refunds/", refund_views.order_refund, name="fulfilment-order-refund"),
    path("<str:number>/confirm/", views.order_confirm, name="fulfilment-order-confirm"),
    path("<str:number>/ship/", views.order_ship, name="fulfilment-order-ship"),
    path("<str:number>/packing-list/", views.packing_list, name="fulfilment-packing-list"),
]
