"""Name badges as PDF (reportlab), with the badge's signed token in a QR code (segno).

One badge is 4 x 3 inches, landscape: the size of the common name-badge inserts
(Avery 5392 and its equivalents) that slip into the usual plastic holders and
clip-on pouches. Printed one at a time (a lost badge, the learner's own copy)
the page is the badge itself, so a badge printer prints it without scaling.
For the whole activity, six badges go on each US Letter sheet, two across and
three down with the insert sheets' margins (0.25" at the sides, 1" at top and
bottom), with light cut marks for plain paper.

Nothing here decides or changes anything: badge_services does that.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import segno
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from cmeconf.common.pdf import pdf_fonts as _fonts
from cmeconf.registration.badge_tokens import badge_code, badge_token
from cmeconf.registration.choices import AttendanceMode, RegistrationStatus
from cmeconf.registration.models import Registration

# Registrations that hold a seat get a badge; an offered seat counts once it is accepted.
BADGE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_PAYMENT)

BADGE_SIZE = (4 * inch, 3 * inch)
SHEET_SIZE = LETTER
SHEET_COLUMNS, SHEET_ROWS = 2, 3
SHEET_MARGIN_X, SHEET_MARGIN_Y = 0.25 * inch, 1 * inch
PER_SHEET = SHEET_COLUMNS * SHEET_ROWS

BAND = colors.HexColor("#1e3a8a")
MUTED = colors.HexColor("#374151")
PAD = 0.15 * inch
QR_SIZE = 1.3 * inch
# Four modules of white around the code, as the QR standard asks, for reliable scans.
QR_BORDER = 4


def holds_badge(registration: Registration) -> bool:
    """Whether the registration may have a badge at all (it holds a seat)."""
    return registration.status in BADGE_STATUSES


def batch_registrations(activity) -> QuerySet[Registration]:
    """Who gets a badge in the activity's batch: seat holders attending in person, by name."""
    return (
        Registration.objects.filter(activity=activity, status__in=BADGE_STATUSES)
        .exclude(registration_type__mode=AttendanceMode.VIRTUAL)
        .select_related("person", "registration_type", "activity")
        .order_by("person__last_name", "person__first_name", "id")
    )


def badge_qr(registration: Registration) -> segno.QRCode:
    """The QR code of the badge: the signed token, nothing else (no name, no e-mail)."""
    return segno.make_qr(badge_token(registration), error="m")


def badge_svg(registration: Registration) -> str:
    """The QR code as inline SVG for a page: no style attribute, so a strict CSP allows it.

    Only the token goes in (letters, digits, ".-_:"): nothing in it needs escaping.
    """
    return badge_qr(registration).svg_inline(
        scale=1,
        border=QR_BORDER,
        dark="#000",
        light="#fff",
        svgclass="badge-qr__code",
        lineclass=None,
        omitsize=True,
    )


def date_range(activity) -> str:
    start = formats.date_format(activity.start_date, "DATE_FORMAT")
    if activity.end_date == activity.start_date:
        return start
    end = formats.date_format(activity.end_date, "DATE_FORMAT")
    return f"{start} \N{EN DASH} {end}"


@dataclass(frozen=True)
class BadgeFace:
    """What one badge shows."""

    first_name: str
    full_name: str
    credentials: str
    organisation: str
    place: str
    registration_type: str
    activity_title: str
    dates: str
    token: str
    code: str


def badge_face(registration: Registration) -> BadgeFace:
    person = registration.person
    activity = registration.activity
    place = ", ".join(p for p in (person.region, person.country) if p)
    return BadgeFace(
        first_name=person.first_name or person.full_name or person.email,
        full_name=person.full_name or person.email,
        credentials=person.credentials,
        organisation=person.institution,
        place=place,
        registration_type=registration.registration_type.name,
        activity_title=activity.title,
        dates=date_range(activity),
        token=badge_token(registration),
        code=badge_code(registration),
    )


def _fit(text: str, font: str, size: float, width: float, smallest: float) -> tuple[str, float]:
    """Shrink the text down to `smallest` points to fit `width`, then cut it with an ellipsis."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text, size
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def _line(c: Canvas, text: str, x: float, y: float, *, font: str, size: float, **fit) -> None:
    if not text:
        return
    text, size = _fit(text, font, size, fit["width"], fit.get("smallest", size * 0.6))
    c.setFont(font, size)
    c.drawString(x, y, text)


def _draw_qr(c: Canvas, token: str, x: float, y: float, size: float) -> None:
    """Dark modules as filled rectangles, one per run in a row: sharp at any printer."""
    qr = segno.make_qr(token, error="m")
    matrix = qr.matrix
    modules = len(matrix) + 2 * QR_BORDER
    unit = size / modules
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for r, row in enumerate(matrix):
        top = y + size - (r + QR_BORDER + 1) * unit
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                left = x + (start + QR_BORDER) * unit
                c.rect(left, top, (col - start) * unit, unit, stroke=0, fill=1)
            else:
                col += 1


def draw_badge(c: Canvas, face: BadgeFace, x: float, y: float) -> None:
    """One badge with its lower left corner at (x, y)."""
    regular, bold = _fonts()
    width, height = BADGE_SIZE
    band = 0.42 * inch
    # Top band: the activity, so that a badge left behind says where it belongs.
    c.setFillColor(BAND)
    c.rect(x, y + height - band, width, band, stroke=0, fill=1)
    c.setFillColor(colors.white)
    inner = width - 2 * PAD
    _line(c, face.activity_title, x + PAD, y + height - 0.2 * inch, font=bold, size=10, width=inner)
    _line(c, face.dates, x + PAD, y + height - 0.34 * inch, font=regular, size=8, width=inner)

    # Bottom band: the registration type, readable from across a room.
    foot = 0.34 * inch
    c.setFillColor(BAND)
    c.rect(x, y, width, foot, stroke=0, fill=1)
    c.setFillColor(colors.white)
    _line(c, face.registration_type, x + PAD, y + 0.12 * inch, font=bold, size=12, width=inner)

    qr_x = x + width - PAD - QR_SIZE
    # Centred between the bands, with the code's line under it.
    code_line = 0.2 * inch
    qr_y = y + foot + (height - band - foot - QR_SIZE - code_line) / 2 + code_line
    _draw_qr(c, face.token, qr_x, qr_y, QR_SIZE)
    c.setFillColor(colors.black)
    c.setFont(bold, 8)
    c.drawCentredString(qr_x + QR_SIZE / 2, qr_y - 0.14 * inch, face.code)

    text_w = qr_x - x - PAD - 0.1 * inch
    top = y + height - band - 0.42 * inch
    c.setFillColor(colors.black)
    _line(c, face.first_name, x + PAD, top, font=bold, size=26, width=text_w, smallest=14)
    _line(c, face.full_name, x + PAD, top - 0.3 * inch, font=bold, size=13, width=text_w)
    c.setFillColor(MUTED)
    lines = [face.credentials, face.organisation, face.place]
    y_text = top - 0.5 * inch
    for text in (t for t in lines if t):
        _line(c, text, x + PAD, y_text, font=regular, size=9.5, width=text_w)
        y_text -= 0.17 * inch


def _canvas(buffer: io.BytesIO, pagesize, title: str) -> Canvas:
    c = Canvas(buffer, pagesize=pagesize, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("cmeconf")
    return c


def badge_pdf(registration: Registration) -> bytes:
    """One badge on a page of its own size."""
    face = badge_face(registration)
    buffer = io.BytesIO()
    c = _canvas(buffer, BADGE_SIZE, _("Badge: %(name)s") % {"name": face.full_name})
    draw_badge(c, face, 0, 0)
    c.showPage()
    c.save()
    return buffer.getvalue()


def _cut_marks(c: Canvas) -> None:
    """Short marks outside the badges where the cuts go, for badges printed on plain paper."""
    width, height = BADGE_SIZE
    mark = 0.12 * inch
    c.setStrokeColor(colors.HexColor("#9ca3af"))
    c.setLineWidth(0.3)
    xs = [SHEET_MARGIN_X + i * width for i in range(SHEET_COLUMNS + 1)]
    ys = [SHEET_MARGIN_Y + j * height for j in range(SHEET_ROWS + 1)]
    page_w, page_h = SHEET_SIZE
    for x in xs:
        c.line(x, SHEET_MARGIN_Y - mark - 2, x, SHEET_MARGIN_Y - 2)
        c.line(x, page_h - SHEET_MARGIN_Y + 2, x, page_h - SHEET_MARGIN_Y + mark + 2)
    for y in ys:
        c.line(SHEET_MARGIN_X - mark - 1, y, SHEET_MARGIN_X - 1, y)
        c.line(page_w - SHEET_MARGIN_X + 1, y, page_w - SHEET_MARGIN_X + mark + 1, y)


class BadgeSheets:
    """Badges six to a Letter sheet, added a few at a time (the batch reports progress)."""

    def __init__(self, title: str):
        self._buffer = io.BytesIO()
        self._canvas = _canvas(self._buffer, SHEET_SIZE, title)
        self.count = 0

    def add(self, registrations: Iterable[Registration]) -> int:
        """Draw these badges after those already added; returns how many were drawn."""
        drawn = 0
        width, height = BADGE_SIZE
        for registration in registrations:
            slot = self.count % PER_SHEET
            if slot == 0 and self.count:
                self._canvas.showPage()
            if slot == 0:
                _cut_marks(self._canvas)
            col, row = slot % SHEET_COLUMNS, slot // SHEET_COLUMNS
            x = SHEET_MARGIN_X + col * width
            y = SHEET_SIZE[1] - SHEET_MARGIN_Y - (row + 1) * height
            draw_badge(self._canvas, badge_face(registration), x, y)
            self.count += 1
            drawn += 1
        return drawn

    def finish(self) -> bytes:
        self._canvas.showPage()
        self._canvas.save()
        return self._buffer.getvalue()


def sheets_pdf(registrations: Iterable[Registration], *, title: str) -> bytes:
    sheets = BadgeSheets(title)
    sheets.add(registrations)
    return sheets.finish()
