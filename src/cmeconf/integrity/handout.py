"""The disclosure to learners as a printable handout and as a slide (PDF, reportlab).

Both are generated from `learner.activity_disclosure` / `learner.session_disclosure`,
never typed [A6][A11], and each version rendered is kept under its own scope
("handout", "slide", "slide:<code>") [A3b]; the page footer carries the version
digest, so a printed copy can be matched to the kept record. Company names only:
no logo, no image, no product [A6][A21]; the provider's logo is left out as well,
since a disclosure is educational material [A12].
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from cmeconf.common.pdf import pdf_fonts as _fonts
from cmeconf.integrity import learner
from cmeconf.providers.models import Accreditor

PAPER_SIZES = {"letter": LETTER, "a4": A4}
# 16:9 at 13.333 x 7.5 inches, the size presentation software uses for widescreen slides.
SLIDE_SIZE = (960.0, 540.0)
MUTED = colors.HexColor("#4b5563")
# Text lines up with the margins the header and footer are drawn at.
NO_PADDING = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}


def default_paper(activity) -> str:
    """Letter for activities in the Americas' time zones, where it is the usual paper; A4
    elsewhere. Either prints well on the other (see handout_pdf)."""
    return "letter" if activity.time_zone.startswith(("America/", "US/", "Canada/")) else "a4"


# --- accreditation statement -----------------------------------------------------------------


def _the(name: str) -> str:
    return name if name.lower().startswith("the ") else f"The {name}"


def accreditation_statement(activity) -> str:
    """The provider's ACCME accreditation statement for this activity, or "" without one.

    Direct providership [C9]; with a joint provider, the joint providership statement
    [C4]. Only an ACCME accreditation valid on the activity's first day counts; the
    other accreditors' wordings depend on the credit designated and are not printed.
    """
    provider = activity.provider
    accredited = [
        a
        for a in provider.accreditations.all()
        if a.accreditor == Accreditor.ACCME
        and (a.valid_until is None or a.valid_until >= activity.start_date)
    ]
    if not accredited:
        return ""
    if activity.joint_provider:
        return _(
            "This activity has been planned and implemented in accordance with the "
            "accreditation requirements and policies of the Accreditation Council for "
            "Continuing Medical Education (ACCME) through the joint providership of "
            "%(provider)s and %(partner)s. %(the_provider)s is accredited by the ACCME to "
            "provide continuing medical education for physicians."
        ) % {
            "provider": provider.name,
            "partner": activity.joint_provider,
            "the_provider": _the(provider.name),
        }
    return _(
        "%(the_provider)s is accredited by the Accreditation Council for Continuing Medical "
        "Education (ACCME) to provide continuing medical education for physicians."
    ) % {"the_provider": _the(provider.name)}


# --- fonts and styles ------------------------------------------------------------------------


def _styles(scale: float) -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()

    def style(name: str, size: float, *, font: str = regular, color=colors.black, after=0.5):
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size * scale,
            leading=size * scale * 1.25,
            textColor=color,
            alignment=TA_LEFT,
            spaceAfter=size * scale * after,
        )

    return {
        "title": style("title", 18, font=bold, after=0.3),
        "subtitle": style("subtitle", 12, font=bold, after=0.2),
        "meta": style("meta", 9.5, color=MUTED),
        "h2": style("h2", 12, font=bold, after=0.4),
        "body": style("body", 10),
        "cell": style("cell", 9.5, after=0),
        "cell_muted": style("cell_muted", 8.5, color=MUTED, after=0),
        "small": style("small", 8, color=MUTED, after=0),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Names and company names are data, not markup.
    return Paragraph(escape(text), style)


def _when(activity) -> str:
    if activity.start_date == activity.end_date:
        return formats.date_format(activity.start_date, "DATE_FORMAT")
    start = formats.date_format(activity.start_date, "DATE_FORMAT")
    end = formats.date_format(activity.end_date, "DATE_FORMAT")
    return f"{start} \N{EN DASH} {end}"


def _generated(activity, disclosure: learner.ActivityDisclosure) -> str:
    local = timezone.localtime(disclosure.generated, activity.tz)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({activity.time_zone})"


def _footer(activity, disclosure: learner.ActivityDisclosure, style: ParagraphStyle):
    """Draws the generated date, version and page number at the foot of every page."""
    text = _("Generated %(when)s · version %(version)s") % {
        "when": _generated(activity, disclosure),
        "version": disclosure.digest[:12],
    }
    regular, _bold = _fonts()

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(regular, style.fontSize)
        canvas.setFillColor(MUTED)
        canvas.drawString(doc.leftMargin, doc.bottomMargin / 2, text)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin,
            doc.bottomMargin / 2,
            _("Page %(page)d") % {"page": canvas.getPageNumber()},
        )
        canvas.restoreState()

    return draw


def _document(buffer, pagesize, margins: tuple[float, float, float, float], title: str, author):
    left, right, top, bottom = margins
    return BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        author=author,
        subject=_("Disclosure of financial relationships"),
        creator="cmeconf",
    )


# --- handout ---------------------------------------------------------------------------------


def handout_pdf(
    activity, *, paper: str | None = None, disclosure: learner.ActivityDisclosure | None = None
) -> bytes:
    """The printable disclosure handout of the activity, kept as shown under "handout".

    Title, accreditation statement when the provider has one [C9][C4], the statement,
    every planner and faculty member with their line [A6][A11], the commercial
    supporters [A21], the date generated and the version digest. Its content fits
    both A4 and Letter, so it prints on either; `paper` picks the page size.
    """
    if disclosure is None:
        disclosure = learner.activity_disclosure_shown(activity, "handout")
    size = PAPER_SIZES[paper or default_paper(activity)]
    s = _styles(1.0)
    buffer = io.BytesIO()
    # Margins leave a text block that fits inside both A4 and Letter.
    doc = _document(
        buffer,
        size,
        (18 * mm, 18 * mm, 18 * mm, 20 * mm),
        _("Disclosure of financial relationships: %(title)s") % {"title": activity.title},
        activity.provider.name,
    )
    width = min(doc.width, A4[0] - 36 * mm)
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        width,
        min(doc.height, LETTER[1] - 38 * mm),
        id="body",
        **NO_PADDING,
    )
    doc.addPageTemplates(
        [PageTemplate(id="page", frames=[frame], onPage=_footer(activity, disclosure, s["small"]))]
    )

    story = [
        _p(_("Disclosure of financial relationships"), s["title"]),
        _p(activity.title, s["subtitle"]),
        _p(f"{activity.provider.name} · {_when(activity)}", s["meta"]),
        Spacer(1, 4 * mm),
    ]
    statement = accreditation_statement(activity)
    if statement:
        story += [_p(_("Accreditation"), s["h2"]), _p(statement, s["body"]), Spacer(1, 2 * mm)]

    story += [_p(_("Planners and faculty"), s["h2"]), _p(disclosure.statement, s["body"])]
    if disclosure.people:
        rows = [[_p(_("Disclosure"), s["cell_muted"]), _p(_("Role"), s["cell_muted"])]]
        rows += [
            [_p(p.text, s["cell"]), _p(", ".join(p.roles), s["cell_muted"])]
            for p in disclosure.people
        ]
        table = Table(rows, colWidths=[width * 0.74, width * 0.26], repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#d1d5db")),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        story.append(table)

    story += [Spacer(1, 5 * mm), _p(_("Commercial support"), s["h2"])]
    story.append(_p(disclosure.supporters_intro, s["body"]))
    if disclosure.supporters:
        story.append(_bullets([line.text for line in disclosure.supporters], s["body"]))

    story += [
        Spacer(1, 6 * mm),
        _p(
            _("Generated %(when)s. Version %(digest)s.")
            % {"when": _generated(activity, disclosure), "digest": disclosure.digest},
            s["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _bullets(texts: list[str], style: ParagraphStyle) -> ListFlowable:
    return ListFlowable(
        [ListItem(_p(t, style), leftIndent=style.fontSize * 1.2) for t in texts],
        bulletType="bullet",
        bulletFontName=style.fontName,
        bulletFontSize=style.fontSize,
        leftIndent=style.fontSize * 1.2,
    )


# --- slide -----------------------------------------------------------------------------------


def slide_pdf(
    activity, session=None, *, disclosure: learner.ActivityDisclosure | None = None
) -> bytes:
    """The disclosure as 16:9 slides in large type, for the screen before the education.

    The activity's (kept as "slide") or one session's (kept as "slide:<code>"); a long
    list continues on further slides, each headed again, never shrunk to fit.
    """
    if disclosure is None:
        if session is None:
            disclosure = learner.activity_disclosure_shown(activity, "slide")
        else:
            disclosure = learner.session_disclosure_shown(session, f"slide:{session.code}")
    s = _styles(1.0)
    regular, bold = _fonts()
    heading = _("Disclosure of financial relationships")
    subject = session.title if session is not None else activity.title
    body = ParagraphStyle("slide_body", parent=s["body"], fontSize=20, leading=25, spaceAfter=10)
    lead = ParagraphStyle("slide_lead", parent=body, fontSize=17, leading=22, textColor=MUTED)
    h2 = ParagraphStyle("slide_h2", parent=body, fontName=bold, fontSize=22, leading=27)
    small = ParagraphStyle("slide_small", parent=s["small"], fontSize=11, leading=13)

    buffer = io.BytesIO()
    doc = _document(
        buffer,
        SLIDE_SIZE,
        (40.0, 40.0, 110.0, 56.0),
        f"{heading}: {subject}",
        activity.provider.name,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", **NO_PADDING)
    footer = _footer(activity, disclosure, small)

    def head(canvas, doc) -> None:
        canvas.saveState()
        top = doc.pagesize[1] - 36
        canvas.setFont(bold, 32)
        title = heading
        if canvas.getPageNumber() > 1:
            title = _("%(heading)s (continued)") % {"heading": heading}
        canvas.drawString(doc.leftMargin, top - 24, title)
        canvas.setFont(regular, 16)
        canvas.setFillColor(MUTED)
        canvas.drawString(doc.leftMargin, top - 52, _clip(subject, regular, 16, doc.width))
        canvas.restoreState()
        footer(canvas, doc)

    doc.addPageTemplates([PageTemplate(id="slide", frames=[frame], onPage=head)])

    story: list = [_p(disclosure.statement, lead)]
    story += [_p(p.text, body) for p in disclosure.people]
    if disclosure.accredited:
        # The supporters stay on one slide with their heading.
        support = [Spacer(1, 6), _p(_("Commercial support"), h2)]
        support.append(_p(disclosure.supporters_intro, body))
        if disclosure.supporters:
            support.append(_bullets([line.text for line in disclosure.supporters], body))
        story.append(KeepTogether(support))
    doc.build(story)
    return buffer.getvalue()


def _clip(text: str, font: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis where it would run off the slide."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"
