"""CSV cells never run as formulas in a spreadsheet."""

import pytest

from cmeconf.common.spreadsheet import safe_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1+1", "'+1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("-12.50", "-12.50"),
        ("Ada Okafor", "Ada Okafor"),
        (None, ""),
        (42, "42"),
    ],
)
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell
