"""The comparison engine's API on the mall host (included at /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("products/<int:group_id>/", api.ProductApi.as_view()),
    path("products/<int:group_id>/price-history/", api.PriceHistoryApi.as_view()),
    path("compare/", api.CompareApi.as_view()),
    path("price-alerts/", api.AlertListApi.as_view()),
    path("price-alerts/<int:alert_id>/", api.AlertDetailApi.as_view()),
    path("notifications/", api.NotificationListApi.as_view()),
    path("notifications/unread-count/", api.NotificationUnreadApi.as_view()),
    path("notifications/read-all/", api.NotificationReadAllApi.as_view()),
    path("notifications/<int:notification_id>/read/", api.NotificationReadApi.as_view()),
]
