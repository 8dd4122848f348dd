"""Commission: per-line rounding to the fen half-up, which rule applies to a sale (shop and
category overrides, walking up the category tree, dates in Asia/Shanghai), and the rules'
own checks (rate range, no overlapping periods)."""

from datetime import UTC, date, datetime
from decimal import Decimal as D
from itertools import pairwise

import pytest

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.audit.models import AuditEntry
from shared_apps.settlement import selectors, services
from shared_apps.settlement.commission import commission_change, commission_for_line
from shared_apps.settlement.models import CommissionRule
from shared_apps.taxonomy.models import Category

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 22)


@pytest.mark.parametrize(("amount", "rate", "expected"), [
    ("10.10", "0.0500", "0.51"),  # 0.505 rounds half up
    ("10.30", "0.0500", "0.52"),  # 0.515
    ("99.99", "0.0550", "5.50"),  # 5.49945
    ("0.09", "0.0500", "0.00"),  # 0.0045 rounds down
    ("0.10", "0.0500", "0.01"),  # 0.005 rounds up
    ("1234.56", "0", "0.00"),
    ("1234.56", "0.9999", "1234.44"),  # 1234.436544
])
def test_commission_for_line_rounds_half_up_to_the_fen(amount, rate, expected):
    assert commission_for_line(D(amount), D(rate)) == D(expected)


def test_commission_per_line_is_not_commission_on_the_sum():
    lines = [D("10.10"), D("10.10"), D("10.10")]
    assert sum(commission_for_line(x, D("0.05")) for x in lines) == D("1.53")
    assert commission_for_line(sum(lines), D("0.05")) == D("1.52")  # why it is per line: statements list lines


def test_commission_recomputed_in_parts_ends_where_one_refund_would():
    rate = D("0.0500")
    steps = [D("10.10"), D("7.77"), D("3.03"), D("0.00")]  # the line's net after each partial refund
    changes = [commission_change(rate=rate, net_before=a, net_after=b) for a, b in pairwise(steps)]
    assert changes == [D("-0.12"), D("-0.24"), D("-0.15")]
    assert commission_for_line(steps[0], rate) + sum(changes) == D("0.00")


@pytest.fixture
def tree(db):
    """家电 (business category) > 厨房电器 > 电饭煲, and an unrelated 图书."""
    root = Category.objects.create(code="t-appliances", name="家电", name_en="Appliances", level=1)
    kitchen = Category.objects.create(code="t-kitchen", name="厨房电器", name_en="Kitchen", parent=root, level=2)
    cooker = Category.objects.create(code="t-cooker", name="电饭煲", name_en="Rice cookers", parent=kitchen, level=3)
    books = Category.objects.create(code="t-books", name="图书", name_en="Books", level=1)
    return {"root": root, "kitchen": kitchen, "cooker": cooker, "books": books}


def rule(rate: str, *, category=None, shop=None, start=date(2026, 1, 1), end=None):
    return services.commission_rule_create(rate=D(rate), effective_from=start, effective_to=end,
                                           category_id=category.pk if category else None,
                                           shop_id=shop.pk if shop else None)


def rate(shop, category, at=DAY) -> D:
    return selectors.commission_rate(shop_id=shop.pk, category_id=category.pk if category else None, at=at)


def test_the_most_specific_rule_applies(tree, alpha, beta):
    rule("0.0500")  # platform default
    rule("0.0400", category=tree["root"])
    rule("0.0300", shop=alpha)  # alpha's default
    rule("0.0200", category=tree["kitchen"], shop=alpha)

    assert rate(alpha, tree["cooker"]) == D("0.0200")  # alpha's rule for a parent category
    assert rate(alpha, tree["root"]) == D("0.0300")  # alpha's default beats the platform's category rule
    assert rate(alpha, tree["books"]) == D("0.0300")
    assert rate(alpha, None) == D("0.0300")
    assert rate(beta, tree["cooker"]) == D("0.0400")  # the platform's rule for the business category
    assert rate(beta, tree["books"]) == D("0.0500")
    assert rate(beta, None) == D("0.0500")


def test_a_nearer_category_beats_a_farther_one(tree, alpha):
    rule("0.0600", category=tree["root"])
    rule("0.0700", category=tree["kitchen"])
    rule("0.0800", category=tree["cooker"])
    assert rate(alpha, tree["cooker"]) == D("0.0800")
    assert rate(alpha, tree["kitchen"]) == D("0.0700")
    assert selectors.commission_rule_applying(shop_id=alpha.pk, category_id=tree["books"].pk, at=DAY) is None


def test_the_rate_in_force_on_the_day_in_shanghai(tree, alpha):
    rule("0.0500", end=date(2026, 1, 31))
    rule("0.0450", start=date(2026, 2, 1))
    # 2026-01-31 17:00 UTC is already 1 February in Shanghai.
    assert rate(alpha, None, at=datetime(2026, 1, 31, 15, 59, tzinfo=UTC)) == D("0.0500")
    assert rate(alpha, None, at=datetime(2026, 1, 31, 17, 0, tzinfo=UTC)) == D("0.0450")
    assert rate(alpha, None, at=date(2026, 1, 31)) == D("0.0500")
    with pytest.raises(NotFound) as none:
        rate(alpha, None, at=date(2025, 12, 31))
    assert none.value.code == "no_commission_rule"


def test_an_unknown_category_is_not_found(alpha):
    rule("0.0500")
    with pytest.raises(NotFound):
        selectors.commission_rate(shop_id=alpha.pk, category_id=999_999, at=DAY)


def test_rate_choice_takes_two_queries(tree, alpha, django_assert_num_queries):
    rule("0.0500")
    rule("0.0200", category=tree["kitchen"], shop=alpha)
    with django_assert_num_queries(2):  # the category chain, the candidate rules
        assert rate(alpha, tree["cooker"]) == D("0.0200")


def test_overlapping_rules_of_one_category_and_shop_are_refused(tree, alpha):
    rule("0.0500", category=tree["root"], start=date(2026, 1, 1), end=date(2026, 6, 30))
    with pytest.raises(Conflict) as overlap:
        rule("0.0400", category=tree["root"], start=date(2026, 6, 30))
    assert overlap.value.code == "commission_rule_overlap"
    assert overlap.value.message == ("Another rate (0.0500 from 2026-01-01 to 2026-06-30) is in force for this "
                                     "category and shop in that period.")
    with pytest.raises(Conflict):
        rule("0.0400", category=tree["root"], start=date(2025, 1, 1))  # open-ended, covers 2026
    rule("0.0400", category=tree["root"], start=date(2026, 7, 1))  # the next day is free
    rule("0.0300", category=tree["root"], shop=alpha, start=date(2026, 3, 1))  # another shop scope
    rule("0.0300", category=tree["kitchen"], start=date(2026, 3, 1))  # another category
    assert CommissionRule.objects.count() == 4


def test_ending_a_rule_makes_room_for_the_next_and_is_audited(operator, alpha):
    first = rule("0.0500")
    with pytest.raises(Conflict):
        rule("0.0450", start=date(2026, 7, 1))
    services.commission_rule_end(rule_id=first.pk, effective_to=date(2026, 6, 30), actor_user_id=operator.pk)
    rule("0.0450", start=date(2026, 7, 1))
    assert rate(alpha, None, at=date(2026, 6, 30)) == D("0.0500")
    assert rate(alpha, None, at=date(2026, 7, 1)) == D("0.0450")
    with pytest.raises(Conflict):  # reopening it would overlap the new rate
        services.commission_rule_end(rule_id=first.pk, effective_to=date(2026, 7, 1), actor_user_id=operator.pk)
    with pytest.raises(ServiceError):
        services.commission_rule_end(rule_id=first.pk, effective_to=date(2025, 12, 31), actor_user_id=operator.pk)
    ended = AuditEntry.objects.get(action="settlement.commission_rule_end")
    assert (ended.actor_id, ended.before, ended.after) == (operator.pk, {"effective_to": None},
                                                          {"effective_to": "2026-06-30"})


@pytest.mark.parametrize(("value", "message"), [
    (D(1), "The rate must be at least 0 and below 1."),
    (D("-0.0001"), "The rate must be at least 0 and below 1."),
    (D("0.00005"), "At most four decimals."),
    (0.05, "Give the rate as a Decimal such as 0.0500, not a float."),
    ("five", "Enter a rate such as 0.0500 (5 %)."),
])
def test_rates_out_of_range_or_too_fine_are_refused(value, message):
    with pytest.raises(ServiceError) as refused:
        services.commission_rule_create(rate=value, effective_from=DAY)
    assert refused.value.fields == {"rate": [message]}
    assert not CommissionRule.objects.exists()


def test_rule_dates_and_owners_are_checked(alpha):
    with pytest.raises(ServiceError) as backwards:
        services.commission_rule_create(rate=D("0.05"), effective_from=DAY, effective_to=date(2026, 11, 21))
    assert list(backwards.value.fields) == ["effective_to"]
    with pytest.raises(ServiceError) as no_category:
        services.commission_rule_create(rate=D("0.05"), effective_from=DAY, category_id=999_999)
    assert list(no_category.value.fields) == ["category_id"]
    with pytest.raises(ServiceError) as no_shop:
        services.commission_rule_create(rate=D("0.05"), effective_from=DAY, shop_id=alpha.pk + 1000)
    assert list(no_shop.value.fields) == ["shop_id"]
    assert not CommissionRule.objects.exists()
