"""Commission arithmetic (佣金计算): pure functions, no database.

Commission is computed per order line and rounded to the fen half-up on each line, never on a
sum, so a statement's commission is exactly the sum of its lines' commissions. After a partial
refund the line's commission is recomputed on its net amount (paid − refunded) and only the
difference is posted, so refunding a line in several parts ends at the same fen as refunding it
at once.
"""

from decimal import Decimal

from backend.lib.money import to_fen


def commission_for_line(amount: Decimal, rate: Decimal) -> Decimal:
    """Commission on one line's amount at `rate`, rounded to the fen half-up."""
    return to_fen(Decimal(amount) * Decimal(rate))


def commission_change(*, rate: Decimal, net_before: Decimal, net_after: Decimal) -> Decimal:
    """What to post (post_commission) when a line's net amount moves from `net_before` to
    `net_after`: negative after a refund (commission given back)."""
    return commission_for_line(net_after, rate) - commission_for_line(net_before, rate)
