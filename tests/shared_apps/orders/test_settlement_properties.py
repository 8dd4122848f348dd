"""Property, end to end over real orders: any sequence of online and pay-at-pickup purchases in two
shops, completions, partial and full refunds (succeeding or failing), settlement runs and payouts
(paid or failed) keeps the ledger balanced after every step; and at the end, after a last run
past every window: each shop's payable equals its statements less its live payouts, every ledger
line of a shop is in at most one statement, and every order line is settled exactly to its net
(paid − refunded) with the commission of that net — nothing counted twice, nothing lost."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.api.errors import Conflict
from backend.lib import pii
from backend.lib.money import to_fen
from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount
from shared_apps.orders import refunds, services
from shared_apps.orders.checkout import checkout_place
from shared_apps.orders.models import OrderLine, OrderRefund, SubOrder
from shared_apps.payments import interface as payments
from shared_apps.payments import services as payment_services
from shared_apps.payments.models import Refund
from shared_apps.payments.testing import sandbox_pay
from shared_apps.settlement import payouts, postings, runs, selectors
from shared_apps.settlement import services as ledger
from shared_apps.settlement.models import Payout, SettledLine, Statement, StatementEntry

from .conftest import express, fill_cart

pytestmark = pytest.mark.django_db
D = Decimal

step = st.one_of(
    st.tuples(st.just("buy"), st.sampled_from([(0,), (1,), (0, 1)]), st.booleans()),
    st.tuples(st.just("complete"), st.integers(0, 20)),
    st.tuples(st.just("refund"), st.integers(0, 20), st.integers(1, 100), st.booleans()),
    st.tuples(st.just("settle"), st.integers(0, 9)),
    st.tuples(st.just("payout"), st.sampled_from(["sandbox_split", "bank_transfer"]), st.booleans()),
)


class World:
    def __init__(self, shopper, address, stocked, operator):
        self.shopper, self.address, self.stocked, self.operator = shopper, address, stocked, operator
        self.orders: list[int] = []
        self.tokens = 0
        self.days = 0  # how far the run cutoffs have moved on

    def buy(self, shops, pickup):
        chosen = [self.stocked[i] for i in shops]
        fill_cart(self.shopper, *[(s.shop, s.skus[0], 1) for s in chosen])
        self.tokens += 1
        if pickup:
            picks = [{"shop_id": s.shop.pk, "delivery_method": "pickup", "pickup_location_id": s.store_id,
                      "payment_mode": "at_pickup"} for s in chosen]
        else:
            picks = express(*[s.shop for s in chosen])
        order = checkout_place(user_id=self.shopper.pk, data={
            "client_token": f"property-{self.tokens:04d}", "address_id": self.address.pk, "shops": picks})
        if pickup:
            for sub in order.sub_orders.all():
                payments.offline_confirm(number=sub.offline_payment_number, actor_user_id=self.operator.pk)
        else:
            sandbox_pay(order.number)
        self.orders.append(order.pk)

    def subs(self, k):
        if not self.orders:
            return []
        return list(SubOrder.objects.filter(order_id=self.orders[k % len(self.orders)]))

    def complete(self, k):
        for sub in self.subs(k):
            if sub.status in ("paid", "confirmed") and not sub.is_pickup:
                services.sub_order_shipped(shop_id=sub.shop_id, number=sub.number, actor_user_id=None)
                services.sub_order_delivered(shop_id=sub.shop_id, number=sub.number)
            elif sub.status == "paid" and sub.is_pickup:
                services.sub_order_picked_up(shop_id=sub.shop_id, number=sub.number, actor_user_id=self.operator.pk)
        services.sub_orders_complete_delivered(now=timezone.now() + timedelta(days=8))

    def refund(self, k, percent, succeed):
        for sub in self.subs(k)[:1]:
            room = refunds.refund_room(sub)
            lines = [{"line": r.line.pk, "amount": str(to_fen(r.amount_left * percent / 100))}
                     for r in room.lines if to_fen(r.amount_left * percent / 100) > 0]
            if not lines or sub.paid_amount == 0:
                return
            try:
                refund = refunds.refund_create(number=sub.number, shop_id=sub.shop_id, requested_by="shop",
                                               reason="property", lines=lines)
            except Conflict:
                return  # cancelled or nothing left: refused, and nothing written
            if refund.awaits_hand_back:
                refunds.refund_handed_back(refund_number=refund.number, shop_id=sub.shop_id, actor=self.operator)
            else:
                payment_services.refund_settle(refund_id=Refund.objects.get(refund_no=refund.payment_refund_no).pk,
                                               status="succeeded" if succeed else "failed", reason="property")

    def settle(self, days):
        self.days = max(self.days, days)
        try:
            runs.run_start(cutoff=timezone.now() + timedelta(days=self.days))
        except Conflict:
            pass

    def payout(self, channel, fail):
        made, _skipped = payouts.payouts_prepare(channel=channel, actor_user_id=self.operator.pk)
        for payout in made:
            if channel == "bank_transfer":
                payouts.bank_file(actor=self.operator)
                payout.refresh_from_db()
                if fail or payout.status == "pending":
                    payouts.payout_mark_failed(number=payout.number, actor_user_id=self.operator.pk, reason="returned")
                else:
                    payouts.payout_mark_paid(number=payout.number, actor_user_id=self.operator.pk)
            elif fail:
                payouts.payout_mark_failed(number=payout.number, actor_user_id=self.operator.pk, reason="cancelled")
            else:
                try:
                    payouts.payout_send(number=payout.number, actor_user_id=self.operator.pk)
                except Conflict:  # owed less than its statements now (a refund since): refused whole
                    payouts.payout_mark_failed(number=payout.number, actor_user_id=self.operator.pk,
                                               reason="owed less")


def check_end(world: World, shops) -> None:
    for k in range(len(world.orders)):
        world.complete(k)
    world.settle(40)  # past every window
    assert selectors.ledger_balanced()
    covered = StatementEntry.objects.values("journal_line_id").annotate(n=Count("id")).filter(n__gt=1)
    assert not covered.exists(), "a ledger line is in two statements"
    for shop in shops:
        payable = selectors.balance(ledger.account_for_shop(shop_id=shop.pk, kind="shop_payable"))
        statements = Statement.objects.filter(shop=shop).aggregate(total=Sum("net_payable"))["total"] or D(0)
        paid_out = Payout.objects.filter(shop=shop, status__in=["sent", "paid"]).aggregate(
            total=Sum("amount"))["total"] or D(0)
        assert payable == statements - paid_out, (shop.subdomain, payable, statements, paid_out)
    settled = defaultdict(lambda: [D(0), D(0)])
    for line_id, net, commission in SettledLine.objects.values_list("order_line_id", "net_paid", "commission"):
        settled[line_id][0] += net
        settled[line_id][1] += commission
    for line in OrderLine.objects.filter(pk__in=settled):
        net = line.paid_amount - line.refunded_amount
        assert settled[line.pk][0] == net, line.pk
        discount = to_fen(line.platform_discount * net / line.paid_amount) if line.paid_amount else line.platform_discount
        assert settled[line.pk][1] == to_fen((net + discount) * line.commission_rate)
    pending = OrderRefund.objects.filter(status="pending").count()
    assert pending == 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=4, max_size=14))
def test_any_sequence_settles_every_fen_once(steps, shopper, address, alpha, beta, operator, merchant_a,
                                              merchant_b):
    sid = transaction.savepoint()  # each example starts from the same shops and stock
    try:
        ledger.commission_rule_create(rate="0.0500", effective_from=date(2020, 1, 1))
        for stocked, owner in ((alpha, merchant_a), (beta, merchant_b)):
            SettlementBankAccount.objects.create(
                shop=stocked.shop, status=BankAccountStatus.ACTIVE, bank_name="Bank", account_name="Co",
                account_number_encrypted=pii.encrypt("6225880112345678"), account_last4="5678", requested_by=owner)
        world = World(shopper, address, [alpha, beta], operator)
        for s in steps:
            getattr(world, s[0])(*s[1:])
            postings.catch_up()  # what the after-commit tasks would post
            assert selectors.ledger_balanced(), s
        check_end(world, [alpha.shop, beta.shop])
    finally:
        transaction.savepoint_rollback(sid)
