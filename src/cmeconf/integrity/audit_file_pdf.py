"""The summary page of the activity file, as a PDF an accreditor can read on paper.

Everything comes from audit_file.gather; this module only lays it out (reportlab).
"""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from cmeconf.activities.choices import EducationalNeed, GapSource, IntendedChange
from cmeconf.integrity import audit_file
from cmeconf.integrity.choices import FORBIDDEN_SUPPORT_EXPENSES, LedgerEntryKind

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=9, leading=11.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontSize=16, leading=20)
H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=12, leading=15, spaceBefore=8)
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)
WIDTH = A4[0] - 30 * mm


def _p(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    # Paragraph reads a little markup: what people typed must stay text.
    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"), style)


def _table(header: list[str], rows: list[list], widths: list[float]) -> LongTable:
    data = [[_p(h, SMALL) for h in header]] + [[_p(c, SMALL) for c in row] for row in rows]
    table = LongTable(data, colWidths=[w * WIDTH for w in widths], repeatRows=1)
    table.setStyle(GRID)
    return table


def _pairs(rows: list[tuple[str, object]]) -> LongTable:
    table = LongTable(
        [[_p(k, SMALL), _p(v if v not in (None, "") else "—", SMALL)] for k, v in rows],
        colWidths=[0.32 * WIDTH, 0.68 * WIDTH],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f5f8")),
            ]
        )
    )
    return table


def _activity_section(d) -> list:
    a = d.activity
    rows = [
        (_("Provider"), a.provider.name),
        (
            _("Accreditations"),
            "; ".join(f"{x.get_accreditor_display()} {x.identifier}" for x in d.accreditations),
        ),
        (_("Kind"), a.get_kind_display()),
        (_("Dates"), f"{a.start_date.isoformat()} to {a.end_date.isoformat()} ({a.time_zone})"),
        (_("Delivery"), a.get_delivery_display()),
        (_("Venue"), " ".join(filter(None, [a.venue_name, a.venue_address]))),
        (_("Joint provider"), a.joint_provider),
        (_("State"), a.get_state_display()),
        (_("Approved"), d.local(d.approved_at) or _("not approved")),
        (_("Published"), d.local(a.published_at)),
    ]
    return [Paragraph(_("Activity"), H2), _pairs(rows)]


def _planning_section(d) -> list:
    p = d.planning
    out: list = [Paragraph(_("Planning record"), H2)]
    if p is None:
        return [*out, _p(_("No planning record."))]
    rows = [
        (_("Professional practice gap"), p.practice_gap),
        (_("Sources of the gap"), audit_file._labels(p.gap_sources, GapSource)),
        (_("Evidence and references"), p.gap_evidence),
        (_("Educational needs"), audit_file._labels(p.educational_needs, EducationalNeed)),
        (_("What learners need"), p.needs_description),
        (_("Intended change"), audit_file._labels(p.intended_change, IntendedChange)),
        (_("How change will be analysed"), p.evaluation_plan),
    ]
    out.append(_pairs(rows))
    out.append(Paragraph(_("Learning objectives"), H2))
    if d.objectives:
        out += [_p(f"{n}. {o.text}") for n, o in enumerate(d.objectives, start=1)]
    else:
        out.append(_p(_("None recorded.")))
    return out


def _people_section(d) -> list:
    """One row per person in control of content: disclosure, relationships, mitigation."""
    mitigations: dict[int, list[str]] = {}
    for decision in d.decisions:
        mitigations[decision.relationship_id] = [
            m.get_method_display() for m in decision.mitigations.all()
        ]
    exceptions = audit_file._exceptions_by_relationship(d)
    rows = []
    for m in d.members:
        rels = m.relationships_in_scope()
        if rels:
            parts = []
            for r in rels:
                text = f"{r.company.name} ({r.get_nature_display()}): "
                text += audit_file.relationship_status(d, r)
                methods = mitigations.get(r.pk) if d.latest.get(r.pk) else None
                if methods and d.latest[r.pk].relevant:
                    text += " — " + "; ".join(methods)
                if exceptions.get(r.pk):
                    text += " — " + _("exception: %(e)s") % {
                        "e": "; ".join(e.get_exception_display() for e in exceptions[r.pk])
                    }
                parts.append(text)
            relationships = "\n".join(parts)
        elif m.disclosure is not None and m.status != "refused":
            relationships = _("none in scope")
        else:
            relationships = ""
        rows.append(
            [
                m.person.display_name,
                ", ".join(m.roles),
                str(audit_file.STATUS_LABELS[m.status]),
                relationships,
            ]
        )
    out: list = [Paragraph(_("Disclosure and mitigation, per person"), H2)]
    if not rows:
        return [*out, _p(_("Nobody in control of content yet."))]
    out.append(
        _table(
            [_("Person"), _("Roles"), _("Disclosure"), _("Relationships in scope and review")],
            rows,
            [0.22, 0.17, 0.13, 0.48],
        )
    )
    return out


def _support_section(d) -> list:
    out: list = [Paragraph(_("Commercial support"), H2)]
    if not d.agreements and not d.ledger:
        return [*out, _p(_("No commercial support recorded."))]
    rows = []
    for a in d.agreements:
        amount = f"{a.amount} {a.currency}" if a.amount is not None else a.in_kind_description
        signatures = "; ".join(
            filter(
                None,
                [
                    f"{a.provider_signatory} {a.provider_signed_on or ''}".strip(),
                    f"{a.supporter_signatory} {a.supporter_signed_on or ''}".strip(),
                ],
            )
        )
        rows.append(
            [
                a.supporter.company.name,
                a.get_kind_display(),
                amount,
                signatures,
                audit_file._agreement_status(a, d.activity),
            ]
        )
    if rows:
        out.append(
            _table(
                [_("Supporter"), _("Kind"), _("Amount or goods"), _("Signed"), _("Status")],
                rows,
                [0.24, 0.14, 0.2, 0.27, 0.15],
            )
        )
    totals = audit_file.ledger_totals(d)
    if totals:
        out.append(Spacer(1, 4))
        for (kind, currency), amount in sorted(totals.items()):
            out.append(
                _p(f"{LedgerEntryKind(kind).label}: {amount} {currency}".strip()),
            )
    forbidden = [
        e for e in d.ledger if e.voided_at is None and e.category in FORBIDDEN_SUPPORT_EXPENSES
    ]
    if forbidden:
        out.append(
            _p(
                _("%(n)s ledger entries pay for learners' costs, which support may not pay.")
                % {"n": len(forbidden)}
            )
        )
    return out


def _learner_section(d) -> list:
    scopes = {v.scope for v in d.learner_versions}
    out: list = [
        Paragraph(_("What learners were shown"), H2),
        _p(
            _("%(n)s versions kept, on %(pages)s pages. The current text:")
            % {"n": len(d.learner_versions), "pages": len(scopes)}
        ),
    ]
    lines = audit_file.current_learner_lines(d)
    if not lines:
        out.append(_p(_("Nothing shown to learners yet.")))
    out += [_p(line, SMALL) for line in lines]
    return out


def _index_section(csv_rows: dict[str, int] | None) -> list:
    rows = [
        [name, str(description), "" if csv_rows is None else csv_rows.get(name, "")]
        for name, description in audit_file.CSV_FILES.items()
    ]
    return [
        Paragraph(_("Files of the activity file"), H2),
        _p(
            _(
                "The ZIP holds this summary, the tables below (CSV, UTF-8) and %(manifest)s "
                "with the SHA-256 of each file."
            )
            % {"manifest": audit_file.MANIFEST_NAME}
        ),
        _table([_("File"), _("What it holds"), _("Rows")], rows, [0.25, 0.63, 0.12]),
    ]


def render(d, *, csv_rows: dict[str, int] | None = None) -> bytes:
    """The summary PDF of an activity file (`d` from audit_file.gather)."""
    out = io.BytesIO()
    a = d.activity
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Activity file: %(title)s") % {"title": a.title},
        author=a.provider.name,
    )
    story: list = [
        Paragraph(escape(_("Activity file: %(title)s") % {"title": a.title}), H1),
        _p(
            _("Generated %(local)s (%(utc)s UTC) for the accreditor.")
            % {
                "local": d.local(d.generated),
                "utc": d.generated.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            }
        ),
    ]
    story += _activity_section(d)
    story += _planning_section(d)
    story.append(KeepTogether([Paragraph(_("Figures"), H2), _pairs(audit_file.counts(d))]))
    story += _people_section(d)
    story += _support_section(d)
    story += _learner_section(d)
    story += _index_section(csv_rows)

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(
            15 * mm, 8 * mm, f"{a.provider.name} — {a.title} — {d.local(d.generated)}"
        )
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, str(document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
