"""The webhook pages of the merchant console, under /console/webhooks/ (names in the shop
namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.subscriptions, name="webhooks"),
    path("<int:subscription_id>/", views.subscription_edit, name="webhooks-subscription"),
    path("<int:subscription_id>/rotate/", views.subscription_rotate, name="webhooks-rotate"),
    path("<int:subscription_id>/ping/", views.subscription_ping, name="webhooks-ping"),
    path("<int:subscription_id>/delete/", views.subscription_delete, name="webhooks-delete"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="webhooks-delivery"),
    path(
        "deliveries/<int:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="webhooks-redeliver",
    ),
]
