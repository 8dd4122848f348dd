from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tenant_apps.catalog"
    label = "catalog"

    def ready(self) -> None:
        from backend.lib import pagecache

        from .models import SKU, Product, ProductImage, ShopCategory

        pagecache.watch(Product, SKU, ProductImage, ShopCategory)
