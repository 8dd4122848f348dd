"""Reading the ledger and the commission rules.

Balances are always derived from journal lines, never stored: a raw balance is SUM(amount)
(debits positive), shown in the account's normal direction (negated for credit-normal accounts),
so a shop's payable balance is what the platform owes the shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import NotFound
from shared_apps.taxonomy.models import MAX_LEVEL, Category

from .models import Account, AccountKind, CommissionRule, JournalLine, NormalSide

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
