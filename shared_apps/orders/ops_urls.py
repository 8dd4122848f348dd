"""Order and refund pages on the operator host."""

from django.urls import path

from . import ops_views

app_name = "ops-orders"

urlpatterns = [
    path("", ops_views.order_list, name="list"),
    path("refunds/", ops_views.refund_list, name="refunds"),
    path("refunds/<str:number>/retry/", ops_views.refund_retry, name="refund-retry"),
    path("sub-orders/<str:number>/refunds/", ops_views.sub_order_refund, name="sub-order-refund"),
    path("<str:number>/", ops_views.order_detail, name="detail"),
]
