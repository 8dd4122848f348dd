"""Checkout benchmark: shoppers fill two-shop carts, check out and pay in the sandbox, all over
HTTP against gunicorn as `make up` starts it, with a real Celery worker delivering the sandbox's
signed payment notifications back to the mall.

    python tests/bench/checkout.py [--shoppers 16] [--checkouts 480] [--workers 2]

Each shopper (one thread, its own signed-in session) loops: add a SKU of shop A and one of
shop B to the cart (API), place the order (API; this request's time is the reported latency),
open the sandbox pay page and press Pay. The sandbox then notifies the mall asynchronously
(Celery). The clock stops when the last order is paid. Prints one JSON line:
{"checkouts", "checkouts_per_s", "orders_per_s", "p95_ms", …}; orders are shop sub-orders.
The server runs with DEBUG off and no access log; everything else is `make up`'s command.
"""

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from common import ROOT, ms, percentile, use_bench_database
from storefront import free_port, start_server

SKUS_PER_SHOP = 50
UNITS = 1_000_000


def build(shoppers: int):
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from shared_apps.accounts import services as accounts
    from shared_apps.accounts.models import User
    from tenant_apps.catalog import outbox
    from tenant_apps.catalog.models import SKU, Product, ProductStatus
    from tenant_apps.freight import services as freight
    from tenant_apps.inventory import services as stock
    from tenant_apps.inventory.models import Location
    from tenants.models import Shop
    from tenants.services import shop_provision

    call_command("migrate_schemas", interactive=False, verbosity=0)
    owner = User.objects.filter(email="bench-checkout@example.com").first() or User.objects.create_user(
        "bench-checkout@example.com", "Bench#Password1")
    shops = []
    for sub in ("cka", "ckb"):
        shop = Shop.objects.filter(subdomain=sub).first() or shop_provision(
            subdomain=sub, name=f"Bench {sub}", company_name="Bench Co", owner=owner)
        with schema_context(shop.schema_name):
            if not SKU.objects.exists():
                product = Product.objects.create(title=f"Bench {sub}", status=ProductStatus.LISTED,
                                                 listed_at=timezone.now(), weight_grams=300)
                skus = SKU.objects.bulk_create([SKU(product=product, code=f"{sub}-{i}", sale_price=Decimal("20.00"))
                                                for i in range(SKUS_PER_SHOP)])
                location = Location.objects.first() or stock.location_create(data={"name": "WH", "code": "WH"})
                stock.movement_post(kind="purchase_receipt", actor_user_id=None, lines=[
                    stock.MovementLine(sku_id=s.pk, location_id=location.pk, quantity=UNITS, unit_cost="5.00")
                    for s in skus])
                freight.template_create(data={"name": "Express", "method": "express", "first_units": 1,
                                              "first_price": "8.00", "additional_units": 1,
                                              "additional_price": "1.00"})
                outbox.rebuild()
                outbox.drain_all()
            shops.append((shop.pk, list(SKU.objects.values_list("pk", flat=True))))
    people = []
    for i in range(shoppers):
        user = User.objects.filter(email=f"bench-shopper{i}@example.com").first()
        if user is None:
            user = User.objects.create_user(f"bench-shopper{i}@example.com", "Bench#Password1")
            accounts.address_create(user=user, data={
                "recipient_name": "买家", "phone": f"137{i:08d}", "province_code": "440000",
                "city_code": "440300", "district_code": "440305", "detail": "1 号"})
        from shared_apps.accounts.interface import address_default

        people.append((user, address_default(user_id=user.pk).id))
    return shops, people


def session_for(user, host: str) -> str:
    """A signed-in session on the mall host, as the sign-in page would leave it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["_host"] = host.split(":")[0]
    session.create()
    return session.session_key


class Shopper:
    def __init__(self, base: str, host: str, session_key: str, address_id: int):
        self.base, self.address_id = base, address_id
        self.http = requests.Session()
        self.csrf = secrets.token_hex(16)  # an unmasked 32-character secret, as the cookie holds
        self.http.cookies.set("sessionid", session_key)
        self.http.cookies.set("csrftoken", self.csrf)
        self.http.headers.update({"Host": host, "Origin": f"http://{host}", "Referer": f"http://{host}/",
                                  "X-CSRFToken": self.csrf})

    def post(self, path: str, body: dict) -> dict:
        answer = self.http.post(self.base + path, json=body, timeout=30)
        if answer.status_code >= 400:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
        return answer.json()

    def buy(self, shops) -> tuple[str, float]:
        for shop_id, skus in shops:
            self.post("/api/v1/cart/lines/", {"shop_id": shop_id, "sku_id": skus[secrets.randbelow(len(skus))]})
        started = time.perf_counter()
        order = self.post("/api/v1/checkout/", {
            "client_token": uuid.uuid4().hex, "address_id": self.address_id,
            "shops": [{"shop_id": shop_id, "delivery_method": "express"} for shop_id, _ in shops]})
        took = time.perf_counter() - started
        cashier = self.http.get(f"{self.base}/pay/sandbox/{order['number']}/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cashier.text)
        if cashier.status_code != 200 or token is None:
            raise RuntimeError(f"pay page: {cashier.status_code} {cashier.text[:300]}")
        paid = self.http.post(f"{self.base}/pay/sandbox/{order['number']}/", allow_redirects=False, timeout=30,
                              data={"action": "pay", "csrfmiddlewaretoken": token.group(1)})
        if paid.status_code != 302:
            raise RuntimeError(f"pay: {paid.status_code} {paid.text[:300]}")
        return order["number"], took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=16)
    parser.add_argument("--checkouts", type=int, default=480)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--database", default="mall_bench_checkout")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    port = free_port()
    os.environ["MALL_PORT"] = str(port)
    use_bench_database(args.database)

    from django.conf import settings

    from shared_apps.orders.models import Order, OrderStatus, SubOrder

    shops, people = build(args.shoppers)
    host = f"{settings.MALL_DOMAIN}:{port}"
    shoppers = [Shopper(f"http://127.0.0.1:{port}", host, session_for(user, host), address) for user, address in people]
    server = start_server(port)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend", "worker", "-l", "warning", "-c", str(args.workers),
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings.dev", "DEBUG": "false"},
        start_new_session=True)
    time.sleep(4)
    numbers: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    per_shopper = -(-args.checkouts // len(shoppers))

    def run(shopper: Shopper):
        for _ in range(per_shopper):
            number, took = shopper.buy(shops)
            with lock:
                numbers.append(number)
                latencies.append(took)

    try:
        started = time.time()
        with ThreadPoolExecutor(len(shoppers)) as pool:
            list(pool.map(run, shoppers))
        placed = time.time()
        deadline = placed + args.timeout
        while Order.objects.filter(number__in=numbers, status=OrderStatus.PAID).count() < len(numbers):
            if time.time() > deadline:
                raise RuntimeError("not every order was paid in time")
            time.sleep(0.1)
        last_paid = max(Order.objects.filter(number__in=numbers).values_list("paid_at", flat=True))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        os.killpg(worker.pid, signal.SIGTERM)
        server.wait(timeout=30)
        worker.wait(timeout=30)
    elapsed = last_paid.timestamp() - started
    sub_orders = SubOrder.objects.filter(order__number__in=numbers, status="paid").count()
    print(json.dumps({
        "checkouts": len(numbers),
        "checkouts_per_s": round(len(numbers) / elapsed, 1),
        "orders_per_s": round(sub_orders / elapsed, 1),
        "p95_ms": ms(percentile(latencies, 95)),
        "p50_ms": ms(percentile(latencies, 50)),
        "placing_s": round(placed - started, 2),
        "shoppers": len(shoppers),
    }))


if __name__ == "__main__":
    main()
