"""Catalog pages on the shop's host: console (/console/catalog/…) and storefront (/products/…)."""

from django.urls import path

from . import import_views, views

app_name = "catalog"
urlpatterns = [
    path("products/", views.storefront_list, name="storefront-list"),
    path("products/<int:product_id>/", views.storefront_product, name="storefront-product"),
    path("console/catalog/", views.product_list, name="product-list"),
    path("console/catalog/new/", views.product_create, name="product-create"),
    path("console/catalog/categories/", views.categories, name="categories"),
    path("console/catalog/categories/<int:category_id>/delete/", views.category_delete, name="category-delete"),
    path("console/catalog/import/", import_views.import_page, name="import"),
    path("console/catalog/import/<int:job_id>/", import_views.import_job, name="import-job"),
    path("console/catalog/import/<int:job_id>/errors.csv", import_views.import_errors, name="import-errors"),
    path("console/catalog/export/catalog.<str:fmt>", import_views.export_catalog, name="export-catalog"),
    path("console/catalog/export/stock.<str:fmt>", import_views.export_stock, name="export-stock"),
    path("console/catalog/<int:product_id>/", views.product_edit, name="product-edit"),
    path("console/catalog/<int:product_id>/skus/", views.sku_grid, name="sku-grid"),
    path("console/catalog/<int:product_id>/variants/", views.variants, name="variants"),
    path("console/catalog/<int:product_id>/images/", views.image_add, name="image-add"),
    path("console/catalog/<int:product_id>/images/<int:image_id>/remove/", views.image_remove, name="image-remove"),
    path("console/catalog/<int:product_id>/images/<int:image_id>/move/", views.image_move, name="image-move"),
    path("console/catalog/<int:product_id>/video/", views.video_set, name="video-set"),
    path("console/catalog/<int:product_id>/video/remove/", views.video_remove, name="video-remove"),
    path("console/catalog/<int:product_id>/submit/", views.product_submit, name="product-submit"),
    path("console/catalog/<int:product_id>/list/", views.product_list_on_sale, name="product-list-on-sale"),
    path("console/catalog/<int:product_id>/delist/", views.product_delist, name="product-delist"),
]
