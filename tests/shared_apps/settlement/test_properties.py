"""Property: any sequence of money events posted through the recipes (payments, discounts,
commission online and offline, fees, refunds paid or failed, payouts paid or failed, penalties,
deposits, deductions, offsets, adjustments, and replays of earlier events) keeps the ledger
balanced, every shop's balances equal to what a plain model of the rules says was posted for
it, refusals exactly where the model says the balance is too low, and nothing counted twice."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.api.errors import Conflict
from shared_apps.settlement import selectors, services
from shared_apps.settlement.models import AccountKind, JournalEntry

pytestmark = pytest.mark.django_db
K = AccountKind
SHOPS = 2  # few shops and small amounts, so payouts and deductions often meet a balance that covers them

shop = st.integers(0, SHOPS - 1)
fen = st.integers(1, 2_000)  # up to ¥20.00
step = st.one_of(
    st.tuples(st.just("capture"), st.sampled_from(["sandbox", "alipay"]),
              st.lists(st.integers(0, 5_000), min_size=SHOPS, max_size=SHOPS).filter(any), st.integers(0, 300)),
    st.tuples(st.just("discount"), shop, fen, st.booleans()),
    st.tuples(st.just("commission"), shop, fen, st.booleans(), st.booleans()),
    st.tuples(st.just("fee"), shop, fen),
    st.tuples(st.just("refund"), shop, fen, st.sampled_from(["paid", "failed", "pending"])),
    st.tuples(st.just("payout"), shop, fen, st.sampled_from(["paid", "failed", "sent"])),
    st.tuples(st.just("penalty"), shop, fen),
    st.tuples(st.just("deposit"), shop, fen, st.booleans()),
    st.tuples(st.just("deduct"), shop, fen),
    st.tuples(st.just("offset"), shop, fen),
    st.tuples(st.just("adjust"), shop, fen, st.booleans()),
    st.tuples(st.just("replay"), st.integers(0, 40)),
)


def yuan(cents: int) -> Decimal:
    return Decimal(cents) / 100


class Model:
    """What each shop's accounts should hold, by the rules in services.py's table."""

    def __init__(self):
        self.balances = {kind: defaultdict(Decimal) for kind in (K.SHOP_PAYABLE, K.SHOP_RECEIVABLE, K.SHOP_DEPOSIT)}

    def add(self, kind: str, shop_id: int, amount: Decimal) -> None:
        self.balances[kind][shop_id] += amount

    def get(self, kind: str, shop_id: int) -> Decimal:
        return self.balances[kind][shop_id]


def run_step(s, i: int, shops: list[int], model: Model, actor: int) -> list:
    """Post step `s` as event number `i`; the calls made (to replay them), [] if refused."""
    key = f"e{i}"
    p = K.SHOP_PAYABLE
    if s[0] == "capture":
        _, provider, cents, fee = s
        amounts = {shops[n]: yuan(c) for n, c in enumerate(cents)}
        total = sum(amounts.values())
        call = (services.post_payment_captured, {"source_key": key, "provider": provider, "amount": total,
                                                 "fee": min(yuan(fee), total), "shop_amounts": amounts})
        for shop_id, amount in amounts.items():
            model.add(p, shop_id, amount)
        return [call]
    _, n, cents, *rest = s
    shop_id, amount = shops[n], yuan(cents)
    if s[0] == "discount":
        signed = -amount if rest[0] else amount
        model.add(p, shop_id, signed)
        return [(services.post_platform_discount, {"source_key": key, "shop_amounts": {shop_id: signed}})]
    if s[0] == "commission":
        negative, offline = rest
        signed = -amount if negative else amount
        if offline:
            model.add(K.SHOP_RECEIVABLE, shop_id, signed)
        else:
            model.add(p, shop_id, -signed)
        return [(services.post_commission, {"source_key": key, "shop_id": shop_id, "amount": signed,
                                            "offline": offline})]
    if s[0] == "fee":
        model.add(p, shop_id, -amount)
        return [(services.post_fee_charged, {"source_key": key, "shop_fees": {shop_id: amount}})]
    if s[0] == "refund":
        calls = [(services.post_refund, {"source_key": key, "shop_amounts": {shop_id: amount}})]
        model.add(p, shop_id, -amount)
        if rest[0] == "paid":
            calls.append((services.post_refund_paid, {"source_key": f"{key}:paid", "provider": "sandbox",
                                                      "amount": amount}))
        elif rest[0] == "failed":
            calls.append((services.post_refund_failed, {"source_key": f"{key}:failed",
                                                        "shop_amounts": {shop_id: amount}}))
            model.add(p, shop_id, amount)
        return calls
    if s[0] == "payout":
        if model.get(p, shop_id) < amount:
            return expect_refused(services.post_payout_sent, source_key=key, shop_id=shop_id, amount=amount)
        calls = [(services.post_payout_sent, {"source_key": key, "shop_id": shop_id, "amount": amount})]
        model.add(p, shop_id, -amount)
        if rest[0] == "paid":
            calls.append((services.post_payout_paid, {"source_key": f"{key}:paid", "provider": "bank",
                                                      "amount": amount}))
        elif rest[0] == "failed":
            calls.append((services.post_payout_failed, {"source_key": f"{key}:failed", "shop_id": shop_id,
                                                        "amount": amount}))
            model.add(p, shop_id, amount)
        return calls
    if s[0] == "penalty":
        model.add(p, shop_id, -amount)
        return [(services.post_penalty, {"source_key": key, "shop_id": shop_id, "amount": amount,
                                         "reason": "property", "actor_user_id": actor})]
    if s[0] == "deposit":
        withheld = rest[0]
        model.add(K.SHOP_DEPOSIT, shop_id, amount)
        if withheld:
            model.add(p, shop_id, -amount)
        return [(services.post_deposit_paid, {"source_key": key, "shop_id": shop_id, "amount": amount,
                                              "provider": None if withheld else "wechat"})]
    if s[0] == "deduct":
        kwargs = {"source_key": key, "shop_id": shop_id, "amount": amount, "reason": "property",
                  "actor_user_id": actor}
        if model.get(K.SHOP_DEPOSIT, shop_id) < amount:
            return expect_refused(services.post_deposit_deducted, **kwargs)
        model.add(K.SHOP_DEPOSIT, shop_id, -amount)
        model.add(p, shop_id, amount)
        return [(services.post_deposit_deducted, kwargs)]
    if s[0] == "offset":
        model.add(p, shop_id, -amount)
        model.add(K.SHOP_RECEIVABLE, shop_id, -amount)
        return [(services.post_receivable_offset, {"source_key": key, "shop_id": shop_id, "amount": amount})]
    # adjust
    signed = -amount if rest[0] else amount
    kwargs = {"source_key": key, "account": services.account_for_shop(shop_id=shop_id, kind=p), "amount": signed,
              "reason": "property", "actor_user_id": actor}
    if signed < 0 and model.get(p, shop_id) + signed < 0:
        return expect_refused(services.post_adjustment, **kwargs)
    model.add(p, shop_id, signed)
    return [(services.post_adjustment, kwargs)]


def expect_refused(recipe, **kwargs) -> list:
    with pytest.raises(Conflict):
        recipe(**kwargs)
    return []


def assert_ledger_matches(model: Model, shops: list[int], entries: int) -> None:
    rows = selectors.trial_balance()
    assert sum(r.debit for r in rows) == sum(r.credit for r in rows)
    assert selectors.ledger_balanced()
    for kind, expected in model.balances.items():
        actual = selectors.balances_by_shop(kind=kind, shop_ids=shops)
        assert {s: actual.get(s, Decimal(0)) for s in shops} == {s: expected[s] for s in shops}, kind
    assert JournalEntry.objects.count() == entries
    with connection.cursor() as cursor:  # fire the deferred balance triggers now, not at a commit
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def shops(alpha, beta) -> list[int]:
    return [alpha.pk, beta.pk]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=10, max_size=30))
def test_any_sequence_of_postings_keeps_the_ledger_and_every_shop_exact(shops, operator, steps):
    sid = transaction.savepoint()  # each example starts from an empty ledger
    try:
        model, posted = Model(), []
        for i, s in enumerate(steps):
            if s[0] == "replay":
                if posted:
                    recipe, kwargs, first = posted[s[1] % len(posted)]
                    assert recipe(**kwargs).pk == first  # told again: the same entry, nothing added
            else:
                for recipe, kwargs in run_step(s, i, shops, model, operator.pk):
                    posted.append((recipe, kwargs, recipe(**kwargs).pk))
            assert_ledger_matches(model, shops, entries=len(posted))
    finally:
        transaction.savepoint_rollback(sid)
