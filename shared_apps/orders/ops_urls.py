"""Order pages on the operator host."""

from django.urls import path

from . import ops_views

app_name = "ops-orders"

urlpatterns = [
    path("", ops_views.order_list, name="list"),
    path("<str:number>/", ops_views.order_detail, name="detail"),
]
