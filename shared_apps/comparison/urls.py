"""The comparison engine's pages on the mall host (mounted at the root)."""

from django.urls import path

from . import views

app_name = "comparison"

urlpatterns = [
    path("products/<int:group_id>/", views.product_page, name="product"),
    path("products/<int:group_id>/alert/", views.product_alert, name="product-alert"),
    path("compare/", views.compare_page, name="compare"),
    path("compare/add/", views.compare_add, name="compare-add"),
    path("compare/remove/", views.compare_remove, name="compare-remove"),
    path("compare/clear/", views.compare_clear, name="compare-clear"),
    path("price-alerts/", views.alert_list, name="alerts"),
    path("price-alerts/<int:alert_id>/", views.alert_update, name="alert-update"),
    path("price-alerts/<int:alert_id>/rearm/", views.alert_rearm, name="alert-rearm"),
    path("price-alerts/<int:alert_id>/delete/", views.alert_delete, name="alert-delete"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification-read"),
]
