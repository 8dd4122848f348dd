"""The comparison groups' API on the operator host, mounted at /api/v1/ops/comparison/."""

from django.urls import path

from . import ops_api

app_name = "ops-comparison-api"
urlpatterns = [
    path("groups/", ops_api.GroupListApi.as_view(), name="groups"),
    path("groups/merge/", ops_api.GroupMergeApi.as_view(), name="merge"),
    path("groups/<int:pk>/", ops_api.GroupDetailApi.as_view(), name="group"),
    path("groups/<int:pk>/split/", ops_api.GroupSplitApi.as_view(), name="split"),
    path("settings/", ops_api.SettingsApi.as_view(), name="settings"),
]
