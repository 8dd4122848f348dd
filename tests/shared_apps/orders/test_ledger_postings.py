"""What orders post to the settlement ledger as money moves: the capture of each paid sub-order
with its share of the provider's fee, refunds charged, failed and paid back, commission rates kept
on the lines, nothing for money the shop took itself, and the sweep that posts what a lost task
left out — the ledger balanced throughout."""

from datetime import date
from decimal import Decimal

import pytest

from shared_apps.orders import refunds
from shared_apps.orders.models import OrderLine, SubOrder
from shared_apps.payments import interface as payments
from shared_apps.payments import services as payment_services
from shared_apps.payments.models import Refund
from shared_apps.payments.testing import sandbox_pay
from shared_apps.settlement import postings, selectors, services
from shared_apps.settlement.models import AccountKind, JournalEntry

from .conftest import express, fill_cart, lines_of
from .test_checkout import place

pytestmark = pytest.mark.django_db


def payable(shop_id: int) -> Decimal:
    return selectors.balance(services.account_for_shop(shop_id=shop_id, kind=AccountKind.SHOP_PAYABLE))


def keys() -> list[str]:
    return sorted(JournalEntry.objects.values_list("source_key", flat=True))


def test_a_paid_order_posts_each_shops_capture_and_fee(paid, settings):
    order = paid.order
    subs = {s.shop_id: s for s in order.sub_orders.all()}
    payment = payments.payment_get(number=order.number)
    assert payment.fee == Decimal("1.82")  # 0.6 % of 304.00
    # The fee split by payable: 264.00 → 1.58, 40.00 → 0.24 (the fen left over goes to the larger remainder).
    assert [postings.fee_share(s, payment.fee) for s in sorted(subs.values(), key=lambda s: s.number)] == [
        Decimal("1.58"), Decimal("0.24")]
    assert keys() == sorted([f"sale:{s.number}:{what}" for s in subs.values() for what in ("captured", "fee")])
    for shop_id, sub in subs.items():
        captured = JournalEntry.objects.get(source_key=f"sale:{sub.number}:captured")
        assert captured.sub_order_id == sub.pk and captured.reference == order.number
        assert payable(shop_id) == sub.paid_amount - postings.fee_share(sub, payment.fee)
    assert selectors.balance(services.provider_cash(provider="sandbox")) == Decimal("304.00") - Decimal("1.82")
    assert selectors.ledger_balanced()
    assert set(OrderLine.objects.filter(sub_order__order=order).values_list("commission_rate", flat=True)) == {
        Decimal(0)}  # no rule yet


def test_posting_again_changes_nothing(paid):
    before = keys()
    for sub in paid.order.sub_orders.all():
        postings.sale_paid(sub.pk)
    assert keys() == before


def test_commission_rates_are_kept_from_the_day_of_payment(shopper, address, alpha, in_process_delivery,
                                                           django_capture_on_commit_callbacks):
    services.commission_rule_create(rate="0.0500", effective_from=date(2020, 1, 1))
    services.commission_rule_create(rate="0.0300", effective_from=date(2020, 1, 1), shop_id=alpha.shop.pk)
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    order = place(shopper, address, express(alpha.shop))
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(order.number)
    assert list(OrderLine.objects.filter(sub_order__order=order).values_list("commission_rate", flat=True)) == [
        Decimal("0.0300")]


def test_refunds_are_charged_failed_retried_and_paid(paid, merchant_a, django_capture_on_commit_callbacks):
    first = lines_of(paid)[0]
    start = payable(paid.shop_id)
    failing = refunds.refund_create(number=paid.number, shop_id=paid.shop_id, requested_by="shop", reason="x",
                                    lines=[{"line": first.pk, "amount": "40.00"}])
    postings.refund_moved(failing.pk)  # the task of refund_create (callbacks not run here)
    assert payable(paid.shop_id) == start - Decimal("40.00")
    payment_services.refund_settle(refund_id=Refund.objects.get(refund_no=failing.number).pk, status="failed",
                                   reason="ACCOUNT_FROZEN")
    postings.refund_moved(failing.pk)
    assert payable(paid.shop_id) == start
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_retry(refund_number=failing.number, actor=merchant_a)
    assert payable(paid.shop_id) == start - Decimal("40.00")
    number = failing.number
    assert {k for k in keys() if k.startswith("refund:")} == {
        f"refund:{number}:1:charged", f"refund:{number}:1:failed", f"refund:{number}:2:charged",
        f"refund:{number}:paid"}
    assert selectors.balance(services.platform_account(kind=AccountKind.REFUNDS_CLEARING)) == 0
    assert selectors.ledger_balanced()


def test_money_the_shop_took_posts_no_cash(shopper, address, alpha, merchant_a):
    fill_cart(shopper, (alpha.shop, alpha.skus[1], 1))
    order = place(shopper, address, [{"shop_id": alpha.shop.pk, "delivery_method": "pickup",
                                      "pickup_location_id": alpha.store_id, "payment_mode": "at_pickup"}])
    sub = order.sub_orders.get()
    payments.offline_confirm(number=sub.offline_payment_number, actor_user_id=merchant_a.pk)
    assert postings.sale_paid(sub.pk) is False
    assert not JournalEntry.objects.exists()
    assert OrderLine.objects.get(sub_order=sub).commission_rate == 0  # the rate is still kept


def test_the_sweep_posts_what_lost_tasks_left_out(shopper, address, alpha, beta, in_process_delivery):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1), (beta.shop, beta.skus[0], 1))
    order = place(shopper, address, express(alpha.shop, beta.shop))
    sandbox_pay(order.number)  # on-commit tasks never run inside this test's transaction
    assert not JournalEntry.objects.exists()
    sub = SubOrder.objects.get(order=order, shop=alpha.shop)
    refunds.refund_create(number=sub.number, shop_id=alpha.shop.pk, requested_by="shop", reason="x",
                          lines=[{"line": lines_of(sub)[0].pk, "amount": "5.00"}])
    assert postings.catch_up() == 3  # two sales, one refund
    assert len(keys()) == 5  # captured ×2, fee ×2, refund charged
    assert postings.catch_up() == 0
    assert selectors.ledger_balanced()
