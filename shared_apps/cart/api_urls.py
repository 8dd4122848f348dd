"""Cart API (/api/v1/cart/ on the mall host)."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.CartApi.as_view()),
    path("lines/", api.CartLinesApi.as_view()),
    path("lines/<int:line_id>/", api.CartLineApi.as_view()),
    path("prices-seen/", api.CartPricesSeenApi.as_view()),
]
