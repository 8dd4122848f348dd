"""Platform coupons in the operator API, mounted at /api/v1/ops/coupons/ on the operator host."""

from django.urls import path

from . import ops_api

app_name = "ops-coupons-api"
urlpatterns = [
    path("", ops_api.CouponListApi.as_view(), name="list"),
    path("<int:pk>/", ops_api.CouponDetailApi.as_view(), name="detail"),
    path("<int:pk>/deactivate/", ops_api.CouponDeactivateApi.as_view(), name="deactivate"),
]
