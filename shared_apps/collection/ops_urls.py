"""The collected-data pages on the operator host, mounted at /collection/."""

from django.urls import path

from . import ops_views

app_name = "ops-collection"

urlpatterns = [
    path("", ops_views.offer_list, name="offers"),
    path("offers/<int:pk>/", ops_views.offer_detail, name="offer"),
    path("rematch/", ops_views.rematch, name="rematch"),
    path("sources/", ops_views.source_list, name="sources"),
    path("sources/create/", ops_views.source_create, name="source-create"),
    path("sources/<int:pk>/", ops_views.source_edit, name="source"),
    path("imports/", ops_views.import_list, name="imports"),
    path("imports/upload/", ops_views.import_upload, name="import-upload"),
    path("imports/<int:pk>/", ops_views.import_detail, name="import"),
    path("imports/<int:pk>/errors.csv", ops_views.import_errors_csv, name="import-errors"),
    path("stats/", ops_views.stats, name="stats"),
    path("analysis/", ops_views.analysis, name="analysis"),
    path("grants/", ops_views.grant_list, name="grants"),
    path("grants/create/", ops_views.grant_create, name="grant-create"),
    path("grants/<int:user_id>/revoke/", ops_views.grant_revoke, name="grant-revoke"),
]
