"""Search API (mall host, /api/v1/search/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.SearchApi.as_view()),
    path("suggest/", api.SuggestApi.as_view()),
]
