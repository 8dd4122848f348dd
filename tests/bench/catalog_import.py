"""Catalog import benchmark: N SKU rows (two SKUs per product) into one shop, from CSV and from
XLSX, through `imports.import_run` (the body of the Celery task, run synchronously: read the
stored file, validate, write in chunks). Prints one JSON line.

    python tests/bench/catalog_import.py [--rows 100000] [--database mall_bench]
"""

import argparse
import csv
import io
import json
import os
import time
import uuid

from common import use_bench_database

HEADER = ["product_ref", "title", "brand", "model", "tags", "tax_rate", "weight_grams", "sku_code", "gtin",
          "spec", "market_price", "sale_price", "member_price", "cost_price"]


def rows(n: int, prefix: str):
    from backend.lib.gtin import gtin_check_digit

    for i in range(n):
        product = i // 2
        body = f"690{i:09d}"
        yield [f"{prefix}P{product}", f"Bench product {product}", "Acme", f"M{product}", "new", "0.13", "350",
               f"{prefix}-{i:07d}", body + gtin_check_digit(body), f"colour={'black' if i % 2 else 'white'};size=L",
               "199.00", f"{99 + i % 100}.90", "89.00", "50.00"]


def csv_file(n: int, prefix: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows(n, prefix))
    return buffer.getvalue().encode()


def xlsx_file(n: int, prefix: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows(n, prefix), start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    workbook.close()
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="mall_bench")
    args = parser.parse_args()
    use_bench_database(args.database)

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_context

    from shared_apps.accounts.models import User
    from tenant_apps.catalog import imports
    from tenant_apps.catalog.models import SKU, ImportJob
    from tenants.models import Shop
    from tenants.services import shop_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    run = uuid.uuid4().hex[:6]
    owner = User.objects.create_user(f"bench-import-{run}@example.com", "Bench#Password1")
    shop = shop_provision(subdomain=f"bimp{run}", name="Bench import", company_name="Bench Co", owner=owner)

    def timed(data: bytes, name: str) -> float:
        with schema_context(shop.schema_name):
            # The job as import_start leaves it (checked, stored, queued), without the eager task.
            fmt = imports.file_format(name=name, data=data)
            stored = default_storage.save(f"shops/{shop.schema_name}/private/imports/{name}", ContentFile(data))
            job = ImportJob.objects.create(file=stored, original_name=name, file_format=fmt,
                                           created_by_user_id=owner.pk, language="en")
            started = time.perf_counter()
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                with cProfile.Profile() as prof:
                    job = imports.import_run(job_id=job.pk, actor=owner)
                pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
            else:
                job = imports.import_run(job_id=job.pk, actor=owner)
            elapsed = time.perf_counter() - started
            job.refresh_from_db()
            if (job.status, job.created_count, job.failed_count) != ("done", args.rows, 0):
                raise RuntimeError(f"{name}: {job.status} {job.message} created={job.created_count} "
                                   f"failed={job.failed_count} {job.errors[:3]}")
            return elapsed

    try:
        csv_seconds = timed(csv_file(args.rows, "C"), "bench.csv")
        xlsx_seconds = timed(xlsx_file(args.rows, "X"), "bench.xlsx")
        with schema_context(shop.schema_name):
            assert SKU.objects.count() == 2 * args.rows
            for job in ImportJob.objects.all():
                default_storage.delete(job.file)
            ImportJob.objects.all().delete()
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{shop.schema_name}" CASCADE')
        Shop.objects.filter(pk=shop.pk).delete()
        owner.delete()
    print(json.dumps({
        "rows": args.rows,
        "rows_per_s": round(args.rows / csv_seconds),
        "xlsx_rows_per_s": round(args.rows / xlsx_seconds),
        "csv_seconds": round(csv_seconds, 2),
        "xlsx_seconds": round(xlsx_seconds, 2),
    }))


if __name__ == "__main__":
    main()
