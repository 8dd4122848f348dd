"""The shop's settlement pages in the merchant console, under /console/finance/ (names in the
shop namespace)."""

from django.urls import path

from . import shop_views

urlpatterns = [
    path("", shop_views.overview, name="finance"),
    path("statements/", shop_views.statement_list, name="finance-statements"),
    path("statements/<int:statement_id>/", shop_views.statement_detail, name="finance-statement"),
    path("statements/<int:statement_id>/download.csv", shop_views.statement_csv, name="finance-statement-csv"),
    path("statements/<int:statement_id>/download.xlsx", shop_views.statement_xlsx, name="finance-statement-xlsx"),
    path("payouts/", shop_views.payout_list, name="finance-payouts"),
]
