"""Posting to the settlement ledger, and writing commission rules.

Every money event posts exactly one balanced journal entry through `entry_post`, named by a
source key the caller derives from the event (`payment:P123:captured`, `payout:PO7:sent`), so a
retried task or a replayed notification finds the entry already there instead of counting the
money twice. The recipes below take plain values (ids, provider codes, Decimals), never order or
payment rows, so whoever owns an event can post it.

Chart of accounts (D: debit-normal, C: credit-normal; balances are shown in the normal direction)

| kind               | side | one per  | what its balance means                                      |
|--------------------|------|----------|-------------------------------------------------------------|
| provider_cash      | D    | provider | money the platform holds at a provider (or "bank")          |
| provider_fees      | D    | platform | providers' fees the platform bears (after recharges)        |
| shop_payable       | C    | shop     | what the platform owes the shop (negative: the shop owes)   |
| shop_receivable    | D    | shop     | what the shop owes outside its payable (offline commission) |
| shop_deposit       | C    | shop     | deposit (保证金) the platform holds for the shop             |
| commission_revenue | C    | platform | commission earned                                           |
| platform_discounts | D    | platform | discounts the platform funded                               |
| refunds_clearing   | C    | platform | refunds charged to shops, not yet paid back by the provider |
| payouts_in_transit | C    | platform | payouts sent to shops, not yet confirmed paid               |
| penalties          | C    | platform | penalties charged to shops                                  |
| adjustments        | D    | platform | the other side of manual adjustments                        |

Recipes (Dr: the line is a debit, Cr: a credit; `shop_amounts` is {shop_id: amount})

| recipe                  | Dr                                      | Cr                                       |
|-------------------------|-----------------------------------------|------------------------------------------|
| post_payment_captured   | provider_cash (amount − fee), provider_fees (fee) | shop_payable per shop (Σ = amount) |
| post_platform_discount  | platform_discounts (Σ)                  | shop_payable per shop; negative: reversed |
| post_fee_charged        | shop_payable per shop                   | provider_fees (Σ); negative: fee returned |
| post_commission         | shop_payable, or shop_receivable if offline | commission_revenue; negative: reversed |
| post_refund             | shop_payable per shop                   | refunds_clearing (Σ)                     |
| post_refund_paid        | refunds_clearing (amount)               | provider_cash (amount − fee_returned), provider_fees (fee_returned) |
| post_refund_failed      | refunds_clearing (Σ)                    | shop_payable per shop                    |
| post_receivable_offset  | shop_payable                            | shop_receivable                          |
| post_payout_sent        | shop_payable                            | payouts_in_transit                       |
| post_payout_paid        | payouts_in_transit                      | provider_cash (the payout channel)       |
| post_payout_failed      | payouts_in_transit                      | shop_payable                             |
| post_deposit_paid       | provider_cash, or shop_payable if withheld | shop_deposit                          |
| post_deposit_deducted   | shop_deposit                            | shop_payable                             |
| post_penalty            | shop_payable                            | penalties                                |
| post_adjustment         | adjustments ↔ the adjusted account (raised in its normal direction) |              |

So a shop's payable rises with what its buyers paid for its goods and with the discounts the
platform funded for them, and falls with refunds, commission, the fees it bears, penalties,
payouts and deposits withheld; a failed payout or refund gives the money back to it. An
offline-paid order never touches provider cash (the shop holds the money): its commission is a
receivable, netted against the payable in the shop's next statement (`post_receivable_offset`).

Rules every recipe keeps: amounts are Decimals with at most two decimals (a float or a sub-fen
amount is refused, never rounded here); zero amounts are left out of the entry; lines are in
shop-id order; the payable and deposit checks lock the account row (FOR NO KEY UPDATE, which does
not block ordinary postings' foreign-key locks) so two payouts cannot both spend one balance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, ServiceError, field_error
from backend.lib.money import FEN, format_cny
from shared_apps.audit.services import audit_record
from shared_apps.payments.models import Provider
from shared_apps.taxonomy.models import Category
from tenants.models import Shop

from . import selectors
from .models import (
    NORMAL_SIDE,
    PLATFORM_KINDS,
    SHOP_KINDS,
    Account,
    AccountKind,
    CommissionRule,
    EntryKind,
    JournalEntry,
    JournalLine,
    NormalSide,
)

K = AccountKind
MAX_AMOUNT = Decimal("9999999999.99")  # what a MoneyField holds
# Where the platform holds money: every online provider, and its bank account (transfers).
CASH_LOCATIONS = frozenset(Provider.values) - {Provider.OFFLINE} | {"bank"}

Lines = Sequence[tuple[Account, Decimal]]


# --- amounts -----------------------------------------------------------------------------------


def _money(value, field: str, *, signed: bool = False, allow_zero: bool = False) -> Decimal:
    """`value` as an exact amount in yuan, or a 400 naming `field`. Floats are refused: they
    cannot hold most fen exactly, and rounding them here would hide the caller's bug."""
    if isinstance(value, float | bool):
        raise field_error(field, _("Give the amount as a Decimal, not a float."))
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise field_error(field, _("Enter an amount such as 12.50.")) from None
    if not amount.is_finite():
        raise field_error(field, _("Enter an amount such as 12.50."))
    if abs(amount) > MAX_AMOUNT:
        raise field_error(field, _("The amount is too large."))
    if amount != amount.quantize(FEN):
        raise field_error(field, _("At most two decimals (fen)."))
    if amount < 0 and not signed:
        raise field_error(field, _("The amount must not be negative."))
    if amount == 0 and not allow_zero:
        raise field_error(field, _("The amount must not be zero."))
    return amount.quantize(FEN)


def _shop_amounts(shop_amounts: Mapping[int, object], field: str, *,
                  signed: bool = False) -> list[tuple[int, Decimal]]:
    """{shop_id: amount} as checked (shop id, amount) pairs in shop-id order, zeros left out.
    Signed amounts must all lean one way: one entry either grants or takes back."""
    if not isinstance(shop_amounts, Mapping) or not shop_amounts:
        raise field_error(field, _("Give at least one shop's amount."))
    pairs = [(int(shop_id), _money(value, field, signed=signed, allow_zero=True))
             for shop_id, value in sorted(shop_amounts.items())]
    pairs = [(shop_id, amount) for shop_id, amount in pairs if amount]
    if not pairs:
        raise field_error(field, _("The amounts must not all be zero."))
    if any(a > 0 for _s, a in pairs) and any(a < 0 for _s, a in pairs):
        raise field_error(field, _("The amounts must be all positive or all negative."))
    return pairs


def _text(value: str, field: str, *, required: bool, max_length: int = 300) -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, _("This is required."), code="required")
    if len(value) > max_length:
        raise field_error(field, _("At most %(n)d characters.") % {"n": max_length})
    return value


def _nonzero(lines: list[tuple[Account, Decimal]]) -> list[tuple[Account, Decimal]]:
    return [(account, amount) for account, amount in lines if amount]


# --- accounts ----------------------------------------------------------------------------------


def _account(kind: str, *, shop_id: int | None = None, provider: str = "") -> Account:
    """The account of this kind (and shop or provider), created on first use. Two transactions
    creating it at once both end with the same row: the loser's INSERT waits for the winner's
    commit, fails on the unique code, and get_or_create then reads the winner's row."""
    code = f"{kind}:{shop_id}" if shop_id is not None else f"{kind}:{provider}" if provider else kind
    account = Account.objects.filter(code=code).first()
    if account is not None:
        return account
    if shop_id is not None and not Shop.objects.filter(pk=shop_id).exists():
        raise NotFound(_("No such shop."), code="shop_not_found")
    account, _created = Account.objects.get_or_create(code=code, defaults={
        "kind": kind, "shop_id": shop_id, "provider": provider, "normal_side": NORMAL_SIDE[kind]})
    return account


def account_for_shop(*, shop_id: int, kind: str) -> Account:
    """A shop's payable, receivable or deposit account (created on first use)."""
    if kind not in SHOP_KINDS:
        raise field_error("kind", _("Not a shop account kind: %(kind)s.") % {"kind": kind})
    return _account(kind, shop_id=shop_id)


def provider_cash(*, provider: str) -> Account:
    """The cash the platform holds at `provider` (a payments provider code, or "bank")."""
    if provider not in CASH_LOCATIONS:
        raise field_error("provider", _("Not a place the platform holds money: %(provider)s.")
                          % {"provider": provider})
    return _account(K.PROVIDER_CASH, provider=provider)


def platform_account(*, kind: str) -> Account:
    """One of the platform's own accounts (commission revenue, penalties, …)."""
    if kind not in PLATFORM_KINDS:
        raise field_error("kind", _("Not a platform account kind: %(kind)s.") % {"kind": kind})
    return _account(kind)


def _lock(account: Account) -> None:
    """Serialise the checks on one account's balance (payouts, deductions, adjustments). FOR NO
    KEY UPDATE conflicts with itself but not with the KEY SHARE lock that every posting's
    foreign key takes, so ordinary postings to the account never wait for it."""
    Account.objects.select_for_update(no_key=True).filter(pk=account.pk).get()


# --- posting -----------------------------------------------------------------------------------


def _checked_lines(lines: Lines) -> list[tuple[Account, Decimal]]:
    checked = []
    for line in lines:
        account, amount = line
        if not isinstance(account, Account) or account.pk is None:
            raise field_error("lines", _("Each line needs a saved ledger account."))
        checked.append((account, _money(amount, "lines", signed=True)))
    if not checked:
        raise field_error("lines", _("An entry needs lines."), code="no_lines")
    total = sum((amount for _a, amount in checked), Decimal(0))
    if total != 0:
        raise ServiceError(_("The entry does not balance: its debits and credits differ by %(diff)s.")
                           % {"diff": total}, code="unbalanced_entry", fields={"lines": [_("Unbalanced.")]})
    return checked


def _same_posting(entry: JournalEntry, kind: str, lines: list[tuple[Account, Decimal]]) -> JournalEntry:
    """The entry already posted under this source key, if it records the same money; a
    different posting under a used key is a caller's bug and must not pass silently."""
    posted = Counter(entry.lines.values_list("account_id", "amount"))
    if entry.kind != kind or posted != Counter((a.pk, amount) for a, amount in lines):
        raise Conflict(_("The source key %(key)s was already posted with other amounts.")
                       % {"key": entry.source_key}, code="source_key_reused")
    return entry


def _post(*, kind: str, source_key: str, lines: Lines, memo: str = "", occurred_at: datetime | None = None,
          actor_user_id: int | None = None, reference: str = "", sub_order_id: int | None = None,
          order_line_id: int | None = None) -> tuple[JournalEntry, bool]:
    """entry_post, also telling whether this call wrote the entry (False: it was there)."""
    if kind not in EntryKind.values:
        raise field_error("kind", _("Not an entry kind: %(kind)s.") % {"kind": kind})
    source_key = _text(source_key, "source_key", required=True, max_length=100)
    memo = _text(memo, "memo", required=False)
    reference = _text(reference, "reference", required=False, max_length=64)
    occurred_at = occurred_at or timezone.now()
    if timezone.is_naive(occurred_at):
        raise field_error("occurred_at", _("Give a time with its time zone."))
    checked = _checked_lines(lines)
    with transaction.atomic():
        existing = JournalEntry.objects.filter(source_key=source_key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    entry = JournalEntry.objects.create(
                        kind=kind, source_key=source_key, memo=memo, reference=reference,
                        occurred_at=occurred_at, actor_user_id=actor_user_id,
                        sub_order_id=sub_order_id, order_line_id=order_line_id)
            except IntegrityError:
                # Another transaction posted this key and committed while we were checking.
                existing = JournalEntry.objects.filter(source_key=source_key).first()
                if existing is None:
                    raise
            else:
                JournalLine.objects.bulk_create(
                    [JournalLine(entry=entry, account=account, amount=amount) for account, amount in checked])
                return entry, True
        return _same_posting(existing, kind, checked), False


def entry_post(*, kind: str, source_key: str, lines: Lines, memo: str = "", occurred_at: datetime | None = None,
               actor_user_id: int | None = None, reference: str = "", sub_order_id: int | None = None,
               order_line_id: int | None = None) -> JournalEntry:
    """Post one balanced entry: `lines` are (account, signed amount) pairs, debit positive and
    credit negative, which must add up to zero, none zero or finer than a fen. Idempotent on
    `source_key`: the same key with the same kind and lines returns the entry posted first
    (memo and times are not compared); with other lines it is a 409 `source_key_reused`.
    Refused input is a 400 that leaves nothing behind."""
    return _post(kind=kind, source_key=source_key, lines=lines, memo=memo, occurred_at=occurred_at,
                 actor_user_id=actor_user_id, reference=reference, sub_order_id=sub_order_id,
                 order_line_id=order_line_id)[0]


def _posted(source_key: str) -> bool:
    return JournalEntry.objects.filter(source_key=(source_key or "").strip()).exists()


def _actor(actor_user_id: int | None, *, required: bool):
    """The acting user for the audit log (None: the system, where that is allowed)."""
    if actor_user_id is None and not required:
        return None
    user = get_user_model().objects.filter(pk=actor_user_id).first() if actor_user_id is not None else None
    if user is None:
        raise field_error("actor_user_id", _("Name the operator who does this."), code="required")
    return user


# --- recipes -----------------------------------------------------------------------------------


@transaction.atomic
def post_payment_captured(*, source_key: str, provider: str, amount, fee, shop_amounts: Mapping[int, object],
                          occurred_at: datetime | None = None, reference: str = "", memo: str = "",
                          sub_order_id: int | None = None) -> JournalEntry:
    """A shopper's payment arrived at `provider`: the provider keeps its `fee` and holds the
    rest for the platform; each shop is owed its part of `amount` (what the buyer paid for its
    goods and shipping, platform-funded discounts not included: see post_platform_discount).
    The shops' amounts must add up to `amount`."""
    amount = _money(amount, "amount")
    fee = _money(fee, "fee", allow_zero=True)
    if fee > amount:
        raise field_error("fee", _("The fee cannot exceed the payment."))
    shops = _shop_amounts(shop_amounts, "shop_amounts")
    if sum(a for _s, a in shops) != amount:
        raise field_error("shop_amounts", _("The shops' amounts add up to %(sum)s, not the payment's %(amount)s.")
                          % {"sum": sum(a for _s, a in shops), "amount": amount})
    lines = _nonzero([(provider_cash(provider=provider), amount - fee),
                      (platform_account(kind=K.PROVIDER_FEES), fee)])
    lines += [(account_for_shop(shop_id=s, kind=K.SHOP_PAYABLE), -a) for s, a in shops]
    return entry_post(kind=EntryKind.PAYMENT_CAPTURED, source_key=source_key, lines=lines,
                      occurred_at=occurred_at, reference=reference, memo=memo, sub_order_id=sub_order_id)


@transaction.atomic
def post_platform_discount(*, source_key: str, shop_amounts: Mapping[int, object],
                           occurred_at: datetime | None = None, reference: str = "", memo: str = "",
                           sub_order_id: int | None = None) -> JournalEntry:
    """The platform pays each shop the discounts it funded on the shop's goods (so the shop is
    not charged for them). Negative amounts take such discounts back, after a refund of the goods
    they were given on."""
    shops = _shop_amounts(shop_amounts, "shop_amounts", signed=True)
    lines = [(platform_account(kind=K.PLATFORM_DISCOUNTS), sum(a for _s, a in shops))]
    lines += [(account_for_shop(shop_id=s, kind=K.SHOP_PAYABLE), -a) for s, a in shops]
    return entry_post(kind=EntryKind.PLATFORM_DISCOUNT, source_key=source_key, lines=lines,
                      occurred_at=occurred_at, reference=reference, memo=memo, sub_order_id=sub_order_id)


@transaction.atomic
def post_fee_charged(*, source_key: str, shop_fees: Mapping[int, object], occurred_at: datetime | None = None,
                     reference: str = "", memo: str = "", sub_order_id: int | None = None) -> JournalEntry:
    """The shops bear (their share of) a provider's fee, when the platform setting says so; it
    shows in their statements. Negative amounts give back fees the provider returned on a
    refund."""
    shops = _shop_amounts(shop_fees, "shop_fees", signed=True)
    lines = [(account_for_shop(shop_id=s, kind=K.SHOP_PAYABLE), a) for s, a in shops]
    lines.append((platform_account(kind=K.PROVIDER_FEES), -sum(a for _s, a in shops)))
    return entry_post(kind=EntryKind.FEE_CHARGED, source_key=source_key, lines=lines,
                      occurred_at=occurred_at, reference=reference, memo=memo, sub_order_id=sub_order_id)


@transaction.atomic
def post_commission(*, source_key: str, shop_id: int, amount, offline: bool = False,
                    occurred_at: datetime | None = None, sub_order_id: int | None = None,
                    order_line_id: int | None = None, memo: str = "") -> JournalEntry:
    """The platform's commission on a shop's sale: out of the shop's payable, or, when the order
    was paid offline (the shop holds the cash), into the shop's receivable. A negative amount
    gives commission back (recomputed on the net after a refund: commission.commission_change)."""
    amount = _money(amount, "amount", signed=True)
    side = K.SHOP_RECEIVABLE if offline else K.SHOP_PAYABLE
    lines = [(account_for_shop(shop_id=shop_id, kind=side), amount),
             (platform_account(kind=K.COMMISSION_REVENUE), -amount)]
    return entry_post(kind=EntryKind.COMMISSION, source_key=source_key, lines=lines, occurred_at=occurred_at,
                      sub_order_id=sub_order_id, order_line_id=order_line_id, memo=memo)


@transaction.atomic
def post_refund(*, source_key: str, shop_amounts: Mapping[int, object], occurred_at: datetime | None = None,
                reference: str = "", memo: str = "", sub_order_id: int | None = None) -> JournalEntry:
    """A refund to a buyer of an online payment is charged to the shops whose goods it covers;
    the platform owes the money to the buyer until the provider has paid it back
    (post_refund_paid) or the refund failed (post_refund_failed). Platform-funded discounts
    on the refunded goods are taken back with post_platform_discount."""
    shops = _shop_amounts(shop_amounts, "shop_amounts")
    lines = [(account_for_shop(shop_id=s, kind=K.SHOP_PAYABLE), a) for s, a in shops]
    lines.append((platform_account(kind=K.REFUNDS_CLEARING), -sum(a for _s, a in shops)))
    return entry_post(kind=EntryKind.REFUND, source_key=source_key, lines=lines, occurred_at=occurred_at,
                      reference=reference, memo=memo, sub_order_id=sub_order_id)


@transaction.atomic
def post_refund_paid(*, source_key: str, provider: str, amount, fee_returned=Decimal(0),
                     occurred_at: datetime | None = None, reference: str = "", memo: str = "") -> JournalEntry:
    """The provider paid a refund back to the buyer out of the platform's cash there, returning
    `fee_returned` of its fee (hand that on to the shops with a negative post_fee_charged)."""
    amount = _money(amount, "amount")
    fee_returned = _money(fee_returned, "fee_returned", allow_zero=True)
    if fee_returned > amount:
        raise field_error("fee_returned", _("The fee returned cannot exceed the refund."))
    lines = _nonzero([(platform_account(kind=K.REFUNDS_CLEARING), amount),
                      (provider_cash(provider=provider), fee_returned - amount),
                      (platform_account(kind=K.PROVIDER_FEES), -fee_returned)])
    return entry_post(kind=EntryKind.REFUND_PAID, source_key=source_key, lines=lines, occurred_at=occurred_at,
                      reference=reference, memo=memo)


@transaction.atomic
def post_refund_failed(*, source_key: str, shop_amounts: Mapping[int, object], occurred_at: datetime | None = None,
                       reference: str = "", memo: str = "", sub_order_id: int | None = None) -> JournalEntry:
    """A refund charged to shops (post_refund) failed at the provider: the shops are owed the
    money again."""
    shops = _shop_amounts(shop_amounts, "shop_amounts")
    lines = [(platform_account(kind=K.REFUNDS_CLEARING), sum(a for _s, a in shops))]
    lines += [(account_for_shop(shop_id=s, kind=K.SHOP_PAYABLE), -a) for s, a in shops]
    return entry_post(kind=EntryKind.REFUND_FAILED, source_key=source_key, lines=lines, occurred_at=occurred_at,
                      reference=reference, memo=memo, sub_order_id=sub_order_id)


@transaction.atomic
def post_receivable_offset(*, source_key: str, shop_id: int, amount, occurred_at: datetime | None = None,
                           reference: str = "", memo: str = "") -> JournalEntry:
    """What a shop owes the platform (its receivable) is paid out of what the platform owes it,
    as a statement nets the two."""
    amount = _money(amount, "amount")
    lines = [(account_for_shop(shop_id=shop_id, kind=K.SHOP_PAYABLE), amount),
             (account_for_shop(shop_id=shop_id, kind=K.SHOP_RECEIVABLE), -amount)]
    return entry_post(kind=EntryKind.RECEIVABLE_OFFSET, source_key=source_key, lines=lines,
                      occurred_at=occurred_at, reference=reference, memo=memo)


@transaction.atomic
def post_payout_sent(*, source_key: str, shop_id: int, amount, occurred_at: datetime | None = None,
                     reference: str = "", memo: str = "") -> JournalEntry:
    """A payout to the shop left through a payout channel: its payable falls by `amount`, which
    is in transit until the channel confirms (post_payout_paid) or fails (post_payout_failed).
    409 `payout_exceeds_payable` when the shop is owed less than that. The check and the posting
    happen under the payable's lock, and a key posted already is answered before the check, so
    a payout sent twice at once is posted once."""
    amount = _money(amount, "amount")
    payable = account_for_shop(shop_id=shop_id, kind=K.SHOP_PAYABLE)
    lines = [(payable, amount), (platform_account(kind=K.PAYOUTS_IN_TRANSIT), -amount)]
    _lock(payable)
    if not _posted(source_key):
        owed = selectors.balance(payable)
        if owed < amount:
            raise Conflict(_("The shop is owed %(owed)s, less than the payout of %(amount)s.")
                           % {"owed": format_cny(owed), "amount": format_cny(amount)},
                           code="payout_exceeds_payable")
    return entry_post(kind=EntryKind.PAYOUT_SENT, source_key=source_key, lines=lines, occurred_at=occurred_at,
                      reference=reference, memo=memo)


@transaction.atomic
def post_payout_paid(*, source_key: str, provider: str, amount, occurred_at: datetime | None = None,
                     reference: str = "", memo: str = "") -> JournalEntry:
    """The payout channel (`provider`'s split payment, or "bank" for a transfer file) confirmed a
    payout: the money left the platform's cash there."""
    amount = _money(amount, "amount")
    lines = [(platform_account(kind=K.PAYOUTS_IN_TRANSIT), amount), (provider_cash(provider=provider), -amount)]
    return entry_post(kind=EntryKind.PAYOUT_PAID, source_key=source_key, lines=lines, occurred_at=occurred_at,
                      reference=reference, memo=memo)


@transaction.atomic
def post_payout_failed(*, source_key: str, shop_id: int, amount, occurred_at: datetime | None = None,
                       reference: str = "", memo: str = "") -> JournalEntry:
    """A payout sent failed (or its money came back before it was confirmed): the amount
    returns to the shop's payable."""
    amount = _money(amount, "amount")
    lines = [(platform_account(kind=K.PAYOUTS_IN_TRANSIT), amount),
             (account_for_shop(shop_id=shop_id, kind=K.SHOP_PAYABLE), -amount)]
    return entry_post(kind=EntryKind.PAYOUT_FAILED, source_key=source_key, lines=lines, occurred_at=occurred_at,
                      reference=reference, memo=memo)


@transaction.atomic
def post_deposit_paid(*, source_key: str, shop_id: int, amount, provider: str | None,
                      occurred_at: datetime | None = None, reference: str = "", memo: str = "") -> JournalEntry:
    """A shop paid (part of) its deposit (保证金): into the platform's cash at `provider`, or,
    with provider None, withheld from what the platform owes the shop."""
    amount = _money(amount, "amount")
    source = (provider_cash(provider=provider) if provider is not None
              else account_for_shop(shop_id=shop_id, kind=K.SHOP_PAYABLE))
    lines = [(source, amount), (account_for_shop(shop_id=shop_id, kind=K.SHOP_DEPOSIT), -amount)]
    return entry_post(kind=EntryKind.DEPOSIT_PAID, source_key=source_key, lines=lines, occurred_at=occurred_at,
                      reference=reference, memo=memo)


@transaction.atomic
def post_deposit_deducted(*, source_key: str, shop_id: int, amount, reason: str, actor_user_id: int | None,
                          occurred_at: datetime | None = None) -> JournalEntry:
    """Part of a shop's deposit covers what it owes (a penalty, a clawback its sales did not
    cover): the deposit falls and the payable rises by `amount`. 409 `deposit_insufficient` when
    the deposit holds less. Audited."""
    amount = _money(amount, "amount")
    reason = _text(reason, "reason", required=True)
    actor = _actor(actor_user_id, required=False)
    deposit = account_for_shop(shop_id=shop_id, kind=K.SHOP_DEPOSIT)
    lines = [(deposit, amount), (account_for_shop(shop_id=shop_id, kind=K.SHOP_PAYABLE), -amount)]
    _lock(deposit)
    if not _posted(source_key):
        held = selectors.balance(deposit)
        if held < amount:
            raise Conflict(_("The deposit holds %(held)s, less than %(amount)s.")
                           % {"held": format_cny(held), "amount": format_cny(amount)}, code="deposit_insufficient")
    entry, created = _post(kind=EntryKind.DEPOSIT_DEDUCTED, source_key=source_key, lines=lines, memo=reason,
                           occurred_at=occurred_at, actor_user_id=actor_user_id)
    if created:
        audit_record(actor=actor, action="settlement.deposit_deducted", target_type="settlement.JournalEntry",
                     target_id=entry.pk, shop_id=shop_id, after={"amount": str(amount)}, reason=reason)
    return entry


@transaction.atomic
def post_penalty(*, source_key: str, shop_id: int, amount, reason: str, actor_user_id: int | None,
                 occurred_at: datetime | None = None, sub_order_id: int | None = None) -> JournalEntry:
    """A penalty charged to a shop, out of its payable (which may go negative: the shop then owes
    it, and its next sales or its deposit cover it). Audited."""
    amount = _money(amount, "amount")
    reason = _text(reason, "reason", required=True)
    actor = _actor(actor_user_id, required=False)
    lines = [(account_for_shop(shop_id=shop_id, kind=K.SHOP_PAYABLE), amount),
             (platform_account(kind=K.PENALTIES), -amount)]
    entry, created = _post(kind=EntryKind.PENALTY, source_key=source_key, lines=lines, memo=reason,
                           occurred_at=occurred_at, actor_user_id=actor_user_id, sub_order_id=sub_order_id)
    if created:
        audit_record(actor=actor, action="settlement.penalty", target_type="settlement.JournalEntry",
                     target_id=entry.pk, shop_id=shop_id, after={"amount": str(amount)}, reason=reason)
    return entry


@transaction.atomic
def post_adjustment(*, source_key: str, account: Account, amount, reason: str, actor_user_id: int,
                    confirm_negative: bool = False, occurred_at: datetime | None = None) -> JournalEntry:
    """An operator corrects an account by hand: a positive `amount` raises its balance in its
    normal direction (a shop's payable: the shop is owed more; provider cash: more cash), a
    negative one lowers it; the other side is the adjustments account. Reason and operator are
    required and the change is audited with the balance before and after. An adjustment that
    lowers the balance below zero is a 409 `balance_would_go_negative` unless `confirm_negative`."""
    amount = _money(amount, "amount", signed=True)
    reason = _text(reason, "reason", required=True)
    actor = _actor(actor_user_id, required=True)
    if not isinstance(account, Account) or account.pk is None or account.kind == K.ADJUSTMENTS:
        raise field_error("account", _("Choose the account to adjust."))
    raw = amount if account.normal_side == NormalSide.DEBIT else -amount
    lines = [(account, raw), (platform_account(kind=K.ADJUSTMENTS), -raw)]
    _lock(account)
    before = selectors.balance(account)
    if amount < 0 and before + amount < 0 and not confirm_negative and not _posted(source_key):
        raise Conflict(_("This adjustment would leave %(account)s at %(after)s; confirm to go below zero.")
                       % {"account": account.code, "after": format_cny(before + amount)},
                       code="balance_would_go_negative")
    entry, created = _post(kind=EntryKind.ADJUSTMENT, source_key=source_key, lines=lines, memo=reason,
                           occurred_at=occurred_at, actor_user_id=actor_user_id)
    if created:
        audit_record(actor=actor, action="settlement.adjustment", target_type="settlement.Account",
                     target_id=account.pk, shop_id=account.shop_id, before={"balance": str(before)},
                     after={"balance": str(before + amount), "entry": entry.pk}, reason=reason)
    return entry


# --- commission rules --------------------------------------------------------------------------


def _rate(value) -> Decimal:
    if isinstance(value, float | bool):
        raise field_error("rate", _("Give the rate as a Decimal such as 0.0500, not a float."))
    try:
        rate = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise field_error("rate", _("Enter a rate such as 0.0500 (5 %).")) from None
    if not rate.is_finite() or not 0 <= rate < 1:
        raise field_error("rate", _("The rate must be at least 0 and below 1."))
    if rate != rate.quantize(Decimal("0.0001")):
        raise field_error("rate", _("At most four decimals."))
    return rate.quantize(Decimal("0.0001"))


def _rules_lock(*, category_id: int | None, shop_id: int | None) -> None:
    """Serialise writes to the rules of one category and shop, so that two overlapping rules
    cannot both pass the overlap check (an exclusion constraint would need btree_gist, a contrib
    extension this database does not have)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                       [f"settlement.commission_rule:{category_id}:{shop_id}"])


def _overlapping(*, category_id: int | None, shop_id: int | None, start: date, end: date | None,
                 exclude_id: int | None = None) -> CommissionRule | None:
    rules = CommissionRule.objects.filter(category_id=category_id, shop_id=shop_id).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    if end is not None:
        rules = rules.filter(effective_from__lte=end)
    if exclude_id is not None:
        rules = rules.exclude(pk=exclude_id)
    return rules.order_by("effective_from").first()


def _overlap_conflict(rule: CommissionRule) -> Conflict:
    return Conflict(_("Another rate (%(rate)s from %(start)s to %(end)s) is in force for this category and shop "
                      "in that period.") % {"rate": rule.rate, "start": rule.effective_from,
                                           "end": rule.effective_to or _("further notice")},
                    code="commission_rule_overlap")


@transaction.atomic
def commission_rule_create(*, rate, effective_from: date, effective_to: date | None = None,
                           category_id: int | None = None, shop_id: int | None = None, note: str = "",
                           actor_user_id: int | None = None) -> CommissionRule:
    """A commission rate for a platform category (None: every category) and optionally one shop,
    in force from `effective_from` to `effective_to` (inclusive; None: until further notice).
    0 ≤ rate < 1, at most four decimals. 409 `commission_rule_overlap` when a rule of the same
    category and shop covers any day of the range. Audited."""
    rate = _rate(rate)
    if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
        raise field_error("effective_from", _("Give a date."))
    if effective_to is not None and (not isinstance(effective_to, date) or isinstance(effective_to, datetime)
                                     or effective_to < effective_from):
        raise field_error("effective_to", _("Give a date on or after the start."))
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        raise field_error("category_id", _("No such category."))
    if shop_id is not None and not Shop.objects.filter(pk=shop_id).exists():
        raise field_error("shop_id", _("No such shop."))
    note = _text(note, "note", required=False, max_length=200)
    actor = _actor(actor_user_id, required=False)
    _rules_lock(category_id=category_id, shop_id=shop_id)
    clash = _overlapping(category_id=category_id, shop_id=shop_id, start=effective_from, end=effective_to)
    if clash is not None:
        raise _overlap_conflict(clash)
    rule = CommissionRule.objects.create(category_id=category_id, shop_id=shop_id, rate=rate,
                                         effective_from=effective_from, effective_to=effective_to, note=note,
                                         created_by_user_id=actor_user_id)
    audit_record(actor=actor, action="settlement.commission_rule_create", target_type="settlement.CommissionRule",
                 target_id=rule.pk, shop_id=shop_id, after={
                     "category_id": category_id, "rate": str(rate), "effective_from": str(effective_from),
                     "effective_to": str(effective_to) if effective_to else None}, reason=note)
    return rule


@transaction.atomic
def commission_rule_end(*, rule_id: int, effective_to: date, actor_user_id: int | None = None) -> CommissionRule:
    """Set the last day a rule is in force (to make room for a new rate). Rates already applied
    are snapshotted where they were used, so this changes no past commission. 409 when the new
    end would overlap the next rule. Audited."""
    rule = CommissionRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such commission rule."))
    if not isinstance(effective_to, date) or isinstance(effective_to, datetime) or effective_to < rule.effective_from:
        raise field_error("effective_to", _("Give a date on or after the start."))
    actor = _actor(actor_user_id, required=False)
    _rules_lock(category_id=rule.category_id, shop_id=rule.shop_id)
    rule = CommissionRule.objects.select_for_update().get(pk=rule_id)
    clash = _overlapping(category_id=rule.category_id, shop_id=rule.shop_id, start=rule.effective_from,
                         end=effective_to, exclude_id=rule.pk)
    if clash is not None:
        raise _overlap_conflict(clash)
    before = str(rule.effective_to) if rule.effective_to else None
    rule.effective_to = effective_to
    rule.save(update_fields=["effective_to"])
    audit_record(actor=actor, action="settlement.commission_rule_end", target_type="settlement.CommissionRule",
                 target_id=rule.pk, shop_id=rule.shop_id, before={"effective_to": before},
                 after={"effective_to": str(effective_to)})
    return rule
