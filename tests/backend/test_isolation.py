"""Isolation on the paths that are not pages: cache keys and background jobs."""

import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context

from backend.celery import app

SEEN_KEY = f"test-isolation:{uuid.uuid4().hex}"


@app.task(name="tests.record_schema")
def record_schema(marker: str) -> None:
    redis.Redis.from_url(settings.REDIS_URL).rpush(SEEN_KEY, f"{marker}:{connection.schema_name}")


@pytest.mark.django_db
def test_cache_entries_are_per_schema(shop_a, shop_b):
    with schema_context(shop_a.schema_name):
        cache.set("dashboard", "alpha's figures")
    with schema_context(shop_b.schema_name):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "beta's figures")
    with schema_context(shop_a.schema_name):
        assert cache.get("dashboard") == "alpha's figures"


@pytest.fixture
def live_worker(settings):
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_background_jobs_run_in_the_schema_they_were_sent_from(shop_a, shop_b, live_worker):
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(SEEN_KEY)
    try:
        with schema_context(shop_a.schema_name):
            record_schema.delay("a")
        with schema_context(shop_b.schema_name):
            record_schema.delay("b")
        record_schema.delay("public")
        seen = []
        for _ in range(100):
            item = client.blpop(SEEN_KEY, timeout=0.2)
            if item:
                seen.append(item[1].decode())
            if len(seen) == 3:
                break
        assert sorted(seen) == sorted([f"a:{shop_a.schema_name}", f"b:{shop_b.schema_name}", "public:public"])
    finally:
        client.delete(SEEN_KEY)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{shop_a.schema_name}" CASCADE')
            cursor.execute(f'DROP SCHEMA IF EXISTS "{shop_b.schema_name}" CASCADE')


@pytest.mark.django_db
def test_beat_fan_out_runs_a_shop_task_in_every_active_shop(shop_a, shop_b, operator, monkeypatch):
    from tenants.services import shop_change_status
    from tenants.tasks import for_each_active_shop

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, *a, **k: sent.append((name, connection.schema_name)))
    shop_change_status(shop_id=shop_b.pk, to_status="suspended", actor=operator, reason="检查")
    assert for_each_active_shop("tenant_apps.catalog.tasks.run_listing_schedule") == 1
    assert sent == [("tenant_apps.catalog.tasks.run_listing_schedule", shop_a.schema_name)]
