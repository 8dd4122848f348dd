from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shared_apps.audit"
    label = "audit"
