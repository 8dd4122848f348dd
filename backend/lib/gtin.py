"""GTIN (EAN/UPC barcode) checks, shared by the platform taxonomy and the shops' catalogs."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

GTIN_LENGTHS = (8, 12, 13, 14)
_SEPARATORS = re.compile(r"[\s-]+")


def gtin_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of `body` (the GTIN without its last digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin_is_valid(value: str) -> bool:
    """A GTIN-8/12/13/14 of digits only (spaces and hyphens allowed) with a correct check digit."""
    digits = _SEPARATORS.sub("", value or "")
    return (
        digits.isascii()
        and digits.isdigit()
        and len(digits) in GTIN_LENGTHS
        and gtin_check_digit(digits[:-1]) == digits[-1]
    )


def normalize_gtin(value: str) -> str:
    """The GTIN as 14 digits (zero-padded on the left), or ValidationError saying what is wrong.

    EAN-13 6901234567892, UPC-A 012345678905 and their GTIN-14 forms name the same item, so
    storing one padded form makes them match.
    """
    digits = _SEPARATORS.sub("", str(value or ""))
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError(_("A GTIN has digits only."), code="gtin_format")
    if len(digits) not in GTIN_LENGTHS:
        raise ValidationError(_("A GTIN has 8, 12, 13 or 14 digits."), code="gtin_length")
    if gtin_check_digit(digits[:-1]) != digits[-1]:
        raise ValidationError(_("The GTIN %(gtin)s has a wrong check digit.") % {"gtin": digits},
                              code="gtin_check_digit")
    return digits.zfill(14)
