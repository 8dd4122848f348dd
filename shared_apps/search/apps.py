from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "shared_apps.search"
    label = "search"
