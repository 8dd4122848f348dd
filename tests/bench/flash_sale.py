"""Flash-sale benchmark: B signed-in buyers hammer the buy endpoint of one SKU with U units,
over HTTP against gunicorn as `make up` starts it, loaded with `wrk` (each request a buyer's
attempt; buyers come round again while the run lasts, as people press the button again).
Then every order is paid (the sandbox's signed notification, applied in-process) and the ledger
is checked. The same run is made twice: behind the Redis gate (the product) and straight on
PostgreSQL's row lock (FLASH_SALE_REDIS_GATE=false), for comparison.

    python tests/bench/flash_sale.py [--buyers 5000] [--units 100] [--duration 10] [--connections 100]

Prints one JSON line: {"buyers", "units", "orders", "oversold", "attempts_per_s",
"rowlock_attempts_per_s", …}; orders are paid orders of the gated run, oversold counts units sold
beyond U in either run.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from datetime import timedelta

from common import use_bench_database
from storefront import free_port, start_server

WRK_SCRIPT = """
local buyers = {%(buyers)s}
local n = 0
local thread_id = 0
local counter = 0
setup = function(thread)
  n = n + 1
  thread:set("thread_id", n)
end
request = function()
  counter = counter + 1
  local b = buyers[((counter * 7919 + thread_id) %% #buyers) + 1]
  local body = '{"client_token": "%(run)s-' .. thread_id .. '-' .. counter .. '", "address_id": ' .. b[2] .. '}'
  return wrk.format("POST", "/api/v1/flash/%(sale)d/buy/", {
    ["Host"] = "%(host)s", ["Origin"] = "http://%(host)s", ["Referer"] = "http://%(host)s/",
    ["Content-Type"] = "application/json", ["X-CSRFToken"] = "%(csrf)s",
    ["Cookie"] = "csrftoken=%(csrf)s; sessionid=" .. b[1]}, body)
end
response = function(status, headers, body)
  if status ~= 201 and status ~= 409 then
    io.write("UNEXPECTED " .. status .. " " .. string.sub(body, 1, 200) .. "\\n")
  end
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95)))
end
"""


def build(buyers: int):
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from shared_apps.accounts import services as accounts
    from shared_apps.accounts.models import Address, User
    from tenant_apps.catalog import outbox
    from tenant_apps.catalog.models import SKU, Product, ProductStatus
    from tenant_apps.freight import services as freight
    from tenant_apps.inventory import services as stock
    from tenant_apps.inventory.models import Location
    from tenants.models import Shop
    from tenants.services import shop_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    owner = User.objects.filter(email="bench-flash@example.com").first() or User.objects.create_user(
        "bench-flash@example.com", "Bench#Password1")
    shop = Shop.objects.filter(subdomain="flashb").first() or shop_provision(
        subdomain="flashb", name="Bench flash", company_name="Bench Co", owner=owner)
    with schema_context(shop.schema_name):
        if not SKU.objects.exists():
            product = Product.objects.create(title="Flash phone", status=ProductStatus.LISTED,
                                             listed_at=timezone.now(), weight_grams=300)
            sku = SKU.objects.create(product=product, code="FLASH-1", sale_price=Decimal("1999.00"))
            location = Location.objects.filter(sells_online=True).first() or stock.location_create(
                data={"name": "WH", "code": "WH"})
            stock.movement_post(kind="purchase_receipt", actor_user_id=None, lines=[
                stock.MovementLine(sku_id=sku.pk, location_id=location.pk, quantity=1_000_000, unit_cost="900.00")])
            freight.template_create(data={"name": "Express", "method": "express", "first_units": 1,
                                          "first_price": "0.00", "additional_units": 1, "additional_price": "0.00"})
            outbox.rebuild()
            outbox.drain_all()
        sku_id = SKU.objects.get(code="FLASH-1").pk
    have = User.objects.filter(email__startswith="flash-buyer-").count()
    if have < buyers:
        password = make_password(None)
        User.objects.bulk_create([User(email=f"flash-buyer-{i}@example.com", password=password, display_name="Buyer")
                                  for i in range(have, buyers)], batch_size=1000)
        for user in User.objects.filter(email__startswith="flash-buyer-", addresses__isnull=True)[:buyers]:
            accounts.address_create(user=user, data={
                "recipient_name": "买家", "phone": f"135{user.pk % 10**8:08d}", "province_code": "440000",
                "city_code": "440300", "district_code": "440305", "detail": "1 号"})
    users = list(User.objects.filter(email__startswith="flash-buyer-").order_by("pk")[:buyers])
    addresses = dict(Address.objects.filter(user__in=users, is_default=True).values_list("user_id", "id"))
    return shop, sku_id, [(u, addresses[u.pk]) for u in users]


def sessions(people, host: str) -> list[tuple[str, int]]:
    from checkout import session_for

    return [(session_for(user, host), address) for user, address in people]


def run(args, *, shop, sku_id, buyers, gate: bool, run_id: str) -> dict:
    from django.conf import settings
    from django.utils import timezone

    from shared_apps.marketing.models import FlashSale
    from shared_apps.orders import flash
    from shared_apps.orders.models import Order
    from shared_apps.payments.testing import sandbox_pay

    now = timezone.now()
    sale = flash.flash_create(shop=shop, data={
        "sku_id": sku_id, "price": "999.00", "quantity": args.units, "hold_minutes": 5,
        "starts_at": now - timedelta(seconds=1), "ends_at": now + timedelta(hours=1)})
    flash.flash_start(sale_id=sale.pk)
    flash.counter_rebuild(FlashSale.objects.select_related("shop").get(pk=sale.pk))
    port = free_port()
    host = f"{settings.MALL_DOMAIN}:{port}"
    people = sessions(buyers, host)
    csrf = secrets.token_hex(16)
    script = WRK_SCRIPT % {"buyers": ",".join(f'{{"{key}", {address}}}' for key, address in people),
                           "sale": sale.pk, "host": host, "csrf": csrf, "run": run_id}
    os.environ["FLASH_SALE_REDIS_GATE"] = "true" if gate else "false"
    server = start_server(port)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(script)
        out = subprocess.run(["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
                              "--timeout", "10s", "-s", f.name, f"http://127.0.0.1:{port}"],
                             capture_output=True, text=True, check=True).stdout
        os.unlink(f.name)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    unexpected = [line for line in out.splitlines() if line.startswith("UNEXPECTED")]
    if unexpected:
        raise RuntimeError(f"{len(unexpected)} unexpected answers, e.g. {unexpected[:3]}")
    match = re.search(r"BENCH (\d+) (\d+) (\d+) (\d+)", out)
    requests, duration_us, p50_us, p95_us = map(int, match.groups())
    numbers = list(Order.objects.filter(client_token__startswith=f"{run_id}-").values_list("number", flat=True))
    for number in numbers:
        sandbox_pay(number)
    paid = Order.objects.filter(number__in=numbers, status="paid").count()
    flash.flash_end(sale_id=sale.pk)
    return {"orders": paid, "placed": len(numbers), "oversold": max(0, len(numbers) - args.units),
            "attempts_per_s": round(requests / (duration_us / 1e6), 1), "attempts": requests,
            "p50_ms": round(p50_us / 1000, 1), "p95_ms": round(p95_us / 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=5000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per run")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--database", default="mall_bench_flash")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    use_bench_database(args.database)

    from django_tenants.utils import schema_context

    from tenant_apps.inventory.selectors import ledger_drift

    shop, sku_id, buyers = build(args.buyers)
    gated = run(args, shop=shop, sku_id=sku_id, buyers=buyers, gate=True, run_id=f"g{uuid.uuid4().hex[:8]}")
    rowlock = run(args, shop=shop, sku_id=sku_id, buyers=buyers, gate=False, run_id=f"r{uuid.uuid4().hex[:8]}")
    with schema_context(shop.schema_name):
        drift = len(ledger_drift())
    print(json.dumps({
        "buyers": len(buyers), "units": args.units, "orders": gated["orders"],
        "oversold": gated["oversold"] + rowlock["oversold"],
        "attempts_per_s": gated["attempts_per_s"], "rowlock_attempts_per_s": rowlock["attempts_per_s"],
        "p95_ms": gated["p95_ms"], "rowlock_p95_ms": rowlock["p95_ms"], "rowlock_orders": rowlock["orders"],
        "attempts": gated["attempts"], "drift": drift, "connections": args.connections, "duration_s": args.duration,
    }))


if __name__ == "__main__":
    main()
