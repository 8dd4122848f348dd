"""The search API of the operator console, mounted at /api/v1/ops/search/ on the operator host."""

from django.urls import path

from . import ops_api

app_name = "ops-search-api"

urlpatterns = [
    path("synonyms/", ops_api.SynonymListApi.as_view(), name="synonyms"),
    path("synonyms/builtin/", ops_api.SynonymBuiltinApi.as_view(), name="synonyms-builtin"),
    path("synonyms/<str:key>/", ops_api.SynonymDetailApi.as_view(), name="synonym"),
    path("analytics/volume/", ops_api.VolumeApi.as_view(), name="volume"),
    path("analytics/top-queries/", ops_api.TopQueriesApi.as_view(), name="top-queries"),
    path("analytics/zero-results/", ops_api.ZeroQueriesApi.as_view(), name="zero-results"),
    path("analytics/positions/", ops_api.PositionsApi.as_view(), name="positions"),
]
