"""The purchasing pages of the merchant console, under /console/purchasing/ (names in the shop namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.orders, name="purchasing"),
    path("suppliers/", views.suppliers, name="purchasing-suppliers"),
    path("suppliers/<int:supplier_id>/", views.supplier_edit, name="purchasing-supplier"),
    path("orders/new/", views.order_new, name="purchasing-order-new"),
    path("orders/<int:order_id>/", views.order_detail, name="purchasing-order"),
    path("orders/<int:order_id>/edit/", views.order_edit, name="purchasing-order-edit"),
    path("orders/<int:order_id>/order/", views.order_place, name="purchasing-order-place"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="purchasing-order-cancel"),
    path("orders/<int:order_id>/receive/", views.order_receive, name="purchasing-order-receive"),
    path("orders/<int:order_id>/return/", views.order_return, name="purchasing-order-return"),
    path("settings/", views.settings_page, name="purchasing-settings"),
]
