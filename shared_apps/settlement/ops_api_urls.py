"""The finance console's API, mounted at /api/v1/ops/finance/ on the operator host."""

from django.urls import path

from . import ops_api

app_name = "ops-finance-api"
urlpatterns = [
    path("overview/", ops_api.OverviewApi.as_view(), name="overview"),
    path("runs/", ops_api.RunListApi.as_view(), name="runs"),
    path("runs/<int:pk>/", ops_api.RunDetailApi.as_view(), name="run"),
    path("statements/", ops_api.StatementListApi.as_view(), name="statements"),
    path("statements/<str:number>/", ops_api.StatementDetailApi.as_view(), name="statement"),
    path("statements/<str:number>/lines/", ops_api.StatementLinesApi.as_view(), name="statement-lines"),
    path("statements/<str:number>/entries/", ops_api.StatementEntriesApi.as_view(), name="statement-entries"),
    path("payouts/", ops_api.PayoutListApi.as_view(), name="payouts"),
    path("payouts/prepare/", ops_api.PayoutPrepareApi.as_view(), name="payouts-prepare"),
    path("payouts/bank-file/", ops_api.BankFileApi.as_view(), name="bank-file"),
    path("payouts/<str:number>/", ops_api.PayoutDetailApi.as_view(), name="payout"),
    path("payouts/<str:number>/send/", ops_api.PayoutSendApi.as_view(), name="payout-send"),
    path("payouts/<str:number>/mark-paid/", ops_api.PayoutMarkPaidApi.as_view(), name="payout-paid"),
    path("payouts/<str:number>/mark-failed/", ops_api.PayoutMarkFailedApi.as_view(), name="payout-failed"),
    path("deposits/paid/", ops_api.DepositPaidApi.as_view(), name="deposit-paid"),
    path("deposits/deducted/", ops_api.DepositDeductedApi.as_view(), name="deposit-deducted"),
    path("penalties/", ops_api.PenaltyApi.as_view(), name="penalties"),
    path("adjustments/", ops_api.AdjustmentApi.as_view(), name="adjustments"),
    path("reconciliation/", ops_api.ImportListApi.as_view(), name="imports"),
    path("reconciliation/fetch/", ops_api.ImportFetchApi.as_view(), name="import-fetch"),
    path("reconciliation/<int:pk>/", ops_api.ImportDetailApi.as_view(), name="import"),
    path("reconciliation/<int:pk>/items/", ops_api.ImportItemsApi.as_view(), name="import-items"),
    path("reconciliation/items/<int:item_id>/resolve/", ops_api.ItemResolveApi.as_view(), name="item-resolve"),
    path("reconciliation/items/<int:item_id>/adjust/", ops_api.ItemAdjustApi.as_view(), name="item-adjust"),
    path("ledger/accounts/", ops_api.AccountListApi.as_view(), name="accounts"),
    path("ledger/accounts/<int:pk>/", ops_api.AccountDetailApi.as_view(), name="account"),
    path("ledger/accounts/<int:pk>/lines/", ops_api.AccountLinesApi.as_view(), name="account-lines"),
    path("ledger/entries/<int:pk>/", ops_api.EntryDetailApi.as_view(), name="entry"),
    path("commission-rules/", ops_api.RuleListApi.as_view(), name="rules"),
    path("commission-rules/<int:pk>/end/", ops_api.RuleEndApi.as_view(), name="rule-end"),
]
