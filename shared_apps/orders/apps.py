from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shared_apps.orders"
    label = "orders"
