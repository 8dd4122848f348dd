"""migrate_schemas that keeps the shop template current and skips shops with nothing pending.

A plain run (no app label, no --schema, no --fake ...) does this:
1. migrates the public schema;
2. migrates the shop template schema;
3. finds, in a few queries over all shops, the schemas whose applied migrations differ from the
   template's, and migrates only those (exact: one pending migration in one shop is applied);
4. captures the template's DDL again and drops ready schemas built from an older template.
Any other invocation is django-tenants' own command, unchanged.
"""

from django.db import connection
from django_tenants.management.commands.migrate_schemas import (
    GET_EXECUTOR_FUNCTION,
    MigrateSchemasCommand,
)

from tenants import provisioning
from tenants.models import Shop

PASS_THROUGH = (
    "app_label", "migration_name", "fake", "fake_initial", "plan", "prune",
    "check_unapplied", "schema_name", "shared", "tenant",
)


class Command(MigrateSchemasCommand):
    def handle(self, *args, **options):
        if any(options.get(key) for key in PASS_THROUGH):
            return super().handle(*args, **options)
        verbosity = int(options.get("verbosity", 1))
        super().handle(*args, **{**options, "shared": True})

        template = provisioning.template_schema()
        executor = GET_EXECUTOR_FUNCTION(codename=options.get("executor"))(args, options)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {provisioning.quote(template)}")
        executor.run_migrations(tenants=[template])
        connection.set_schema_to_public()
        fingerprint = provisioning.schema_fingerprint(template)

        shops = list(Shop.objects.values_list("schema_name", flat=True).order_by("id"))
        pending = provisioning.schemas_behind(shops, fingerprint)
        if verbosity:
            self.stdout.write(
                f"{len(shops)} shop schemas, {len(pending)} with pending migrations"
            )
        if pending:
            executor.run_migrations(tenants=pending)
            connection.set_schema_to_public()

        provisioning.capture_template_ddl()
        dropped = provisioning.pool_discard_stale()
        if verbosity and dropped:
            self.stdout.write(f"dropped {dropped} ready schemas built from an older template")
