"""The collected-data API, mounted at /api/v1/ops/collection/ on the operator host."""

from django.urls import path

from . import ops_api

app_name = "ops-collection-api"

urlpatterns = [
    path("sources/", ops_api.SourceListApi.as_view(), name="sources"),
    path("sources/<int:pk>/", ops_api.SourceDetailApi.as_view(), name="source"),
    path("imports/", ops_api.ImportListApi.as_view(), name="imports"),
    path("imports/<int:pk>/", ops_api.ImportDetailApi.as_view(), name="import"),
    path("imports/<int:pk>/errors/", ops_api.ImportErrorListApi.as_view(), name="import-errors"),
    path("imports/<int:pk>/errors.csv", ops_api.ImportErrorCsvApi.as_view(), name="import-errors-csv"),
    path("offers/", ops_api.OfferListApi.as_view(), name="offers"),
    path("offers/<int:pk>/", ops_api.OfferDetailApi.as_view(), name="offer"),
    path("rematch/", ops_api.RematchApi.as_view(), name="rematch"),
    path("stats/", ops_api.StatsApi.as_view(), name="stats"),
    path("analysis/", ops_api.AnalysisApi.as_view(), name="analysis"),
    path("analysis/groups/", ops_api.AnalysisGroupsApi.as_view(), name="analysis-groups"),
    path("grants/", ops_api.GrantListApi.as_view(), name="grants"),
    path("grants/<int:user_id>/revoke/", ops_api.GrantRevokeApi.as_view(), name="grant-revoke"),
]
