"""Pure helpers: GTIN check digits, description sanitising, spec combinations."""

import pytest
from django.db import connection

from backend.lib.gtin import gtin_is_valid
from tenant_apps.catalog.richtext import sanitise_description
from tenant_apps.catalog.variants import parse_axes, spec_combinations


@pytest.mark.parametrize("code", ["4006381333931", "036000291452", "96385074", "10012345678902"])
def test_valid_gtins(code):
    assert gtin_is_valid(code)


@pytest.mark.parametrize("code", ["4006381333932", "03600029145", "abcdefgh", "", "٤٠٠٦٣٨١٣٣٣٩٣١"])
def test_invalid_gtins(code):
    assert not gtin_is_valid(code)


def test_description_keeps_the_allow_list_and_drops_scripts(monkeypatch):
    monkeypatch.setattr(connection, "schema_name", "s_alpha")
    html = (
        '<h2 onclick="x()">Spec</h2><p style="color:red">Good <strong>phone</strong><script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">bad</a><a href="https://example.com/">ok</a>'
        '<img src="/media/shops/s_alpha/public/products/a.png" onerror="x()">'
        '<img src="/media/shops/s_beta/public/products/b.png"><img src="https://evil.example/x.png">'
        '<iframe src="https://evil.example"></iframe><h1>Big</h1>'
    )
    assert sanitise_description(html) == (
        '<h2>Spec</h2><p>Good <strong>phone</strong></p><a rel="noopener noreferrer nofollow">bad</a>'
        '<a href="https://example.com/" rel="noopener noreferrer nofollow">ok</a>'
        '<img src="/media/shops/s_alpha/public/products/a.png">Big'
    )


def test_spec_combinations_cross_the_axes():
    assert spec_combinations([("colour", ["黑", "白"]), ("size", ["M", "L"])]) == [
        {"colour": "黑", "size": "M"}, {"colour": "黑", "size": "L"},
        {"colour": "白", "size": "M"}, {"colour": "白", "size": "L"},
    ]
    assert spec_combinations([]) == [{}]
    assert parse_axes("颜色：黑色，白色\nsize: M, L, M\nnonsense") == [("颜色", ["黑色", "白色"]), ("size", ["M", "L"])]
