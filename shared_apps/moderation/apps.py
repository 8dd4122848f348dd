from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "shared_apps.moderation"
    label = "moderation"
