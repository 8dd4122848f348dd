from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "shared_apps.offers"
    label = "offers"
