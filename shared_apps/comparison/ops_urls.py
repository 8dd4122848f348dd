"""The comparison groups' pages on the operator host, mounted at /comparison/."""

from django.urls import path

from . import ops_views

app_name = "ops-comparison"

urlpatterns = [
    path("", ops_views.group_list, name="groups"),
    path("merge/", ops_views.group_merge, name="merge"),
    path("groups/<int:pk>/", ops_views.group_detail, name="group"),
    path("groups/<int:pk>/split/", ops_views.group_split, name="split"),
    path("settings/", ops_views.group_settings, name="settings"),
]
