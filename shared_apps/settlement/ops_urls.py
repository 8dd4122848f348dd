"""The finance console's pages on the operator host, mounted at /finance/."""

from django.urls import path

from . import ops_views

app_name = "ops-finance"

urlpatterns = [
    path("", ops_views.overview, name="overview"),
    path("runs/", ops_views.run_list, name="runs"),
    path("runs/start/", ops_views.run_start, name="run-start"),
    path("runs/<int:pk>/", ops_views.run_detail, name="run"),
    path("statements/", ops_views.statement_list, name="statements"),
    path("statements/<str:number>/", ops_views.statement_detail, name="statement"),
    path("payouts/", ops_views.payout_list, name="payouts"),
    path("payouts/prepare/", ops_views.payout_prepare, name="payouts-prepare"),
    path("payouts/bank-file/", ops_views.bank_file, name="bank-file"),
    path("payouts/<str:number>/", ops_views.payout_detail, name="payout"),
    path("payouts/<str:number>/send/", ops_views.payout_send, name="payout-send"),
    path("payouts/<str:number>/paid/", ops_views.payout_mark_paid, name="payout-paid"),
    path("payouts/<str:number>/failed/", ops_views.payout_mark_failed, name="payout-failed"),
    path("postings/", ops_views.postings, name="postings"),
    path("postings/<str:kind>/", ops_views.posting_create, name="posting-create"),
    path("reconciliation/", ops_views.import_list, name="imports"),
    path("reconciliation/upload/", ops_views.import_upload, name="import-upload"),
    path("reconciliation/fetch/", ops_views.import_fetch, name="import-fetch"),
    path("reconciliation/<int:pk>/", ops_views.import_detail, name="import"),
    path("reconciliation/items/<int:item_id>/resolve/", ops_views.item_resolve, name="item-resolve"),
    path("reconciliation/items/<int:item_id>/adjust/", ops_views.item_adjust, name="item-adjust"),
    path("ledger/", ops_views.account_list, name="accounts"),
    path("ledger/accounts/<int:pk>/", ops_views.account_detail, name="account"),
    path("ledger/entries/<int:pk>/", ops_views.entry_detail, name="entry"),
    path("commission-rules/", ops_views.rule_list, name="rules"),
    path("commission-rules/create/", ops_views.rule_create, name="rule-create"),
    path("commission-rules/<int:pk>/end/", ops_views.rule_end, name="rule-end"),
]
