from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "shared_apps.collection"
    label = "collection"
