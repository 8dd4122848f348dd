"""A settlement run whose worker is killed (SIGKILL) in the middle leaves nothing but its run row;
the next run marks it failed and settles every line exactly once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.utils import timezone

from shared_apps.accounts import services as accounts
from shared_apps.payments.testing import sandbox_pay
from shared_apps.settlement import runs, selectors
from shared_apps.settlement.models import RunStatus, SettledLine, SettlementRun, Statement
from tests.conftest import database_url

from .conftest import express, fill_cart, stock_shop
from .test_checkout import place
from .test_settlement_run import complete


def _backend_waiting_on_lock(cursor) -> int | None:
    """The server process of the run, once it waits for the statement table."""
    cursor.execute("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                   ["%settlement_statement%"])
    row = cursor.fetchone()
    return row[0] if row else None


def _gone(cursor, pid: int) -> bool:
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
    return cursor.fetchone()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_a_killed_run_leaves_nothing_and_the_next_settles_once(racing_shop, shopper, in_process_delivery):
    stocked = stock_shop(racing_shop, prices=("100.00",))
    address = accounts.address_create(user=shopper, data={
        "recipient_name": "张三", "phone": "13800138000", "province_code": "440000", "city_code": "440300",
        "district_code": "440305", "detail": "科技园 1 号"})
    fill_cart(shopper, (racing_shop, stocked.skus[0], 1))
    order = place(shopper, address, express(racing_shop))
    sandbox_pay(order.number)
    complete(order.sub_orders.get())
    cutoff = (timezone.now() + timedelta(days=8)).isoformat()
    url = database_url()
    with psycopg.connect(url) as blocker:  # holds the statement table while the run reaches it
        blocker.execute("LOCK TABLE settlement_statement IN ACCESS EXCLUSIVE MODE")
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "settlement_run", "--cutoff", cutoff], cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "backend.settings.test"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with psycopg.connect(url, autocommit=True) as watcher, watcher.cursor() as cursor:
            deadline = time.monotonic() + 60
            while (backend := _backend_waiting_on_lock(cursor)) is None:
                assert worker.poll() is None, worker.communicate()
                assert time.monotonic() < deadline, "the run never reached the statements"
                time.sleep(0.1)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            blocker.rollback()  # the orphaned server process goes on, finds its client gone, rolls back
            while not _gone(cursor, backend):
                assert time.monotonic() < deadline + 60, "the killed run's server process never ended"
                time.sleep(0.1)
    dead = SettlementRun.objects.get()
    assert dead.status == RunStatus.RUNNING  # it never got to say anything else
    assert not Statement.objects.exists() and not SettledLine.objects.exists()
    again = runs.run_start(cutoff=timezone.now() + timedelta(days=8))
    assert (again.lines_settled, again.statements_made) == (1, 1)
    dead.refresh_from_db()
    assert (dead.status, dead.error) == (RunStatus.FAILED, "stopped before it finished")
    assert runs.run_start(cutoff=timezone.now() + timedelta(days=9)).lines_settled == 0
    assert selectors.ledger_balanced()
