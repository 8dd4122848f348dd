"""Payouts of statements: through the sandbox's settle-to-merchant transfer (paid at once, or
failed when the sandbox holds too little) and through a bank file that finance confirms; paused
shops and shops without a bank account are skipped; a failed payout owes the money again; marking
paid twice changes nothing — and each shop's payable equals its statements less its payouts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from backend.api.errors import Conflict
from backend.lib import pii
from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount
from shared_apps.settlement import payouts, runs, selectors
from shared_apps.settlement import services as ledger
from shared_apps.settlement.models import PayoutStatus, Statement

from .test_settlement_run import complete, five_percent  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def settled(five_percent, paid, merchant_a):  # noqa: F811  (the fixture imported above)
    for sub in paid.order.sub_orders.all():
        complete(sub)
    runs.run_start(cutoff=timezone.now() + timedelta(days=8))
    SettlementBankAccount.objects.create(
        shop_id=paid.shop_id, status=BankAccountStatus.ACTIVE, bank_name="招商银行", bank_branch="深圳分行",
        account_name="阿尔法贸易有限公司", account_number_encrypted=pii.encrypt("6225880112345678"),
        account_last4="5678", requested_by=merchant_a)
    return paid


def payable(shop_id) -> Decimal:
    return selectors.balance(ledger.account_for_shop(shop_id=shop_id, kind="shop_payable"))


def test_a_split_payout_pays_the_statement_at_once(settled, operator):
    made, skipped = payouts.payouts_prepare(channel="sandbox_split", actor_user_id=operator.pk)
    assert [(p.shop_id, p.amount, p.status) for p in made] == [(settled.shop_id, D("249.92"), "pending")]
    assert [s.reason for s in skipped] == ["It has no approved settlement bank account."]  # the other shop
    payout = payouts.payout_send(number=made[0].number, actor_user_id=operator.pk)
    assert (payout.status, payout.channel_reference[:2]) == (PayoutStatus.PAID, "SS")
    assert Statement.objects.get(shop_id=settled.shop_id).payout == payout
    assert payable(settled.shop_id) == 0  # paid everything it was owed
    assert selectors.ledger_balanced()
    assert payouts.payouts_prepare(channel="sandbox_split", actor_user_id=operator.pk)[0] == []  # nothing left
    with pytest.raises(Conflict):
        payouts.payout_send(number=payout.number, actor_user_id=operator.pk)


def test_a_bank_file_then_the_banks_answers(settled, operator):
    made, _skipped = payouts.payouts_prepare(channel="bank_transfer", actor_user_id=operator.pk)
    content = payouts.bank_file(actor=operator)
    header, row = content.strip().split("\n")
    assert header.split(",") == payouts.BANK_FILE_COLUMNS
    assert f"{made[0].number},Alpha 商店,阿尔法贸易有限公司,招商银行,深圳分行,6225880112345678,249.92" in row
    made[0].refresh_from_db()
    assert made[0].status == PayoutStatus.SENT and payable(settled.shop_id) == 0
    assert payouts.bank_file(actor=operator).strip() == ",".join(payouts.BANK_FILE_COLUMNS)  # nothing sent twice
    failed = payouts.payout_mark_failed(number=made[0].number, actor_user_id=operator.pk, reason="account closed")
    assert failed.status == PayoutStatus.FAILED and payable(settled.shop_id) == D("249.92")
    assert Statement.objects.get(shop_id=settled.shop_id).payout is None  # waits for the next payout
    with pytest.raises(Conflict):
        payouts.payout_mark_paid(number=made[0].number, actor_user_id=operator.pk)
    again, _ = payouts.payouts_prepare(channel="bank_transfer", actor_user_id=operator.pk)
    payouts.bank_file(actor=operator)
    paid = payouts.payout_mark_paid(number=again[0].number, actor_user_id=operator.pk, reference="B-77")
    assert payouts.payout_mark_paid(number=again[0].number, actor_user_id=operator.pk).pk == paid.pk  # twice: no-op
    assert paid.status == PayoutStatus.PAID and payable(settled.shop_id) == 0
    assert selectors.ledger_balanced()


def test_paused_shops_are_skipped_and_cannot_be_sent(settled, operator):
    made, _ = payouts.payouts_prepare(channel="sandbox_split", actor_user_id=operator.pk)
    settled.shop.payouts_paused = True
    settled.shop.save(update_fields=["payouts_paused"])
    with pytest.raises(Conflict) as refused:
        payouts.payout_send(number=made[0].number, actor_user_id=operator.pk)
    assert refused.value.code == "payouts_paused"
    payouts.payout_mark_failed(number=made[0].number, actor_user_id=operator.pk, reason="paused")
    made, skipped = payouts.payouts_prepare(channel="sandbox_split", actor_user_id=operator.pk)
    assert made == [] and "paused" in skipped[0].reason + skipped[1].reason


def test_the_sandbox_refuses_more_than_it_holds(settled, operator, monkeypatch):
    from shared_apps.payments import sandbox_gateway

    made, _ = payouts.payouts_prepare(channel="sandbox_split", actor_user_id=operator.pk)
    monkeypatch.setattr(sandbox_gateway, "held_balance", lambda: D("10.00"))
    payout = payouts.payout_send(number=made[0].number, actor_user_id=operator.pk)
    assert (payout.status, payout.failure_reason) == (PayoutStatus.FAILED, "BALANCE_NOT_ENOUGH")
    assert payable(settled.shop_id) == D("249.92") and selectors.ledger_balanced()
