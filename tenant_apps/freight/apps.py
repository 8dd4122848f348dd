from django.apps import AppConfig


class FreightConfig(AppConfig):
    name = "tenant_apps.freight"
    label = "freight"
