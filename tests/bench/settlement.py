"""Settlement benchmark: one full settlement run over many shops and a million order lines.

    python tests/bench/settlement.py [--shops 1000] [--lines 1000000]
                                     [--database mall_bench_settlement] [--keep]

The data is built with set-based SQL, as the live system would have left it (not timed):
shops as platform rows only (the ledger never enters a shop's schema, so no schema is
provisioned), orders of one or two shops' sub-orders with one to seven lines each, completed
long enough ago that every after-sales window (7 or 15 days) has passed. Prices are mixed; a
quarter of the lines carry a platform-funded discount, a fifth a shop discount, one in twenty is
partly refunded; commission rates of 5 % and 3 % are kept on the lines. One order in ten is paid
at pickup and one in fifty by bank transfer to the shop (the shop holds that money); the rest is
paid online through the sandbox, with the ledger entries the postings would have made: per
sub-order its capture (cash less the provider fee, the fee, the shop's payable) and the shop's
share of the fee, and for partly refunded ones the refund charged to the shop and paid back.

Timed: one `runs.run_start()` (every line settles, one statement per shop). Then the ledger
must balance, every fen of the shops' payables must be in a statement, and a second run must
settle nothing. Prints one JSON line: {"shops", "lines", "seconds", "ledger_balanced",
"statements", "lines_settled", "setup_seconds", …}.

--keep reuses the data an earlier invocation built in the database (same sizes) instead of
building it again: the earlier run's statements, settled lines and postings are removed first.
"""

import argparse
import json
import time

from common import use_bench_database

SCHEMA_PREFIX = "bench_settle_"
FEE_RATE = "0.006"  # the sandbox's fee on a payment

# Orders and settlement tables the bench owns in its database (emptied before a build).
TABLES = ("settlement_statemententry", "settlement_settledline", "settlement_statement", "settlement_settlementrun",
          "settlement_journalline", "settlement_journalentry", "settlement_account",
          "orders_orderrefundline", "orders_orderrefund", "orders_suborderstatuschange",
          "orders_orderline", "orders_suborder", "orders_order")

# Sub-order k (1…) has 1 + (k·37 mod 7) lines (4 on average), the last one cut to reach --lines
# exactly; sub-orders 2o−1 and 2o make order o, each at its own shop (o hashed, plus k).
PLAN = """
CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
SELECT k, (k + 1) / 2 AS o, least(c, %(lines)s - (s - c)) AS c, s - c AS first
  FROM (SELECT k, c, sum(c) OVER (ORDER BY k) AS s
          FROM (SELECT k, 1 + (k * 37 %% 7) AS c FROM generate_series(1, %(lines)s) k) a) b
 WHERE s - c < %(lines)s
"""

LINES = """
CREATE TEMP TABLE bench_lines ON COMMIT DROP AS
SELECT i, k, goods, shop_discount, platform_discount, goods - shop_discount - platform_discount AS paid,
       CASE WHEN i %% 20 = 3 THEN round((goods - shop_discount - platform_discount) * 0.40, 2) ELSE 0 END
           AS refunded
  FROM (SELECT i, k, goods,
               CASE WHEN i %% 5 = 0 THEN round(goods * 0.10, 2) ELSE 0 END AS shop_discount,
               CASE WHEN i %% 4 = 1 THEN round(goods * 0.05, 2) ELSE 0 END AS platform_discount
          FROM (SELECT i, p.k, (9.90 + (i * 7919 %% 49000) / 100.0)::numeric(12, 2) * (1 + i %% 3) AS goods
                  FROM bench_plan p, generate_series(p.first + 1, p.first + p.c) i) a) b
"""

INSERT_LINES = """
INSERT INTO orders_orderline (id, sub_order_id, sku_id, product_id, sku_code, title, spec, image, category_id,
       unit_price, quantity, goods_amount, shop_discount, platform_discount, payable_amount, paid_amount,
       refunded_amount, commission_rate)
SELECT i, k, i, i / 2 + 1, 'SKU' || i, 'Bench item ' || i, '{}', '', 1 + i %% 30,
       goods / (1 + i %% 3), 1 + i %% 3, goods, shop_discount, platform_discount, paid, paid, refunded,
       CASE WHEN i %% 3 = 0 THEN 0.0300 ELSE 0.0500 END
  FROM bench_lines
"""

# One in ten orders is picked up and paid at the counter, one in fifty paid by bank transfer to
# the shop ("offline"); the rest online (sandbox). Paid 60 to 120 days ago, delivered 3 days later.
SUB_ORDERS = """
CREATE TEMP TABLE bench_subs ON COMMIT DROP AS
SELECT p.k, p.o, %(first_shop)s + (abs(hashint4(p.o::int)::bigint) + p.k) %% %(shops)s AS shop_id,
       p.o %% 10 = 0 AS pickup,
       CASE WHEN p.o %% 10 = 0 THEN '' WHEN p.o %% 50 = 7 THEN 'offline' ELSE 'sandbox' END AS provider,
       t.goods, t.shop_discount, t.platform_discount, t.refunded,
       CASE WHEN p.o %% 10 = 0 OR p.k %% 4 = 0 THEN 0 ELSE 8.00 END AS shipping,
       now() - interval '120 days' + (p.o %% 60) * interval '1 day' + (p.o %% 86400) * interval '1 second'
           AS paid_at,
       CASE WHEN p.k %% 3 = 0 THEN 15 ELSE 7 END AS after_sales_days
  FROM bench_plan p
  JOIN (SELECT k, sum(goods) AS goods, sum(shop_discount) AS shop_discount,
               sum(platform_discount) AS platform_discount, sum(refunded) AS refunded
          FROM bench_lines GROUP BY k) t ON t.k = p.k
"""

INSERT_SUB_ORDERS = """
INSERT INTO orders_suborder (id, order_id, number, shop_id, user_id, status, delivery_method, pickup_location,
       pickup_code, payment_mode, offline_payment_number, goods_amount, shipping_amount, shop_discount,
       platform_discount, payable_amount, paid_amount, refunded_amount, shop_coupon_code, invoice, buyer_note,
       requires_confirmation, auto_complete_days, after_sales_days, paid_at, shipped_at, delivered_at,
       completed_at, created_at)
SELECT k, o, 'S' || lpad(k::text, 12, '0'), shop_id, 100000 + o %% 50000, 'completed',
       CASE WHEN pickup THEN 'pickup' ELSE 'express' END, '{}', CASE WHEN pickup THEN lpad((k %% 1000000)::text, 6, '0')
       ELSE '' END, CASE WHEN pickup THEN 'at_pickup' ELSE 'online' END,
       CASE WHEN pickup THEN 'F' || lpad(k::text, 12, '0') ELSE '' END,
       goods, shipping, shop_discount, platform_discount, goods + shipping - shop_discount - platform_discount,
       goods + shipping - shop_discount - platform_discount, refunded, '', '{}', '', false, 7, after_sales_days,
       paid_at, CASE WHEN pickup THEN NULL ELSE paid_at + interval '1 day' END, paid_at + interval '3 days',
       paid_at + interval '10 days', paid_at - interval '5 minutes'
  FROM bench_subs
"""

INSERT_ORDERS = """
INSERT INTO orders_order (id, number, user_id, status, goods_amount, shipping_amount, shop_discount,
       platform_discount, payable_amount, online_amount, payment_provider, address, client_token, expires_at,
       paid_at, created_at)
SELECT o, 'B' || lpad(o::text, 12, '0'), 100000 + o %% 50000, 'paid', sum(goods), sum(shipping),
       sum(shop_discount), sum(platform_discount), sum(goods + shipping - shop_discount - platform_discount),
       CASE WHEN min(provider) = 'sandbox' THEN sum(goods + shipping - shop_discount - platform_discount) ELSE 0 END,
       min(provider), '{}', 'bench-' || o, min(paid_at) + interval '25 minutes', min(paid_at),
       min(paid_at) - interval '5 minutes'
  FROM bench_subs GROUP BY o
"""

# The postings of online sub-orders (postings.sale_paid, refund_moved), entry ids 4k … 4k+3.
LEDGER = """
CREATE TEMP TABLE bench_sales ON COMMIT DROP AS
SELECT k, 'S' || lpad(k::text, 12, '0') AS number, 'P' || lpad(o::text, 12, '0') AS payment,
       paid_at, paid_at + interval '5 days' AS refunded_at,
       goods + shipping - shop_discount - platform_discount AS paid,
       round((goods + shipping - shop_discount - platform_discount) * %(fee_rate)s, 2) AS fee, refunded,
       (SELECT a.id FROM settlement_account a WHERE a.code = 'shop_payable:' || b.shop_id) AS payable
  FROM bench_subs b WHERE provider = 'sandbox'
"""

ENTRIES = """
INSERT INTO settlement_journalentry (id, kind, source_key, memo, reference, sub_order_id, occurred_at, posted_at)
SELECT 4 * k, 'payment_captured', 'sale:' || number || ':captured', '', payment, k, paid_at, paid_at
  FROM bench_sales
UNION ALL
SELECT 4 * k + 1, 'fee_charged', 'sale:' || number || ':fee', '', payment, k, paid_at, paid_at
  FROM bench_sales WHERE fee > 0
UNION ALL
SELECT 4 * k + 2, 'refund', 'refund:' || number || '-R1:1:charged', '', number || '-R1', k, refunded_at,
       refunded_at
  FROM bench_sales WHERE refunded > 0
UNION ALL
SELECT 4 * k + 3, 'refund_paid', 'refund:' || number || '-R1:paid', '', number || '-R1', NULL, refunded_at,
       refunded_at
  FROM bench_sales WHERE refunded > 0
"""

JOURNAL_LINES = """
INSERT INTO settlement_journalline (entry_id, account_id, amount)
SELECT 4 * k, %(cash)s, paid - fee FROM bench_sales
UNION ALL SELECT 4 * k, %(fees)s, fee FROM bench_sales WHERE fee > 0
UNION ALL SELECT 4 * k, payable, -paid FROM bench_sales
UNION ALL SELECT 4 * k + 1, payable, fee FROM bench_sales WHERE fee > 0
UNION ALL SELECT 4 * k + 1, %(fees)s, -fee FROM bench_sales WHERE fee > 0
UNION ALL SELECT 4 * k + 2, payable, refunded FROM bench_sales WHERE refunded > 0
UNION ALL SELECT 4 * k + 2, %(clearing)s, -refunded FROM bench_sales WHERE refunded > 0
UNION ALL SELECT 4 * k + 3, %(clearing)s, refunded FROM bench_sales WHERE refunded > 0
UNION ALL SELECT 4 * k + 3, %(cash)s, -refunded FROM bench_sales WHERE refunded > 0
"""


def sql(statement: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})
        return cursor.rowcount


def value(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})
        return cursor.fetchone()[0]


def restart_identity(table: str) -> None:
    sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1,"
        " false)")


def build(shops: int, lines: int) -> None:
    """Empty the bench's tables and build shops, orders and their postings (a few minutes for a
    million lines, most of it the ledger's deferred balance checks at commit)."""
    from django.db import transaction

    from shared_apps.accounts.models import User
    from shared_apps.settlement.models import NORMAL_SIDE, AccountKind

    sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    sql("DELETE FROM tenants_shop WHERE schema_name LIKE %(prefix)s", {"prefix": SCHEMA_PREFIX + "%"})
    owner = User.objects.filter(email="bench-settlement@example.com").first() or User.objects.create_user(
        "bench-settlement@example.com", "Bench#Password1")
    with transaction.atomic():
        sql("""INSERT INTO tenants_shop (schema_name, subdomain, name, company_name, status, status_reason,
                      payouts_paused, created_at, owner_id)
               SELECT %(prefix)s || g, 'bset' || g, 'Bench shop ' || g, 'Bench Co ' || g, 'active', '', false,
                      now(), %(owner)s
                 FROM generate_series(1, %(shops)s) g""",
            {"prefix": SCHEMA_PREFIX, "owner": owner.pk, "shops": shops})
        first_shop = value("SELECT min(id) FROM tenants_shop WHERE schema_name LIKE %(prefix)s",
                           {"prefix": SCHEMA_PREFIX + "%"})
        params = {"lines": lines, "shops": shops, "first_shop": first_shop, "fee_rate": FEE_RATE}
        sql(PLAN, params)
        sql(LINES, params)
        sql(INSERT_LINES, params)
        sql(SUB_ORDERS, params)
        sql(INSERT_SUB_ORDERS, params)
        sql(INSERT_ORDERS, params)
    for table in ("orders_order", "orders_suborder", "orders_orderline"):
        restart_identity(table)
    with transaction.atomic():
        # Accounts named as services._account names them.
        sql("""INSERT INTO settlement_account (code, kind, shop_id, provider, normal_side, created_at)
               SELECT 'shop_payable:' || id, 'shop_payable', id, '', %(credit)s, now()
                 FROM tenants_shop WHERE schema_name LIKE %(prefix)s
               UNION ALL SELECT 'provider_cash:sandbox', 'provider_cash', NULL, 'sandbox', %(cash)s, now()
               UNION ALL SELECT 'provider_fees', 'provider_fees', NULL, '', %(fees)s, now()
               UNION ALL SELECT 'refunds_clearing', 'refunds_clearing', NULL, '', %(clearing)s, now()""",
            {"prefix": SCHEMA_PREFIX + "%", "credit": NORMAL_SIDE[AccountKind.SHOP_PAYABLE],
             "cash": NORMAL_SIDE[AccountKind.PROVIDER_CASH], "fees": NORMAL_SIDE[AccountKind.PROVIDER_FEES],
             "clearing": NORMAL_SIDE[AccountKind.REFUNDS_CLEARING]})
        accounts = {code: value("SELECT id FROM settlement_account WHERE code = %s", [code])
                    for code in ("provider_cash:sandbox", "provider_fees", "refunds_clearing")}
        # bench_subs went with the first transaction: rebuilt here from the rows just written.
        sql("""CREATE TEMP TABLE bench_subs ON COMMIT DROP AS
               SELECT s.id AS k, s.order_id AS o, s.shop_id, o.payment_provider AS provider, s.paid_at,
                      s.goods_amount AS goods, s.shipping_amount AS shipping, s.shop_discount,
                      s.platform_discount, s.refunded_amount AS refunded
                 FROM orders_suborder s JOIN orders_order o ON o.id = s.order_id
                WHERE s.payment_mode = 'online'""")
        sql(LEDGER, {"fee_rate": FEE_RATE})
        sql(ENTRIES)
        sql(JOURNAL_LINES, {"cash": accounts["provider_cash:sandbox"], "fees": accounts["provider_fees"],
                            "clearing": accounts["refunds_clearing"]})
    for table in ("settlement_account", "settlement_journalentry", "settlement_journalline"):
        restart_identity(table)
    analyze()


def analyze() -> None:
    """Statistics and visibility maps as a live database's autovacuum would have them."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in TABLES + ("tenants_shop",):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def reusable(shops: int, lines: int) -> bool:
    return (value("SELECT count(*) FROM tenants_shop WHERE schema_name LIKE %(prefix)s",
                  {"prefix": SCHEMA_PREFIX + "%"}) == shops
            and value("SELECT count(*) FROM orders_orderline") == lines)


def undo_runs() -> None:
    """Remove what earlier runs made, for --keep. The ledger refuses DELETE (append-only
    triggers), so this bench-only reset turns triggers off for its own transaction
    (session_replication_role = replica) to take back the runs' postings."""
    from django.db import transaction

    with transaction.atomic():
        sql("TRUNCATE settlement_statemententry, settlement_settledline, settlement_statement, "
            "settlement_settlementrun")
        sql("SET LOCAL session_replication_role = replica")
        sql("""DELETE FROM settlement_journalline WHERE entry_id IN
               (SELECT id FROM settlement_journalentry WHERE source_key LIKE 'run:%%')""")
        sql("DELETE FROM settlement_journalentry WHERE source_key LIKE 'run:%%'")
    analyze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=1_000_000, help="settleable order lines")
    parser.add_argument("--database", default="mall_bench_settlement")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the data an earlier invocation built (same sizes) instead of rebuilding it")
    args = parser.parse_args()
    use_bench_database(args.database)

    from django.core.management import call_command
    from django.db.models import Sum

    from shared_apps.settlement import runs, selectors
    from shared_apps.settlement.models import JournalLine, Statement

    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    started = time.perf_counter()
    reused = args.keep and reusable(args.shops, args.lines)
    if reused:
        undo_runs()
    else:
        build(args.shops, args.lines)
    setup = time.perf_counter() - started

    started = time.perf_counter()
    run = runs.run_start()
    seconds = time.perf_counter() - started

    balanced = selectors.ledger_balanced()
    # Every fen the platform owes the shops is in exactly one statement.
    owed = -(JournalLine.objects.filter(account__kind="shop_payable").aggregate(s=Sum("amount"))["s"] or 0)
    in_statements = Statement.objects.aggregate(s=Sum("net_payable"))["s"] or 0
    started = time.perf_counter()
    again = runs.run_start()
    second = time.perf_counter() - started
    print(json.dumps({
        "shops": args.shops,
        "lines": args.lines,
        "seconds": round(seconds, 2),
        "ledger_balanced": balanced,
        "statements": run.statements_made,
        "lines_settled": run.lines_settled,
        "payables_in_statements": owed == in_statements,
        "second_run_settled": again.lines_settled + again.statements_made,
        "second_run_seconds": round(second, 2),
        "setup_seconds": round(setup, 1),
        "setup_reused": reused,
    }))


if __name__ == "__main__":
    main()
