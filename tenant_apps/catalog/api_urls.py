"""The catalog API, mounted at /api/v1/shop/catalog/."""

from django.urls import path

from . import api, import_api

urlpatterns = [
    path("products/", api.ProductListApi.as_view()),
    path("products/<int:product_id>/", api.ProductDetailApi.as_view()),
    path("products/<int:product_id>/submit/", api.ProductSubmitApi.as_view()),
    path("products/<int:product_id>/list/", api.ProductPutOnSaleApi.as_view()),
    path("products/<int:product_id>/delist/", api.ProductDelistApi.as_view()),
    path("products/<int:product_id>/skus/", api.SkuSetApi.as_view()),
    path("products/<int:product_id>/variants/", api.VariantGenerateApi.as_view()),
    path("products/<int:product_id>/images/", api.ImageAddApi.as_view()),
    path("products/<int:product_id>/images/order/", api.ImageOrderApi.as_view()),
    path("products/<int:product_id>/images/<int:image_id>/", api.ImageRemoveApi.as_view()),
    path("products/<int:product_id>/video/", api.VideoApi.as_view()),
    path("skus/<int:sku_id>/prices/", api.SkuPriceApi.as_view()),
    path("imports/", import_api.ImportListApi.as_view()),
    path("imports/<int:job_id>/", import_api.ImportDetailApi.as_view()),
    path("imports/<int:job_id>/errors/", import_api.ImportErrorsApi.as_view()),
    path("exports/catalog/", import_api.CatalogExportApi.as_view()),
    path("exports/stock/", import_api.StockExportApi.as_view()),
    path("categories/", api.CategoryListApi.as_view()),
    path("categories/<int:category_id>/", api.CategoryDetailApi.as_view()),
]
