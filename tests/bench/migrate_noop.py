"""`migrate_schemas` with nothing pending, over many shops (default 1,000).

Builds the shops once in a database of its own (kept between runs), then times a plain
`migrate_schemas`. With --check-exact it also removes one migration record from one shop and
checks that the next run applies it there (the shortcut must stay exact). Prints one JSON line.

    python tests/bench/migrate_noop.py [--shops 1000] [--database mall_bench_noop] [--check-exact]
"""

import argparse
import json
import time

from common import use_bench_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=1000)
    parser.add_argument("--database", default="mall_bench_noop")
    parser.add_argument("--check-exact", action="store_true")
    args = parser.parse_args()
    use_bench_database(args.database)

    from django.core.management import call_command
    from django.db import connection, transaction

    from shared_apps.accounts.models import User
    from tenants.models import Shop
    from tenants.services import shop_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    owner = User.objects.filter(email="noop-bench@example.com").first() or User.objects.create_user(
        "noop-bench@example.com", "Bench#Password1")
    existing = Shop.objects.count()
    build_started = time.perf_counter()
    for i in range(existing, args.shops):
        with transaction.atomic():
            shop_provision(subdomain=f"noop-{i:05d}", name=f"Shop {i}", company_name="Bench Co", owner=owner)
    build_seconds = time.perf_counter() - build_started

    started = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    seconds = time.perf_counter() - started
    result = {"shops": Shop.objects.count(), "seconds": round(seconds, 2),
              "build_seconds": round(build_seconds, 1)}

    if args.check_exact:
        from django.db.migrations.loader import MigrationLoader

        # A shared app's newest migration: recorded in shop schemas, a no-op there.
        app, name = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("taxonomy")[0]
        victim = Shop.objects.order_by("id").last().schema_name
        with connection.cursor() as cursor:
            cursor.execute(f'DELETE FROM "{victim}".django_migrations WHERE app = %s AND name = %s', [app, name])
        call_command("migrate_schemas", interactive=False, verbosity=0)
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{victim}".django_migrations WHERE app = %s AND name = %s',
                           [app, name])
            result["pending_applied"] = cursor.fetchone()[0] == 1
    print(json.dumps(result))


if __name__ == "__main__":
    main()
