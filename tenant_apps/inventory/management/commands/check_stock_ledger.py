"""Prove that every shop's stock balances equal the sum of its ledger (and reserved equals the
held reservations). Prints the drift; exits non-zero when there is any.

    python manage.py check_stock_ledger [--schema s_alpha]
"""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_tenant_model, schema_context

from tenant_apps.inventory.selectors import ledger_drift


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--schema", action="append", help="only this shop schema (repeatable)")

    def handle(self, *args, schema=None, **options):
        schemas = schema or list(
            get_tenant_model().objects.exclude(schema_name="public").order_by("schema_name").values_list("schema_name", flat=True)
        )
        drifted = 0
        for name in schemas:
            with schema_context(name):
                rows = ledger_drift()
            for row in rows:
                self.stdout.write(
                    f"{name} location={row['location_id']} sku={row['sku_id']} on_hand={row['on_hand']} "
                    f"ledger={row['ledger']} reserved={row['reserved']} held={row['held']}"
                )
            drifted += len(rows)
        self.stdout.write(f"{len(schemas)} shop(s) checked, {drifted} balance row(s) drifted")
        if drifted:
            raise CommandError("stock balances differ from the ledger")
