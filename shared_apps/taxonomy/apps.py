from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "shared_apps.taxonomy"
    label = "taxonomy"
