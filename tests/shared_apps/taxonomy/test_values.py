"""GTIN checks and attribute value coercion: pure helpers."""

import pytest
from django.core.exceptions import ValidationError

from backend.lib.gtin import gtin_is_valid, normalize_gtin
from shared_apps.taxonomy.interface import AttributeInfo
from shared_apps.taxonomy.values import coerce_values


def test_gtin_check_digits():
    assert gtin_is_valid("6901234567892")
    assert gtin_is_valid("036000291452")
    assert gtin_is_valid("96385074")
    assert gtin_is_valid("10012345678902")
    assert gtin_is_valid("690-1234 567892")
    assert not gtin_is_valid("6901234567893")
    assert not gtin_is_valid("69012345678")
    assert not gtin_is_valid("69012345678９2")  # full-width digit
    assert not gtin_is_valid("")


def test_normalize_gtin_pads_to_14_and_names_the_problem():
    assert normalize_gtin("6901234567892") == "06901234567892"
    assert normalize_gtin("036000291452") == "00036000291452"
    assert normalize_gtin("0036000291452") == "00036000291452"  # EAN-13 form of the same UPC
    assert normalize_gtin("96385074") == "00000096385074"
    with pytest.raises(ValidationError) as wrong:
        normalize_gtin("6901234567893")
    assert wrong.value.code == "gtin_check_digit"
    assert wrong.value.messages == ["The GTIN 6901234567893 has a wrong check digit."]
    with pytest.raises(ValidationError) as short:
        normalize_gtin("12345")
    assert short.value.code == "gtin_length"
    with pytest.raises(ValidationError) as letters:
        normalize_gtin("69012345678AB")
    assert letters.value.code == "gtin_format"


def attr(code, value_type, **kw):
    return AttributeInfo(id=1, category_id=1, code=code, name=code, name_en=code.title(), value_type=value_type,
                         unit=kw.get("unit", ""), choices=tuple(kw.get("choices", ())),
                         required=kw.get("required", False), is_key=False, is_spec=False, sort=0)


DEFS = [
    attr("chip", "text"),
    attr("storage", "integer", required=True),
    attr("screen_size", "decimal"),
    attr("nfc", "boolean"),
    attr("colour", "choice", choices=["黑色", "白色"]),
    attr("network", "multi_choice", choices=["4G", "5G"]),
]


def test_coerce_values_exact_output():
    assert coerce_values(DEFS, {
        "network": ["5G", "4G"], "nfc": "yes", "colour": "白色", "screen_size": 6.10, "storage": "256",
        "chip": "  A17   Pro ",
    }) == {"chip": "A17 Pro", "storage": 256, "screen_size": "6.1", "nfc": True, "colour": "白色",
           "network": ["4G", "5G"]}
    assert coerce_values(DEFS, {"storage": 128, "screen_size": "6.70", "nfc": False, "chip": ""}) == {
        "storage": 128, "screen_size": "6.7", "nfc": False}
    assert coerce_values(DEFS, {"screen_size": "1E+1"}, partial=True) == {"screen_size": "10"}


@pytest.mark.parametrize(("values", "code", "message"), [
    ({"storage": 1, "ram": 8}, "ram", "Unknown attribute ram for this category."),
    ({"storage": "many"}, "storage", "Enter a whole number."),
    ({"storage": True}, "storage", "Enter a whole number."),
    ({"storage": 1.5}, "storage", "Enter a whole number."),
    ({"storage": 1, "screen_size": "abc"}, "screen_size", "Enter a number."),
    ({"storage": 1, "screen_size": "NaN"}, "screen_size", "Enter a number."),
    ({"storage": 1, "nfc": "maybe"}, "nfc", "Enter true or false."),
    ({"storage": 1, "colour": "红色"}, "colour", "红色 is not one of the allowed values: 黑色, 白色."),
    ({"storage": 1, "network": ["3G", "5G"]}, "network", "3G is not one of the allowed values: 4G, 5G."),
    ({"storage": 1, "network": 5}, "network", "Enter a list of values."),
    ({"storage": 1, "chip": ["x"]}, "chip", "Enter text."),
    ({"chip": "A17"}, "storage", "Storage is required."),
])
def test_coerce_values_names_the_bad_code(values, code, message):
    with pytest.raises(ValidationError) as error:
        coerce_values(DEFS, values)
    assert error.value.message_dict == {code: [message]}


def test_coerce_values_reports_every_bad_code_at_once():
    with pytest.raises(ValidationError) as error:
        coerce_values(DEFS, {"storage": "x", "colour": "红色", "ram": 1})
    assert sorted(error.value.message_dict) == ["colour", "ram", "storage"]
    with pytest.raises(ValidationError) as not_a_dict:
        coerce_values(DEFS, ["storage"])
    assert list(not_a_dict.value.message_dict) == ["attributes"]
