"""CSV cells that a spreadsheet program will not run as formulas (CSV injection)."""

from __future__ import annotations

# A cell starting with one of these is a formula to a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """`value` as a CSV cell, quoted with a leading ' if a spreadsheet would run it.

    A plain negative number ("-12.50") stays a number: it runs nothing.
    """
    text = "" if value is None else str(value)
    if not text.startswith(_FORMULA_START):
        return text
    if text[0] == "-" and text[1:].replace(".", "", 1).isdigit():
        return text
    return "'" + text
