"""The shop's settlement in the shop API, mounted at /api/v1/shop/finance/ on every shop's host."""

from django.urls import path

from . import shop_api

urlpatterns = [
    path("balance/", shop_api.BalanceApi.as_view()),
    path("statements/", shop_api.StatementListApi.as_view()),
    path("statements/<int:statement_id>/", shop_api.StatementDetailApi.as_view()),
    path("statements/<int:statement_id>/download/", shop_api.StatementDownloadApi.as_view()),
    path("payouts/", shop_api.PayoutListApi.as_view()),
]
