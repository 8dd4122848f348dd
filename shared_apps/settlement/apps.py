from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "shared_apps.settlement"
    label = "settlement"
