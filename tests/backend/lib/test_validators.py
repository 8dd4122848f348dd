import pytest
from django.core.exceptions import ValidationError

from backend.lib.validators import normalize_credit_code, normalize_phone, normalize_subdomain
from tests.factories import credit_code


def test_known_real_credit_code_is_valid():
    # Published code of a listed company (the check character is computed by GB 32100-2015).
    assert normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize("seed", [1, 42, 123456789])
def test_generated_codes_validate(seed):
    code = credit_code(seed)
    assert normalize_credit_code(code) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("91350100M000100I43", "charset"),  # I is not in the alphabet
        ("91350100M000100Y44", "checksum"),
        ("", "length"),
    ],
)
def test_bad_credit_codes_name_the_problem(value, code):
    with pytest.raises(ValidationError) as caught:
        normalize_credit_code(value)
    assert caught.value.code == code


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "8613812345678", "138-1234-5678"])
def test_phone_numbers_normalise(raw):
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "abc", "", "+1 415 555 0100"])
def test_bad_phone_numbers(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [("my-shop", "my-shop"), ("MyShop", "myshop"), ("a1b", "a1b"), ("x" * 30, "x" * 30)]
)
def test_good_subdomains(raw, expected):
    assert normalize_subdomain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("ab", "length"), ("x" * 31, "length"), ("-shop", "charset"), ("shop-", "charset"),
        ("my_shop", "charset"), ("my.shop", "charset"), ("商店abc", "charset"), ("a--b", "charset"),
        ("www", "reserved"), ("ops", "reserved"), ("admin", "reserved"), ("api", "reserved"),
        ("mail", "reserved"), ("static", "reserved"), ("media", "reserved"), ("operator", "reserved"),
    ],
)
def test_bad_subdomains_name_the_problem(raw, code):
    with pytest.raises(ValidationError) as caught:
        normalize_subdomain(raw)
    assert caught.value.code == code
