"""Payment pages on the operator host."""

from django.urls import path

from . import ops_views

app_name = "ops-payments"

urlpatterns = [
    path("", ops_views.payment_list, name="list"),
    path("notifications/", ops_views.notification_list, name="notifications"),
    path("<str:number>/", ops_views.payment_detail, name="detail"),
]
