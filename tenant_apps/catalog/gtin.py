"""GTIN (barcode) check digits: GTIN-8, UPC-A (GTIN-12), EAN-13 (GTIN-13) and GTIN-14."""

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """The check digit for the digits before it (GS1: weights 3,1,3,… from the right)."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_is_valid(code: str) -> bool:
    """True when `code` is 8, 12, 13 or 14 ASCII digits whose last digit is the right check digit."""
    if not isinstance(code, str) or len(code) not in GTIN_LENGTHS or not (code.isascii() and code.isdigit()):
        return False
    return gtin_check_digit(code[:-1]) == int(code[-1])
