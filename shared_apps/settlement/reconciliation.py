"""Reconciliation (对账, P4): a provider's daily statement matched line by line against the ledger.

Each statement line is a payment (our out_trade_no = the payment number) or a refund (our
out_refund_no = the payment refund number). The ledger's view of the same money:

- a payment: its capture entries (one per sub-order, reference = the payment number): the amount
  the shops were credited and the provider fee booked;
- a refund: its "refund paid" entry (reference = the refund number): the amount and the fee the
  provider gave back.

Both agree → matched; they differ in amount or fee → mismatched; the file has money the ledger
does not → unmatched; the ledger has money of that provider on that day (Asia/Shanghai) the file
does not → missing. Rows the parser could not read are kept as errors with their line numbers.
Finance then resolves each open item with a note, or posts an adjustment of the provider cash
account by the difference (audited; a reason is required). Importing the same file again returns
the first import; a file in a wrong format is a 400 naming the line and column.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, field_error

from . import services
from .models import (
    AccountKind,
    EntryKind,
    ItemState,
    JournalLine,
    ReconciliationImport,
    ReconciliationItem,
    Resolution,
)

PROVIDERS = ("sandbox", "alipay", "wechat")
MAX_BYTES = 64 * 1024 * 1024


# How the ledger books each kind of statement line: (entry kind, the account whose lines carry the
# amount, the sign that makes it positive). The fee is the provider-fees lines as they stand: a
# fee charged is a debit (positive), a fee given back a credit (negative), as statements show it.
BOOKED = {
    "payment": (EntryKind.PAYMENT_CAPTURED, AccountKind.SHOP_PAYABLE, -1),  # credited to the shops
    "refund": (EntryKind.REFUND_PAID, AccountKind.REFUNDS_CLEARING, 1),
}


def _booked(kind: str, provider: str, *, references=None, start=None, end=None) -> dict[str, tuple[Decimal, Decimal]]:
    """{payment or refund number: (amount, fee)} of `provider`'s cash, by reference or by day."""
    entry_kind, amount_account, sign = BOOKED[kind]
    lines = JournalLine.objects.filter(entry__kind=entry_kind)
    if references is not None:
        lines = lines.filter(entry__reference__in=references)
    else:
        lines = lines.filter(entry__occurred_at__gte=start, entry__occurred_at__lt=end)
    cash = f"{AccountKind.PROVIDER_CASH}:{provider}"
    found: dict[str, list] = defaultdict(lambda: [Decimal(0), Decimal(0), False])
    for reference, code, account_kind, total in (
            lines.values_list("entry__reference", "account__code", "account__kind").annotate(total=Sum("amount"))):
        row = found[reference]
        if code == cash:
            row[2] = True
        if account_kind == amount_account:
            row[0] += sign * total
        elif account_kind == AccountKind.PROVIDER_FEES:
            row[1] += total
    return {ref: (row[0], row[1]) for ref, row in found.items() if row[2]}


def _day_bounds(day) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


@transaction.atomic
def statement_import(*, provider: str, content: bytes, actor_user_id: int | None, filename: str = "",
                     day=None) -> ReconciliationImport:
    """Read a provider's daily statement and match it against the ledger (see the module)."""
    from shared_apps.payments.statements import statement_parse

    if provider not in PROVIDERS:
        raise field_error("provider", _("Choose sandbox, alipay or wechat."))
    if not content:
        raise field_error("file", _("The file is empty."))
    if len(content) > MAX_BYTES:
        raise field_error("file", _("The file is larger than 64 MB."))
    sha = hashlib.sha256(content).hexdigest()
    earlier = ReconciliationImport.objects.filter(provider=provider, sha256=sha).first()
    if earlier is not None:
        return earlier
    parsed = statement_parse(provider, content)
    day = parsed.day or day or (min(line.occurred_at for line in parsed.lines).astimezone().date()
                                if parsed.lines else None)
    if day is None:
        raise field_error("day", _("This statement does not say its day; give the day."))
    try:
        with transaction.atomic():
            run = ReconciliationImport.objects.create(
                provider=provider, day=day, sha256=sha, filename=str(filename)[:200], lines=len(parsed.lines),
                errors=[[line_no, message] for line_no, message in parsed.errors],
                imported_by_user_id=actor_user_id)
    except IntegrityError:  # the same file, imported at the same moment by someone else
        return ReconciliationImport.objects.get(provider=provider, sha256=sha)
    _match(run, parsed.lines)
    return run


def _match(run: ReconciliationImport, lines) -> None:
    payments = [line for line in lines if line.kind == "payment"]
    refunds = [line for line in lines if line.kind == "refund"]
    in_ledger = {
        "payment": _booked("payment", run.provider, references=[line.out_trade_no for line in payments]),
        "refund": _booked("refund", run.provider, references=[line.out_refund_no for line in refunds]),
    }
    items, seen = [], {"payment": set(), "refund": set()}
    for line in lines:
        reference = line.out_trade_no if line.kind == "payment" else line.out_refund_no
        seen[line.kind].add(reference)
        ledger = in_ledger[line.kind].get(reference)
        if ledger is None:
            state = ItemState.UNMATCHED
        elif ledger == (line.amount, line.fee):
            state = ItemState.MATCHED
        else:
            state = ItemState.MISMATCHED
        items.append(ReconciliationItem(
            reconciliation=run, state=state, kind=line.kind, reference=reference, line_no=line.line_no,
            file_amount=line.amount, file_fee=line.fee, ledger_amount=ledger[0] if ledger else None,
            ledger_fee=ledger[1] if ledger else None,
            resolution=Resolution.RESOLVED if state == ItemState.MATCHED else Resolution.OPEN))
    start, end = _day_bounds(run.day)
    for kind in BOOKED:
        for reference, (amount, fee) in sorted(_booked(kind, run.provider, start=start, end=end).items()):
            if reference not in seen[kind]:
                items.append(ReconciliationItem(reconciliation=run, state=ItemState.MISSING, kind=kind,
                                                reference=reference, ledger_amount=amount, ledger_fee=fee))
    ReconciliationItem.objects.bulk_create(items)
    counts = defaultdict(int)
    for item in items:
        counts[item.state] += 1
    ReconciliationImport.objects.filter(pk=run.pk).update(
        matched=counts[ItemState.MATCHED], mismatched=counts[ItemState.MISMATCHED],
        unmatched=counts[ItemState.UNMATCHED], missing=counts[ItemState.MISSING])
    run.refresh_from_db()


def _open_item(item_id: int) -> ReconciliationItem:
    item = (ReconciliationItem.objects.select_for_update().select_related("reconciliation")
            .filter(pk=item_id).first())
    if item is None:
        raise NotFound(_("No such reconciliation item."))
    if item.resolution != Resolution.OPEN:
        raise Conflict(_("This item is already %(state)s.") % {"state": Resolution(item.resolution).label},
                       code="already_resolved")
    return item


@transaction.atomic
def item_resolve(*, item_id: int, note: str, actor_user_id: int) -> ReconciliationItem:
    """Finance explains an open item (a refund the provider books the next day, say)."""
    note = str(note or "").strip()
    if not note or len(note) > 300:
        raise field_error("note", _("Say in 1 to 300 characters why this is in order."))
    item = _open_item(item_id)
    item.resolution, item.note = Resolution.RESOLVED, note
    item.resolved_by_user_id, item.resolved_at = actor_user_id, timezone.now()
    item.save(update_fields=["resolution", "note", "resolved_by_user_id", "resolved_at"])
    return item


def _cash(kind: str, amount, fee) -> Decimal:
    """What a payment (amount − fee) or a refund (−amount, plus any fee given back) does to the
    platform's cash at the provider."""
    if amount is None:
        return Decimal("0.00")
    return amount - fee if kind == "payment" else -amount - fee


def difference(item: ReconciliationItem) -> Decimal:
    """The cash the statement says the provider holds less what the ledger says, for this item."""
    return _cash(item.kind, item.file_amount, item.file_fee) - _cash(item.kind, item.ledger_amount, item.ledger_fee)


@transaction.atomic
def item_adjust(*, item_id: int, note: str, actor_user_id: int, confirm_negative: bool = False) -> ReconciliationItem:
    """Finance books the difference on the provider's cash account (an adjustment entry with the
    note as its reason) and closes the item."""
    note = str(note or "").strip()
    if not note:
        raise field_error("note", _("Give the reason for the adjustment."))
    item = _open_item(item_id)
    amount = difference(item)
    if not amount:
        raise Conflict(_("The statement and the ledger hold the same cash here; resolve it with a note."),
                       code="nothing_to_adjust")
    entry = services.post_adjustment(
        source_key=f"reconciliation:{item.pk}:adjust", account=services.provider_cash(
            provider=item.reconciliation.provider), amount=amount, reason=note, actor_user_id=actor_user_id,
        confirm_negative=confirm_negative)
    item.resolution, item.note, item.adjustment_entry = Resolution.ADJUSTED, note[:300], entry
    item.resolved_by_user_id, item.resolved_at = actor_user_id, timezone.now()
    item.save(update_fields=["resolution", "note", "adjustment_entry", "resolved_by_user_id", "resolved_at"])
    return item
