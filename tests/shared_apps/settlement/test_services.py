"""The ledger through its services: exact amounts of every recipe, idempotent posting, refused
input that leaves nothing behind, the balance checks of payouts, deposits and adjustments."""

from datetime import datetime
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, transaction

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.audit.models import AuditEntry
from shared_apps.settlement import selectors, services
from shared_apps.settlement.commission import commission_change, commission_for_line
from shared_apps.settlement.models import Account, AccountKind, EntryKind, JournalEntry, JournalLine

from .conftest import cash, payable, platform, shop_balance

pytestmark = pytest.mark.django_db
K = AccountKind


def lines_of(entry) -> list[tuple[str, D]]:
    return list(entry.lines.order_by("id").values_list("account__code", "amount"))


def capture(key, shops, *, amount, fee="0.00", provider="sandbox"):
    return services.post_payment_captured(source_key=key, provider=provider, amount=D(amount), fee=D(fee),
                                          shop_amounts={s.pk: D(a) for s, a in shops})


# --- accounts ----------------------------------------------------------------------------------


def test_accounts_are_named_by_kind_and_owner_and_made_once(alpha):
    first = services.account_for_shop(shop_id=alpha.pk, kind=K.SHOP_PAYABLE)
    again = services.account_for_shop(shop_id=alpha.pk, kind=K.SHOP_PAYABLE)
    alipay = services.provider_cash(provider="alipay")
    revenue = services.platform_account(kind=K.COMMISSION_REVENUE)
    assert first.pk == again.pk
    assert (first.code, first.normal_side) == (f"shop_payable:{alpha.pk}", "credit")
    assert (alipay.code, alipay.normal_side) == ("provider_cash:alipay", "debit")
    assert (revenue.code, revenue.shop_id, revenue.provider) == ("commission_revenue", None, "")
    assert Account.objects.count() == 3


def test_account_helpers_refuse_wrong_kinds_unknown_shops_and_providers(alpha):
    with pytest.raises(ServiceError) as wrong_kind:
        services.account_for_shop(shop_id=alpha.pk, kind=K.COMMISSION_REVENUE)
    assert wrong_kind.value.fields == {"kind": ["Not a shop account kind: commission_revenue."]}
    with pytest.raises(NotFound):
        services.account_for_shop(shop_id=alpha.pk + 1000, kind=K.SHOP_PAYABLE)
    with pytest.raises(ServiceError) as offline:
        services.provider_cash(provider="offline")  # the shop holds offline money, not the platform
    assert offline.value.fields == {"provider": ["Not a place the platform holds money: offline."]}
    with pytest.raises(ServiceError):
        services.platform_account(kind=K.SHOP_DEPOSIT)
    assert not Account.objects.exists()


# --- recipes, exact amounts --------------------------------------------------------------------


def test_payment_captured_holds_the_net_at_the_provider_and_owes_each_shop_its_part(alpha, beta):
    entry = capture("payment:P1:captured", [(alpha, "200.00"), (beta, "100.00")], amount="300.00", fee="1.80")

    assert entry.kind == EntryKind.PAYMENT_CAPTURED
    assert lines_of(entry) == [("provider_cash:sandbox", D("298.20")), ("provider_fees", D("1.80")),
                               (f"shop_payable:{alpha.pk}", D("-200.00")), (f"shop_payable:{beta.pk}", D("-100.00"))]
    assert (payable(alpha), payable(beta)) == (D("200.00"), D("100.00"))
    assert (cash("sandbox"), platform(K.PROVIDER_FEES)) == (D("298.20"), D("1.80"))


def test_payment_captured_refuses_shop_amounts_that_do_not_add_up(alpha, beta):
    with pytest.raises(ServiceError) as refused:
        capture("payment:P1:captured", [(alpha, "200.00"), (beta, "99.99")], amount="300.00")
    assert refused.value.message == "shop_amounts: The shops' amounts add up to 299.99, not the payment's 300.00."
    with pytest.raises(ServiceError) as fee:
        capture("payment:P1:captured", [(alpha, "1.00")], amount="1.00", fee="1.01")
    assert fee.value.fields == {"fee": ["The fee cannot exceed the payment."]}
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


def test_one_sale_through_to_payout_leaves_every_account_exact(alpha):
    """Goods ¥110 with a ¥10 platform coupon: the buyer pays ¥100, the shop is owed ¥110 less
    5.5 % commission on ¥110 (¥6.05) and the ¥0.60 fee it bears; the payout clears it to zero."""
    capture("payment:P1:captured", [(alpha, "100.00")], amount="100.00", fee="0.60")
    services.post_platform_discount(source_key="sub:S1:discount", shop_amounts={alpha.pk: D("10.00")})
    services.post_commission(source_key="line:1:commission", shop_id=alpha.pk,
                             amount=commission_for_line(D("110.00"), D("0.0550")), order_line_id=1)
    services.post_fee_charged(source_key="payment:P1:fee", shop_fees={alpha.pk: D("0.60")})
    assert payable(alpha) == D("103.35")

    sent = services.post_payout_sent(source_key="payout:PO1:sent", shop_id=alpha.pk, amount=D("103.35"),
                                     reference="PO1")
    assert payable(alpha) == D("0.00")
    assert platform(K.PAYOUTS_IN_TRANSIT) == D("103.35")
    services.post_payout_paid(source_key="payout:PO1:paid", provider="sandbox", amount=D("103.35"))

    assert sent.reference == "PO1"
    assert platform(K.PAYOUTS_IN_TRANSIT) == D("0.00")
    # The platform's cash: ¥99.40 arrived, ¥103.35 left; the difference is its own money
    # (¥10 discount funded − ¥6.05 commission earned).
    assert cash("sandbox") == D("-3.95")
    assert platform(K.COMMISSION_REVENUE) == D("6.05")
    assert platform(K.PLATFORM_DISCOUNTS) == D("10.00")
    assert platform(K.PROVIDER_FEES) == D("0.00")  # borne by the shop
    assert selectors.ledger_balanced()


def test_partial_refunds_recompute_commission_on_the_net_so_no_fen_drifts(alpha):
    """A ¥99.99 line at 5.5 %: commission ¥5.50; refunded ¥33.33 then the remaining ¥66.66, the
    commission goes to ¥3.67 then to zero, and the shop ends owed nothing."""
    rate = D("0.0550")
    capture("payment:P1:captured", [(alpha, "99.99")], amount="99.99")
    services.post_commission(source_key="line:1:commission", shop_id=alpha.pk,
                             amount=commission_for_line(D("99.99"), rate))
    assert payable(alpha) == D("94.49")

    services.post_refund(source_key="refund:R1", shop_amounts={alpha.pk: D("33.33")})
    back = commission_change(rate=rate, net_before=D("99.99"), net_after=D("66.66"))
    assert back == D("-1.83")
    services.post_commission(source_key="refund:R1:commission", shop_id=alpha.pk, amount=back)
    services.post_refund_paid(source_key="refund:R1:paid", provider="sandbox", amount=D("33.33"))
    assert payable(alpha) == D("62.99")  # 66.66 − 3.67
    assert platform(K.COMMISSION_REVENUE) == D("3.67")

    services.post_refund(source_key="refund:R2", shop_amounts={alpha.pk: D("66.66")})
    services.post_commission(source_key="refund:R2:commission", shop_id=alpha.pk,
                             amount=commission_change(rate=rate, net_before=D("66.66"), net_after=D(0)))
    services.post_refund_paid(source_key="refund:R2:paid", provider="sandbox", amount=D("66.66"))
    assert payable(alpha) == D("0.00")
    assert platform(K.COMMISSION_REVENUE) == D("0.00")
    assert cash("sandbox") == D("0.00")
    assert platform(K.REFUNDS_CLEARING) == D("0.00")


def test_refund_waits_in_clearing_and_a_failed_one_gives_the_shop_its_money_back(alpha, beta):
    capture("payment:P1:captured", [(alpha, "50.00"), (beta, "30.00")], amount="80.00", fee="0.48")
    entry = services.post_refund(source_key="refund:R1", shop_amounts={alpha.pk: D("20.00"), beta.pk: D("5.00")})
    assert lines_of(entry) == [(f"shop_payable:{alpha.pk}", D("20.00")), (f"shop_payable:{beta.pk}", D("5.00")),
                               ("refunds_clearing", D("-25.00"))]
    assert platform(K.REFUNDS_CLEARING) == D("25.00")

    services.post_refund_failed(source_key="refund:R1:failed", shop_amounts={alpha.pk: D("20.00"),
                                                                           beta.pk: D("5.00")})
    assert (payable(alpha), payable(beta)) == (D("50.00"), D("30.00"))
    assert platform(K.REFUNDS_CLEARING) == D("0.00")


def test_refund_paid_with_part_of_the_fee_returned(alpha):
    capture("payment:P1:captured", [(alpha, "100.00")], amount="100.00", fee="0.60")
    services.post_refund(source_key="refund:R1", shop_amounts={alpha.pk: D("50.00")})
    entry = services.post_refund_paid(source_key="refund:R1:paid", provider="sandbox", amount=D("50.00"),
                                      fee_returned=D("0.30"))
    assert lines_of(entry) == [("refunds_clearing", D("50.00")), ("provider_cash:sandbox", D("-49.70")),
                               ("provider_fees", D("-0.30"))]
    assert cash("sandbox") == D("49.70")
    assert platform(K.PROVIDER_FEES) == D("0.30")


def test_platform_discount_taken_back_after_a_refund(alpha):
    services.post_platform_discount(source_key="sub:S1:discount", shop_amounts={alpha.pk: D("10.00")})
    services.post_platform_discount(source_key="refund:R1:discount", shop_amounts={alpha.pk: D("-5.00")})
    assert payable(alpha) == D("5.00")
    assert platform(K.PLATFORM_DISCOUNTS) == D("5.00")
    with pytest.raises(ServiceError) as mixed:
        services.post_platform_discount(source_key="x", shop_amounts={alpha.pk: D("1.00"), alpha.pk + 1: D(-1)})
    assert mixed.value.fields == {"shop_amounts": ["The amounts must be all positive or all negative."]}


def test_offline_order_commission_is_a_receivable_netted_against_the_payable(alpha):
    services.post_commission(source_key="line:9:commission", shop_id=alpha.pk, amount=D("4.20"), offline=True)
    assert shop_balance(alpha, K.SHOP_RECEIVABLE) == D("4.20")
    assert payable(alpha) == D("0.00")  # the shop holds the buyer's cash, nothing is owed to it

    capture("payment:P1:captured", [(alpha, "30.00")], amount="30.00")
    services.post_receivable_offset(source_key="statement:1:offset", shop_id=alpha.pk, amount=D("4.20"))
    assert shop_balance(alpha, K.SHOP_RECEIVABLE) == D("0.00")
    assert payable(alpha) == D("25.80")


def test_payout_failed_returns_the_money_to_the_payable(alpha):
    capture("payment:P1:captured", [(alpha, "40.00")], amount="40.00")
    services.post_payout_sent(source_key="payout:PO1:sent", shop_id=alpha.pk, amount=D("40.00"))
    services.post_payout_failed(source_key="payout:PO1:failed", shop_id=alpha.pk, amount=D("40.00"))
    assert payable(alpha) == D("40.00")
    assert platform(K.PAYOUTS_IN_TRANSIT) == D("0.00")


def test_payout_above_what_the_shop_is_owed_is_refused_and_a_replay_is_not(alpha):
    capture("payment:P1:captured", [(alpha, "40.00")], amount="40.00")
    with pytest.raises(Conflict) as refused:
        services.post_payout_sent(source_key="payout:PO1:sent", shop_id=alpha.pk, amount=D("40.01"))
    assert refused.value.code == "payout_exceeds_payable"
    assert refused.value.message == "The shop is owed ¥40.00, less than the payout of ¥40.01."

    first = services.post_payout_sent(source_key="payout:PO1:sent", shop_id=alpha.pk, amount=D("40.00"))
    # The payable is now zero, but the same payout told twice is the entry posted first.
    again = services.post_payout_sent(source_key="payout:PO1:sent", shop_id=alpha.pk, amount=D("40.00"))
    assert again.pk == first.pk
    assert payable(alpha) == D("0.00")


def test_deposit_paid_from_cash_or_withheld_then_deducted(alpha, operator):
    services.post_deposit_paid(source_key="deposit:1", shop_id=alpha.pk, amount=D("1000.00"), provider="bank")
    capture("payment:P1:captured", [(alpha, "600.00")], amount="600.00")
    services.post_deposit_paid(source_key="deposit:2", shop_id=alpha.pk, amount=D("500.00"), provider=None)
    assert shop_balance(alpha, K.SHOP_DEPOSIT) == D("1500.00")
    assert (payable(alpha), cash("bank")) == (D("100.00"), D("1000.00"))

    services.post_penalty(source_key="penalty:1", shop_id=alpha.pk, amount=D("300.00"),
                          reason="虚假发货", actor_user_id=operator.pk)
    assert payable(alpha) == D("-200.00")  # the shop owes the platform now
    assert platform(K.PENALTIES) == D("300.00")
    services.post_deposit_deducted(source_key="deposit:deduct:1", shop_id=alpha.pk, amount=D("200.00"),
                                   reason="cover penalty 1", actor_user_id=operator.pk)
    assert (payable(alpha), shop_balance(alpha, K.SHOP_DEPOSIT)) == (D("0.00"), D("1300.00"))

    with pytest.raises(Conflict) as short:
        services.post_deposit_deducted(source_key="deposit:deduct:2", shop_id=alpha.pk, amount=D("1300.01"),
                                       reason="too much", actor_user_id=operator.pk)
    assert short.value.code == "deposit_insufficient"
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_id", "reason"))
    assert actions == [("settlement.penalty", operator.pk, "虚假发货"),
                       ("settlement.deposit_deducted", operator.pk, "cover penalty 1")]


def test_adjustment_needs_reason_and_operator_is_audited_and_confirms_a_negative_balance(alpha, operator):
    capture("payment:P1:captured", [(alpha, "10.00")], amount="10.00")
    account = services.account_for_shop(shop_id=alpha.pk, kind=K.SHOP_PAYABLE)
    with pytest.raises(ServiceError) as no_reason:
        services.post_adjustment(source_key="adj:1", account=account, amount=D("5.00"), reason=" ",
                                 actor_user_id=operator.pk)
    assert no_reason.value.fields == {"reason": ["This is required."]}
    with pytest.raises(ServiceError) as no_actor:
        services.post_adjustment(source_key="adj:1", account=account, amount=D("5.00"), reason="fix",
                                 actor_user_id=None)
    assert no_actor.value.fields == {"actor_user_id": ["Name the operator who does this."]}

    services.post_adjustment(source_key="adj:1", account=account, amount=D("5.00"), reason="missed coupon",
                             actor_user_id=operator.pk)
    assert payable(alpha) == D("15.00")
    assert platform(K.ADJUSTMENTS) == D("5.00")

    with pytest.raises(Conflict) as negative:
        services.post_adjustment(source_key="adj:2", account=account, amount=D("-15.01"), reason="clawback",
                                 actor_user_id=operator.pk)
    assert negative.value.code == "balance_would_go_negative"
    assert payable(alpha) == D("15.00")
    services.post_adjustment(source_key="adj:2", account=account, amount=D("-15.01"), reason="clawback",
                             actor_user_id=operator.pk, confirm_negative=True)
    assert payable(alpha) == D("-0.01")

    audits = list(AuditEntry.objects.filter(action="settlement.adjustment").order_by("id")
                  .values_list("actor_id", "shop_id", "before", "after", "reason"))
    entries = list(JournalEntry.objects.filter(kind=EntryKind.ADJUSTMENT).order_by("id").values_list("pk", flat=True))
    assert audits == [
        (operator.pk, alpha.pk, {"balance": "10.00"}, {"balance": "15.00", "entry": entries[0]}, "missed coupon"),
        (operator.pk, alpha.pk, {"balance": "15.00"}, {"balance": "-0.01", "entry": entries[1]}, "clawback"),
    ]
    services.post_adjustment(source_key="adj:3", account=account, amount=D("0.01"), reason="raising needs no confirmation",
                             actor_user_id=operator.pk)
    assert payable(alpha) == D("0.00")


def test_adjustment_of_a_debit_normal_account_raises_its_balance(operator):
    account = services.provider_cash(provider="alipay")
    entry = services.post_adjustment(source_key="recon:2026-11-21:1", account=account, amount=D("0.02"),
                                     reason="statement shows 0.02 more", actor_user_id=operator.pk)
    assert lines_of(entry) == [("provider_cash:alipay", D("0.02")), ("adjustments", D("-0.02"))]
    assert cash("alipay") == D("0.02")


def test_trial_balance_lists_debits_and_credits_that_match(alpha, beta):
    capture("payment:P1:captured", [(alpha, "70.00"), (beta, "30.00")], amount="100.00", fee="0.60")
    services.post_commission(source_key="c:1", shop_id=alpha.pk, amount=D("3.50"))
    rows = {row.code: (row.debit, row.credit, row.balance) for row in selectors.trial_balance()}
    assert rows == {
        "commission_revenue": (D("0.00"), D("3.50"), D("3.50")),
        "provider_cash:sandbox": (D("99.40"), D("0.00"), D("99.40")),
        "provider_fees": (D("0.60"), D("0.00"), D("0.60")),
        f"shop_payable:{alpha.pk}": (D("3.50"), D("70.00"), D("66.50")),
        f"shop_payable:{beta.pk}": (D("0.00"), D("30.00"), D("30.00")),
    }
    assert sum(d for d, _c, _b in rows.values()) == sum(c for _d, c, _b in rows.values()) == D("103.50")
    assert selectors.balances_by_shop() == {alpha.pk: D("66.50"), beta.pk: D("30.00")}
    assert selectors.balances_by_shop(shop_ids=[beta.pk]) == {beta.pk: D("30.00")}


def test_balance_until_counts_only_entries_that_occurred_before(alpha):
    from django.utils import timezone

    early = timezone.make_aware(datetime(2026, 11, 1, 10, 0))
    services.post_payment_captured(source_key="p:1", provider="sandbox", amount=D("5.00"), fee=D(0),
                                   shop_amounts={alpha.pk: D("5.00")}, occurred_at=early)
    capture("p:2", [(alpha, "7.00")], amount="7.00")
    account = services.account_for_shop(shop_id=alpha.pk, kind=K.SHOP_PAYABLE)
    assert selectors.balance(account, until=timezone.make_aware(datetime(2026, 11, 2))) == D("5.00")
    assert selectors.balance(account) == D("12.00")


# --- posting rules -----------------------------------------------------------------------------


def test_the_same_source_key_returns_the_first_entry(alpha):
    first = capture("payment:P1:captured", [(alpha, "12.30")], amount="12.30", fee="0.07")
    again = capture("payment:P1:captured", [(alpha, "12.30")], amount="12.30", fee="0.07")
    assert again.pk == first.pk
    assert JournalEntry.objects.count() == 1 and JournalLine.objects.count() == 3
    assert payable(alpha) == D("12.30")


def test_the_same_source_key_with_other_amounts_is_a_conflict_that_writes_nothing(alpha):
    capture("payment:P1:captured", [(alpha, "12.30")], amount="12.30", fee="0.07")
    with pytest.raises(Conflict) as reused:
        capture("payment:P1:captured", [(alpha, "12.30")], amount="12.30", fee="0.08")
    assert reused.value.code == "source_key_reused"
    assert reused.value.message == "The source key payment:P1:captured was already posted with other amounts."
    with pytest.raises(Conflict):  # same lines, other kind of event
        services.entry_post(kind=EntryKind.ADJUSTMENT, source_key="payment:P1:captured",
                            lines=[(line.account, line.amount) for line in JournalLine.objects.all()])
    assert JournalEntry.objects.count() == 1 and JournalLine.objects.count() == 3


@pytest.mark.parametrize(("lines", "field", "message"), [
    ([], "lines", "An entry needs lines."),
    ([("a", D("1.00")), ("b", D("-0.99"))], None, "The entry does not balance: its debits and credits differ by 0.01."),
    ([("a", D("1.00"))], None, "The entry does not balance: its debits and credits differ by 1.00."),
    ([("a", D("0.005")), ("b", D("-0.005"))], "lines", "At most two decimals (fen)."),
    ([("a", D(0)), ("b", D(0))], "lines", "The amount must not be zero."),
    ([("a", 1.5), ("b", D("-1.5"))], "lines", "Give the amount as a Decimal, not a float."),
    ([("a", D("NaN")), ("b", D(1))], "lines", "Enter an amount such as 12.50."),
    ([("a", D("1e12")), ("b", D("-1e12"))], "lines", "The amount is too large."),
])
def test_entry_post_refuses_bad_lines_and_leaves_nothing(alpha, lines, field, message):
    accounts = {"a": services.provider_cash(provider="sandbox"),
                "b": services.account_for_shop(shop_id=alpha.pk, kind=K.SHOP_PAYABLE)}
    with pytest.raises(ServiceError) as refused:
        services.entry_post(kind=EntryKind.ADJUSTMENT, source_key="bad",
                            lines=[(accounts[name], amount) for name, amount in lines])
    if field:
        assert refused.value.fields == {field: [message]}
    else:
        assert (refused.value.code, refused.value.message) == ("unbalanced_entry", message)
    assert not JournalEntry.objects.exists()


def test_entry_post_refuses_a_naive_time_a_blank_key_and_an_unknown_kind(alpha):
    lines = [(services.provider_cash(provider="sandbox"), D("1.00")),
             (services.account_for_shop(shop_id=alpha.pk, kind=K.SHOP_PAYABLE), D("-1.00"))]
    for overrides, field in [({"occurred_at": datetime(2026, 11, 1)}, "occurred_at"),
                             ({"source_key": "  "}, "source_key"),
                             ({"kind": "gift"}, "kind")]:
        with pytest.raises(ServiceError) as refused:
            services.entry_post(**{"kind": EntryKind.ADJUSTMENT, "source_key": "k", "lines": lines, **overrides})
        assert list(refused.value.fields) == [field]
    assert not JournalEntry.objects.exists()


# --- the database's own guarantees --------------------------------------------------------------


def test_journal_rows_refuse_update_and_delete_even_in_plain_sql(alpha):
    entry = capture("payment:P1:captured", [(alpha, "12.30")], amount="12.30")
    line = entry.lines.first()
    for sql, pk in [("UPDATE settlement_journalline SET amount = 99 WHERE id = %s", line.pk),
                    ("DELETE FROM settlement_journalline WHERE id = %s", line.pk),
                    ("UPDATE settlement_journalentry SET memo = 'edited' WHERE id = %s", entry.pk),
                    ("DELETE FROM settlement_journalentry WHERE id = %s", entry.pk)]:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert lines_of(entry) == [("provider_cash:sandbox", D("12.30")), (f"shop_payable:{alpha.pk}", D("-12.30"))]
    assert JournalEntry.objects.get(pk=entry.pk).memo == ""


def test_the_balance_checks_see_an_unbalanced_entry_before_the_commit_refuses_it(alpha):
    """Within the transaction that writes it (the database refuses it at commit, and the test
    teardown's constraint check too, hence the savepoint), an unbalanced entry shows in
    unbalanced_entry_ids and ledger_balanced says so."""
    capture("payment:P1:captured", [(alpha, "5.00")], amount="5.00")
    assert selectors.unbalanced_entry_ids() == [] and selectors.ledger_balanced()
    account = services.provider_cash(provider="sandbox")
    sid = transaction.savepoint()
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO settlement_journalentry (kind, source_key, memo, reference, occurred_at,"
                           " posted_at) VALUES ('adjustment', 'sql', '', '', now(), now()) RETURNING id")
            bad = cursor.fetchone()[0]
            cursor.execute("INSERT INTO settlement_journalline (entry_id, account_id, amount) VALUES (%s, %s, 1)",
                           [bad, account.pk])
        assert selectors.unbalanced_entry_ids() == [bad]
        assert not selectors.ledger_balanced()
    finally:
        transaction.savepoint_rollback(sid)


def test_balances_of_every_shop_and_the_trial_balance_take_one_query_each(alpha, beta, django_assert_num_queries):
    capture("payment:P1:captured", [(alpha, "70.00"), (beta, "30.00")], amount="100.00")
    with django_assert_num_queries(1):
        selectors.balances_by_shop()
    with django_assert_num_queries(1):
        selectors.trial_balance()
