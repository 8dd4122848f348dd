"""Payments in the operator API, mounted at /api/v1/ops/payments/ on the operator host."""

from django.urls import path

from . import ops_api

app_name = "ops-payments-api"
urlpatterns = [
    path("", ops_api.PaymentListApi.as_view(), name="list"),
    path("notifications/", ops_api.NotificationListApi.as_view(), name="notifications"),
    path("<str:number>/", ops_api.PaymentDetailApi.as_view(), name="detail"),
]
