"""Reading form-encoded notifications strictly: UTF-8, no repeated keys, amounts to the fen."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from django.utils import timezone

from ..models import Outcome
from .base import BadNotification

MAX_FIELDS = 100


def parse_form(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadNotification("The body is not a UTF-8 form.") from exc
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise BadNotification(f"The parameter {key[:40]} is repeated.")
        params[key] = value
    return params


def required(params: dict, *names: str) -> None:
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise BadNotification(f"Missing parameters: {', '.join(missing)}.", parsed=_safe(params))


def amount(text: str | None, *, field: str, verified: bool = True) -> Decimal:
    """'12.50' as Decimal; anything else (floats with more decimals, NaN, negatives) refused."""
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError, TypeError):
        value = None
    if value is None or not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise BadNotification(f"{field} is not an amount in yuan with two decimals.", verified=verified,
                              outcome=Outcome.MALFORMED)
    return value.quantize(Decimal("0.01"))


def local_time(text: str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> datetime | None:
    """A provider's 'yyyy-MM-dd HH:mm:ss' in Asia/Shanghai, or None when absent or unreadable."""
    if not text:
        return None
    try:
        return timezone.make_aware(datetime.strptime(text, fmt))
    except ValueError:
        return None


def _safe(params: dict) -> dict:
    return {k: str(v)[:200] for k, v in list(params.items())[:40] if k != "sign"}
