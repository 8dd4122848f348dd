"""The settlement ledger (结算账本) and commission rules (佣金规则), public schema.

Double entry with one signed amount per line: a debit is positive, a credit negative, so an
entry balances when its lines add up to zero and the whole ledger balances when all lines do.
One column instead of two keeps every sum a plain SUM(amount) and makes "debit and credit on
the same line" impossible by construction. An account's balance is shown in its normal
direction: the sum of its lines for debit-normal accounts, minus that sum for credit-normal ones,
so a shop's payable balance reads "what the platform owes the shop".

The database enforces what the services check (migration 0002): a deferred constraint trigger
refuses to commit an entry whose lines do not add up to zero or an entry without lines, and
journal rows refuse UPDATE and DELETE (corrections are new entries). The chart of accounts and
the posting recipes are described in services.py and README.md.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NormalSide(models.TextChoices):
    DEBIT = "debit", _("Debit")
    CREDIT = "credit", _("Credit")


class AccountKind(models.TextChoices):
    PROVIDER_CASH = "provider_cash", _("Cash at payment provider")
    PROVIDER_FEES = "provider_fees", _("Payment provider fees")
    SHOP_PAYABLE = "shop_payable", _("Payable to shop")
    SHOP_RECEIVABLE = "shop_receivable", _("Receivable from shop")
    SHOP_DEPOSIT = "shop_deposit", _("Shop deposit")  # 保证金
    COMMISSION_REVENUE = "commission_revenue", _("Commission revenue")
    PLATFORM_DISCOUNTS = "platform_discounts", _("Platform-funded discounts")
    REFUNDS_CLEARING = "refunds_clearing", _("Refunds to pay back")
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("Payouts in transit")
    PENALTIES = "penalties", _("Penalties")
    ADJUSTMENTS = "adjustments", _("Adjustments")


# Which kinds need a shop, which a provider; the rest are single platform accounts.
SHOP_KINDS = frozenset({AccountKind.SHOP_PAYABLE, AccountKind.SHOP_RECEIVABLE, AccountKind.SHOP_DEPOSIT})
PROVIDER_KINDS = frozenset({AccountKind.PROVIDER_CASH})
PLATFORM_KINDS = frozenset(AccountKind) - SHOP_KINDS - PROVIDER_KINDS

# Assets and expenses grow by debits; liabilities and income by credits.
NORMAL_SIDE = {
    AccountKind.PROVIDER_CASH: NormalSide.DEBIT,
    AccountKind.PROVIDER_FEES: NormalSide.DEBIT,
    AccountKind.SHOP_PAYABLE: NormalSide.CREDIT,
    AccountKind.SHOP_RECEIVABLE: NormalSide.DEBIT,
    AccountKind.SHOP_DEPOSIT: NormalSide.CREDIT,
    AccountKind.COMMISSION_REVENUE: NormalSide.CREDIT,
    AccountKind.PLATFORM_DISCOUNTS: NormalSide.DEBIT,
    AccountKind.REFUNDS_CLEARING: NormalSide.CREDIT,
    AccountKind.PAYOUTS_IN_TRANSIT: NormalSide.CREDIT,
    AccountKind.PENALTIES: NormalSide.CREDIT,
    AccountKind.ADJUSTMENTS: NormalSide.DEBIT,
}


class Account(models.Model):
    """One ledger account: a platform account (commission revenue), one per payment provider
    (cash held there) or one per shop and kind (payable, receivable, deposit). `code` names it
    (`shop_payable:42`, `provider_cash:alipay`, `commission_revenue`); it has no stored balance."""

    code = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    shop = models.ForeignKey("tenants.Shop", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="ledger_accounts")
    provider = models.CharField(max_length=16, blank=True)  # payments.Provider code, or "bank"
    normal_side = models.CharField(max_length=6, choices=NormalSide.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "shop_id", "provider"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=sorted(SHOP_KINDS), shop__isnull=False, provider="")
                           | Q(kind__in=sorted(PROVIDER_KINDS), shop__isnull=True) & ~Q(provider="")
                           | Q(kind__in=sorted(PLATFORM_KINDS), shop__isnull=True, provider="")),
                name="settlement_account_owner_matches_kind"),
            models.CheckConstraint(
                condition=(Q(kind__in=sorted(k for k, s in NORMAL_SIDE.items() if s == NormalSide.DEBIT),
                             normal_side=NormalSide.DEBIT)
                           | Q(kind__in=sorted(k for k, s in NORMAL_SIDE.items() if s == NormalSide.CREDIT),
                               normal_side=NormalSide.CREDIT)),
                name="settlement_account_normal_side_matches_kind"),
        ]

    def __str__(self) -> str:
        return self.code


class EntryKind(models.TextChoices):
    """The money event an entry records; each has one posting recipe in services.py."""

    PAYMENT_CAPTURED = "payment_captured", _("Payment captured")
    PLATFORM_DISCOUNT = "platform_discount", _("Platform-funded discount")
    FEE_CHARGED = "fee_charged", _("Provider fee charged to shop")
    COMMISSION = "commission", _("Commission")
    REFUND = "refund", _("Refund")
    REFUND_PAID = "refund_paid", _("Refund paid back")
    REFUND_FAILED = "refund_failed", _("Refund failed")
    RECEIVABLE_OFFSET = "receivable_offset", _("Receivable netted against payable")
    PAYOUT_SENT = "payout_sent", _("Payout sent")
    PAYOUT_PAID = "payout_paid", _("Payout paid")
    PAYOUT_FAILED = "payout_failed", _("Payout failed")
    DEPOSIT_PAID = "deposit_paid", _("Deposit paid")
    DEPOSIT_DEDUCTED = "deposit_deducted", _("Deposit deducted")
    PENALTY = "penalty", _("Penalty")
    ADJUSTMENT = "adjustment", pgettext_lazy("ledger entry", "Adjustment")  # not the stock kind


class JournalEntry(models.Model):
    """One money event, posted once: `source_key` names the event (`payment:P123:captured`), and
    posting the same key again returns this entry instead of a second one. Append-only."""

    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    source_key = models.CharField(max_length=100, unique=True)
    memo = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=64, blank=True, db_index=True)  # payment/refund/payout number
    sub_order_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # orders.SubOrder
    order_line_id = models.BigIntegerField(null=True, blank=True)  # orders.OrderLine
    occurred_at = models.DateTimeField()  # when the money moved
    posted_at = models.DateTimeField(auto_now_add=True, db_index=True)  # when it was recorded
    actor_user_id = models.BigIntegerField(null=True, blank=True)  # None: the system

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return self.source_key


class JournalLine(models.Model):
    """One side of an entry: `amount` is signed, debit positive and credit negative, never zero."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "entry"], name="settlement_line_account")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="settlement_line_not_zero")]


class CommissionRule(models.Model):
    """A commission rate (佣金率) in force over a date range (Asia/Shanghai dates, both ends
    inclusive; no end: until further notice) for a platform category, or for all categories
    (`category` None), optionally only for one shop. Rules of the same category and shop never
    overlap (checked by commission.rule_create under a lock). Which rule applies to a sale is
    chosen by commission.commission_rate."""

    category = models.ForeignKey("taxonomy.Category", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="commission_rules")
    shop = models.ForeignKey("tenants.Shop", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="commission_rules")
    rate = models.DecimalField(max_digits=5, decimal_places=4)  # 0.0500 = 5 %
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category_id", "shop_id", "effective_from"]
        indexes = [models.Index(fields=["category", "shop", "effective_from"], name="settlement_rule_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lt=1), name="settlement_rule_rate_range"),
            models.CheckConstraint(condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                                   name="settlement_rule_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.rate} from {self.effective_from}"


# --- settlement runs and statements (P3) -------------------------------------------------------


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class SettlementRun(models.Model):
    """One settlement run: every order line whose after-sales window ended by `cutoff` and is not
    settled yet is settled, and each shop with anything to settle gets one statement. A run is one
    database transaction (a worker killed in the middle leaves nothing of it but this row, marked
    failed by the next run), and runs take turns (an advisory lock)."""

    cutoff = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_by_user_id = models.BigIntegerField(null=True, blank=True)  # None: the daily beat
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lines_settled = models.PositiveIntegerField(default=0)
    statements_made = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class Statement(models.Model):
    """What one run settled with one shop (对账单), totals per kind of money in the shop's favour
    (negative: against it), and `net_payable`, what the platform owes the shop for the period.
    Every amount is the sum of the shop's ledger lines the statement covers (StatementEntry)."""

    number = models.CharField(max_length=32, unique=True)
    run = models.ForeignKey(SettlementRun, on_delete=models.PROTECT, related_name="statements")
    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="statements")
    period_start = models.DateTimeField(null=True, blank=True)  # the shop's previous statement's end
    period_end = models.DateTimeField()
    gross_sales = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refunds = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    commission = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    fees = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    platform_discounts = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    penalties = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    adjustments = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    offline_commission = models.DecimalField(max_digits=14, decimal_places=2, default=0)  # receivable netted
    deposits = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    net_payable = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    offline_sales = models.DecimalField(max_digits=14, decimal_places=2, default=0)  # the shop took this money itself
    line_count = models.PositiveIntegerField(default=0)
    payout = models.ForeignKey("Payout", null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [models.UniqueConstraint(fields=["run", "shop"], name="statement_one_per_shop_per_run")]

    def __str__(self) -> str:
        return self.number


class SettledLine(models.Model):
    """An order line settled in a statement: its net paid amount, the platform-funded discount
    on that net, and the commission on both at the rate kept from the day of payment. A refund
    after settlement adds a version with the differences (a claw-back in the next statement); the
    unique (line, version) means no line is ever settled twice."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="settled_lines")
    order_line_id = models.BigIntegerField()
    sub_order_id = models.BigIntegerField(db_index=True)
    version = models.PositiveSmallIntegerField()
    net_paid = models.DecimalField(max_digits=14, decimal_places=2)
    platform_discount = models.DecimalField(max_digits=14, decimal_places=2)
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)
    commission = models.DecimalField(max_digits=14, decimal_places=2)
    offline = models.BooleanField(default=False)  # the shop took the money itself

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order_line_id", "version"], name="settled_line_once")]


class StatementEntry(models.Model):
    """A line of the shop's ledger accounts that a statement covers; each line is covered once."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="entries")
    journal_line = models.OneToOneField(JournalLine, on_delete=models.PROTECT, related_name="statement_entry")

    class Meta:
        ordering = ["id"]


class PayoutChannel(models.TextChoices):
    SANDBOX_SPLIT = "sandbox_split", _("Settle-to-merchant at the sandbox provider (分账)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer file")


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class Payout(models.Model):
    """Money paid to a shop for its unpaid statements (打款), through a payout channel: pending →
    sent → paid or failed (the money goes back to the shop's payable and its statements are
    unpaid again). The bank account is copied when the payout is made, so a bank file always
    shows what was sent."""

    number = models.CharField(max_length=24, unique=True)
    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="payouts")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    channel = models.CharField(max_length=16, choices=PayoutChannel.choices)
    status = models.CharField(max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.PENDING,
                              db_index=True)
    bank_name = models.CharField(max_length=60, blank=True)
    bank_branch = models.CharField(max_length=100, blank=True)
    account_name = models.CharField(max_length=120, blank=True)
    account_number_encrypted = models.TextField(blank=True)
    account_last4 = models.CharField(max_length=4, blank=True)
    channel_reference = models.CharField(max_length=64, blank=True)  # the provider's or bank's number
    failure_reason = models.CharField(max_length=300, blank=True)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive")]

    def __str__(self) -> str:
        return self.number


class PayoutMove(models.Model):
    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="moves")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


# --- reconciliation with the providers' statements (P4) ----------------------------------------


class ReconciliationImport(models.Model):
    """One provider statement file imported and matched against the ledger. The same file again
    (same provider and SHA-256) is the same import: importing it twice changes nothing."""

    provider = models.CharField(max_length=12)
    day = models.DateField()
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=200, blank=True)
    lines = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    mismatched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)  # in the file, not in the ledger
    missing = models.PositiveIntegerField(default=0)  # in the ledger, not in the file
    errors = models.JSONField(default=list, blank=True)  # [[line_no, message]] of rows that could not be read
    imported_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "sha256"], name="reconciliation_file_once")]


class ItemState(models.TextChoices):
    MATCHED = "matched", _("Matched")
    MISMATCHED = "mismatched", _("Amounts differ")
    UNMATCHED = "unmatched", _("Not in the ledger")
    MISSING = "missing", _("Not in the statement")


class Resolution(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved with a note")
    ADJUSTED = "adjusted", _("Adjusted in the ledger")


class ReconciliationItem(models.Model):
    """One payment or refund as the statement and the ledger see it."""

    reconciliation = models.ForeignKey(ReconciliationImport, on_delete=models.CASCADE, related_name="items")
    state = models.CharField(max_length=12, choices=ItemState.choices, db_index=True)
    kind = models.CharField(max_length=8)  # payment / refund
    reference = models.CharField(max_length=64)  # our payment number or refund number
    line_no = models.PositiveIntegerField(null=True, blank=True)  # in the file
    file_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    file_fee = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    ledger_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    ledger_fee = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, default=Resolution.OPEN)
    note = models.CharField(max_length=300, blank=True)
    resolved_by_user_id = models.BigIntegerField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    adjustment_entry = models.ForeignKey(JournalEntry, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")

    class Meta:
        ordering = ["id"]
