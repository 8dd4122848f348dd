"""The statement CSV never hands a spreadsheet a formula: text cells that would start one are
quoted; amounts stay numbers."""

from decimal import Decimal

import pytest

from shared_apps.settlement.statement_files import _csv_text


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-tea", "'-tea"), ("@sum", "'@sum"),
    ("Oolong 乌龙", "Oolong 乌龙"), (Decimal("-12.50"), "-12.50"), (None, ""), (3, "3"),
])
def test_cells(value, cell):
    assert _csv_text(value) == cell
