"""The freight arithmetic, pure: no database, no request. `services` and `interface` load a
template once and price with these.

Rules a reader can check by hand:
- Units: pieces (the sum of quantities) or grams (the sum of quantity × unit weight).
- Charge: up to `first_units` costs `first_price` (an order always pays at least the first
  step, also at 0 g); each started step of `additional_units` beyond costs `additional_price`.
  1,250 g with first 1,000 g ¥10 and then ¥3 per 500 g → ¥10 + 1 × ¥3 = ¥13; 1,501 g → ¥16.
- Region: the address's district, then its city, then its province is looked up in the rules
  and exclusions; the first hit decides (district > city > province), else the default applies.
  So a rule for 乌鲁木齐市 can deliver into an excluded 新疆.
- Free: when the goods amount (before discounts) reaches `free_threshold`, the charge is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from backend.lib import regions
from backend.lib.money import to_fen

FREE_THRESHOLD = "threshold"  # free_reason: the goods amount reached the free-shipping threshold
FREE_RULE = "rule"  # free_reason: the rule for the region charges nothing
FREE_PICKUP = "pickup"  # free_reason: picked up at a store


@dataclass(frozen=True)
class Rate:
    first_units: int
    first_price: Decimal
    additional_units: int
    additional_price: Decimal

    def charge(self, units: int) -> Decimal:
        if units <= self.first_units:
            return to_fen(self.first_price)
        steps = -(-(units - self.first_units) // self.additional_units)  # ceiling division
        return to_fen(self.first_price + steps * self.additional_price)


EXCLUDED = None  # a region code mapped to EXCLUDED is not delivered to


@dataclass(frozen=True)
class Plan:
    """A template as prices by region code: `by_code` maps a code to its rule's Rate, or to
    EXCLUDED; `default` applies where no code of the address's path is listed."""

    method: str
    basis: str
    default: Rate
    by_code: dict[str, Rate | None]
    free_threshold: Decimal | None

    def rate_for(self, district_code: str) -> Rate | None:
        """The Rate for a district, or None when it is not delivered to."""
        for code in regions.ancestors(district_code):
            if code in self.by_code:
                return self.by_code[code]
        return self.default

    def units(self, lines) -> int:
        """Lines are (quantity, unit weight in grams)."""
        if self.basis == "weight":
            return sum(q * w for q, w in lines)
        return sum(q for q, _w in lines)

    def price(self, *, district_code: str, lines, goods_amount: Decimal) -> tuple[Decimal, str] | None:
        """(amount, free_reason) for delivering `lines` to `district_code`; None if it is not
        delivered there."""
        rate = self.rate_for(district_code)
        if rate is None:
            return None
        if self.free_threshold is not None and goods_amount >= self.free_threshold:
            return Decimal("0.00"), FREE_THRESHOLD
        amount = rate.charge(self.units(lines))
        return amount, (FREE_RULE if amount == 0 else "")
