"""Money: Decimal amounts in CNY, rounded to the fen half-up at named points only."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models

FEN = Decimal("0.01")
CURRENCY = "CNY"


def to_fen(value: Decimal) -> Decimal:
    """Round to the fen, half-up. The one rounding rule for money in the project."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def parse_amount(value, *, field: str = "amount", allow_zero: bool = True) -> Decimal:
    """A client-given amount as Decimal: finite, not negative, at most two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: ["Enter an amount such as 12.50."]}) from exc
    if not amount.is_finite():
        raise ValidationError({field: ["Enter an amount such as 12.50."]})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: ["The amount must be positive."]})
    if amount >= Decimal("10000000000"):  # first: quantizing 1e9999 would overflow the context
        raise ValidationError({field: ["The amount is too large."]})
    if amount != amount.quantize(FEN):
        raise ValidationError({field: ["At most two decimals (fen)."]})
    return amount.quantize(FEN)


def format_cny(amount: Decimal | None) -> str:
    """¥1,234.50; a negative amount reads -¥12.50."""
    if amount is None:
        return ""
    amount = to_fen(amount)
    return f"-¥{-amount:,.2f}" if amount < 0 else f"¥{abs(amount):,.2f}"  # abs: no "¥-0.00"


class MoneyField(models.DecimalField):
    """An amount in CNY: 12 digits, 2 decimals."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "backend.lib.money.MoneyField", args, kwargs


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` (fen) over `weights` in proportion, to the fen, by largest remainder: each
    share is rounded down, then the fen left over go one each to the largest remainders (ties:
    the earlier weight). The shares always add up to `total` exactly."""
    total = to_fen(total)
    if not weights:
        if total:
            raise ValueError("nothing to allocate over")
        return []
    fen_total = int(total * 100)
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    exact = [Decimal(fen_total) * Decimal(w) / Decimal(weight_sum) for w in weights]
    shares = [int(x) for x in exact]  # floor: all values are non-negative
    left = fen_total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return [(Decimal(s) / 100).quantize(FEN) for s in shares]
