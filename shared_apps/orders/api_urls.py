"""Checkout and the shopper's orders (/api/v1/… on the mall host)."""

from django.urls import path

from . import api

urlpatterns = [
    path("checkout/quote/", api.CheckoutQuoteApi.as_view()),
    path("checkout/", api.CheckoutApi.as_view()),
    path("orders/", api.OrderListApi.as_view()),
    path("orders/<str:number>/", api.OrderDetailApi.as_view()),
    path("orders/<str:number>/cancel/", api.OrderCancelApi.as_view()),
]
