"""A registration's invoice and receipt as PDFs (reportlab).

The invoice says what is owed: the registration type and price tier, the discount,
the total, what has been paid and what is still due, and how to pay it. The receipt
lists the money that moved: every payment received and every refund, with dates,
methods and references. Both are drawn from the stored payments at the moment they
are asked for; nothing is typed in.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cmeconf.common.pdf import pdf_fonts as _fonts
from cmeconf.registration.choices import PaymentStatus, RegistrationStatus
from cmeconf.registration.models import Payment, Registration
from cmeconf.registration.payments import stripe_gateway
from cmeconf.registration.payments.base import invoice_number, outstanding
from cmeconf.registration.payments.manual import invoice_instructions, on_site_instructions
from cmeconf.registration.refunds import LIVE_REFUND, net_paid

MUTED = colors.HexColor("#4b5563")
RULE = colors.HexColor("#d1d5db")


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()

    def style(name, size, *, font=regular, color=colors.black, after=0.4, align=0):
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size,
            leading=size * 1.3,
            textColor=color,
            spaceAfter=size * after,
            alignment=align,
        )

    return {
        "title": style("title", 20, font=bold, after=0.2),
        "h2": style("h2", 11, font=bold, after=0.3),
        "body": style("body", 10),
        "meta": style("meta", 9, color=MUTED),
        "cell": style("cell", 9.5, after=0),
        "cell_bold": style("cell_bold", 9.5, font=bold, after=0),
        # References are long tokens without spaces (Stripe ids): they break anywhere.
        "ref": ParagraphStyle("ref", fontName=regular, fontSize=8.5, leading=11, wordWrap="CJK"),
        "num": style("num", 9.5, after=0, align=2),
        "num_bold": style("num_bold", 9.5, font=bold, after=0, align=2),
        "head": style("head", 8.5, color=MUTED, after=0),
        "head_num": style("head_num", 8.5, color=MUTED, after=0, align=2),
    }


def _p(text: str, style: str) -> Paragraph:
    # Names, addresses and references are data, not markup; line breaks are kept.
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), _styles()[style])


def money(amount: Decimal, currency: str) -> str:
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} {currency}"


def _date(activity, when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return formats.date_format(timezone.localtime(when, activity.tz), "DATE_FORMAT")


def _paper(activity):
    # Letter where it is the usual paper (the Americas), A4 elsewhere.
    return LETTER if activity.time_zone.startswith(("America/", "US/", "Canada/")) else A4


def _parties(registration: Registration, now: dt.datetime) -> list:
    """From (the provider), to (the learner), and what for (the activity)."""
    activity = registration.activity
    provider = activity.provider
    person = registration.person
    sender = [provider.name, provider.address, provider.contact_email, provider.website]
    when = formats.date_format(activity.start_date, "DATE_FORMAT")
    if activity.end_date != activity.start_date:
        when += " \N{EN DASH} " + formats.date_format(activity.end_date, "DATE_FORMAT")
    about = [activity.title, when, activity.venue_name]
    columns = [
        [_p(_("From"), "head"), _p("\n".join(x for x in sender if x), "cell")],
        [_p(_("Billed to"), "head"), _p(f"{person.display_name}\n{person.email}", "cell")],
        [_p(_("For"), "head"), _p("\n".join(x for x in about if x), "cell")],
    ]
    table = Table([columns], colWidths=["34%", "33%", "33%"], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return [table, Spacer(1, 6 * mm)]


def _table(rows: list[list], widths: list, *, total_rows: int = 0) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
    ]
    if total_rows:
        commands.append(("LINEABOVE", (0, -total_rows), (-1, -total_rows), 1, colors.black))
    table.setStyle(TableStyle(commands))
    return table


def _document(buffer, registration: Registration, title: str) -> SimpleDocTemplate:
    activity = registration.activity
    return SimpleDocTemplate(
        buffer,
        pagesize=_paper(activity),
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=activity.provider.name,
        creator="cmeconf",
    )


def _cancelled_line(registration: Registration) -> list:
    if registration.status != RegistrationStatus.CANCELLED:
        return []
    when = _date(registration.activity, registration.cancelled_at)
    return [
        _p(_("This registration was cancelled on %(when)s.") % {"when": when}, "body"),
    ]


def invoice_pdf(registration: Registration, *, now: dt.datetime | None = None) -> bytes:
    """The invoice: lines, total, amount paid, balance due and how to pay it."""
    now = now or timezone.now()
    activity = registration.activity
    currency = registration.currency
    number = invoice_number(registration)
    paid = net_paid(registration)
    due = outstanding(registration) if registration.status != RegistrationStatus.CANCELLED else 0
    buffer = io.BytesIO()
    doc = _document(buffer, registration, _("Invoice %(number)s") % {"number": number})
    story = [
        _p(_("Invoice"), "title"),
        _p(
            _("Invoice number %(number)s · dated %(date)s")
            % {"number": number, "date": _date(activity, registration.created)},
            "meta",
        ),
        Spacer(1, 4 * mm),
        *_parties(registration, now),
    ]
    description = _("Registration: %(type)s") % {"type": registration.registration_type.name}
    if registration.price_label:
        description += f" ({registration.price_label})"
    rows = [
        [_p(_("Description"), "head"), _p(_("Amount"), "head_num")],
        [_p(description, "cell"), _p(money(registration.price, currency), "num")],
    ]
    if registration.discount:
        label = _("Discount")
        if registration.promo_code_id:
            label = _("Discount (promo code %(code)s)") % {"code": registration.promo_code.code}
        rows.append([_p(label, "cell"), _p(money(-registration.discount, currency), "num")])
    rows += [
        [_p(_("Total"), "cell_bold"), _p(money(registration.amount_due, currency), "num_bold")],
        [_p(_("Amount paid"), "cell"), _p(money(paid, currency), "num")],
        [_p(_("Balance due"), "cell_bold"), _p(money(due, currency), "num_bold")],
    ]
    width = doc.width
    story += [_table(rows, [width * 0.72, width * 0.28], total_rows=3), Spacer(1, 6 * mm)]
    story += _cancelled_line(registration)
    story.append(_p(_("How to pay"), "h2"))
    if due > 0:
        if stripe_gateway.is_configured():
            story.append(
                _p(_("By card: online, from your registration page on our website."), "body")
            )
        story.append(_p(invoice_instructions(registration), "body"))
        story.append(_p(on_site_instructions(registration), "body"))
    else:
        story.append(_p(_("Nothing is due on this invoice."), "body"))
    story += [
        Spacer(1, 6 * mm),
        _p(
            _("Printed %(when)s.")
            % {"when": formats.date_format(timezone.localtime(now, activity.tz), "DATE_FORMAT")},
            "meta",
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def receipt_lines(registration: Registration) -> list[Payment]:
    """The money that moved: payments received and refunds, oldest first."""
    return list(
        registration.payments.filter(
            Q(status=PaymentStatus.PAID, refund_of=None)
            | Q(status__in=LIVE_REFUND, refund_of__isnull=False)
        ).order_by("created", "id")
    )


def receipt_pdf(registration: Registration, *, now: dt.datetime | None = None) -> bytes:
    """The receipt: every payment and refund with its date, method and reference."""
    now = now or timezone.now()
    activity = registration.activity
    currency = registration.currency
    number = invoice_number(registration)
    buffer = io.BytesIO()
    doc = _document(buffer, registration, _("Receipt %(number)s") % {"number": number})
    story = [
        _p(_("Receipt"), "title"),
        _p(
            _("For invoice %(number)s · printed %(date)s")
            % {"number": number, "date": _date(activity, now)},
            "meta",
        ),
        Spacer(1, 4 * mm),
        *_parties(registration, now),
    ]
    lines = receipt_lines(registration)
    if not lines:
        story.append(_p(_("No payment has been received for this registration yet."), "body"))
    else:
        rows = [
            [
                _p(_("Date"), "head"),
                _p(_("What"), "head"),
                _p(_("Method"), "head"),
                _p(_("Reference"), "head"),
                _p(_("Amount"), "head_num"),
            ]
        ]
        received = refunded = Decimal("0.00")
        for p in lines:
            if p.refund_of_id is None:
                what = _("Payment")
                received += p.amount
            elif p.status == PaymentStatus.PENDING:
                what = _("Refund (being processed)")
                refunded += p.amount
            else:
                what = _("Refund")
                refunded += p.amount
            rows.append(
                [
                    _p(_date(activity, p.paid_at or p.created), "cell"),
                    _p(what, "cell"),
                    _p(p.get_method_display(), "cell"),
                    _p(p.reference or "\N{EM DASH}", "ref"),
                    _p(money(p.amount, p.currency), "num"),
                ]
            )
        rows += [
            [_p(_("Received"), "cell"), "", "", "", _p(money(received, currency), "num")],
            [_p(_("Refunded"), "cell"), "", "", "", _p(money(refunded, currency), "num")],
            [
                _p(_("Net paid"), "cell_bold"),
                "",
                "",
                "",
                _p(money(received + refunded, currency), "num_bold"),
            ],
        ]
        w = doc.width
        story.append(_table(rows, [w * 0.16, w * 0.22, w * 0.22, w * 0.22, w * 0.18], total_rows=3))
    story += [Spacer(1, 4 * mm), *_cancelled_line(registration)]
    doc.build(story)
    return buffer.getvalue()
