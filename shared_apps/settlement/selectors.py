"""Reading the ledger and the commission rules.

Balances are always derived from journal lines, never stored: a raw balance is SUM(amount)
(debits positive), shown in the account's normal direction (negated for credit-normal accounts),
so a shop's payable balance is what the platform owes the shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Prefetch, Q, Sum, Value, When, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import NotFound
from shared_apps.taxonomy.models import MAX_LEVEL, Category

from .models import Account, AccountKind, CommissionRule, JournalEntry, JournalLine, NormalSide

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))


def _shown(raw: Decimal, normal_side: str) -> Decimal:
    return raw if normal_side == NormalSide.DEBIT else -raw


def balance(account: Account, *, until: datetime | None = None) -> Decimal:
    """The account's balance in its normal direction, from all its lines (or those of entries
    that occurred before `until`)."""
    lines = JournalLine.objects.filter(account=account)
    if until is not None:
        lines = lines.filter(entry__occurred_at__lt=until)
    raw = lines.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return _shown(raw, account.normal_side)


def balances_by_shop(*, kind: str = AccountKind.SHOP_PAYABLE, shop_ids: list[int] | None = None) -> dict[int, Decimal]:
    """{shop_id: balance} of every shop's account of `kind` that has lines (normal direction),
    in one query; a shop missing from the answer has a zero balance."""
    lines = JournalLine.objects.filter(account__kind=kind)
    if shop_ids is not None:
        lines = lines.filter(account__shop_id__in=shop_ids)
    rows = lines.values("account__shop_id", "account__normal_side").annotate(total=Sum("amount"))
    return {row["account__shop_id"]: _shown(row["total"], row["account__normal_side"]) for row in rows}


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    kind: str
    shop_id: int | None
    provider: str
    debit: Decimal  # the sum of its debit lines
    credit: Decimal  # the sum of its credit lines, as a positive number
    balance: Decimal  # debit − credit, shown in the account's normal direction


def trial_balance() -> list[TrialBalanceRow]:
    """Every account with its debit and credit totals, in one query. Total debits equal total
    credits exactly when the ledger balances (`ledger_balanced`)."""
    rows = Account.objects.annotate(
        debit=Coalesce(Sum("lines__amount", filter=Q(lines__amount__gt=0)), ZERO),
        credit=Coalesce(-Sum("lines__amount", filter=Q(lines__amount__lt=0)), ZERO),
    ).order_by("kind", "shop_id", "provider")
    return [TrialBalanceRow(code=a.code, kind=a.kind, shop_id=a.shop_id, provider=a.provider, debit=a.debit,
                            credit=a.credit, balance=_shown(a.debit - a.credit, a.normal_side)) for a in rows]


def unbalanced_entry_ids() -> list[int]:
    """Entries whose lines do not add up to zero; always empty (the database refuses to commit
    one), here for checks and reconciliation reports to prove it."""
    return list(JournalLine.objects.values("entry_id").annotate(total=Sum("amount")).exclude(total=0)
                .order_by("entry_id").values_list("entry_id", flat=True))


def ledger_balanced() -> bool:
    """All lines add up to zero and so does every entry."""
    total = JournalLine.objects.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return total == 0 and not unbalanced_entry_ids()


# --- commission rules --------------------------------------------------------------------------


def _category_chain(category_id: int) -> list[int]:
    """The category and its ancestors, nearest first, in one query (the tree is at most
    MAX_LEVEL deep)."""
    lookups = ["__".join(["parent"] * depth + ["id"]) for depth in range(MAX_LEVEL)]
    row = Category.objects.filter(pk=category_id).values_list(*lookups).first()
    if row is None:
        raise NotFound(_("No such category."), code="category_not_found")
    return [pk for pk in row if pk is not None]


def commission_rule_applying(*, shop_id: int, category_id: int | None, at: date | datetime) -> CommissionRule | None:
    """The commission rule in force for a sale of this shop in this platform category on the
    day of `at` (a datetime counts by its Asia/Shanghai date), most specific first: the shop's
    rule for the category, then for its parent categories upwards, then the shop's default,
    then the platform's rule for the category and its parents, then the platform default.
    None when no rule covers the day."""
    day = timezone.localdate(at) if isinstance(at, datetime) else at
    chain = _category_chain(category_id) if category_id is not None else []
    rules = (CommissionRule.objects
             .filter(effective_from__lte=day)
             .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
             .filter(Q(shop_id=shop_id) | Q(shop__isnull=True))
             .filter(Q(category_id__in=chain) | Q(category__isnull=True)))

    def specificity(rule: CommissionRule) -> tuple[int, int]:
        depth = chain.index(rule.category_id) if rule.category_id is not None else len(chain)
        return (0 if rule.shop_id is not None else 1, depth)

    return min(rules, key=specificity, default=None)


def commission_rate(*, shop_id: int, category_id: int | None, at: date | datetime) -> Decimal:
    """The rate of `commission_rule_applying`; 404 `no_commission_rule` when none covers the
    day (settlement must not guess a rate)."""
    rule = commission_rule_applying(shop_id=shop_id, category_id=category_id, at=at)
    if rule is None:
        raise NotFound(_("No commission rate is in force for this sale; set a platform default rate."),
                       code="no_commission_rule")
    return rule.rate


# --- the finance console (operator pages and API) ----------------------------------------------


@dataclass(frozen=True)
class KindTotal:
    """The trial balance of one kind of account, all its accounts together."""

    kind: str
    debit: Decimal
    credit: Decimal  # as a positive number
    balance: Decimal  # in the kind's normal direction


@dataclass(frozen=True)
class FinanceOverview:
    trial_balance: list[KindTotal]  # every kind of account, in AccountKind order, zeros included
    total_debit: Decimal
    total_credit: Decimal
    balanced: bool  # every line and every entry adds up to zero
    provider_cash: list[tuple[str, Decimal]]  # (provider, balance), by provider
    shops_owed: Decimal  # the sum of every shop's payable
    open_payouts: int  # pending or sent
    open_payouts_amount: Decimal
    open_items: int  # reconciliation items still open
    default_rule: CommissionRule | None  # the platform default rate in force today


def finance_overview() -> FinanceOverview:
    """What finance checks first, in a handful of queries whatever the number of shops: the
    trial balance by kind of account, cash per provider, open payouts and reconciliation items."""
    from .models import NORMAL_SIDE, Payout, PayoutStatus, ReconciliationItem, Resolution

    debit = Coalesce(Sum("amount", filter=Q(amount__gt=0)), ZERO)
    credit = Coalesce(-Sum("amount", filter=Q(amount__lt=0)), ZERO)
    sums = {row["account__kind"]: row for row in JournalLine.objects.values("account__kind").annotate(
        debit=debit, credit=credit).order_by()}
    kinds = [KindTotal(kind=kind, debit=sums.get(kind, {}).get("debit", Decimal("0.00")),
                       credit=sums.get(kind, {}).get("credit", Decimal("0.00")),
                       balance=_shown(sums.get(kind, {}).get("debit", Decimal("0.00"))
                                      - sums.get(kind, {}).get("credit", Decimal("0.00")), NORMAL_SIDE[kind]))
             for kind in AccountKind]
    cash = (JournalLine.objects.filter(account__kind=AccountKind.PROVIDER_CASH).values("account__provider")
            .annotate(total=Sum("amount")).order_by("account__provider"))
    total_debit = sum((k.debit for k in kinds), Decimal("0.00"))
    total_credit = sum((k.credit for k in kinds), Decimal("0.00"))
    payouts = Payout.objects.filter(status__in=[PayoutStatus.PENDING, PayoutStatus.SENT]).aggregate(
        n=Count("id"), total=Coalesce(Sum("amount"), ZERO))
    return FinanceOverview(
        trial_balance=kinds, total_debit=total_debit, total_credit=total_credit,
        balanced=total_debit == total_credit and not unbalanced_entry_ids(),
        provider_cash=[(row["account__provider"], row["total"]) for row in cash],
        shops_owed=next(k.balance for k in kinds if k.kind == AccountKind.SHOP_PAYABLE),
        open_payouts=payouts["n"], open_payouts_amount=payouts["total"],
        open_items=ReconciliationItem.objects.filter(resolution=Resolution.OPEN).count(),
        default_rule=platform_default_rule())


def platform_default_rule(day: date | None = None) -> CommissionRule | None:
    """The platform's rate for every category and shop in force on `day` (today); without one,
    sales no other rule covers settle at 0 %."""
    day = day or timezone.localdate()
    return (CommissionRule.objects.filter(category__isnull=True, shop__isnull=True, effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day)).first())


def accounts_with_balances(*, kind: str = "", shop_id: int | None = None):
    """Accounts (optionally of one kind or one shop) with their debit and credit totals and the
    balance in the normal direction, one query per page."""
    debit = Coalesce(Sum("lines__amount", filter=Q(lines__amount__gt=0)), ZERO)
    credit = Coalesce(-Sum("lines__amount", filter=Q(lines__amount__lt=0)), ZERO)
    accounts = Account.objects.select_related("shop").annotate(
        debit=debit, credit=credit,
        balance=Case(When(normal_side=NormalSide.DEBIT, then=debit - credit), default=credit - debit,
                     output_field=DecimalField(max_digits=14, decimal_places=2)))
    if kind:
        accounts = accounts.filter(kind=kind)
    if shop_id is not None:
        accounts = accounts.filter(shop_id=shop_id)
    return accounts.order_by("kind", "shop_id", "provider", "id")


def account_lines(account: Account, *, running: bool = False):
    """The account's lines, newest first, each with its entry; with `running`, each line also
    carries `running_balance`, the account's balance (normal direction) just after it."""
    lines = JournalLine.objects.filter(account=account).select_related("entry")
    if running:
        sign = Value(Decimal(1 if account.normal_side == NormalSide.DEBIT else -1))
        lines = lines.annotate(running_balance=Window(
            Sum(F("amount") * sign, output_field=DecimalField(max_digits=14, decimal_places=2)),
            order_by=F("id").asc()))
    return lines.order_by("-id")


def entry_whole(entry_id: int) -> JournalEntry | None:
    """One entry with its lines, their accounts and the accounts' shops."""
    return (JournalEntry.objects.filter(pk=entry_id)
            .prefetch_related(Prefetch("lines", JournalLine.objects.select_related("account__shop").order_by("id")))
            .first())


@dataclass(frozen=True)
class OrderRef:
    """Where an entry or a settled line points in the orders: the sub-order and its order."""

    sub_order_id: int
    sub_order_number: str
    order_number: str
    line_title: str = ""
    sku_code: str = ""


def order_refs(*, sub_order_ids=(), order_line_ids=()) -> tuple[dict[int, OrderRef], dict[int, OrderRef]]:
    """({sub_order_id: ref}, {order_line_id: ref}) for drilling down from the ledger, two queries."""
    from shared_apps.orders.models import OrderLine, SubOrder

    subs = {pk: OrderRef(pk, number, order) for pk, number, order in SubOrder.objects.filter(
        pk__in={i for i in sub_order_ids if i}).values_list("pk", "number", "order__number")}
    lines = {pk: OrderRef(sub, number, order, title, sku) for pk, sub, number, order, title, sku in
             OrderLine.objects.filter(pk__in={i for i in order_line_ids if i}).values_list(
                 "pk", "sub_order_id", "sub_order__number", "sub_order__order__number", "title", "sku_code")}
    return subs, lines


def statement_entries(statement):
    """The entries a statement covers (each with all its lines and accounts), oldest first."""
    from .models import StatementEntry

    ids = StatementEntry.objects.filter(statement=statement).values("journal_line__entry_id")
    return JournalEntry.objects.filter(pk__in=ids).order_by("occurred_at", "id").prefetch_related(
        Prefetch("lines", JournalLine.objects.select_related("account__shop").order_by("id")))
