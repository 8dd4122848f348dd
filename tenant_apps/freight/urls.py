"""The freight pages of the merchant console, under /console/freight/ (names in the shop namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="freight"),
    path("new/", views.create, name="freight-new"),
    path("<int:template_id>/", views.edit, name="freight-edit"),
    path("<int:template_id>/delete/", views.delete, name="freight-delete"),
    path("quote/", views.quote, name="freight-quote"),
    path("regions/", views.region_finder, name="freight-regions"),
]
