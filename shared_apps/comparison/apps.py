from django.apps import AppConfig


class ComparisonConfig(AppConfig):
    name = "shared_apps.comparison"
    label = "comparison"
