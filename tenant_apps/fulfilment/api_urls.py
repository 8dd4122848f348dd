"""The fulfilment API, mounted at /api/v1/shop/fulfilment/ on every shop's host."""

from django.urls import path

from . import api, refunds_api

urlpatterns = [
    path("orders/", api.OrderListApi.as_view()),
    path("orders/<str:number>/", api.OrderDetailApi.as_view()),
    path("orders/<str:number>/confirm/", api.OrderConfirmApi.as_view()),
    path("orders/<str:number>/refunds/", refunds_api.OrderRefundsApi.as_view()),
    path("refunds/", refunds_api.RefundListApi.as_view()),
    path("refunds/<str:number>/retry/", refunds_api.RefundRetryApi.as_view()),
    path("refunds/<str:number>/handed-back/", refunds_api.RefundHandedBackApi.as_view()),
    path("orders/<str:number>/shipments/", api.ShipmentCreateApi.as_view()),
    path("shipments/bulk/", api.ShipmentBulkApi.as_view()),
    path("shipments/<int:shipment_id>/delivered/", api.ShipmentDeliveredApi.as_view()),
    path("carriers/", api.CarrierListApi.as_view()),
    path("pickup/verify/", api.PickupVerifyApi.as_view()),
    path("pickup/<str:number>/payment/", api.PickupPaymentApi.as_view()),
    path("pickup/<str:number>/hand-over/", api.PickupHandOverApi.as_view()),
    path("carrier/<slug:carrier>/events/", api.CarrierEventsApi.as_view()),
]
