"""Stock ledger benchmark: concurrent batched movements spread over many SKUs, then single
movements on one hot SKU, through `services.movement_post`; at the end every balance row is
compared with the sum of its ledger. Prints one JSON line.

    python tests/bench/stock_ledger.py [--skus 10000] [--workers 8] [--batches 200] [--lines 50]
                                       [--hot 2000] [--database mall_bench]
"""

import argparse
import json
import os
import random
import threading
import time
import uuid

from common import use_bench_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--batches", type=int, default=200, help="batches per worker")
    parser.add_argument("--lines", type=int, default=50, help="lines per batch")
    parser.add_argument("--hot", type=int, default=2000, help="single movements on the hot SKU, over all workers")
    parser.add_argument("--database", default="mall_bench")
    args = parser.parse_args()
    # One pooled connection per worker plus the main thread's (the pool's default max is 8).
    os.environ.setdefault("DB_POOL_MAX", str(args.workers + 2))
    # Offer-index refreshes are queued (one per shop) for a Celery worker, as in production; they
    # must not run inline in the writers (that is index_refresh.py's measurement).
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    use_bench_database(args.database)

    from django.core.management import call_command
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from shared_apps.accounts.models import User
    from tenant_apps.catalog.models import SKU, Product
    from tenant_apps.inventory import selectors, services
    from tenant_apps.inventory.services import MovementLine
    from tenants.models import Shop
    from tenants.services import shop_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    run = uuid.uuid4().hex[:6]
    owner = User.objects.create_user(f"bench-stock-{run}@example.com", "Bench#Password1")
    shop = shop_provision(subdomain=f"bstock{run}", name="Bench stock", company_name="Bench Co", owner=owner)
    try:
        with schema_context(shop.schema_name):
            product = Product.objects.create(title="Bench")
            SKU.objects.bulk_create(
                [SKU(product=product, code=f"B{i:06d}", sale_price="1.00") for i in range(args.skus)], batch_size=5000
            )
            sku_ids = list(SKU.objects.values_list("id", flat=True))
            locations = [services.location_create(data={"name": f"L{i}", "code": f"L{i}"}).pk for i in range(2)]

        def run_workers(work) -> float:
            barrier = threading.Barrier(args.workers + 1)
            failures: list[BaseException] = []

            def body(index):
                try:
                    with schema_context(shop.schema_name):
                        barrier.wait()
                        work(index)
                except BaseException as exc:  # reported below: a lost worker would flatter the figures
                    failures.append(exc)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=body, args=(i,)) for i in range(args.workers)]
            for thread in threads:
                thread.start()
            barrier.wait()
            started = time.perf_counter()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            if failures:
                raise RuntimeError(f"{len(failures)} worker(s) failed") from failures[0]
            return elapsed

        def spread(index):
            rng = random.Random(index)
            for n in range(args.batches):
                picked = rng.sample(sku_ids, args.lines)
                lines = [MovementLine(s, rng.choice(locations), rng.randint(1, 5), "2.50") for s in picked]
                services.movement_post(lines=lines, kind="purchase_receipt", reference=f"PO{index}-{n}", actor_user_id=owner.pk)

        hot_sku, per_worker = sku_ids[0], max(1, args.hot // args.workers)

        def hot(index):
            for n in range(per_worker):
                services.movement_post(lines=[MovementLine(hot_sku, locations[0], 1)], kind="purchase_receipt",
                                       reference=f"H{index}-{n}", actor_user_id=owner.pk)

        spread_seconds = run_workers(spread)
        hot_seconds = run_workers(hot)
        with schema_context(shop.schema_name):
            drift = len(selectors.ledger_drift())
        spread_movements = args.workers * args.batches * args.lines
        print(json.dumps({
            "movements": spread_movements,
            "movements_per_s": round(spread_movements / spread_seconds, 1),
            "hot_sku_movements_per_s": round(args.workers * per_worker / hot_seconds, 1),
            "drift": drift,
        }))
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{shop.schema_name}" CASCADE')
        Shop.objects.filter(pk=shop.pk).delete()
        owner.delete()


if __name__ == "__main__":
    main()
