from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shared_apps.accounts"
    label = "accounts"

    def ready(self):
        from . import signals  # noqa: F401
