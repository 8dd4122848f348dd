"""Celery app. Tasks run in the schema they were sent from (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.dev")

app = CeleryApp("mall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
