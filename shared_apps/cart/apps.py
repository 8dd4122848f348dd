from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "shared_apps.cart"
    label = "cart"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (merges a guest's cart at sign-in)
