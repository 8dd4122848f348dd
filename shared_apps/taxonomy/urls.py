"""Taxonomy pages, included under /taxonomy/ of the operator console (names in the `ops` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("categories/", views.category_list, name="taxonomy-categories"),
    path("categories/create/", views.category_create, name="taxonomy-category-create"),
    path("categories/<int:pk>/", views.category_detail, name="taxonomy-category"),
    path("categories/<int:pk>/update/", views.category_update, name="taxonomy-category-update"),
    path("categories/<int:pk>/move/", views.category_move, name="taxonomy-category-move"),
    path("categories/<int:pk>/deactivate/", views.category_deactivate, name="taxonomy-category-deactivate"),
    path("categories/<int:pk>/activate/", views.category_activate, name="taxonomy-category-activate"),
    path("categories/<int:pk>/attributes/create/", views.attribute_create, name="taxonomy-attribute-create"),
    path("attributes/<int:pk>/", views.attribute_edit, name="taxonomy-attribute"),
    path("attributes/<int:pk>/delete/", views.attribute_delete, name="taxonomy-attribute-delete"),
    path("standard-products/", views.standard_product_list, name="taxonomy-standard-products"),
    path("standard-products/create/", views.standard_product_create, name="taxonomy-standard-product-create"),
    path("standard-products/<int:pk>/", views.standard_product_detail, name="taxonomy-standard-product"),
    path("standard-products/<int:pk>/update/", views.standard_product_update,
         name="taxonomy-standard-product-update"),
    path("standard-products/<int:pk>/approve/", views.standard_product_approve,
         name="taxonomy-standard-product-approve"),
    path("standard-products/<int:pk>/reject/", views.standard_product_reject,
         name="taxonomy-standard-product-reject"),
    path("standard-products/<int:pk>/merge/", views.standard_product_merge,
         name="taxonomy-standard-product-merge"),
]
