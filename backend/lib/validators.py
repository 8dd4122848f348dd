"""Validation of identifiers that come from Chinese business practice."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 统一社会信用代码 (GB 32100-2015): 18 characters from this alphabet, the last a check digit.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$")
RESERVED_SUBDOMAINS = frozenset(
    """www api admin ops operator operators mail smtp imap pop static media assets cdn img images
    app apps auth login logout account accounts register signup sso id my shop shops store stores
    mall help support docs status blog news dev test staging template pool public console dashboard
    pay payment payments checkout cart order orders root system webmaster postmaster hostmaster
    ftp ns ns1 ns2 mx files upload uploads download downloads search""".split()
)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Upper-cased, stripped credit code; raises ValidationError naming what is wrong."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    bad = [c for c in code if c not in CREDIT_CODE_ALPHABET]
    if bad:
        raise ValidationError(
            _("The credit code contains characters that are not allowed: %(chars)s"),
            code="charset", params={"chars": "".join(sorted(set(bad)))},
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("The credit code's check character is wrong."), code="checksum")
    return code


def normalize_phone(value: str) -> str:
    """A mainland mobile number as 11 digits; accepts +86 / 86 prefixes, spaces and dashes."""
    # NFKC folds full-width digits (１３８…) into ASCII, so one number has one spelling.
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not PHONE_RE.match(digits):
        raise ValidationError(_("Enter a valid mainland China mobile number."), code="phone")
    return digits


def normalize_subdomain(value: str) -> str:
    """A shop subdomain: 3–30 of a-z, 0-9 and '-', not starting or ending with '-', not reserved."""
    name = (value or "").strip().lower()
    if not 3 <= len(name) <= 30:
        raise ValidationError(_("A subdomain has 3 to 30 characters."), code="length")
    if not SUBDOMAIN_RE.match(name):
        raise ValidationError(
            _("Use lowercase letters, digits and hyphens, not starting or ending with a hyphen."),
            code="charset",
        )
    if "--" in name:
        raise ValidationError(_("A subdomain may not contain two hyphens in a row."), code="charset")
    if name in RESERVED_SUBDOMAINS:
        raise ValidationError(_("This subdomain is reserved."), code="reserved")
    return name
