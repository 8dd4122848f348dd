from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "tenant_apps.shop"
    label = "shop"
    verbose_name = "Shop shell (profile and staff)"

    def ready(self) -> None:
        from backend.lib import pagecache

        from . import openapi  # noqa: F401  (registers the API token's OpenAPI security scheme)
        from .models import ShopProfile

        pagecache.watch(ShopProfile)  # the storefront shows the shop's name and logo
