from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender, using, **kwargs):
    from django.db import connections

    # Public schema only: migrate_schemas fires this once per schema.
    if getattr(connections[using], "schema_name", "public") != "public":
        return
    from .services import seed_business_categories

    seed_business_categories()


class TaxonomyConfig(AppConfig):
    name = "shared_apps.taxonomy"
    label = "taxonomy"

    def ready(self):
        # Also after a test flush, which empties the tables the data migration filled.
        post_migrate.connect(_seed, sender=self)
