"""Operator taxonomy API, included under /api/v1/ops/taxonomy/ (names in the `ops_api` namespace)."""

from django.urls import path

from . import api

urlpatterns = [
    path("categories/", api.CategoryTreeApi.as_view(), name="taxonomy-categories"),
    path("categories/create/", api.CategoryCreateApi.as_view(), name="taxonomy-category-create"),
    path("categories/<int:pk>/", api.CategoryDetailApi.as_view(), name="taxonomy-category"),
    path("categories/<int:pk>/update/", api.CategoryUpdateApi.as_view(), name="taxonomy-category-update"),
    path("categories/<int:pk>/move/", api.CategoryMoveApi.as_view(), name="taxonomy-category-move"),
    path("categories/<int:pk>/deactivate/", api.CategoryDeactivateApi.as_view(),
         name="taxonomy-category-deactivate"),
    path("categories/<int:pk>/activate/", api.CategoryActivateApi.as_view(), name="taxonomy-category-activate"),
    path("categories/<int:pk>/attributes/create/", api.AttributeCreateApi.as_view(),
         name="taxonomy-attribute-create"),
    path("attributes/<int:pk>/update/", api.AttributeUpdateApi.as_view(), name="taxonomy-attribute-update"),
    path("attributes/<int:pk>/delete/", api.AttributeDeleteApi.as_view(), name="taxonomy-attribute-delete"),
    path("standard-products/", api.StandardProductListApi.as_view(), name="taxonomy-standard-products"),
    path("standard-products/create/", api.StandardProductCreateApi.as_view(),
         name="taxonomy-standard-product-create"),
    path("standard-products/<int:pk>/", api.StandardProductDetailApi.as_view(), name="taxonomy-standard-product"),
    path("standard-products/<int:pk>/update/", api.StandardProductUpdateApi.as_view(),
         name="taxonomy-standard-product-update"),
    path("standard-products/<int:pk>/approve/", api.StandardProductApproveApi.as_view(),
         name="taxonomy-standard-product-approve"),
    path("standard-products/<int:pk>/reject/", api.StandardProductRejectApi.as_view(),
         name="taxonomy-standard-product-reject"),
    path("standard-products/<int:pk>/merge/", api.StandardProductMergeApi.as_view(),
         name="taxonomy-standard-product-merge"),
]
