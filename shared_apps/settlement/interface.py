"""Settlement's interface to the rest of the mall.

What orders tell settlement (`sales_paid`, `refund_moved`): call inside the transaction that
moved the money; the ledger is posted after it commits (a Celery task; the beat sweep
`ledger_catch_up` posts what a lost task left out), so a rolled-back payment posts nothing and a
slow ledger never slows a payment.

What a shop reads of its own settlement (`shop_balance`, `shop_statements`, `shop_statement`,
`shop_statement_lines`, `shop_payouts`), for the merchant console's finance pages and API.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import islice

from django.db import transaction
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from .models import (
    AccountKind,
    JournalLine,
    Payout,
    PayoutMove,
    PayoutStatus,
    SettledLine,
    Statement,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


def sales_paid(*, sub_order_ids: list[int]) -> None:
    """Sub-orders were paid (online: the sub-orders of one payment; at the counter or by bank
    transfer): one task posts them all."""
    from .tasks import post_sales

    if sub_order_ids:
        transaction.on_commit(lambda: post_sales.delay(list(sub_order_ids)))


def refund_moved(*, refund_id: int) -> None:
    """A refund was asked for, tried again, or the provider answered it."""
    from .tasks import post_refund

    transaction.on_commit(lambda: post_refund.delay(refund_id))


# --- what a shop reads of its own settlement (the merchant console) ------------------------------
#
# Every read takes the shop id from the caller (the host's shop, never the request's input) and
# filters by it, so a shop never reads another's statement, line or payout: an id of another
# shop's row reads as missing. Rows come back as frozen dataclasses; lists come back as `Rows`,
# lazy sequences a Paginator (Django's or DRF's) pages through with two queries per page.


@dataclass(frozen=True)
class ShopBalance:
    """What the platform owes the shop (its payable balance), split into the part in statements
    not paid out yet (no payout, or a payout still pending) and the part not settled yet (sales
    whose after-sales window is open, and the like); money in payouts sent but not confirmed;
    and the deposit (保证金) the platform holds."""

    owed: Decimal
    in_statements: Decimal
    not_settled: Decimal
    in_transit: Decimal
    deposit: Decimal


@dataclass(frozen=True)
class StatementRow:
    """A statement (对账单) with its totals in the shop's favour (negative: against it)."""

    id: int
    number: str
    period_start: datetime | None
    period_end: datetime
    gross_sales: Decimal
    refunds: Decimal
    commission: Decimal
    fees: Decimal
    platform_discounts: Decimal
    penalties: Decimal
    adjustments: Decimal
    offline_commission: Decimal
    deposits: Decimal
    net_payable: Decimal
    offline_sales: Decimal
    line_count: int
    created_at: datetime
    payout_id: int | None
    payout_number: str
    payout_status: str


# The totals of a statement in the order a statement shows them; net_payable is their sum.
STATEMENT_TOTALS = ("gross_sales", "refunds", "commission", "fees", "platform_discounts", "penalties",
                    "adjustments", "offline_commission", "deposits")


@dataclass(frozen=True)
class SettledLineRow:
    """An order line settled in a statement; version > 1 is a claw-back (差额) after a refund."""

    id: int
    order_line_id: int
    sub_order_id: int
    sub_order_number: str
    sku_code: str
    title: str
    quantity: int
    net_paid: Decimal
    platform_discount: Decimal
    commission_rate: Decimal
    commission: Decimal
    version: int
    offline: bool

    @property
    def is_clawback(self) -> bool:
        return self.version > 1

    @property
    def commission_percent(self) -> Decimal:
        """0.0550 → 5.50"""
        return (self.commission_rate * 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class EntryKindTotal:
    """The statement's ledger lines of one kind of money event, on the shop's payable or
    receivable, added up in the shop's favour."""

    kind: str
    account_kind: str
    amount: Decimal
    lines: int


@dataclass(frozen=True)
class PayoutMoveRow:
    from_status: str
    to_status: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class PayoutRow:
    """A payout (打款) to the shop, with the statements it pays and its moves, oldest first.
    Only the last four digits of the account number."""

    id: int
    number: str
    amount: Decimal
    channel: str
    status: str
    bank_name: str
    account_last4: str
    channel_reference: str
    failure_reason: str
    created_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None
    statement_numbers: tuple[str, ...]
    moves: tuple[PayoutMoveRow, ...]


@dataclass(frozen=True)
class StatementDetail:
    statement: StatementRow
    entries: tuple[EntryKindTotal, ...]
    payout: PayoutRow | None  # the payout that pays (or is paying) it; None while unpaid


class Rows(Sequence):
    """A lazy, sliceable list of dataclasses over a queryset: `build` turns one slice of model
    rows into dataclasses (with one more query at most), so a page costs the same few queries
    however long the list is."""

    def __init__(self, queryset: QuerySet, build: Callable[[list], list]):
        self._queryset = queryset
        self._build = build
        self.ordered = True  # for Paginator's warning: the querysets here are ordered

    def count(self) -> int:  # type: ignore[override]  # what Paginator asks for
        return self._queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return self._build(list(self._queryset[index]))
        return self._build([self._queryset[index]])[0]

    def __iter__(self) -> Iterator:
        """Every row, read in chunks (a download of a long statement)."""
        rows = self._queryset.iterator(chunk_size=CHUNK)
        while chunk := list(islice(rows, CHUNK)):
            yield from self._build(chunk)


CHUNK = 2000


def _statement_row(st: Statement) -> StatementRow:
    payout = st.payout
    return StatementRow(
        id=st.pk, number=st.number, period_start=st.period_start, period_end=st.period_end,
        **{name: getattr(st, name) for name in (*STATEMENT_TOTALS, "net_payable", "offline_sales")},
        line_count=st.line_count, created_at=st.created_at, payout_id=st.payout_id,
        payout_number=payout.number if payout else "", payout_status=payout.status if payout else "")


def _statements(shop_id: int) -> QuerySet[Statement]:
    return Statement.objects.filter(shop_id=shop_id).select_related("payout").order_by("-period_end", "-id")


def shop_statements(*, shop_id: int) -> Rows:
    """The shop's statements, newest first."""
    return Rows(_statements(shop_id), lambda rows: [_statement_row(st) for st in rows])


def shop_statement(*, shop_id: int, statement_id: int) -> StatementDetail | None:
    """One of the shop's statements with its ledger lines added up by kind and the payout that
    pays it; None when the shop has no statement of that id. Two queries, four with a payout."""
    st = _statements(shop_id).filter(pk=statement_id).first()
    if st is None:
        return None
    entries = (JournalLine.objects.filter(statement_entry__statement=st)
               .values("entry__kind", "account__kind")
               .annotate(total=Sum("amount"), n=Count("id")).order_by("account__kind", "entry__kind"))
    payout = _payout_rows([st.payout])[0] if st.payout is not None else None
    return StatementDetail(
        statement=_statement_row(st),
        # In the shop's favour: a credit to its payable (what the platform owes it) is +.
        entries=tuple(EntryKindTotal(kind=row["entry__kind"], account_kind=row["account__kind"],
                                     amount=-row["total"], lines=row["n"]) for row in entries),
        payout=payout)


def _line_rows(rows: list[SettledLine]) -> list[SettledLineRow]:
    from shared_apps.orders.models import OrderLine

    joined = {line.pk: line for line in OrderLine.objects.filter(pk__in=[r.order_line_id for r in rows])
              .select_related("sub_order").only("sku_code", "title", "quantity", "sub_order__number")}
    out = []
    for r in rows:
        line = joined.get(r.order_line_id)
        out.append(SettledLineRow(
            id=r.pk, order_line_id=r.order_line_id, sub_order_id=r.sub_order_id,
            sub_order_number=line.sub_order.number if line else "", sku_code=line.sku_code if line else "",
            title=line.title if line else "", quantity=line.quantity if line else 0, net_paid=r.net_paid,
            platform_discount=r.platform_discount, commission_rate=r.commission_rate, commission=r.commission,
            version=r.version, offline=r.offline))
    return out


def shop_statement_lines(*, shop_id: int, statement_id: int) -> Rows:
    """The order lines a statement of the shop settled, by sub-order and then order line (a run
    inserts them in no particular order), joined to the order lines (sub-order number, SKU code,
    title, quantity). Empty for another shop's id."""
    lines = (SettledLine.objects.filter(statement_id=statement_id, statement__shop_id=shop_id)
             .order_by("sub_order_id", "order_line_id", "version"))
    return Rows(lines, _line_rows)


def _payout_rows(payouts: list[Payout]) -> list[PayoutRow]:
    ids = [p.pk for p in payouts]
    numbers: dict[int, list[str]] = {pk: [] for pk in ids}
    for payout_id, number in Statement.objects.filter(payout_id__in=ids).order_by("period_end", "id").values_list(
            "payout_id", "number"):
        numbers[payout_id].append(number)
    moves: dict[int, list[PayoutMoveRow]] = {pk: [] for pk in ids}
    for move in PayoutMove.objects.filter(payout_id__in=ids).order_by("at", "id"):
        moves[move.payout_id].append(PayoutMoveRow(from_status=move.from_status, to_status=move.to_status,
                                                   reason=move.reason, at=move.at))
    return [PayoutRow(id=p.pk, number=p.number, amount=p.amount, channel=p.channel, status=p.status,
                      bank_name=p.bank_name, account_last4=p.account_last4, channel_reference=p.channel_reference,
                      failure_reason=p.failure_reason, created_at=p.created_at, sent_at=p.sent_at,
                      finished_at=p.finished_at, statement_numbers=tuple(numbers[p.pk]),
                      moves=tuple(moves[p.pk])) for p in payouts]


def shop_payouts(*, shop_id: int) -> Rows:
    """The shop's payouts, newest first, with the statements each pays and its moves. A failed
    payout lists no statements: they went back to waiting for the next one."""
    return Rows(Payout.objects.filter(shop_id=shop_id).order_by("-created_at", "-id"), _payout_rows)


def shop_balance(*, shop_id: int) -> ShopBalance:
    """The shop's balance from the ledger and its statements, in three queries. `owed` is the
    payable balance; `in_statements` the statements that no payout has taken the money of yet
    (a pending payout has not: only sending it moves the money out of the payable); the rest of
    `owed` is not settled yet."""
    sums = dict(JournalLine.objects.filter(account__shop_id=shop_id, account__kind__in=[
        AccountKind.SHOP_PAYABLE, AccountKind.SHOP_DEPOSIT]).values("account__kind").annotate(
        total=Sum("amount")).values_list("account__kind", "total"))
    # Both accounts are credit-normal: minus the sum of their lines is the balance.
    owed = -sums.get(AccountKind.SHOP_PAYABLE, ZERO)
    deposit = -sums.get(AccountKind.SHOP_DEPOSIT, ZERO)
    in_statements = Statement.objects.filter(shop_id=shop_id).filter(
        Q(payout__isnull=True) | Q(payout__status=PayoutStatus.PENDING)).aggregate(
        total=Coalesce(Sum("net_payable"), Value(ZERO, output_field=MONEY)))["total"]
    in_transit = Payout.objects.filter(shop_id=shop_id, status=PayoutStatus.SENT).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO, output_field=MONEY)))["total"]
    return ShopBalance(owed=owed + ZERO, in_statements=in_statements, not_settled=owed - in_statements,
                       in_transit=in_transit, deposit=deposit + ZERO)
