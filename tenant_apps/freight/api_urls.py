"""The freight API, mounted at /api/v1/shop/freight/ on every shop's host."""

from django.urls import path

from . import api

urlpatterns = [
    path("templates/", api.TemplateListApi.as_view()),
    path("templates/<int:template_id>/", api.TemplateDetailApi.as_view()),
    path("quote/", api.QuoteApi.as_view()),
    path("regions/", api.RegionListApi.as_view()),
]
