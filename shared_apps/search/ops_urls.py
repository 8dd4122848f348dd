"""The search pages of the operator console, mounted at /search/ on the operator host."""

from django.urls import path

from . import ops_views

app_name = "ops-search"

urlpatterns = [
    path("", ops_views.overview, name="overview"),
    path("queries/", ops_views.top_queries, name="queries"),
    path("zero-results/", ops_views.zero_results, name="zero-results"),
    path("positions/", ops_views.positions, name="positions"),
    path("synonyms/", ops_views.synonym_list, name="synonyms"),
    path("synonyms/create/", ops_views.synonym_create, name="synonym-create"),
    path("synonyms/<str:key>/", ops_views.synonym_detail, name="synonym"),
    path("synonyms/<str:key>/edit/", ops_views.synonym_update, name="synonym-edit"),
    path("synonyms/<str:key>/delete/", ops_views.synonym_delete, name="synonym-delete"),
]
