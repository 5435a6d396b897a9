"""Drawing a certificate: one landscape US Letter page (ReportLab), from its frozen content.

The page shows what the content holds and nothing else: learner, provider(s),
activity, learning format, dates, location, the credit awarded (the claim, not
the maximum [M6]) "of a maximum of" the designation [section 6], the statements
[C4][C9][M5][J3], the UAN for ACPE [P11], the certificate number, the issue date
and a QR code of the verification address. No supporter names or logos [N2][A12]:
the only artwork is the provider's own template (logo, signature).

Fonts are embedded (common.pdf), so names print as typed. The trademarked
phrase "AMA PRA Category 1 Credit(s)™" is set in italics [M11].

Speed: a batch draws thousands of pages, so whatever all of them share (fonts,
the template's images, scaled once) lives in an `Artwork` made once per batch;
the QR code is vector squares from segno's matrix, one rectangle per dark run.

Nothing here decides or changes anything: certificates.py does that.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from contextvars import ContextVar
from dataclasses import dataclass

import segno
from django.utils.translation import gettext as _
from PIL import Image
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from cmeconf.common.pdf import pdf_fonts

PAGE = landscape(LETTER)
MARGIN = 0.55 * inch
INK = colors.HexColor("#111827")
MUTED = colors.HexColor("#374151")
RULE = colors.HexColor("#1e3a8a")
QR_SIZE = 1.05 * inch
# Four modules of white around the code, as the QR standard asks, for reliable scans.
QR_BORDER = 4
LOGO_BOX = (2.2 * inch, 0.85 * inch)
SIGNATURE_BOX = (2.2 * inch, 0.6 * inch)
# Template images are scaled once to this resolution for the page (sharp in print, small file).
IMAGE_DPI = 200

# The trademarked phrase, printed in italics wherever a statement or the award names it [M11].
# A full stop right after it goes with it (no space before the stop).
ITALIC_PHRASE = re.compile(r"AMA PRA Category 1 Credits?™[.,;:]?")


# The italic is the regular face slanted (about 12 degrees): a third embedded font would
# cost every page of a batch more than its drawing does.
ITALIC = "italic"
SLANT = 0.21


# The faces of the certificate being drawn (per thread and task: a context variable).
_faces: ContextVar[tuple[str, str] | None] = ContextVar("certificate_faces", default=None)
# PDF's standard faces need no embedding: a certificate whose every word they can set
# (Western European text, the ™ included) is drawn with them, which halves the time of a
# page; any other name or title gets the embedded fonts that print it as typed.
STANDARD_FACES = ("Helvetica", "Helvetica-Bold")


def _regular_bold() -> tuple[str, str]:
    return _faces.get() or pdf_fonts()


def fonts() -> tuple[str, str, str]:
    """(regular, bold, italic marker) of the certificate being drawn."""
    regular, bold = _regular_bold()
    return regular, bold, ITALIC


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def standard_faces_suffice(content: dict) -> bool:
    """True when the standard faces' encoding (WinAnsi, i.e. cp1252) holds every text."""
    try:
        for text in _texts(content):
            text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Picture:
    reader: ImageReader
    width: float
    height: float


def _picture(data: bytes | None, box: tuple[float, float]) -> Picture | None:
    """The image scaled down to fit `box` at IMAGE_DPI, kept as PNG or JPEG; None if unreadable."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            fmt = img.format
            ratio = min(box[0] / img.width, box[1] / img.height)
            width, height = img.width * ratio, img.height * ratio
            px = (max(1, round(width / 72 * IMAGE_DPI)), max(1, round(height / 72 * IMAGE_DPI)))
            if img.width > px[0]:
                img = img.resize(px, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            if fmt == "JPEG" and img.mode in ("RGB", "L", "CMYK"):
                img.save(out, "JPEG", quality=90)
            else:
                if img.mode not in ("RGB", "RGBA", "L", "LA"):
                    img = img.convert("RGBA")
                img.save(out, "PNG")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    out.seek(0)
    return Picture(ImageReader(out), width, height)


@dataclass(frozen=True)
class Artwork:
    """What every certificate of a template shares: its images, scaled once."""

    logo: Picture | None = None
    signature: Picture | None = None

    @classmethod
    def of(cls, template) -> Artwork:
        if template is None:
            return cls()
        return cls(
            logo=_picture(_read(template.logo), LOGO_BOX),
            signature=_picture(_read(template.signature), SIGNATURE_BOX),
        )


def _read(field) -> bytes | None:
    if not field:
        return None
    try:
        with field.storage.open(field.name, "rb") as handle:
            return handle.read()
    except OSError:
        return None


# --- text -------------------------------------------------------------------------------


def _runs(text: str, font: str, italic: str) -> list[tuple[str, str]]:
    """(word, font) pairs; the words of the trademarked phrase get the italic font."""
    runs: list[tuple[str, str]] = []
    pos = 0
    for match in ITALIC_PHRASE.finditer(text):
        runs += [(w, font) for w in text[pos : match.start()].split()]
        runs += [(w, italic) for w in match.group(0).split()]
        pos = match.end()
    runs += [(w, font) for w in text[pos:].split()]
    return runs


def _wrap(runs: list[tuple[str, str]], size: float, width: float) -> list[list[tuple[str, str]]]:
    space = _width(" ", runs[0][1], size) if runs else 0
    lines: list[list[tuple[str, str]]] = []
    line: list[tuple[str, str]] = []
    used = 0.0
    for word, font in runs:
        w = _width(word, font, size)
        if line and used + space + w > width:
            lines.append(line)
            line, used = [], 0.0
        if w > width:  # one long word (a URL, a name without spaces): cut it
            while word and _width(word, font, size) > width:
                cut = len(word)
                while cut > 1 and _width(word[:cut], font, size) > width:
                    cut -= 1
                lines.append([(word[:cut], font)])
                word = word[cut:]
            w = _width(word, font, size)
            if not word:
                continue
        used += (space if line else 0) + w
        line.append((word, font))
    if line:
        lines.append(line)
    return lines


@functools.lru_cache(maxsize=256)
def _wrapped(text: str, font: str, italic: str, size: float, width: float) -> tuple:
    """_wrap of a text, remembered: every certificate of a batch sets the same statements."""
    return tuple(tuple(line) for line in _wrap(_runs(text, font, italic), size, width))


def _line_width(line: list[tuple[str, str]], size: float) -> float:
    space = _width(" ", line[0][1], size)
    return sum(_width(w, f, size) for w, f in line) + space * (len(line) - 1)


def _width(word: str, font: str, size: float) -> float:
    """A word's width; the italic marker measures as the regular face it slants."""
    return _measured(word, _regular_bold()[0] if font == ITALIC else font, size)


@functools.lru_cache(maxsize=8192)
def _measured(word: str, font: str, size: float) -> float:
    """Remembered: the pages of a batch set mostly the same words, and ReportLab
    measures TrueType text in pure Python (a few hundred words a page)."""
    return pdfmetrics.stringWidth(word, font, size)


def _draw_line(c: Canvas, line: list[tuple[str, str]], x: float, y: float, size: float) -> None:
    """Words from x; runs of one font go out as one string, the italic ones slanted."""
    space = _width(" ", line[0][1], size)
    i = 0
    while i < len(line):
        font = line[i][1]
        j = i
        while j < len(line) and line[j][1] == font:
            j += 1
        text = " ".join(w for w, _f in line[i:j])
        if font == ITALIC:
            c.saveState()
            c.transform(1, 0, SLANT, 1, x, y)
            c.setFont(_regular_bold()[0], size)
            c.drawString(0, 0, text)
            c.restoreState()
        else:
            c.setFont(font, size)
            c.drawString(x, y, text)
        x += _width(text, font, size) + space
        i = j


@dataclass
class Block:
    """Text to set centred (or from the left) in a width, shrinking down to fit its lines."""

    text: str
    font: str
    size: float
    smallest: float
    max_lines: int
    color: colors.Color = INK
    leading: float = 1.22

    def lay_out(self, width: float, italic: str) -> tuple[list, float]:
        runs = _runs(self.text, self.font, italic)
        size = self.size
        lines = _wrap(runs, size, width)
        while len(lines) > self.max_lines and size > self.smallest:
            size -= 0.5
            lines = _wrap(runs, size, width)
        if len(lines) > self.max_lines:  # still too long at the smallest size: end with "…"
            lines = lines[: self.max_lines]
            last = list(lines[-1])
            while last and _line_width([*last, ("…", last[-1][1])], size) > width:
                word, font = last.pop()
                if len(word) > 1 and not last:
                    last.append((word[:-1], font))
            lines[-1] = [*last, ("…", self.font)]
        return lines, size


def _draw_block(
    c: Canvas, block: Block, top: float, width: float, italic: str, *, centre: float
) -> float:
    """Draw centred under `top`; returns the y below the block."""
    if not block.text:
        return top
    lines, size = block.lay_out(width, italic)
    c.setFillColor(block.color)
    y = top - size
    for line in lines:
        _draw_line(c, line, centre - _line_width(line, size) / 2, y, size)
        y -= size * block.leading
    return y + size * block.leading - size * 0.35


# --- the QR code ------------------------------------------------------------------------


def qr_matrix(data: str) -> tuple[tuple[int, ...], ...]:
    """segno's modules for the data, error level M, with a fixed mask.

    Any of the eight masks is valid (ISO/IEC 18004); segno's choice among them scores
    all eight and takes most of the time of a page, so the batch names one.
    """
    return segno.make_qr(data, error="m", mask=0, boost_error=False).matrix


def draw_qr(c: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Dark modules as filled rectangles, one per run in a row: sharp at any printer.

    The rectangles go into the page as one path of literal operators: thousands of
    them pass through ReportLab's number formatting otherwise.
    """
    matrix = qr_matrix(data)
    modules = len(matrix) + 2 * QR_BORDER
    unit = size / modules
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    ops = []
    for r, row in enumerate(matrix):
        top = y + size - (r + QR_BORDER + 1) * unit
        col, n = 0, len(row)
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                left = x + (start + QR_BORDER) * unit
                ops.append(f"{left:.3f} {top:.3f} {(col - start) * unit:.3f} {unit:.3f} re")
            else:
                col += 1
    if ops:
        c.addLiteral("\n".join(ops) + "\nf")


# --- the page ---------------------------------------------------------------------------


def _award_text(credit: dict) -> str:
    return credit.get("awarded_text", "")


def draw_certificate(c: Canvas, content: dict, url: str, art: Artwork) -> None:
    regular, bold, italic = fonts()
    width, height = PAGE
    inner = width - 2 * MARGIN
    centre = width / 2

    # Frame.
    c.setStrokeColor(RULE)
    c.setLineWidth(2)
    c.rect(MARGIN / 2, MARGIN / 2, width - MARGIN, height - MARGIN, stroke=1, fill=0)
    c.setLineWidth(0.6)
    c.rect(MARGIN / 2 + 5, MARGIN / 2 + 5, width - MARGIN - 10, height - MARGIN - 10, stroke=1)

    top = height - MARGIN - 0.1 * inch
    if art.logo:
        c.drawImage(
            art.logo.reader,
            MARGIN,
            top - art.logo.height,
            art.logo.width,
            art.logo.height,
            mask="auto",
        )
    provider_line = content.get("provider", "")
    if content.get("joint_provider"):
        provider_line = _("%(provider)s in joint providership with %(joint)s") % {
            "provider": provider_line,
            "joint": content["joint_provider"],
        }
    text_width = inner - 2 * (LOGO_BOX[0] + 0.2 * inch) if art.logo else inner
    y = _draw_block(
        c,
        Block(provider_line, bold, 13, 9, 2, color=MUTED),
        top,
        text_width,
        italic,
        centre=centre,
    )
    y = min(y, top - (art.logo.height if art.logo else 0)) - 0.1 * inch
    credit = content.get("credit", {})
    learner = content.get("learner", {})
    name = learner.get("name", "")
    if learner.get("credentials"):
        name = f"{name}, {learner['credentials']}"
    blocks = [
        (Block(content.get("title", ""), bold, 24, 18, 1, color=RULE), 0.08),
        (Block(_("This certifies that"), regular, 11, 9, 1, color=MUTED), 0.06),
        (Block(name, bold, 24, 12, 2), 0.02),
        (Block(learner.get("profession", ""), regular, 10, 8, 1, color=MUTED), 0.07),
        (Block(content.get("participated", ""), regular, 11, 9, 1, color=MUTED), 0.05),
        (Block(content.get("activity", ""), bold, 16, 10, 3), 0.05),
        (Block(content.get("when_where", ""), regular, 10.5, 8, 2, color=MUTED), 0.07),
        (Block(content.get("awarded_intro", ""), regular, 11, 9, 1, color=MUTED), 0.04),
        (Block(_award_text(credit), bold, 17, 11, 2), 0.02),
        (Block(credit.get("maximum_text", ""), regular, 10, 8, 1, color=MUTED), 0.02),
        (Block(credit.get("identifier_text", ""), regular, 10, 8, 1, color=MUTED), 0.02),
    ]
    for block, gap in blocks:
        if block.text:
            y = _draw_block(c, block, y, inner, italic, centre=centre) - gap * inch

    # Bottom zone: signature on the left, QR code and number on the right.
    bottom = MARGIN + 0.2 * inch
    qr_x = width - MARGIN - QR_SIZE - 0.12 * inch
    qr_y = bottom + 0.32 * inch
    draw_qr(c, url, qr_x, qr_y, QR_SIZE)
    c.setFillColor(INK)
    c.setFont(bold, 8.5)
    c.drawCentredString(qr_x + QR_SIZE / 2, qr_y - 0.13 * inch, content.get("number", ""))
    c.setFont(regular, 7)
    c.setFillColor(MUTED)
    c.drawCentredString(
        qr_x + QR_SIZE / 2,
        qr_y - 0.27 * inch,
        _("Issued %(date)s") % {"date": content.get("issued_on_text", "")},
    )
    c.drawCentredString(qr_x + QR_SIZE / 2, qr_y + QR_SIZE + 0.06 * inch, _("Scan to verify"))

    signer = content.get("signer", {})
    sig_x = MARGIN + 0.1 * inch
    line_y = bottom + 0.42 * inch
    if art.signature:
        c.drawImage(
            art.signature.reader,
            sig_x,
            line_y + 2,
            art.signature.width,
            art.signature.height,
            mask="auto",
        )
    if signer.get("name") or art.signature:
        c.setStrokeColor(MUTED)
        c.setLineWidth(0.5)
        c.line(sig_x, line_y, sig_x + SIGNATURE_BOX[0], line_y)
        c.setFillColor(INK)
        sig_block = SIGNATURE_BOX[0] + 0.4 * inch
        for text, font, size, dy in (
            (signer.get("name", ""), bold, 9, 0.15),
            (signer.get("title", ""), regular, 8, 0.29),
        ):
            if text:
                lines, fitted = Block(text, font, size, 6.5, 1).lay_out(sig_block, italic)
                _draw_line(c, lines[0], sig_x, line_y - dy * inch, fitted)

    # Statements between the award and the bottom zone, shrunk to fit the space left.
    statements = [s for s in content.get("statements", []) if s]
    zone_top = y - 0.04 * inch
    zone_bottom = qr_y + QR_SIZE + 0.16 * inch
    stmt_width = inner - 0.6 * inch
    size = 9.0
    while True:
        laid = [_wrapped(s, regular, italic, size, stmt_width) for s in statements]
        needed = sum(len(lines) for lines in laid) * size * 1.25 + (len(laid) - 1) * size * 0.5
        if needed <= zone_top - zone_bottom or size <= 6:
            break
        size -= 0.25
    c.setFillColor(MUTED)
    y = zone_top - size
    for lines in laid:
        for line in lines:
            _draw_line(c, line, centre - _line_width(line, size) / 2, y, size)
            y -= size * 1.25
        y -= size * 0.5

    footer = content.get("footer", "")
    if footer:
        lines, fitted = Block(footer, regular, 7.5, 6, 1).lay_out(inner - 2 * QR_SIZE, italic)
        c.setFillColor(MUTED)
        _draw_line(
            c, lines[0], centre - _line_width(lines[0], fitted) / 2, bottom - 0.02 * inch, fitted
        )


@contextlib.contextmanager
def _binary_streams():
    """Compressed streams without the ASCII85 layer ReportLab adds by default.

    ASCII85 only makes a PDF 7-bit clean (nobody mails PDFs as text any more); in
    pure Python it costs more than drawing the page, and makes the file larger.
    """
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def certificate_pdf(content: dict, url: str, art: Artwork | None = None) -> bytes:
    """The certificate as a one-page PDF."""
    buffer = io.BytesIO()
    faces = STANDARD_FACES if standard_faces_suffice(content) else pdf_fonts()
    token = _faces.set(faces)
    try:
        _draw_pdf(buffer, content, url, art)
    finally:
        _faces.reset(token)
    return buffer.getvalue()


def _draw_pdf(buffer: io.BytesIO, content: dict, url: str, art: Artwork | None) -> None:
    with _binary_streams():
        c = Canvas(buffer, pagesize=PAGE, pageCompression=1)
        c.setTitle(
            _("Certificate %(number)s: %(name)s")
            % {
                "number": content.get("number", ""),
                "name": content.get("learner", {}).get("name", ""),
            }
        )
        c.setAuthor(content.get("provider", ""))
        draw_certificate(c, content, url, art or Artwork())
        c.showPage()
        c.save()
