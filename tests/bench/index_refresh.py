"""Price and stock changes in many shops reaching the mall offer index through the outbox.

Builds S shops with listed products in a database of its own, starts a real Celery worker on
the configured Redis, then commits C price changes spread over the shops from W writer processes (each
change: update the SKU's price and write the outbox in one transaction, as the catalog service
does). Each SKU changes once, to a price of its own, so the lag of every change can be read off
the index: lag = time the index row was written − time the change committed. Prints one line:
{"changes", "changes_per_s", "max_lag_ms", "p50_lag_ms", "p95_lag_ms"}; changes_per_s counts
from the first commit to the moment the last change is visible in the index.

    python tests/bench/index_refresh.py [--shops 20] [--changes 10000] [--batch 50] [--writers 4] [--workers 2]

A change is one SKU's new price; --batch changes of one shop commit together, as a merchant's
bulk price update (console grid or ERP sync) does; --batch 1 commits every change alone.
"""

import argparse
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

from common import ROOT, ms, percentile, use_bench_database


def write_changes(work) -> dict:
    """In a writer process: commit each batch (new prices + outbox rows) in one transaction;
    returns {(schema, sku_id): (price, commit time)}."""
    from django.db import connections, transaction
    from django_tenants.utils import schema_context

    from tenant_apps.catalog import outbox
    from tenant_apps.catalog.models import SKU

    base, batches = work
    committed = {}
    for batch in batches:
        schema = batch[0][0]
        prices = {sku_id: Decimal(base) + Decimal(sku_id) / 100 for _, _, sku_id in batch}
        with schema_context(schema):
            with transaction.atomic():
                SKU.objects.bulk_update([SKU(pk=pk, sale_price=price) for pk, price in prices.items()], ["sale_price"])
                outbox.outbox_record_many(kind=outbox.PRICE, items=[(product_id, sku_id) for _, product_id, sku_id in batch])
            at = time.time()
        for sku_id, price in prices.items():
            committed[(schema, sku_id)] = (str(price), at)
    connections.close_all()
    return committed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--changes", type=int, default=10000)
    parser.add_argument("--writers", type=int, default=4, help="processes committing changes (forked)")
    parser.add_argument("--batch", type=int, default=50, help="changes of one shop per transaction")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--database", default="mall_bench_index")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["DB_POOL_MAX"] = "4"
    use_bench_database(args.database)

    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from shared_apps.accounts.models import User
    from shared_apps.offers.models import OfferPrice, OfferText
    from tenant_apps.catalog import outbox
    from tenant_apps.catalog.models import SKU, Product, ProductStatus
    from tenants.models import Shop
    from tenants.services import shop_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    owner = User.objects.filter(email="index-bench@example.com").first() or User.objects.create_user(
        "index-bench@example.com", "Bench#Password1")
    per_shop = -(-args.changes // args.shops)
    shops = list(Shop.objects.filter(subdomain__startswith="ix-").order_by("id")[: args.shops])
    for i in range(len(shops), args.shops):
        with transaction.atomic():
            shops.append(shop_provision(subdomain=f"ix-{i:04d}", name=f"Index {i}", company_name="Bench", owner=owner))

    # Listed products with one SKU each, projected into the index before the clock starts.
    targets: list[tuple[str, int, int]] = []  # (schema, product_id, sku_id)
    now = timezone.now()
    for shop in shops:
        with schema_context(shop.schema_name):
            have = SKU.objects.count()
            if have < per_shop:
                products = Product.objects.bulk_create([
                    Product(title=f"商品 {n}", brand="Bench", status=ProductStatus.LISTED, listed_at=now)
                    for n in range(have, per_shop)])
                SKU.objects.bulk_create([
                    SKU(product=p, code=f"{shop.subdomain}-{p.pk}", sale_price=Decimal("100.00")) for p in products])
                outbox.rebuild()
                outbox.drain_all()
            targets += [(shop.schema_name, product_id, sku_id) for sku_id, product_id in
                        SKU.objects.order_by("id").values_list("pk", "product_id")[:per_shop]]
    targets = targets[: args.changes]
    assert OfferText.objects.filter(shop__in=shops).count() >= len(targets), "index not built"

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend", "worker", "-l", "warning", "-c", str(args.workers),
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=dict(os.environ), start_new_session=True,
    )
    time.sleep(4)  # let the worker connect
    try:
        base = int(time.time()) % 100000  # a price of its own for every change of this run
        by_schema: dict[str, list] = {}
        for target in targets:
            by_schema.setdefault(target[0], []).append(target)
        batches = [rows[i : i + args.batch] for rows in by_schema.values() for i in range(0, len(rows), args.batch)]
        chunks = [(base, batches[i :: args.writers]) for i in range(args.writers)]
        # Writers are processes (a merchant's requests come from many web workers), forked with
        # no database connection or pool to share.
        for conn in connections.all():
            conn.close()
            if hasattr(conn, "close_pool"):
                conn.close_pool()
        with multiprocessing.get_context("fork").Pool(args.writers) as pool:
            started = time.time()
            results = pool.map(write_changes, chunks)
            writes_done = time.time()
        committed = {key: (Decimal(price), at) for result in results for key, (price, at) in result.items()}
        connection.set_schema_to_public()
        schema_of = {shop.pk: shop.schema_name for shop in shops}
        deadline = time.time() + args.timeout
        while True:
            seen = {(schema_of[shop_id], sku_id): (price, updated_at) for shop_id, sku_id, price, updated_at in
                    OfferPrice.objects.filter(shop__in=shops).values_list("shop_id", "sku_id", "price", "updated_at")}
            visible = [key for key, (price, _) in committed.items() if seen.get(key, (None,))[0] == price]
            if len(visible) == len(committed) or time.time() > deadline:
                break
            time.sleep(0.05)
        lags = [seen[key][1].timestamp() - committed[key][1] for key in visible]
        finished = max(seen[key][1].timestamp() for key in visible)
    finally:
        worker.send_signal(signal.SIGTERM)  # warm shutdown of the worker and its pool
        worker.wait(timeout=30)
    print(json.dumps({
        "changes": len(committed),
        "visible": len(visible),
        "changes_per_s": round(len(lags) / (finished - started), 1),
        "commits_per_s": round(len(committed) / (writes_done - started), 1),
        "max_lag_ms": ms(max(lags)),
        "p50_lag_ms": ms(percentile(lags, 50)),
        "p95_lag_ms": ms(percentile(lags, 95)),
    }))


if __name__ == "__main__":
    main()
