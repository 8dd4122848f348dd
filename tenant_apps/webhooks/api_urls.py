"""The webhooks API, mounted at /api/v1/shop/webhooks/."""

from django.urls import path

from . import api

urlpatterns = [
    path("subscriptions/", api.SubscriptionListApi.as_view()),
    path("subscriptions/<int:subscription_id>/", api.SubscriptionDetailApi.as_view()),
    path(
        "subscriptions/<int:subscription_id>/rotate-secret/",
        api.SubscriptionRotateSecretApi.as_view(),
    ),
    path("subscriptions/<int:subscription_id>/ping/", api.SubscriptionPingApi.as_view()),
    path("deliveries/", api.DeliveryListApi.as_view()),
    path("deliveries/<int:delivery_id>/", api.DeliveryDetailApi.as_view()),
    path("deliveries/<int:delivery_id>/redeliver/", api.DeliveryRedeliverApi.as_view()),
]
