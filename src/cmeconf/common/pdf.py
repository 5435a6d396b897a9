"""What every PDF the platform makes shares: the fonts."""

from __future__ import annotations

import functools

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont


@functools.cache
def pdf_fonts() -> tuple[str, str]:
    """(regular, bold): DejaVu Sans where installed (wide script coverage), else the Vera
    fonts reportlab ships; embedded, so that names print as typed."""
    for name, regular, bold in (
        ("DejaVuSans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
        ("Vera", "Vera.ttf", "VeraBd.ttf"),
    ):
        try:
            pdfmetrics.registerFont(TTFont(name, regular))
            pdfmetrics.registerFont(TTFont(f"{name}-Bold", bold))
        except TTFError:
            continue
        return name, f"{name}-Bold"
    return "Helvetica", "Helvetica-Bold"
