"""Payouts (打款): paying shops their statements through a payout channel.

`payouts_prepare` makes one pending payout per shop whose unpaid statements add up to more than
zero (a statement in the shop's disfavour is netted against the others; alone it waits for later
ones), skipping shops whose payouts are paused (a bank account change under review) and shops
without an approved bank account. Sending posts the money to "payouts in transit" (the ledger
refuses more than the shop is owed) and hands it to the channel:

- **sandbox_split** — the payment provider's settle-to-merchant transfer (分账), so the platform
  never holds merchants' money longer than the settlement cycle; the sandbox answers at once, so
  a sent payout is paid (or failed) right away;
- **bank_transfer** — the fallback: finance downloads a CSV for the bank (the export marks the
  payouts sent, decrypts the account numbers, and is audited), then records each result.

A failed payout gives the money back to the shop's payable and makes its statements unpaid
again; marking a payout paid twice is a no-op, paid after failed is a 409. Every move has a row
in PayoutMove and a ledger entry keyed by the payout number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, field_error
from backend.lib import pii
from shared_apps.audit.services import audit_record

from . import services
from .models import Payout, PayoutChannel, PayoutMove, PayoutStatus, Statement

S = PayoutStatus
ALLOWED = {S.PENDING: {S.SENT, S.FAILED}, S.SENT: {S.PAID, S.FAILED}, S.PAID: set(), S.FAILED: set()}
SPLIT_PROVIDER = "sandbox"
BANK = "bank"


def _move(payout: Payout, to: str, *, actor_user_id: int | None, reason: str = "") -> None:
    if to not in ALLOWED[payout.status]:
        raise Conflict(_("Payout %(number)s is %(from)s; it cannot become %(to)s.")
                       % {"number": payout.number, "from": S(payout.status).label, "to": S(to).label},
                       code="illegal_transition")
    PayoutMove.objects.create(payout=payout, from_status=payout.status, to_status=to, actor_user_id=actor_user_id,
                              reason=reason[:300])
    payout.status = to
    stamp = {S.SENT: "sent_at", S.PAID: "finished_at", S.FAILED: "finished_at"}[to]
    setattr(payout, stamp, timezone.now())
    payout.save(update_fields=["status", stamp, "failure_reason", "channel_reference"])


@dataclass(frozen=True)
class Skipped:
    shop_id: int
    reason: str


@transaction.atomic
def payouts_prepare(*, channel: str, actor_user_id: int | None, shop_ids: list[int] | None = None
                    ) -> tuple[list[Payout], list[Skipped]]:
    """One pending payout per shop for the sum of its unpaid statements, when that is positive."""
    from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount
    from tenants.models import Shop

    if channel not in PayoutChannel.values:
        raise field_error("channel", _("Choose sandbox_split or bank_transfer."))
    unpaid = Statement.objects.filter(payout__isnull=True)
    if shop_ids is not None:
        unpaid = unpaid.filter(shop_id__in=shop_ids)
    owed = dict(unpaid.values("shop_id").annotate(total=Sum("net_payable")).values_list("shop_id", "total"))
    shops = {shop.pk: shop for shop in Shop.objects.filter(pk__in=owed)}
    accounts = {row.shop_id: row for row in SettlementBankAccount.objects.filter(
        shop_id__in=owed, status=BankAccountStatus.ACTIVE)}
    made, skipped = [], []
    for shop_id in sorted(owed):
        total = owed[shop_id]
        if total <= 0:
            skipped.append(Skipped(shop_id, _("Its statements add up to %(total)s.") % {"total": total}))
        elif shops[shop_id].payouts_paused:
            skipped.append(Skipped(shop_id, _("Payouts are paused while its bank account change is reviewed.")))
        elif shop_id not in accounts:
            skipped.append(Skipped(shop_id, _("It has no approved settlement bank account.")))
        elif Payout.objects.filter(shop_id=shop_id, status__in=[S.PENDING, S.SENT]).exists():
            skipped.append(Skipped(shop_id, _("A payout to it is still open.")))
        else:
            made.append(_payout_create(shops[shop_id], accounts[shop_id], total, channel, actor_user_id,
                                       unpaid.filter(shop_id=shop_id)))
    return made, skipped


def _payout_create(shop, account, amount: Decimal, channel: str, actor_user_id, statements) -> Payout:
    payout = Payout.objects.create(
        number=f"PO{timezone.localdate():%Y%m%d}{shop.pk:06d}{Payout.objects.filter(shop=shop).count() + 1:03d}",
        shop=shop, amount=amount, channel=channel, bank_name=account.bank_name, bank_branch=account.bank_branch,
        account_name=account.account_name, account_number_encrypted=account.account_number_encrypted,
        account_last4=account.account_last4, created_by_user_id=actor_user_id)
    PayoutMove.objects.create(payout=payout, to_status=S.PENDING, actor_user_id=actor_user_id)
    statements.update(payout=payout)
    return payout


def _locked(number: str) -> Payout:
    payout = Payout.objects.select_for_update().select_related("shop").filter(number=str(number)[:24]).first()
    if payout is None:
        raise NotFound(_("No such payout."))
    return payout


@transaction.atomic
def payout_send(*, number: str, actor_user_id: int | None) -> Payout:
    """Send a pending payout through its channel (bank transfers are sent by the bank file)."""
    payout = _locked(number)
    if payout.status != S.PENDING:
        raise Conflict(_("Payout %(number)s is %(status)s, not pending.")
                       % {"number": payout.number, "status": S(payout.status).label}, code="not_pending")
    if payout.shop.payouts_paused:
        raise Conflict(_("Payouts to this shop are paused while its bank account change is reviewed."),
                       code="payouts_paused")
    _sent(payout, actor_user_id=actor_user_id)
    if payout.channel == PayoutChannel.SANDBOX_SPLIT:
        from shared_apps.payments.interface import split_transfer

        result = split_transfer(provider=SPLIT_PROVIDER, out_request_no=payout.number,
                                receiver=f"shop:{payout.shop_id}", amount=payout.amount)
        if result.ok:
            payout.channel_reference = result.provider_no
            _paid(payout, actor_user_id=actor_user_id)
        else:
            _failed(payout, reason=result.message, actor_user_id=actor_user_id)
    return payout


def _sent(payout: Payout, *, actor_user_id) -> None:
    services.post_payout_sent(source_key=f"payout:{payout.number}:sent", shop_id=payout.shop_id,
                              amount=payout.amount, reference=payout.number)
    _move(payout, S.SENT, actor_user_id=actor_user_id)


def _channel_cash(payout: Payout) -> str:
    return SPLIT_PROVIDER if payout.channel == PayoutChannel.SANDBOX_SPLIT else BANK


def _paid(payout: Payout, *, actor_user_id) -> None:
    services.post_payout_paid(source_key=f"payout:{payout.number}:paid", provider=_channel_cash(payout),
                              amount=payout.amount, reference=payout.number)
    _move(payout, S.PAID, actor_user_id=actor_user_id)


def _failed(payout: Payout, *, reason: str, actor_user_id) -> None:
    if payout.status == S.SENT:
        services.post_payout_failed(source_key=f"payout:{payout.number}:failed", shop_id=payout.shop_id,
                                    amount=payout.amount, reference=payout.number)
    payout.failure_reason = reason[:300]
    _move(payout, S.FAILED, actor_user_id=actor_user_id, reason=reason)
    payout.statements.update(payout=None)


@transaction.atomic
def payout_mark_paid(*, number: str, actor_user_id: int, reference: str = "") -> Payout:
    """Finance records the bank's confirmation of a sent payout. Twice: no change."""
    payout = _locked(number)
    if payout.status == S.PAID:
        return payout
    payout.channel_reference = str(reference or "")[:64]
    _paid(payout, actor_user_id=actor_user_id)
    return payout


@transaction.atomic
def payout_mark_failed(*, number: str, actor_user_id: int, reason: str) -> Payout:
    """The bank returned a payout (or finance cancels a pending one): the money is owed to the
    shop again and its statements wait for the next payout."""
    reason = str(reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the payout failed."))
    payout = _locked(number)
    if payout.status == S.FAILED:
        return payout
    _failed(payout, reason=reason, actor_user_id=actor_user_id)
    return payout


BANK_FILE_COLUMNS = ["payout", "shop", "account_name", "bank_name", "bank_branch", "account_number", "amount",
                     "memo"]


@transaction.atomic
def bank_file(*, actor, ip: str | None = None) -> str:
    """The pending bank-transfer payouts as a CSV for the bank (full account numbers), marking
    them sent; a paused shop's payout, or one for more than the shop is owed now, stays pending.
    Audited: it holds account numbers."""
    payouts = list(Payout.objects.select_for_update().select_related("shop").filter(
        channel=PayoutChannel.BANK_TRANSFER, status=S.PENDING).order_by("id"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BANK_FILE_COLUMNS)
    sent = []
    for payout in payouts:
        if payout.shop.payouts_paused:
            continue
        try:
            with transaction.atomic():
                _sent(payout, actor_user_id=actor.pk)
        except Conflict:
            continue  # owed less than this now (a refund since): stays pending for finance to look at
        sent.append(payout.number)
        writer.writerow([payout.number, payout.shop.name, payout.account_name, payout.bank_name, payout.bank_branch,
                         pii.decrypt(payout.account_number_encrypted), f"{payout.amount:.2f}",
                         f"{payout.shop.name} settlement {payout.number}"])
    audit_record(actor=actor, action="settlement.bank_file", target_type="payout", target_id=",".join(sent)[:60],
                 after={"payouts": sent}, ip=ip)
    return buffer.getvalue()
