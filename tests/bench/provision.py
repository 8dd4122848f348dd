"""Provisioning benchmark: approval-to-live-shop through the service the approval uses.

Provisions N shops (default 50) three ways in one run, in a database of its own:
  1. with the pool of ready schemas filled in advance (the normal path: a rename);
  2. with the pool empty (replaying the template's captured DDL);
  3. by creating the schema and running every migration for it (what django-tenants does).
Also measures how fast the background refills the pool. Prints one JSON line.

    python tests/bench/provision.py [--n 50] [--database mall_bench]
"""

import argparse
import json
import time
import uuid

from common import ms, percentile, use_bench_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="shops per method")
    parser.add_argument("--database", default="mall_bench")
    args = parser.parse_args()
    use_bench_database(args.database)

    from django.core.management import call_command
    from django.db import connection, transaction

    from shared_apps.accounts.models import User
    from tenants import provisioning
    from tenants.models import ReadySchema, Shop
    from tenants.services import shop_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    run = uuid.uuid4().hex[:6]
    owner = User.objects.create_user(f"bench-{run}@example.com", "Bench#Password1")
    made: list[str] = []

    def provision_one(label: str) -> float:
        subdomain = f"b{run}-{label}"
        started = time.perf_counter()
        with transaction.atomic():
            shop = shop_provision(subdomain=subdomain, name="Bench", company_name="Bench Co", owner=owner)
        elapsed = time.perf_counter() - started
        made.append(shop.schema_name)
        return elapsed

    try:
        started = time.perf_counter()
        provisioning.pool_refill(size=args.n)
        refill_seconds = time.perf_counter() - started
        pooled = [provision_one(f"p{i}") for i in range(args.n)]

        ReadySchema.objects.all().delete()  # none left, but be sure: the drained path replays
        drained = [provision_one(f"d{i}") for i in range(args.n)]

        migrated = []
        for i in range(args.n):
            schema = f"bench_mig_{run}_{i}"
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{schema}"')
            call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
            migrated.append(time.perf_counter() - started)
            connection.set_schema_to_public()
            made.append(schema)
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            for schema in made:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        Shop.objects.filter(owner=owner).delete()
        owner.delete()

    clone_p50 = percentile(pooled, 50)
    print(json.dumps({
        "n": args.n,
        "clone_p50_ms": ms(clone_p50),
        "clone_p95_ms": ms(percentile(pooled, 95)),
        "drained_p50_ms": ms(percentile(drained, 50)),
        "drained_p95_ms": ms(percentile(drained, 95)),
        "refill_per_s": round(args.n / refill_seconds, 1),
        "migrate_p50_ms": ms(percentile(migrated, 50)),
        "migrate_p95_ms": ms(percentile(migrated, 95)),
        "speedup": round(percentile(migrated, 50) / clone_p50, 1),
    }))


if __name__ == "__main__":
    main()
