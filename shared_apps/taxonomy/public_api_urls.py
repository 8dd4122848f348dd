"""Public taxonomy API, included under /api/v1/taxonomy/ on the mall host."""

from django.urls import path

from . import public_api

urlpatterns = [
    path("categories/", public_api.PublicCategoryTreeApi.as_view(), name="taxonomy-public-categories"),
    path("categories/<int:pk>/", public_api.PublicCategoryDetailApi.as_view(), name="taxonomy-public-category"),
    path("standard-products/lookup/", public_api.PublicStandardProductLookupApi.as_view(),
         name="taxonomy-public-standard-product-lookup"),
]
