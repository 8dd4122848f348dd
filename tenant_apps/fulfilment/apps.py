from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "tenant_apps.fulfilment"
    label = "fulfilment"
