"""Platform coupon pages on the operator host, under /coupons/."""

from django.urls import path

from . import ops_views

app_name = "ops-coupons"
urlpatterns = [
    path("", ops_views.coupon_list, name="list"),
    path("new/", ops_views.coupon_create, name="create"),
    path("<int:pk>/deactivate/", ops_views.coupon_deactivate, name="deactivate"),
]
