"""The activity file: what an accreditor asks to see of one activity, in one download.

ACCME expects the provider to keep, per activity, the gap and its sources, the
needs, the objectives, the change aimed at, the formats, who planned and taught
with their disclosures and the mitigation of each relevant relationship, the
commercial support agreements and how the money was used, the evaluation, and
the disclosure learners were shown with its time [C5][A6][A11]. Planning files
are kept for the accreditation term or 12 months, whichever is longer [C5]:
this file is how they leave the system when the accreditor asks.

Read-only and in a fixed number of queries whatever the number of sessions,
people or learners: everything is loaded once (`gather`) and then written out as
CSV tables, a PDF summary and a ZIP holding both with a SHA-256 manifest.
Statuses come from the integrity rules (roster, review), never re-derived here.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.activities.choices import (
    NON_EDUCATIONAL_FORMATS,
    EducationalNeed,
    GapSource,
    IntendedChange,
)
from cmeconf.activities.models import (
    Amendment,
    LearningObjective,
    PlanningRecord,
    PlanningRole,
    ReviewComment,
    Session,
)
from cmeconf.common import audit
from cmeconf.common.models import AuditEntry
from cmeconf.common.spreadsheet import safe_cell
from cmeconf.integrity import review, roster, support
from cmeconf.integrity.choices import FORBIDDEN_SUPPORT_EXPENSES
from cmeconf.integrity.models import (
    LearnerDisclosureVersion,
    LedgerEntry,
    OwnerEmployeeException,
    RelevanceDecision,
    SharingConsent,
    SupportAgreement,
)

# The tables, in the order of the index, with what each holds.
CSV_FILES: dict[str, object] = {
    "planning.csv": gettext_lazy(
        "Activity details and planning record: gap, sources, needs, change, evaluation"
    ),
    "objectives.csv": gettext_lazy("Learning objectives of the activity"),
    "planners.csv": gettext_lazy("Planners, course directors and content reviewers"),
    "sessions.csv": gettext_lazy(
        "Sessions of the program with format, time, room and credit eligibility"
    ),
    "faculty.csv": gettext_lazy("Faculty of each session and their role"),
    "disclosures.csv": gettext_lazy(
        "Disclosure of each person in control of content: relationships in scope"
    ),
    "decisions.csv": gettext_lazy(
        "Relevance decisions with reason, reviewer and date (superseded ones too)"
    ),
    "mitigations.csv": gettext_lazy("How each relevant relationship was mitigated, and when"),
    "exceptions.csv": gettext_lazy("Owner or employee exceptions with the reason"),
    "agreements.csv": gettext_lazy(
        "Commercial support agreements with signatures, dates and late flag"
    ),
    "ledger.csv": gettext_lazy(
        "Commercial support received and spent; voided entries kept and marked"
    ),
    "learner_disclosures.csv": gettext_lazy(
        "Every version of the disclosure learners were shown, as shown"
    ),
    "review_comments.csv": gettext_lazy("Comments made while reviewing the planning record"),
    "amendments.csv": gettext_lazy("Changes made after approval, with reason"),
    "audit_log.csv": gettext_lazy("The activity's audit trail, oldest first"),
}
SUMMARY_NAME = "summary.pdf"
MANIFEST_NAME = "manifest.sha256"


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    # With a byte-order mark so that spreadsheet programs read it as UTF-8.
    return ("\ufeff" + out.getvalue()).encode()


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _labels(values, choices) -> str:
    found = dict(choices.choices)
    return "; ".join(str(found.get(v, v)) for v in values or [])


@dataclass
class ActivityFileData:
    """Everything the file shows, loaded once."""

    activity: object
    generated: dt.datetime
    planning: PlanningRecord | None
    accreditations: list
    objectives: list
    planners: list
    sessions: list
    members: list[roster.Member]
    decisions: list  # every decision, oldest first
    exceptions: list
    agreements: list
    ledger: list
    learner_versions: list  # oldest first
    comments: list
    amendments: list
    audit_entries: list  # oldest first
    consents: dict[str, int]
    latest: dict[int, RelevanceDecision] = field(default_factory=dict)
    role_start: dict[int, dt.date] = field(default_factory=dict)

    def local(self, value: dt.datetime | None) -> str:
        """A moment in the activity's time zone, ISO 8601 with its offset."""
        if value is None:
            return ""
        return value.astimezone(self.activity.tz).isoformat(timespec="seconds")

    @property
    def approved_at(self) -> dt.datetime | None:
        approvals = [e.created for e in self.audit_entries if e.action == "activity.approve"]
        return approvals[-1] if approvals else None


def gather(activity, *, now: dt.datetime | None = None) -> ActivityFileData:
    """Load the whole file of `activity` in a fixed number of queries."""
    sessions = list(
        Session.objects.filter(activity=activity)
        .select_related("track", "room")
        .prefetch_related("topics", "faculty__person")
    )
    decisions = list(
        RelevanceDecision.objects.filter(activity=activity)
        .select_related("reviewer", "relationship__company", "relationship__disclosure__person")
        .prefetch_related("mitigations__recorded_by")
        .order_by("decided_at", "id")
    )
    consents = SharingConsent.objects.filter(activity=activity).aggregate(
        open=Count("id", filter=Q(withdrawn_at__isnull=True)),
        withdrawn=Count("id", filter=Q(withdrawn_at__isnull=False)),
    )
    data = ActivityFileData(
        activity=activity,
        generated=now or timezone.now(),
        planning=PlanningRecord.objects.filter(activity=activity).first(),
        accreditations=list(activity.provider.accreditations.all()),
        objectives=list(LearningObjective.objects.filter(activity=activity)),
        planners=list(
            PlanningRole.objects.filter(activity=activity)
            .select_related("person")
            .order_by("person__last_name", "person__first_name", "role")
        ),
        sessions=sessions,
        members=roster.content_controllers(activity),
        decisions=decisions,
        exceptions=list(
            OwnerEmployeeException.objects.filter(activity=activity)
            .select_related("reviewer", "relationship__company", "relationship__disclosure__person")
            .order_by("recorded_at", "id")
        ),
        agreements=list(
            SupportAgreement.objects.filter(activity=activity).select_related(
                "supporter__company", "created_by"
            )
        ),
        ledger=list(
            LedgerEntry.objects.filter(activity=activity).select_related(
                "agreement__supporter__company", "recorded_by", "voided_by"
            )
        ),
        learner_versions=list(
            LearnerDisclosureVersion.objects.filter(activity=activity).order_by("first_shown", "id")
        ),
        comments=list(
            ReviewComment.objects.filter(activity=activity).select_related("author", "resolved_by")
        ),
        amendments=list(
            Amendment.objects.filter(activity=activity)
            .select_related("made_by")
            .order_by("made_at", "id")
        ),
        audit_entries=list(
            AuditEntry.objects.for_activity(activity.pk)
            .select_related("content_type")
            .order_by("created", "id")
        ),
        consents=consents,
    )
    for decision in decisions:  # oldest first: the last one per relationship stands
        data.latest[decision.relationship_id] = decision
    data.role_start = {m.person.pk: m.role_start for m in data.members}
    return data


# --- The tables -------------------------------------------------------------------------


def _planning_rows(d: ActivityFileData) -> list[list]:
    a, p = d.activity, d.planning
    rows = [
        [_("activity"), a.title],
        [_("provider"), a.provider.name],
        [
            _("accreditations"),
            "; ".join(f"{x.accreditor} {x.identifier}" for x in d.accreditations),
        ],
        [_("kind"), a.get_kind_display()],
        [_("first day"), a.start_date.isoformat()],
        [_("last day"), a.end_date.isoformat()],
        [_("time zone"), a.time_zone],
        [_("delivery"), a.get_delivery_display()],
        [_("venue"), " ".join(filter(None, [a.venue_name, a.venue_address]))],
        [_("joint provider"), a.joint_provider],
        [_("target professions"), "; ".join(a.target_professions or [])],
        [_("target specialties"), "; ".join(a.target_specialties or [])],
        [_("state"), a.get_state_display()],
        [_("approved"), d.local(d.approved_at)],
        [_("published"), d.local(a.published_at)],
    ]
    if p is not None:
        rows += [
            [_("professional practice gap"), p.practice_gap],
            [_("sources of the gap"), _labels(p.gap_sources, GapSource)],
            [_("evidence and references"), p.gap_evidence],
            [_("educational needs"), _labels(p.educational_needs, EducationalNeed)],
            [_("what learners need"), p.needs_description],
            [_("intended change"), _labels(p.intended_change, IntendedChange)],
            [_("how change will be analysed"), p.evaluation_plan],
            [_("planning record updated"), d.local(p.updated)],
        ]
    rows.append([_("file generated"), d.local(d.generated)])
    return rows


def _person(user) -> str:
    return user.display_name if user is not None else ""


def _session_rows(d: ActivityFileData) -> list[list]:
    rows = []
    for s in d.sessions:
        rows.append(
            [
                s.code,
                s.title,
                s.get_format_display(),
                _yes(s.format not in NON_EDUCATIONAL_FORMATS),
                s.track.name if s.track_id else "",
                s.room.name if s.room_id else "",
                d.local(s.start),
                d.local(s.end),
                s.minutes or "",
                _yes(s.credit_eligible),
                "; ".join(t.name for t in s.topics.all()),
                "\n".join(s.objective_list),
                len(s.faculty.all()),
            ]
        )
    return rows


def _faculty_rows(d: ActivityFileData) -> list[list]:
    return [
        [s.code, s.title, f.person_id, _person(f.person), f.get_role_display()]
        for s in d.sessions
        for f in s.faculty.all()
    ]


# roster.Member.status and review.Status, in words.
STATUS_LABELS = {
    "missing": gettext_lazy("no disclosure on file"),
    "refused": gettext_lazy("refused to disclose"),
    "blocked": gettext_lazy("blocked"),
    "ok": gettext_lazy("cleared"),
}
REVIEW_LABELS = {
    review.Status.UNDECIDED: gettext_lazy("not yet reviewed"),
    review.Status.NOT_RELEVANT: gettext_lazy("not relevant"),
    review.Status.UNMITIGATED: gettext_lazy("relevant, not mitigated"),
    review.Status.MITIGATED: gettext_lazy("relevant, mitigated"),
}


def relationship_status(d: ActivityFileData, relationship) -> str:
    """Where a relationship stands for this activity, from its latest decision [A6][A7]."""
    decision = d.latest.get(relationship.pk)
    mitigations = list(decision.mitigations.all()) if decision else []
    return str(REVIEW_LABELS[review.status(decision, mitigations)])


def _exceptions_by_relationship(d: ActivityFileData) -> dict[int, list]:
    found = defaultdict(list)
    for e in d.exceptions:
        found[e.relationship_id].append(e)
    return found


def _disclosure_rows(d: ActivityFileData) -> list[list]:
    """One row per person per relationship in scope, or one row saying why there is none."""
    excepted = _exceptions_by_relationship(d)
    rows = []
    for m in d.members:
        disc = m.disclosure
        base = [
            m.person.pk,
            _person(m.person),
            "; ".join(m.roles),
            m.role_start.isoformat() if m.role_start else "",
            str(STATUS_LABELS[m.status]),
            d.local(disc.submitted_at) if disc else "",
            disc.covers_from.isoformat() if disc else "",
            disc.valid_until.isoformat() if disc else "",
        ]
        blockers = " ".join(m.blockers)
        rels = m.relationships_in_scope()
        if not rels:
            if disc is None:
                none = _("no disclosure on file")
            elif m.status == "refused":
                none = _("refused to disclose")
            else:
                none = _("none")
            rows.append([*base, none, "", "", "", "", "", blockers])
            continue
        for r in rels:
            rows.append(
                [
                    *base,
                    r.company.name,
                    r.get_nature_display(),
                    r.start_date.isoformat(),
                    r.end_date.isoformat() if r.end_date else "",
                    relationship_status(d, r),
                    "; ".join(e.get_exception_display() for e in excepted.get(r.pk, [])),
                    blockers,
                ]
            )
    return rows


def _decision_rows(d: ActivityFileData) -> list[list]:
    rows = []
    for x in d.decisions:
        r = x.relationship
        rows.append(
            [
                x.pk,
                r.disclosure.person_id,
                _person(r.disclosure.person),
                r.company.name,
                r.get_nature_display(),
                _yes(x.relevant),
                x.reason,
                _person(x.reviewer),
                d.local(x.decided_at),
                _("current") if d.latest.get(r.pk) is x else _("superseded"),
            ]
        )
    return rows


def _mitigation_rows(d: ActivityFileData) -> list[list]:
    """Each mitigation, and whether it was recorded before the person's role started [A6]."""
    rows = []
    tz = d.activity.tz
    for x in d.decisions:
        r = x.relationship
        start = d.role_start.get(r.disclosure.person_id)
        for mit in x.mitigations.all():
            # By day: a mitigation recorded on the morning of a first talk still came first
            # (derived from [A6]; the role's hour is not kept).
            before = "" if start is None else _yes(timezone.localdate(mit.recorded_at, tz) <= start)
            rows.append(
                [
                    x.pk,
                    _person(r.disclosure.person),
                    r.company.name,
                    r.get_nature_display(),
                    mit.get_method_display(),
                    mit.details,
                    mit.peer_name,
                    mit.peer_review_date.isoformat() if mit.peer_review_date else "",
                    _person(mit.recorded_by),
                    d.local(mit.recorded_at),
                    start.isoformat() if start else "",
                    before,
                ]
            )
    return rows


def _exception_rows(d: ActivityFileData) -> list[list]:
    return [
        [
            e.relationship.disclosure.person_id,
            _person(e.relationship.disclosure.person),
            e.relationship.company.name,
            e.relationship.get_nature_display(),
            e.get_exception_display(),
            e.reason,
            _person(e.reviewer),
            d.local(e.recorded_at),
        ]
        for e in d.exceptions
    ]


def agreement_standing(agreement, activity) -> tuple[bool, bool]:
    """(signed by both, signed late), by support's rule [A14][A15]."""
    signed = bool(agreement.provider_signed_on and agreement.supporter_signed_on)
    late = support.signed_late(agreement.provider_signed_on, activity) or support.signed_late(
        agreement.supporter_signed_on, activity
    )
    return signed, late


def _agreement_status(agreement, activity) -> str:
    signed, late = agreement_standing(agreement, activity)
    if not signed:
        return _("not signed by both")
    return _("signed late") if late else _("signed")


def _agreement_rows(d: ActivityFileData) -> list[list]:
    rows = []
    for a in d.agreements:
        signed, late = agreement_standing(a, d.activity)
        rows.append(
            [
                a.pk,
                a.reference,
                a.supporter.company.name,
                a.get_kind_display(),
                a.amount if a.amount is not None else "",
                a.currency,
                a.in_kind_description,
                a.purpose,
                a.terms,
                a.joint_provider_recipient,
                _yes(a.joins_existing),
                a.provider_signatory,
                a.provider_signed_on.isoformat() if a.provider_signed_on else "",
                a.supporter_signatory,
                a.supporter_signed_on.isoformat() if a.supporter_signed_on else "",
                _yes(signed),
                _yes(late),
                _agreement_status(a, d.activity),
                _person(a.created_by),
                d.local(a.created),
            ]
        )
    return rows


def _ledger_rows(d: ActivityFileData) -> list[list]:
    rows = []
    for e in d.ledger:
        ag = e.agreement
        rows.append(
            [
                e.pk,
                e.date.isoformat(),
                e.get_kind_display(),
                e.amount,
                ag.currency if ag else "",
                e.get_category_display() if e.category else "",
                # Support may not pay learners' travel, lodging, honoraria or expenses [A11].
                _yes(e.category in FORBIDDEN_SUPPORT_EXPENSES),
                ag.supporter.company.name if ag else "",
                ag.reference if ag else "",
                e.payee,
                e.description,
                _person(e.recorded_by),
                d.local(e.recorded_at),
                _("voided") if e.voided_at else _("valid"),
                d.local(e.voided_at),
                _person(e.voided_by),
                e.void_reason,
            ]
        )
    return rows


def _learner_rows(d: ActivityFileData) -> list[list]:
    rows = []
    for n, v in enumerate(d.learner_versions, start=1):
        lines = v.lines or [""]
        for i, line in enumerate(lines, start=1):
            rows.append([n, v.scope, d.local(v.first_shown), v.digest, i, line])
    return rows


def _json(value) -> str:
    if value in (None, {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csvs(d: ActivityFileData) -> dict[str, bytes]:
    files = {
        "planning.csv": _csv([_("field"), _("value")], _planning_rows(d)),
        "objectives.csv": _csv(
            [_("order"), _("objective")],
            [[n, o.text] for n, o in enumerate(d.objectives, start=1)],
        ),
        "planners.csv": _csv(
            [_("person id"), _("name"), _("role")],
            [[p.person_id, _person(p.person), p.get_role_display()] for p in d.planners],
        ),
        "sessions.csv": _csv(
            [
                _("code"),
                _("title"),
                _("format"),
                _("educational"),
                _("track"),
                _("room"),
                _("start"),
                _("end"),
                _("minutes"),
                _("eligible for credit"),
                _("topics"),
                _("learning objectives"),
                _("faculty"),
            ],
            _session_rows(d),
        ),
        "faculty.csv": _csv(
            [_("session code"), _("session"), _("person id"), _("name"), _("role")],
            _faculty_rows(d),
        ),
        "disclosures.csv": _csv(
            [
                _("person id"),
                _("name"),
                _("roles"),
                _("role starts"),
                _("disclosure status"),
                _("submitted"),
                _("covers from"),
                _("valid until"),
                _("company"),
                _("nature"),
                _("relationship from"),
                _("relationship until"),
                _("review status"),
                _("exception"),
                _("blockers"),
            ],
            _disclosure_rows(d),
        ),
        "decisions.csv": _csv(
            [
                _("decision id"),
                _("person id"),
                _("name"),
                _("company"),
                _("nature"),
                _("relevant"),
                _("reason"),
                _("reviewer"),
                _("decided"),
                _("standing"),
            ],
            _decision_rows(d),
        ),
        "mitigations.csv": _csv(
            [
                _("decision id"),
                _("name"),
                _("company"),
                _("nature"),
                _("method"),
                _("details"),
                _("peer reviewer"),
                _("peer review date"),
                _("recorded by"),
                _("recorded"),
                _("role starts"),
                _("recorded before the role started"),
            ],
            _mitigation_rows(d),
        ),
        "exceptions.csv": _csv(
            [
                _("person id"),
                _("name"),
                _("company"),
                _("nature"),
                _("exception"),
                _("reason"),
                _("reviewer"),
                _("recorded"),
            ],
            _exception_rows(d),
        ),
        "agreements.csv": _csv(
            [
                _("agreement id"),
                _("reference"),
                _("supporter"),
                _("kind"),
                _("amount"),
                _("currency"),
                _("in-kind support"),
                _("purpose"),
                _("terms"),
                _("joint provider receiving funds"),
                _("joins an existing agreement"),
                _("provider signatory"),
                _("provider signed on"),
                _("supporter signatory"),
                _("supporter signed on"),
                _("signed by both"),
                _("late"),
                _("status"),
                _("created by"),
                _("created"),
            ],
            _agreement_rows(d),
        ),
        "ledger.csv": _csv(
            [
                _("entry id"),
                _("date"),
                _("kind"),
                _("amount"),
                _("currency"),
                _("paid for"),
                _("forbidden use"),
                _("supporter"),
                _("agreement"),
                _("paid to / received from"),
                _("description"),
                _("recorded by"),
                _("recorded"),
                _("status"),
                _("voided"),
                _("voided by"),
                _("void reason"),
            ],
            _ledger_rows(d),
        ),
        "learner_disclosures.csv": _csv(
            [_("version"), _("scope"), _("first shown"), _("digest"), _("line"), _("text")],
            _learner_rows(d),
        ),
        "review_comments.csv": _csv(
            [
                _("created"),
                _("author"),
                _("activity state"),
                _("comment"),
                _("resolved"),
                _("resolved by"),
            ],
            [
                [
                    d.local(c.created),
                    _person(c.author),
                    c.get_activity_state_display(),
                    c.body,
                    d.local(c.resolved_at),
                    _person(c.resolved_by),
                ]
                for c in d.comments
            ],
        ),
        "amendments.csv": _csv(
            [
                _("made"),
                _("made by"),
                _("activity state"),
                _("what changed"),
                _("reason"),
                _("before and after"),
            ],
            [
                [
                    d.local(a.made_at),
                    _person(a.made_by),
                    a.get_activity_state_display(),
                    a.summary,
                    a.reason,
                    _json(a.changes),
                ]
                for a in d.amendments
            ],
        ),
        "audit_log.csv": _csv(
            [
                _("when"),
                _("who"),
                _("action"),
                _("object type"),
                _("object id"),
                _("object"),
                _("before"),
                _("after"),
                _("note"),
            ],
            [
                [
                    d.local(e.created),
                    e.actor_repr,
                    e.action,
                    e.content_type.model if e.content_type else "",
                    e.object_id,
                    e.object_repr,
                    _json(e.before),
                    _json(e.after),
                    e.note,
                ]
                for e in d.audit_entries
            ],
        ),
    }
    if list(files) != list(CSV_FILES):  # the index and the tables must not drift apart
        raise RuntimeError("CSV_FILES does not match the tables written")
    return files


def activity_file_csvs(activity) -> dict[str, bytes]:
    """One CSV per table of the activity file, by file name (see CSV_FILES)."""
    return _csvs(gather(activity))


# --- Summary figures --------------------------------------------------------------------


def counts(d: ActivityFileData) -> list[tuple[str, object]]:
    """The figures at the top of the summary."""
    educational = [s for s in d.sessions if s.format not in NON_EDUCATIONAL_FORMATS]
    status = Counter(m.status for m in d.members)
    in_scope = [r for m in d.members for r in m.relationships_in_scope()]
    review_status = Counter(relationship_status(d, r) for r in in_scope)
    open_comments = sum(1 for c in d.comments if c.resolved_at is None)
    return [
        (_("Sessions (educational / all)"), f"{len(educational)} / {len(d.sessions)}"),
        (_("Faculty roles"), sum(len(s.faculty.all()) for s in d.sessions)),
        (_("Planning roles"), len(d.planners)),
        (_("People in control of content"), len(d.members)),
        (_("Disclosures cleared"), status["ok"]),
        (_("Disclosures blocked"), status["blocked"]),
        (_("No disclosure on file"), status["missing"]),
        (_("Refused to disclose"), status["refused"]),
        (_("Relationships in scope"), len(in_scope)),
        (_("Relevant, mitigated"), review_status[str(REVIEW_LABELS[review.Status.MITIGATED])]),
        (_("Not relevant"), review_status[str(REVIEW_LABELS[review.Status.NOT_RELEVANT])]),
        (
            _("Relevant, not mitigated"),
            review_status[str(REVIEW_LABELS[review.Status.UNMITIGATED])],
        ),
        (_("Not yet reviewed"), review_status[str(REVIEW_LABELS[review.Status.UNDECIDED])]),
        (_("Relevance decisions (with superseded)"), len(d.decisions)),
        (_("Owner or employee exceptions"), len(d.exceptions)),
        (_("Commercial support agreements"), len(d.agreements)),
        (
            _("Ledger entries (voided)"),
            f"{len(d.ledger)} ({sum(1 for e in d.ledger if e.voided_at)})",
        ),
        (_("Learner disclosure versions"), len(d.learner_versions)),
        # Counts only: the file never names learners who consented [A4].
        (_("Learners consenting to share their details (open)"), d.consents["open"] or 0),
        (_("Consents withdrawn"), d.consents["withdrawn"] or 0),
        (_("Review comments (open)"), f"{len(d.comments)} ({open_comments})"),
        (_("Amendments after approval"), len(d.amendments)),
        (_("Audit trail entries"), len(d.audit_entries)),
    ]


def ledger_totals(d: ActivityFileData) -> dict[tuple[str, str], Decimal]:
    """Receipts and expenses by currency, voided entries left out [A11]."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for e in d.ledger:
        if e.voided_at is None:
            currency = e.agreement.currency if e.agreement else ""
            totals[(e.kind, currency)] += e.amount
    return dict(totals)


def current_learner_lines(d: ActivityFileData) -> list[str]:
    """The lines learners see now: the latest version shown on each page, without repeats."""
    latest: dict[str, LearnerDisclosureVersion] = {}
    for v in d.learner_versions:  # oldest first
        latest[v.scope] = v
    return sorted({line for v in latest.values() for line in v.lines or []})


# --- PDF and ZIP ------------------------------------------------------------------------


def activity_file_pdf(activity, *, now: dt.datetime | None = None) -> bytes:
    """The summary for an accreditor, as a PDF."""
    from cmeconf.integrity import audit_file_pdf  # it reads this module's figures

    d = gather(activity, now=now)
    return audit_file_pdf.render(d, csv_rows=csv_row_counts(_csvs(d)))


def csv_row_counts(csvs: dict[str, bytes]) -> dict[str, int]:
    """Data rows of each table (records, not lines: a cell may hold line breaks)."""
    return {
        name: sum(1 for _row in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
        for name, body in csvs.items()
    }


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    t = moment.astimezone(dt.UTC)
    return (max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second)


def activity_file_zip(activity, *, now: dt.datetime | None = None) -> bytes:
    """summary.pdf, every CSV and a manifest of their SHA-256 sums, in one ZIP."""
    from cmeconf.integrity import audit_file_pdf  # it reads this module's figures

    d = gather(activity, now=now)
    csvs = _csvs(d)
    files = {SUMMARY_NAME: audit_file_pdf.render(d, csv_rows=csv_row_counts(csvs)), **csvs}
    manifest = "".join(
        f"{hashlib.sha256(body).hexdigest()}  {name}\n" for name, body in files.items()
    )
    files[MANIFEST_NAME] = manifest.encode()
    out = io.BytesIO()
    stamp = _zip_time(d.generated)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return out.getvalue()


def file_name(activity, extension: str, *, now: dt.datetime | None = None) -> str:
    day = timezone.localdate(now or timezone.now(), activity.tz).isoformat()
    return f"{activity.provider.slug}-{activity.slug}-activity-file-{day}.{extension}"


def record_export(activity, *, by, kind: str, body: bytes, note: str = "") -> AuditEntry:
    """Record who exported the activity file, when, and the SHA-256 of what they received.

    Side effects: audit "activity.file_exported". Changes nothing learners see.
    """
    return audit.record(
        "activity.file_exported",
        actor=by,
        obj=activity,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        after={"format": kind, "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)},
        note=note,
    )
