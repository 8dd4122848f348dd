from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shared_apps.orders"
    label = "orders"

    def ready(self) -> None:
        from shared_apps.payments.interface import payable_register

        from .services import checkout_paid, sub_order_paid_offline

        payable_register("checkout", on_paid=checkout_paid)
        payable_register("sub_order", on_paid=sub_order_paid_offline)
