"""Settlement runs (结算): set-based SQL over every shop at once, one transaction per run.

A sub-order's lines become settleable when it is completed and its after-sales window (the shop's
days at checkout, never below the statutory floor) has passed since delivery or pickup, or when it
was cancelled after payment (refunded in full: its fees still settle). A run, up to its `cutoff`:

1. settles each such line not settled yet (version 1): its net paid amount (paid − refunded), the
   platform-funded discount on that net (the line's share, half-up to the fen) and the commission
   on both at the rate kept from the day of payment, half-up per line; and settles again (version
   n + 1, the differences only) each settled line whose net changed since, by a later refund —
   the claw-back;
2. posts, per shop, the commission (out of the payable; for money the shop took itself, into its
   receivable), the platform-funded discounts (into the payable) and the netting of the
   receivable against the payable;
3. makes one statement per shop that has anything to settle, covering every line of the shop's
   payable and receivable not covered yet that belongs to a settled sub-order or to no sub-order
   (penalties, adjustments, deposits withheld); payouts pay statements and are never in one;
4. totals each statement by kind of money; `net_payable` is what the platform owes for it.

No line is settled twice and no ledger line is in two statements (unique constraints, whatever
happens); runs take turns on an advisory lock, and a second run started meanwhile is refused with
409. Killed in the middle, a run leaves nothing (one transaction) but its row, which the next run
marks failed.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict
from shared_apps.orders.models import AFTER_SALES_FLOOR_DAYS

from . import postings
from .models import AccountKind, EntryKind, NormalSide, RunStatus, SettlementRun

log = logging.getLogger(__name__)
RUN_LOCK = (0x5E7, 1)  # pg_advisory lock key of settlement runs
OFFLINE = postings.OFFLINE_PROVIDER
NOT_IN_STATEMENTS = (EntryKind.PAYOUT_SENT, EntryKind.PAYOUT_PAID, EntryKind.PAYOUT_FAILED)

# The lines this run settles: new ones (version 1) and claw-backs (the differences).
CANDIDATES = """
CREATE TEMP TABLE run_lines ON COMMIT DROP AS
WITH due AS (
    SELECT s.id AS sub_order_id, s.shop_id,
           (s.payment_mode = 'at_pickup' OR o.payment_provider = %(offline)s) AS offline
      FROM orders_suborder s JOIN orders_order o ON o.id = s.order_id
     WHERE s.paid_amount > 0 AND s.paid_at IS NOT NULL
       AND ((s.status = 'completed'
             AND coalesce(s.delivered_at, s.completed_at)
                 + make_interval(days => greatest(s.after_sales_days, %(floor)s)) <= %(cutoff)s)
         OR (s.status = 'cancelled' AND s.cancelled_at <= %(cutoff)s))
), now_due AS (
    SELECT l.id AS order_line_id, d.sub_order_id, d.shop_id, d.offline,
           coalesce(l.commission_rate, 0) AS rate,
           l.paid_amount - l.refunded_amount AS net,
           CASE WHEN l.paid_amount > 0
                THEN round(l.platform_discount * (l.paid_amount - l.refunded_amount) / l.paid_amount, 2)
                ELSE l.platform_discount END AS discount
      FROM due d JOIN orders_orderline l ON l.sub_order_id = d.sub_order_id
     WHERE l.refunded_amount > 0  -- settled lines can change only by a refund
        OR NOT EXISTS (SELECT 1 FROM settlement_settledline x WHERE x.order_line_id = l.id)
), settled AS (
    SELECT x.order_line_id, max(x.version) AS version, sum(x.net_paid) AS net,
           sum(x.platform_discount) AS discount, sum(x.commission) AS commission
      FROM settlement_settledline x
     WHERE x.order_line_id IN (SELECT order_line_id FROM now_due)
     GROUP BY x.order_line_id
)
SELECT n.order_line_id, n.sub_order_id, n.shop_id, n.offline, n.rate,
       coalesce(s.version, 0) + 1 AS version,
       n.net - coalesce(s.net, 0) AS net_paid,
       n.discount - coalesce(s.discount, 0) AS platform_discount,
       round((n.net + n.discount) * n.rate, 2) - coalesce(s.commission, 0) AS commission
  FROM now_due n LEFT JOIN settled s ON s.order_line_id = n.order_line_id
 WHERE s.order_line_id IS NULL OR n.net <> s.net OR n.discount <> s.discount
"""

# Ledger lines of shops' payables and receivables not in a statement yet, that this run may
# cover: of a settled sub-order (now or earlier), or of no sub-order, up to the cutoff.
OPEN_LINES = """
CREATE TEMP TABLE run_open ON COMMIT DROP AS
SELECT jl.id AS journal_line_id, a.shop_id, a.kind AS account_kind, e.kind AS entry_kind, jl.amount
  FROM settlement_journalline jl
  JOIN settlement_account a ON a.id = jl.account_id AND a.kind IN ('shop_payable', 'shop_receivable')
  JOIN settlement_journalentry e ON e.id = jl.entry_id
 WHERE e.kind <> ALL(%(excluded)s) AND e.occurred_at <= %(cutoff)s
   AND NOT EXISTS (SELECT 1 FROM settlement_statemententry se WHERE se.journal_line_id = jl.id)
   AND (e.sub_order_id IS NULL
        OR EXISTS (SELECT 1 FROM settlement_settledline x WHERE x.sub_order_id = e.sub_order_id)
        OR EXISTS (SELECT 1 FROM run_sub_orders r WHERE r.sub_order_id = e.sub_order_id))
"""


def _execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.rowcount


def _try_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", list(RUN_LOCK))
        return cursor.fetchone()[0]


def run_start(*, cutoff=None, actor_user_id: int | None = None) -> SettlementRun:
    """Settle everything due by `cutoff` (default: now). 409 `run_in_progress` while another run
    holds the lock. The run row is written first, on its own, so a run that dies shows as failed."""
    cutoff = cutoff or timezone.now()
    with transaction.atomic():
        if not _try_lock():
            raise Conflict(_("A settlement run is in progress; try again when it has finished."),
                           code="run_in_progress")
        SettlementRun.objects.filter(status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error="stopped before it finished")
        run = SettlementRun.objects.create(cutoff=cutoff, started_by_user_id=actor_user_id)
    try:
        with transaction.atomic():
            if not _try_lock():
                raise Conflict(_("A settlement run is in progress; try again when it has finished."),
                               code="run_in_progress")
            _settle(run)
    except Exception as exc:
        SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(),
                                                      error=str(exc)[:300])
        raise
    run.refresh_from_db()
    return run


def _settle(run: SettlementRun) -> None:
    params = {"run": run.pk, "cutoff": run.cutoff, "floor": AFTER_SALES_FLOOR_DAYS, "offline": OFFLINE,
              "excluded": list(NOT_IN_STATEMENTS), "now": timezone.now()}
    _post_missing_captures(run.cutoff)
    # The scratch tables go with the transaction; dropped here too for a run inside an outer one.
    _execute("DROP TABLE IF EXISTS run_lines, run_sub_orders, run_open, run_shops, run_amounts, run_posted")
    _execute(CANDIDATES, params)
    # The run's sub-orders, keyed and counted, for OPEN_LINES: an `IN (SELECT … FROM run_lines)`
    # under its OR cannot become a join, and once the lines outgrow work_mem PostgreSQL scans them
    # all again for every ledger line (hours, not seconds, for a million lines).
    _execute("ANALYZE run_lines")
    _execute("""
        CREATE TEMP TABLE run_sub_orders ON COMMIT DROP AS SELECT DISTINCT sub_order_id FROM run_lines""")
    _execute("ALTER TABLE run_sub_orders ADD PRIMARY KEY (sub_order_id)")
    _execute("ANALYZE run_sub_orders")
    _execute(OPEN_LINES, params)
    _execute("""
        CREATE TEMP TABLE run_shops ON COMMIT DROP AS
        SELECT shop_id FROM run_lines UNION SELECT shop_id FROM run_open""")
    _accounts_for_run_shops()
    statements = _execute("""
        INSERT INTO settlement_statement (number, run_id, shop_id, period_start, period_end, gross_sales, refunds,
               commission, fees, platform_discounts, penalties, adjustments, offline_commission, deposits,
               net_payable, offline_sales, line_count, created_at)
        SELECT 'ST' || lpad(%(run)s::text, 6, '0') || '-' || r.shop_id, %(run)s, r.shop_id,
               (SELECT max(p.period_end) FROM settlement_statement p WHERE p.shop_id = r.shop_id),
               %(cutoff)s, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, %(now)s
          FROM run_shops r""", params)
    lines = _execute("""
        INSERT INTO settlement_settledline (statement_id, order_line_id, sub_order_id, version, net_paid,
               platform_discount, commission_rate, commission, offline)
        SELECT st.id, c.order_line_id, c.sub_order_id, c.version, c.net_paid, c.platform_discount, c.rate,
               c.commission, c.offline
          FROM run_lines c JOIN settlement_statement st ON st.run_id = %(run)s AND st.shop_id = c.shop_id""",
                     params)
    _post_run_entries(params)
    _execute("""
        INSERT INTO settlement_statemententry (statement_id, journal_line_id)
        SELECT st.id, o.journal_line_id
          FROM run_open o JOIN settlement_statement st ON st.run_id = %(run)s AND st.shop_id = o.shop_id""",
             params)
    _total(params)
    SettlementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FINISHED, finished_at=timezone.now(), lines_settled=lines, statements_made=statements)


def _post_missing_captures(cutoff) -> None:
    """A capture a lost task never posted would leave its money out of the statement: post it
    first (normally there is none)."""
    from shared_apps.orders.models import SubOrder

    from .models import JournalEntry

    # NOT EXISTS (an anti-join) rather than NOT IN, whose list of every capture ever posted
    # PostgreSQL would scan once per sub-order as soon as it outgrows work_mem.
    missing = (postings.online_sub_orders(SubOrder.objects.filter(paid_at__isnull=False, paid_amount__gt=0,
                                                                    paid_at__lte=cutoff))
               .alias(posted=Exists(JournalEntry.objects.filter(kind=EntryKind.PAYMENT_CAPTURED,
                                                                sub_order_id=OuterRef("pk"))))
               .filter(posted=False)
               .values_list("pk", flat=True))
    for pk in missing:
        log.warning("settlement: posting the missing capture of sub-order %s", pk)
        postings.sale_paid(pk)
    postings.rates_missing(SubOrder.objects.filter(paid_at__lte=cutoff))


def _accounts_for_run_shops() -> None:
    for kind in (AccountKind.SHOP_PAYABLE, AccountKind.SHOP_RECEIVABLE):
        _execute("""
            INSERT INTO settlement_account (code, kind, shop_id, provider, normal_side, created_at)
            SELECT %(kind)s || ':' || shop_id, %(kind)s, shop_id, '', %(side)s, now() FROM run_shops
            ON CONFLICT (code) DO NOTHING""",
                 {"kind": kind, "side": NormalSide.CREDIT if kind == AccountKind.SHOP_PAYABLE else NormalSide.DEBIT})
    for kind in (AccountKind.COMMISSION_REVENUE, AccountKind.PLATFORM_DISCOUNTS):
        from . import services

        services.platform_account(kind=kind)


# Per shop and run: (what, entry kind, the shop's account, amount from run_lines, platform account).
# Amounts are in the shop account's debit direction: positive takes from the shop.
RUN_POSTINGS = (
    ("commission", EntryKind.COMMISSION, AccountKind.SHOP_PAYABLE,
     "sum(commission) FILTER (WHERE NOT offline)", AccountKind.COMMISSION_REVENUE),
    ("offline_commission", EntryKind.COMMISSION, AccountKind.SHOP_RECEIVABLE,
     "sum(commission) FILTER (WHERE offline)", AccountKind.COMMISSION_REVENUE),
    ("platform_discount", EntryKind.PLATFORM_DISCOUNT, AccountKind.SHOP_PAYABLE,
     "-sum(platform_discount)", AccountKind.PLATFORM_DISCOUNTS),
)


def _post_run_entries(params: dict) -> None:
    """Post the run's commission and platform discounts per shop, then net each shop's
    receivable (all of it not in a statement yet) against its payable; every new line joins
    run_open, to be covered by this run's statement."""
    for what, entry_kind, shop_kind, amount_sql, platform_kind in RUN_POSTINGS:
        _execute(f"""
            CREATE TEMP TABLE run_amounts ON COMMIT DROP AS
            SELECT shop_id, {amount_sql} AS amount FROM run_lines GROUP BY shop_id""")
        _post_per_shop(params, what=what, entry_kind=entry_kind, shop_kind=shop_kind, platform_kind=platform_kind)
        _execute("DROP TABLE run_amounts")
    _execute("""
        CREATE TEMP TABLE run_amounts ON COMMIT DROP AS
        SELECT shop_id, -sum(amount) AS amount FROM run_open WHERE account_kind = 'shop_receivable'
         GROUP BY shop_id""")
    _post_per_shop(params, what="receivable_offset", entry_kind=EntryKind.RECEIVABLE_OFFSET,
                   shop_kind=AccountKind.SHOP_RECEIVABLE, other_shop_kind=AccountKind.SHOP_PAYABLE)
    _execute("DROP TABLE run_amounts")


def _post_per_shop(params: dict, *, what: str, entry_kind: str, shop_kind: str, platform_kind: str = "",
                   other_shop_kind: str = "") -> None:
    """One entry per shop of run_amounts (amount ≠ 0): `amount` on the shop's `shop_kind` account
    (debit positive), the opposite on the platform's `platform_kind` account or on the shop's
    `other_shop_kind` account. Set-based; the ledger's triggers check every entry balances."""
    values = {**params, "what": what, "entry_kind": entry_kind, "shop_kind": shop_kind,
              "platform_code": platform_kind, "other_kind": other_shop_kind}
    _execute("CREATE TEMP TABLE run_posted (entry_id bigint, shop_id bigint, amount numeric) ON COMMIT DROP")
    _execute("""
        WITH made AS (
            INSERT INTO settlement_journalentry (kind, source_key, memo, reference, occurred_at, posted_at)
            SELECT %(entry_kind)s, 'run:' || %(run)s || ':' || shop_id || ':' || %(what)s,
                   'settlement run ' || %(run)s, 'run:' || %(run)s, %(cutoff)s, %(now)s
              FROM run_amounts WHERE coalesce(amount, 0) <> 0
            RETURNING id, source_key
        )
        INSERT INTO run_posted (entry_id, shop_id, amount)
        SELECT m.id, r.shop_id, r.amount
          FROM made m JOIN run_amounts r ON m.source_key = 'run:' || %(run)s || ':' || r.shop_id || ':' || %(what)s
    """, values)
    _execute("""
        INSERT INTO settlement_journalline (entry_id, account_id, amount)
        SELECT p.entry_id, a.id, p.amount FROM run_posted p
          JOIN settlement_account a ON a.code = %(shop_kind)s || ':' || p.shop_id
        UNION ALL
        SELECT p.entry_id, a.id, -p.amount FROM run_posted p
          JOIN settlement_account a ON a.code = CASE WHEN %(other_kind)s = '' THEN %(platform_code)s
                                                     ELSE %(other_kind)s || ':' || p.shop_id END
    """, values)
    _execute("""
        INSERT INTO run_open (journal_line_id, shop_id, account_kind, entry_kind, amount)
        SELECT jl.id, p.shop_id, a.kind, %(entry_kind)s, jl.amount
          FROM run_posted p JOIN settlement_journalline jl ON jl.entry_id = p.entry_id
          JOIN settlement_account a ON a.id = jl.account_id AND a.shop_id IS NOT NULL
    """, values)
    _execute("DROP TABLE run_posted")


# Statement columns from the shop's covered ledger lines, in the shop's favour (credit = +).
TOTALS = {
    "gross_sales": "entry_kind = 'payment_captured'",
    "refunds": "entry_kind IN ('refund', 'refund_failed')",
    "commission": "entry_kind = 'commission' AND account_kind = 'shop_payable'",
    "fees": "entry_kind = 'fee_charged'",
    "platform_discounts": "entry_kind = 'platform_discount'",
    "penalties": "entry_kind = 'penalty'",
    "adjustments": "entry_kind = 'adjustment'",
    "offline_commission": "entry_kind = 'receivable_offset' AND account_kind = 'shop_payable'",
    "deposits": "entry_kind IN ('deposit_paid', 'deposit_deducted')",
}


def _total(params: dict) -> None:
    sums = ",\n".join(
        f"-coalesce(sum(amount) FILTER (WHERE account_kind = 'shop_payable' AND {where}), 0) AS {column}"
        for column, where in TOTALS.items())
    _execute(f"""
        UPDATE settlement_statement st SET {", ".join(f"{c} = t.{c}" for c in TOTALS)},
               net_payable = t.net_payable
          FROM (SELECT shop_id, {sums},
                       -coalesce(sum(amount) FILTER (WHERE account_kind = 'shop_payable'), 0) AS net_payable
                  FROM run_open GROUP BY shop_id) t
         WHERE st.run_id = %(run)s AND st.shop_id = t.shop_id""", params)
    _execute("""
        UPDATE settlement_statement st SET line_count = t.n, offline_sales = t.offline_sales
          FROM (SELECT x.statement_id, count(*) AS n,
                       coalesce(sum(x.net_paid) FILTER (WHERE x.offline), 0) AS offline_sales
                  FROM settlement_settledline x JOIN settlement_statement s ON s.id = x.statement_id
                 WHERE s.run_id = %(run)s GROUP BY x.statement_id) t
         WHERE st.id = t.statement_id""", params)
