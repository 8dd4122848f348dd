"""`migrate` is `migrate_schemas` here (as in django-tenants), with the fast path of ours."""

from tenants.management.commands.migrate_schemas import Command  # noqa: F401
