"""The transcript as a PDF (reportlab, US Letter): what the page shows, for print or a board.

Everything comes from `transcripts.transcript`; this module only lays it out. The
header names the learner (with credentials), the date it was made and the filter
used; each row gives the date, the activity (title, provider, dates, format), the
credit (amount claimed and type [M6], UAN for ACPE [P11], board for MOC [B1]), the
certificate number and whether the provider verified it or the learner reported
it. Totals per credit type follow; with ACPE credit, the note that CPE Monitor is
the official record [P6][P11]. Every page carries "Page n of N".
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from cmeconf.common.pdf import pdf_fonts
from cmeconf.licensure.transcripts import Amount, Row, Transcript, amount_text, cpe_monitor_note

MUTED = colors.HexColor("#4b5563")
MARGIN = 0.6 * inch
WIDTH = LETTER[0] - 2 * MARGIN
# Date, activity, credit, certificate, source: shares of the text width.
COLUMNS = (0.11, 0.33, 0.27, 0.16, 0.13)


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = pdf_fonts()

    def style(name: str, size: float, *, font: str = regular, color=colors.black, after=0.0):
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size,
            leading=size * 1.25,
            textColor=color,
            spaceAfter=after,
        )

    return {
        "title": style("title", 16, font=bold, after=4),
        "name": style("name", 12, font=bold, after=2),
        "meta": style("meta", 9, color=MUTED, after=2),
        "h2": style("h2", 11.5, font=bold, after=4),
        "head": style("head", 8.5, font=bold),
        "cell": style("cell", 8.5),
        "cell_bold": style("cell_bold", 8.5, font=bold),
        "cell_muted": style("cell_muted", 7.5, color=MUTED),
        "cell_small": style("cell_small", 7.5),
        "note": style("note", 8.5, after=4),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    # Titles and names are what people typed: text, never reportlab markup.
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _lines(parts: list[tuple[str, ParagraphStyle]]) -> list[Paragraph]:
    return [_p(text, style) for text, style in parts if text]


def _amount_lines(a: Amount, s: dict) -> list[Paragraph]:
    parts = [(f"{amount_text(a.amount)} {a.label}", s["cell"])]
    if a.board:
        parts.append((_("Board: %(board)s") % {"board": a.board}, s["cell_muted"]))
    if a.uan:
        parts.append((_("UAN %(uan)s") % {"uan": a.uan}, s["cell_muted"]))
    return _lines(parts)


def _row_cells(row: Row, s: dict) -> list:
    activity = _lines(
        [
            (row.title, s["cell_bold"]),
            (row.provider, s["cell"]),
            (
                " · ".join(filter(None, [row.dates if row.verified else "", row.format])),
                s["cell_muted"],
            ),
        ]
    )
    credit: list = []
    for a in row.amounts:
        credit += _amount_lines(a, s)
    if row.is_acpe:
        credit.append(_p(_("ACPE: see CPE Monitor *"), s["cell_muted"]))
    certificates = [_p(a.certificate, s["cell_small"]) for a in row.amounts if a.certificate]
    return [
        _p(formats.date_format(row.completed_on, "SHORT_DATE_FORMAT"), s["cell"]),
        activity,
        credit,
        certificates or _p("—", s["cell_muted"]),
        _p(_("Verified") if row.verified else _("Self-reported"), s["cell"]),
    ]


GRID = TableStyle(
    [
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c7ccd4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
)


def _rows_table(t: Transcript, s: dict) -> LongTable:
    header = [
        _p(h, s["head"])
        for h in (_("Completed"), _("Activity"), _("Credit"), _("Certificate"), _("Source"))
    ]
    data = [header] + [_row_cells(row, s) for row in t.rows]
    table = LongTable(data, colWidths=[w * WIDTH for w in COLUMNS], repeatRows=1)
    table.setStyle(GRID)
    return table


def _totals_table(t: Transcript, s: dict) -> LongTable:
    header = [
        _p(h, s["head"]) for h in (_("Credit type"), _("Total"), _("Verified"), _("Self-reported"))
    ]
    data = [header] + [
        [
            _p(total.label, s["cell"]),
            _p(amount_text(total.amount), s["cell_bold"]),
            _p(amount_text(total.verified), s["cell"]),
            _p(amount_text(total.self_reported), s["cell"]),
        ]
        for total in t.totals
    ]
    table = LongTable(data, colWidths=[w * WIDTH for w in (0.49, 0.13, 0.2, 0.18)], repeatRows=1)
    table.setStyle(GRID)
    return table


def _generated(t: Transcript) -> str:
    local = timezone.localtime(t.generated_at)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def _numbered_canvas(footer_text: str, font: str):
    """A canvas that writes "Page n of N" once it knows N (pages are kept, then drawn)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setFont(font, 7.5)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 0.4 * inch, footer_text)
            self.drawRightString(
                LETTER[0] - MARGIN,
                0.4 * inch,
                _("Page %(page)d of %(pages)d") % {"page": self._pageNumber, "pages": total},
            )
            self.restoreState()

    return NumberedCanvas


def transcript_pdf(t: Transcript) -> bytes:
    """The transcript `t` as PDF bytes."""
    s = _styles()
    regular, _bold = pdf_fonts()
    person = t.person
    name = person.full_name or person.email
    story: list = [
        _p(_("Continuing education transcript"), s["title"]),
        _p(f"{name}, {person.credentials}" if person.credentials else name, s["name"]),
    ]
    if getattr(person, "npi", ""):
        story.append(_p(_("NPI %(npi)s") % {"npi": person.npi}, s["meta"]))
    story += [
        _p(_("Generated %(when)s") % {"when": _generated(t)}, s["meta"]),
        _p(t.filter_text(), s["meta"]),
        _p(
            _(
                "Verified: claimed on this platform and recorded by the provider that "
                "designated the credit. Self-reported: entered by the learner from their own "
                "certificate; not checked."
            ),
            s["meta"],
        ),
        Spacer(1, 8),
    ]
    if t.rows:
        story.append(_rows_table(t, s))
    else:
        story.append(_p(_("No credit matches this filter."), s["note"]))
    story += [Spacer(1, 12), _p(_("Totals"), s["h2"])]
    if t.totals:
        story.append(_totals_table(t, s))
    else:
        story.append(_p(_("No credit."), s["note"]))
    if t.has_acpe:
        # Since 2014 CPE Monitor, not a provider's statement, is the pharmacist's record [P6][P11].
        story += [Spacer(1, 10), _p("* " + cpe_monitor_note(), s["note"])]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=0.8 * inch,
        title=_("Transcript of %(name)s") % {"name": name},
        author="cmeconf",
        subject=_("Continuing education transcript"),
        creator="cmeconf",
    )
    footer = _("Transcript of %(name)s · generated %(when)s") % {
        "name": name,
        "when": _generated(t),
    }
    doc.build(story, canvasmaker=_numbered_canvas(footer, regular))
    return buffer.getvalue()
