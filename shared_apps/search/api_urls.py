"""Search API (mall host, /api/v1/search/)."""

from django.urls import path

from . import analytics_views, api

urlpatterns = [
    path("", api.SearchApi.as_view()),
    path("suggest/", api.SuggestApi.as_view()),
    path("clicks/", analytics_views.ClickApi.as_view()),
]
