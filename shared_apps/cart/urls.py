"""Cart pages on the mall host."""

from django.urls import path

from . import views

app_name = "cart"

urlpatterns = [
    path("", views.cart_page, name="cart"),
    path("add/", views.add_page, name="add"),
    path("lines/<int:line_id>/", views.line_update, name="line"),
    path("prices-seen/", views.prices_seen, name="prices-seen"),
]
