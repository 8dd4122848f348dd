"""Orders and refunds in the operator API, mounted at /api/v1/ops/ on the operator host."""

from django.urls import path

from . import ops_api

app_name = "ops-orders-api"
urlpatterns = [
    path("orders/", ops_api.OpsOrderListApi.as_view(), name="orders"),
    path("orders/<str:number>/", ops_api.OpsOrderDetailApi.as_view(), name="order"),
    path("sub-orders/<str:number>/refunds/", ops_api.OpsSubOrderRefundsApi.as_view(), name="sub-order-refunds"),
    path("refunds/", ops_api.OpsRefundListApi.as_view(), name="refunds"),
    path("refunds/<str:number>/retry/", ops_api.OpsRefundRetryApi.as_view(), name="refund-retry"),
]
