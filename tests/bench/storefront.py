"""Storefront benchmark: a shop with N listed products (two SKUs each, an image, stock in a
warehouse), its product pages and product list served by gunicorn exactly as `make up` starts it
(gthread, WEB_WORKERS x WEB_THREADS, default 2 x 4), loaded with `wrk` as anonymous visitors.

    python tests/bench/storefront.py [--products 5000] [--duration 30] [--connections 16]

Each wrk connection asks for random product ids (all N) and random list pages (all of them).
Before the measured runs every page is fetched once (a cold crawl, reported as `cold_rps`),
as a CDN or the first visitors would; the measured runs then hit the page cache, which a
change to the catalog, the stock state or the shop profile invalidates (see
tenant_apps/catalog/pagecache.py). The server runs with DEBUG off and without the access log
(a production setting); everything else is `make up`'s command. Prints one JSON line.
"""

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from common import ROOT, use_bench_database

SUBDOMAIN = "sfbench"

WRK_SCRIPT = """
local ids = {%(ids)s}
local pages = %(pages)d
local kind = "%(kind)s"
math.randomseed(os.time())
request = function()
  local path
  if kind == "product" then
    path = "/products/" .. ids[math.random(#ids)] .. "/"
  else
    path = "/products/?page=" .. math.random(pages)
  end
  return wrk.format("GET", path, {["Host"] = "%(host)s"})
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def build_shop(n: int):
    """The bench shop with n listed products; kept between runs (built only when missing)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from backend.lib.media import shop_file_name
    from shared_apps.accounts.models import User
    from tenant_apps.catalog.models import SKU, Product, ProductImage, ProductStatus
    from tenant_apps.inventory import services as stock
    from tenant_apps.inventory.models import Location
    from tenants.models import Shop
    from tenants.services import shop_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    shop = Shop.objects.filter(subdomain=SUBDOMAIN).first()
    if shop is None:
        owner, _ = User.objects.get_or_create(email="bench-storefront@example.com")
        shop = shop_provision(subdomain=SUBDOMAIN, name="Bench storefront", company_name="Bench Co", owner=owner)
    with schema_context(shop.schema_name):
        have = Product.objects.filter(status=ProductStatus.LISTED).count()
        if have < n:
            image = default_storage.save(shop_file_name("products", "bench.webp"), ContentFile(tiny_webp()))
            now = timezone.now()
            products = Product.objects.bulk_create([
                Product(title=f"Bench tea {i} 明前龙井", brand="Bench", model=f"T{i}", tags=["new"],
                        description="<p>Spring harvest, <strong>hand-fired</strong>.</p>",
                        status=ProductStatus.LISTED, listed_at=now)
                for i in range(have, n)])
            ProductImage.objects.bulk_create([
                ProductImage(product=p, image=image, thumbnail=image, width=64, height=64) for p in products])
            skus = SKU.objects.bulk_create([
                SKU(product=p, code=f"SF-{p.pk}-{size}", spec={"size": size}, sale_price=Decimal("88.00"),
                    market_price=Decimal("128.00"), member_price=Decimal("80.00"), sort=k)
                for p in products for k, size in enumerate(("100g", "250g"))])
            location = Location.objects.first() or stock.location_create(
                data={"name": "Bench warehouse", "code": "BENCH"})
            stock.movement_post(kind="purchase_receipt", reference="bench-stock", actor_user_id=None, lines=[
                stock.MovementLine(sku_id=sku.pk, location_id=location.pk, quantity=50, unit_cost=Decimal("40.00"))
                for sku in skus])
        ids = list(Product.objects.filter(status=ProductStatus.LISTED).values_list("pk", flat=True)[:n])
    return shop, ids


def tiny_webp() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 160, 90)).save(buffer, "WEBP")
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    sys.path.insert(0, str(ROOT / "infra" / "scripts"))
    from up import gunicorn_argv

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings.dev", "DEBUG": "false",
           "MALL_PORT": str(port), "LOG_LEVEL": "WARNING"}
    log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "ab")  # noqa: SIM115 - the server's lifetime
    server = subprocess.Popen(gunicorn_argv(bind=f"127.0.0.1:{port}", access_log=False), cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not come up (BENCH_SERVER_LOG=file keeps its output)")


def fetch(port: int, host: str, path: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.status


def crawl(port: int, host: str, paths: list[str], threads: int) -> float:
    """Fetch every path once; the pages rendered per second."""
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(lambda p: fetch(port, host, p), paths))
    bad = [s for s in statuses if s != 200]
    if bad:
        raise RuntimeError(f"{len(bad)} pages answered {bad[:5]}")
    return len(paths) / (time.perf_counter() - started)


def wrk(port: int, host: str, *, kind: str, ids: list[int], pages: int, args) -> dict:
    script = WRK_SCRIPT % {"ids": ",".join(map(str, ids)), "pages": pages, "kind": kind, "host": host}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "-s", f.name,
             f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    match = re.search(r"BENCH (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if not match:
        raise RuntimeError("wrk gave no figures:\n" + out)
    requests, duration_us, p50_us, p95_us, errors = map(int, match.groups())
    if errors:
        raise RuntimeError(f"{errors} failed requests (non-2xx or socket errors):\n{out}")
    return {"rps": round(requests / (duration_us / 1e6), 1), "p50_ms": round(p50_us / 1000, 1),
            "p95_ms": round(p95_us / 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--duration", type=int, default=30, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--database", default="mall_bench")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    use_bench_database(args.database)

    from django.conf import settings

    from tenant_apps.catalog.views import PAGE_SIZE

    shop, ids = build_shop(args.products)
    host = f"{shop.subdomain}.{settings.MALL_DOMAIN}"
    pages = -(-len(ids) // PAGE_SIZE)
    port = free_port()
    server = start_server(port)
    try:
        paths = [f"/products/{i}/" for i in ids] + [f"/products/?page={p}" for p in range(1, pages + 1)]
        random.shuffle(paths)
        cold_rps = crawl(port, host, paths, threads=args.connections)
        product = wrk(port, host, kind="product", ids=ids, pages=pages, args=args)
        listing = wrk(port, host, kind="list", ids=ids, pages=pages, args=args)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    print(json.dumps({
        "products": len(ids),
        "product_rps": product["rps"], "product_p95_ms": product["p95_ms"], "product_p50_ms": product["p50_ms"],
        "list_rps": listing["rps"], "list_p95_ms": listing["p95_ms"], "list_p50_ms": listing["p50_ms"],
        "cold_rps": round(cold_rps, 1), "connections": args.connections, "duration_s": args.duration,
    }))


if __name__ == "__main__":
    main()
