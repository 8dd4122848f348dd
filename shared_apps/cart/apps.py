from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "shared_apps.cart"
    label = "cart"
