from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shared_apps.orders"
    label = "orders"

    def ready(self) -> None:
        from shared_apps.payments.interface import payable_register

        from .refunds import refund_failed, refund_succeeded
        from .services import checkout_paid, sub_order_paid_offline

        for kind, on_paid in (("checkout", checkout_paid), ("sub_order", sub_order_paid_offline)):
            payable_register(kind, on_paid=on_paid, on_refunded=refund_succeeded, on_refund_failed=refund_failed)
