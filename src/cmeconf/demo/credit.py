"""Credit and evaluations in the demo: the provider's credit types, the annual meeting's
designations and forms, and a one-day meeting that has already happened, with
attendance, evaluations, claims and certificates.

Everything goes through the services the staff and learner pages call, as the
demo's logins, so that the audit trail reads as it would in real use:

- the credit types the provider's accreditations allow are switched on (an AAPA
  accreditation is added first, so that PAs are served too) [M3][AA1];
- the annual meeting (in the future) gets its designations computed from the
  program [M1][M2], the claim window default, the standard evaluation [C8][A4],
  a session form and the follow-up survey;
- the "Fall Clinical Update" (one day in October, in the past): a full day with two
  pairs of concurrent breakouts counted once, a lunch and a non-accredited industry
  slot left out [M1][A12] (worked example 6 of the rules); attendance by badge scans
  (in person) and an imported Zoom report (online), some leaving early, some moving
  between the parallel breakouts; evaluations by most, a few saying "not free of
  commercial bias" with a comment [A4]; claims by most evaluators, never more than
  attendance supports, some less [M5][M6]; the claim service issues each
  certificate itself once the demo is saved.

One step cannot go through its service: credit is designated in advance, never
retroactively [M3], and `designation.designate` refuses an activity that has
started. The past meeting's designations are therefore written as the service
would have written them in September (the same computation, `designated_at`
before the meeting, the same audit action with a note saying so).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from cmeconf.accounts import services as account_svc
from cmeconf.accounts.models import User
from cmeconf.activities.choices import ActivityKind, Delivery, PlanningRoleKind
from cmeconf.activities.choices import SessionFormat as F
from cmeconf.activities.models import Activity, Session
from cmeconf.activities.services import activities as activity_svc
from cmeconf.activities.services import program as program_svc
from cmeconf.attendance import services as attendance_svc
from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.models import AttendanceImport, AttendanceInterval
from cmeconf.checkin import services as checkin_svc
from cmeconf.common import audit
from cmeconf.credits import claims as claim_svc
from cmeconf.credits import designation as designation_svc
from cmeconf.credits import participation, provider_types
from cmeconf.credits import setup as credit_setup
from cmeconf.credits.models import Certificate, Claim, Designation
from cmeconf.credits.statements import provider_options
from cmeconf.credits.types import REGISTRY
from cmeconf.demo import disclosures as demo_disclosures
from cmeconf.demo import registrants as demo_registrants
from cmeconf.demo import vocabulary as v
from cmeconf.evaluations import builder, standard
from cmeconf.evaluations import services as evaluation_svc
from cmeconf.evaluations.models import (
    EvaluationAnswer,
    EvaluationForm,
    EvaluationResponse,
    QuestionKind,
    StandardQuestion,
)
from cmeconf.integrity import services as integrity_svc
from cmeconf.providers import services as provider_svc
from cmeconf.providers.models import Provider
from cmeconf.registration import setup as registration_setup
from cmeconf.registration.choices import AttendanceMode, RegistrationStatus
from cmeconf.registration.models import Registration

# (code, the provider's ID for the type). The ACPE number starts each UAN [P1][P2].
CREDIT_TYPES = (
    ("AMA_PRA_1", "0004571"),
    ("ABMS_MOC", "0004571"),
    ("ANCC", "P0574"),
    ("ACPE", "0836"),
    ("AAPA_1", ""),
    ("PARTICIPATION", ""),
)
# PAs' credit needs the AAPA's approval of the provider's activities [AA1][AA2].
AAPA_ACCREDITATION = ("AAPA", "AAPA-CME-2611", "2028-06-30")
# The demo physician's ABIM ID and birthday, as on his licence (demo.licensure).
PHYSICIAN_IDS = {"board_id": "246810", "birth_month": 9, "birth_day": 14}
MOC_BOARD = "ABIM"  # the internists' board: the demo physician is certified by it [B5][B6]
# Live activities: "L" and topic 01 (disease-state management) [P1][P4]; the sequence differs.
ANNUAL_UAN = "0836-0000-27-014-L01-P"
FALL_UAN = "0836-0000-26-{seq:03d}-L01-P"

# How many of the demo's learners were at the past meeting (the demo logins come on top).
FALL_ATTENDEES = 300
# Claimants whose certificates the demo issues at once; the others wait for the batch.
CERTIFIED_NOW = 40
ONLINE_SHARE = 0.2  # followed the live stream; their time comes from the Zoom report
EVALUATED_SHARE = 0.88
CLAIMED_SHARE = 0.9  # of those who evaluated
CLAIMED_LESS_SHARE = 0.15  # claim less than their attendance supports [M5]
NOT_FREE_OF_BIAS = (
    "The lunch symposium's product was mentioned again in the afternoon breakout on lipids.",
    "One speaker showed only the sponsor's drug in the treatment slides.",
    "The diabetes breakout used brand names throughout instead of generic names.",
    "Felt the anticoagulation talk leaned towards one company's agent without comparing others.",
)
CHANGES = (
    "Start SGLT2 inhibitors earlier in patients with heart failure and CKD.",
    "Screen every inpatient with a positive urine culture for symptoms before treating.",
    "Use the deprescribing checklist at each annual visit of patients over 75.",
    "Offer buprenorphine in clinic instead of referring out.",
    "Check lipoprotein(a) once in every patient with premature coronary disease.",
    "Ask about intimate partner violence at every new-patient visit.",
    "Nothing new: I already follow these recommendations, but the update confirmed them.",
    "Review anticoagulation doses against kidney function at each refill.",
    "Use a teach-back at discharge for every patient on a new high-risk medicine.",
)


@dataclass(frozen=True)
class PlannedSession:
    title: str
    format: str
    start: tuple[int, int]
    end: tuple[int, int]
    room: int  # index into ROOMS
    credit: bool = True
    objectives: str = ""


FALL_ROOMS = (
    ("Hamilton Ballroom", 400, "Main floor"),
    ("Salon A", 150, "Second floor"),
    ("Salon B", 150, "Second floor"),
)
# 08:00-17:00: 540 minutes less two breaks (30), lunch (60) and the industry slot (30);
# the breakout pairs count once: 420 minutes, 7.00 AMA credits, worked example 6 [M1][M2][A12].
FALL_PROGRAM = (
    PlannedSession("Keynote: A Year of Practice-Changing Trials", F.KEYNOTE, (8, 0), (9, 0), 0),
    PlannedSession("Heart Failure with Preserved Ejection Fraction in 2026", F.LECTURE,
                   (9, 0), (10, 0), 0),
    PlannedSession("Morning Break", F.BREAK, (10, 0), (10, 15), 0, credit=False),
    PlannedSession("Breakout: Diabetes Technology in Primary Care", F.CASE,
                   (10, 15), (11, 45), 1),
    PlannedSession("Breakout: Antimicrobial Stewardship on the Ward", F.CASE,
                   (10, 15), (11, 45), 2),
    PlannedSession("Lunch", F.MEAL, (11, 45), (12, 45), 0, credit=False),
    PlannedSession("Industry Symposium: A New Option in Lipid Lowering (not for credit)",
                   F.INDUSTRY, (12, 45), (13, 15), 0, credit=False),
    PlannedSession("Breakout: Deprescribing in Older Adults", F.CASE, (13, 15), (14, 45), 1),
    PlannedSession("Breakout: Opioid Use Disorder in the Office", F.CASE, (13, 15), (14, 45), 2),
    PlannedSession("Afternoon Break", F.BREAK, (14, 45), (15, 0), 0, credit=False),
    PlannedSession("Panel: Anticoagulation Dilemmas", F.PANEL, (15, 0), (16, 0), 0),
    PlannedSession("Closing Cases: Diagnostic Error", F.CASE, (16, 0), (17, 0), 0),
)  # fmt: skip


@dataclass
class CreditDemo:
    past_activity: Activity
    counts: dict[str, int]


def fall_date(today: dt.date | None = None) -> dt.date:
    """The third Friday of the latest October that has fully passed."""
    today = today or timezone.localdate()
    year = today.year if today >= dt.date(today.year, 11, 1) else today.year - 1
    first = dt.date(year, 10, 1)
    friday = first + dt.timedelta(days=(4 - first.weekday()) % 7)
    return friday + dt.timedelta(weeks=2)


def fall_slug(day: dt.date | None = None) -> str:
    return f"fall-update-{(day or fall_date()).year}"


def add(
    rng: random.Random,
    *,
    provider: Provider,
    annual: Activity,
    logins: dict[str, User],
    faculty: list[User],
    learners: list[User],
) -> CreditDemo:
    """The demo's credit and evaluation data; returns the past activity and counts."""
    switch_on_credit_types(provider, logins)
    designate_annual(annual, logins)
    fall = past_activity(rng, provider, logins, faculty)
    counts = run_past_activity(rng, fall, logins, learners)
    counts["annual_designations"] = Designation.objects.filter(activity=annual).count()
    return CreditDemo(past_activity=fall, counts=counts)


def remove(provider: Provider) -> None:
    """Delete the demo provider's claims, certificates, attendance and evaluation answers.

    They are kept against deletion of their activity and person (an accreditor's
    audit reads them years later [C5]); the demo's go deliberately, with their files.
    """
    activities = Activity.objects.filter(provider=provider)
    certificates = Certificate.objects.filter(claim__activity__in=activities)
    for certificate in certificates.exclude(file=""):
        certificate.file.delete(save=False)
    certificates.delete()
    Claim.objects.filter(activity__in=activities).delete()
    AttendanceInterval.objects.filter(session__activity__in=activities).delete()
    AttendanceImport.objects.filter(activity__in=activities).delete()
    EvaluationAnswer.objects.filter(response__form__activity__in=activities).delete()
    EvaluationResponse.objects.filter(form__activity__in=activities).delete()


# --- the provider and the annual meeting --------------------------------------------------------


def switch_on_credit_types(provider: Provider, logins: dict[str, User]) -> None:
    """The provider's credit types, as the CME director switches them on [M3]."""
    director = logins["director"]
    accreditor, identifier, until = AAPA_ACCREDITATION
    provider_svc.set_accreditation(
        provider,
        by=director,
        accreditor=accreditor,
        identifier=identifier,
        valid_until=dt.date.fromisoformat(until),
    )
    for code, identifier in CREDIT_TYPES:
        provider_types.configure(provider, code, by=director, enabled=True, identifier=identifier)


def designated_types() -> list[str]:
    """The types each activity designates (MOC, per board, comes on top).

    The certificate of participation joins them once the designation service stops
    asking it for a UAN (its rule lists every accreditor, ACPE among them).
    """
    codes = ["AMA_PRA_1", "ANCC", "ACPE", "AAPA_1"]
    participation = REGISTRY["PARTICIPATION"]
    if not designation_svc.needs_uan(participation):
        codes.append("PARTICIPATION")
    return codes


def _designate_all(activity: Activity, by: User, *, uan: str, aapa_pending: bool) -> None:
    for code in designated_types():
        designation_svc.designate(
            activity,
            code,
            by=by,
            uan=uan if code == "ACPE" else "",
            approval_pending=aapa_pending and code == "AAPA_1",
        )
    designation_svc.designate(activity, "ABMS_MOC", by=by, board=MOC_BOARD)


def designate_annual(annual: Activity, logins: dict[str, User]) -> None:
    """Designations computed from the program, the claim window, the forms [M1][C8]."""
    credit = logins["credit"]
    # The PA review panel has not approved the meeting yet: its "not yet approved" wording [AA1].
    _designate_all(annual, credit, uan=ANNUAL_UAN, aapa_pending=True)
    credit_setup.set_claim_window(annual, by=credit, claims_open_at=None, claims_close_at=None)
    _forms(annual, credit, session=_first_keynote(annual))


def _first_keynote(activity: Activity) -> Session | None:
    sessions = Session.objects.filter(activity=activity, start__isnull=False).order_by("start")
    keynote = sessions.filter(format=F.KEYNOTE).first()
    return keynote or sessions.filter(credit_eligible=True).first()


def _forms(activity: Activity, by: User, *, session: Session | None) -> None:
    """The standard activity evaluation, one session's form and the follow-up survey [C8]."""
    standard.ensure_activity_form(activity, by=by)
    if session is not None:
        form = builder.create_session_form(session, by=by)
        builder.add_question(
            form,
            by=by,
            kind=QuestionKind.RATING,
            text="How useful was this session for your practice?",
            choices=["Not useful", "Very useful"],
        )
        builder.add_question(
            form,
            by=by,
            kind=QuestionKind.TEXT,
            text="What would you like the speaker to cover next time?",
            required=False,
        )
    builder.create_follow_up_form(activity, by=by, send_after_days=60)


# --- the past meeting ---------------------------------------------------------------------------


def past_activity(
    rng: random.Random, provider: Provider, logins: dict[str, User], faculty: list[User]
) -> Activity:
    """The one-day Fall Clinical Update, planned, reviewed and published as staff did."""
    planner, director = logins["planner"], logins["director"]
    day = fall_date()
    activity = activity_svc.create_activity(
        provider,
        by=director,
        slug=fall_slug(day),
        title=f"Fall Clinical Update {day.year}",
        kind=ActivityKind.COURSE,
        description=(
            "One day of updates for internists and their teams: a keynote on the year's "
            "practice-changing trials, two rounds of parallel case-based breakouts, a panel "
            "and closing cases. In the hotel and streamed live."
        ),
        start_date=day,
        end_date=day,
        time_zone="America/Chicago",
        delivery=Delivery.HYBRID,
        venue_name="Riverfront Hotel and Conference Center",
        venue_address="401 North Wabash Avenue\nChicago, IL 60611",
        target_professions=["physician", "nurse", "pharmacist", "physician_assistant"],
        target_specialties=["Internal Medicine", "Family Medicine", "Hospital Medicine"],
    )
    activity_svc.update_planning_record(activity, by=planner, **v.PLANNING)
    activity_svc.set_objectives(activity, list(v.OBJECTIVES[:3]), by=planner)
    for person, role in (
        (director, PlanningRoleKind.COURSE_DIRECTOR),
        (planner, PlanningRoleKind.PLANNER),
        (logins["coi"], PlanningRoleKind.REVIEWER),
    ):
        program_svc.add_planner(activity, person, by=director, role=role)
    activity = activity_svc.transition(activity, "start_planning", by=planner)
    rooms = [
        program_svc.create_room(activity, by=planner, name=n, capacity=c, description=d, order=i)
        for i, (n, c, d) in enumerate(FALL_ROOMS)
    ]
    tz = activity.tz
    speakers = _fall_speakers(rng, day, by=director)
    for i, p in enumerate(FALL_PROGRAM):
        session = program_svc.create_session(
            activity,
            by=planner,
            title=p.title,
            format=p.format,
            abstract="" if not p.credit else f"{p.title.split(': ', 1)[-1]}: cases and evidence.",
            objectives="" if not p.credit else "Apply the year's new evidence to common cases",
            room=rooms[p.room],
            start=dt.datetime.combine(day, dt.time(*p.start), tzinfo=tz),
            end=dt.datetime.combine(day, dt.time(*p.end), tzinfo=tz),
            credit_eligible=p.credit,
        )
        if p.credit:
            program_svc.add_faculty(session, speakers[i % len(speakers)], by=planner)
    activity = activity_svc.transition(activity, "submit_for_review", by=planner)
    demo_disclosures.review_activity(random.Random(activity.slug), activity, logins["coi"])
    activity = activity_svc.transition(
        activity, "approve", by=logins["coi"], note="All relevant relationships mitigated."
    )
    activity = activity_svc.transition(activity, "publish", by=planner)
    _designate_in_advance(activity, logins["credit"], seq=rng.randint(100, 899))
    # The day is over: the planner marks it completed (claims and evaluations go on).
    return activity_svc.transition(activity, "complete", by=planner)


# (first, last, credentials, specialty, institution)
FALL_SPEAKERS = (
    ("Nora", "Halvorsen", "MD, FACP", "Internal Medicine", "Lakeview University"),
    ("Tobias", "Mwangi", "MD", "Cardiology", "Riverside Academic Medical Center"),
    ("Priya", "Raghunathan", "MD", "Endocrinology", "Northshore Health System"),
    ("Gustavo", "Lindgren", "PharmD, BCPS", "Infectious Disease", "St. Brendan Medical Center"),
    ("Ruth", "Okafor-Bell", "MD", "Geriatric Medicine", "Prairie State University Hospital"),
    ("Samir", "Haddad", "MD, MPH", "Psychiatry", "Three Rivers Health Partners"),
    ("Claire", "Dufresne", "MD", "Hematology", "Great Lakes Cancer Institute"),
    ("Marcus", "Oyelaran", "MD", "Hospital Medicine", "Mercy Valley Hospital"),
)  # fmt: skip


def _fall_speakers(rng: random.Random, day: dt.date, *, by: User) -> list[User]:
    """The past meeting's faculty, who disclosed in the summer, before their roles [A5].

    (The rest of the demo's faculty disclose today, which covers the coming meetings
    but not a role that began in October.) None of them reported a relationship.
    """
    disclosed = dt.datetime.combine(day - dt.timedelta(days=75), dt.time(10), tzinfo=dt.UTC)
    people = []
    for i, (first, last, credentials, specialty, institution) in enumerate(FALL_SPEAKERS):
        person, _created = account_svc.find_or_create_person(
            email=f"{first}.{last}.fall{i}@faculty.{v.DEMO_DOMAIN}".lower(),
            by=by,
            first_name=first,
            last_name=last,
            credentials=credentials,
            profession="pharmacist" if "PharmD" in credentials else "physician",
            specialty=specialty,
            institution=institution,
            country="US",
            region=rng.choice(v.US_STATES),
        )
        integrity_svc.submit_disclosure(
            person, by=person, attested=True, relationships=[], now=disclosed
        )
        people.append(person)
    return people


def _designate_in_advance(activity: Activity, by: User, *, seq: int) -> None:
    """The past meeting's designations as `designate` made them a month before [M3].

    The service refuses a designation once the activity has started (rightly); the
    demo's history starts after that, so the rows are written here with the
    service's own computation and checks of the maximum, and the same audit action.
    """
    start = activity.local_bounds()[0]
    when = start - dt.timedelta(days=30)
    minutes = designation_svc.participation.activity_minutes(activity)
    plan = [(code, "") for code in designated_types()]
    plan.append(("ABMS_MOC", MOC_BOARD))
    for code, board in plan:
        options = provider_types.options_for(activity.provider, code)
        computed, computed_minutes = designation_svc.compute(
            activity, code, board, minutes=minutes, options=options
        )
        designation = Designation.objects.create(
            activity=activity,
            credit_type=code,
            board=board,
            computed_maximum=computed,
            computed_minutes=computed_minutes,
            maximum=computed,
            uan=FALL_UAN.format(seq=seq) if code == "ACPE" else "",
            designated_by=by,
            designated_at=when,
        )
        audit.record(
            "credit.designate",
            actor=by,
            obj=designation,
            after=audit.snapshot(designation, designation_svc.DESIGNATION_FIELDS),
            provider_id=activity.provider_id,
            activity_id=activity.pk,
            note=f"Demo history: designated on {when:%Y-%m-%d}, before the activity.",
        )
    activity_svc.bump_program_version(activity)


def _registrations(
    rng: random.Random, activity: Activity, people: list[User], staff: User
) -> dict[int, Registration]:
    """Confirmed registrations, written in bulk as demo.registrants does (see there)."""
    in_person = registration_setup.create_type(
        activity, by=staff, code="in-person", name="In person", mode=AttendanceMode.IN_PERSON,
        professions=[], order=0,
    )  # fmt: skip
    online = registration_setup.create_type(
        activity, by=staff, code="online", name="Live stream", mode=AttendanceMode.VIRTUAL,
        professions=[], order=1,
    )  # fmt: skip
    opened = activity.local_bounds()[0] - dt.timedelta(days=45)
    rows = []
    for i, person in enumerate(people):
        created = opened + dt.timedelta(days=rng.uniform(0, 40))
        rows.append(
            Registration(
                activity=activity,
                person=person,
                registration_type=online
                if i == 2 or (i > 2 and rng.random() < ONLINE_SHARE)
                else in_person,
                status=RegistrationStatus.CONFIRMED,
                registered_by=person,
                currency="USD",
                credit_types=list(
                    demo_registrants.CREDIT_BY_PROFESSION.get(person.profession, ["PARTICIPATION"])
                ),
                badge_key=f"fall{i:05d}{rng.randrange(10**6):06d}",
                created=created,
                confirmed_at=created,
            )
        )
    Registration.objects.bulk_create(rows, batch_size=500)
    return {
        r.person_id: r
        for r in Registration.objects.filter(activity=activity).select_related("registration_type")
    }


def _plan_presence(
    rng: random.Random, sessions: list[Session], *, noon: dt.datetime, full: bool = False
) -> list[tuple[Session, dt.datetime, dt.datetime]]:
    """A realistic day: arrive a little late, one breakout of each pair (some switch
    half-way to the other room), some leave early after lunch or before the end."""
    by_start: dict[dt.datetime, list[Session]] = {}
    for s in sessions:
        by_start.setdefault(s.start, []).append(s)
    leaves_after = None
    if not full:
        roll = rng.random()
        if roll < 0.12:
            leaves_after = noon  # left at lunch
        elif roll < 0.3:
            leaves_after = max(s.start for s in sessions)  # skips the closing cases
    stretches = []
    for start, group in sorted(by_start.items()):
        if leaves_after is not None and start >= leaves_after:
            break
        late = dt.timedelta(minutes=0 if full else rng.choice((0, 0, 0, 2, 5, 10)))
        if len(group) == 1:
            s = group[0]
            stretches.append((s, s.start + late, s.end))
            continue
        first, other = rng.sample(group, 2) if not full else (group[0], group[1])
        if not full and rng.random() < 0.15:
            # Moved to the parallel breakout half-way through.
            middle = first.start + (first.end - first.start) / 2
            stretches.append((first, first.start + late, middle))
            stretches.append((other, middle + dt.timedelta(minutes=2), other.end))
        else:
            stretches.append((first, first.start + late, first.end))
    return stretches


def _scan(activity, staff, reg, session, kind, when) -> None:
    checkin_svc.record_scan(
        activity,
        by=staff,
        kind=kind,
        registration=reg,
        session=session,
        scanned_at=when,
        device="Salon door scanner",
        method="badge",
    )


def _record_in_person(activity, staff, reg, stretches) -> None:
    """Badge scans at the doors: in at each session, out where the learner left early."""
    for session, start, end in stretches:
        _scan(activity, staff, reg, session, "in", start)
        if end < session.end:
            _scan(activity, staff, reg, session, "out", end)


def _zoom_reports(activity, staff, online: dict[int, list], people: dict[int, User]) -> int:
    """One Zoom participants report per session, imported through the attendance service."""
    rows_by_session: dict[Session, list[tuple[User, dt.datetime, dt.datetime]]] = {}
    for person_id, stretches in online.items():
        for session, start, end in stretches:
            rows_by_session.setdefault(session, []).append((people[person_id], start, end))
    tz = activity.tz
    imported = 0
    for session, rows in sorted(rows_by_session.items(), key=lambda kv: (kv[0].start, kv[0].pk)):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)"]
        )
        for person, start, end in rows:
            writer.writerow(
                [
                    person.get_full_name(),
                    person.email,
                    start.astimezone(tz).strftime("%m/%d/%Y %I:%M:%S %p"),
                    end.astimezone(tz).strftime("%m/%d/%Y %I:%M:%S %p"),
                    int((end - start).total_seconds() // 60),
                ]
            )
        attendance_svc.import_report(
            session,
            source=AttendanceSource.ZOOM,
            filename=f"zoom-participants-{session.pk}.csv",
            content=out.getvalue().encode(),
            by=staff,
        )
        imported += 1
    return imported


def _answers(rng: random.Random, form, *, biased: bool, objectives: int) -> dict[str, object]:
    data: dict[str, object] = {}
    for question in evaluation_svc.questions_of(form):
        key = evaluation_svc.field_name(question)
        if question.standard == StandardQuestion.OBJECTIVES_MET:
            data[key] = objectives
        elif question.standard == StandardQuestion.INTENT_TO_CHANGE:
            data[key] = rng.choice(CHANGES)
        elif question.standard == StandardQuestion.FREE_OF_BIAS:
            data[key] = standard.NO if biased else standard.YES
        elif question.standard == StandardQuestion.BIAS_COMMENT:
            if biased:
                data[key] = rng.choice(NOT_FREE_OF_BIAS)
        elif question.kind == QuestionKind.RATING:
            data[key] = rng.choice((3, 4, 4, 5, 5))
    return data


# Each profession claims its own credit; the others a certificate of participation.
CREDIT_OF = {
    "physician": ("AMA_PRA_1", "ABMS_MOC"),
    "nurse": ("ANCC",),
    "pharmacist": ("ACPE",),
    "physician_assistant": ("AAPA_1",),
}


@dataclass
class PastCredit:
    """What the demo needs of the past meeting to compute amounts as the claim page does."""

    activity: Activity
    sessions: list[Session]
    designations: dict[str, Designation]
    options: dict[str, dict]


def _past_credit(activity: Activity) -> PastCredit:
    designations = {
        d.credit_type: d for d in Designation.objects.filter(activity=activity).order_by("pk")
    }
    return PastCredit(
        activity=activity,
        sessions=list(participation.credit_sessions(activity)),
        designations=designations,
        options={code: provider_options(activity.provider, code) for code in designations},
    )


def _claim(
    rng: random.Random,
    past: PastCredit,
    person: User,
    *,
    less: bool,
    moc: bool,
    ids: dict[str, object] | None = None,
    certify: bool = True,
) -> int:
    """Claim what the learner's profession earns, as the claim page would send it [M5].

    The amounts are computed with the claim service's own functions (what attendance
    supports, capped by the maximum [M1][M6]); `submit_claim` checks them all again.
    """
    minutes = participation.learner_participation(past.activity, person, past.sessions).minutes
    eval_minutes = claim_svc.evaluation_minutes(past.activity, person)
    codes = CREDIT_OF.get(person.profession, ("PARTICIPATION",))
    choices = []
    extra: dict[str, object] = {}
    for code in codes:
        designation = past.designations.get(code)
        if designation is None or (code == "ABMS_MOC" and not moc):
            continue
        credit_rule = REGISTRY[code]
        options = past.options[code]
        amount = claim_svc.supported_amount(
            credit_rule, designation, minutes, options, evaluation_minutes=eval_minutes
        )
        if amount <= 0:
            continue
        if less:
            least = claim_svc.least_amount(
                credit_rule, designation, minutes.total, options, evaluation_minutes=eval_minutes
            )
            step = Decimal(credit_rule.step(options))
            amount = max(least, amount - step * rng.randint(1, 4))
        if code == "ABMS_MOC":
            extra.update(
                board_id=str(rng.randint(100000, 999999)),
                birth_month=rng.randint(1, 12),
                birth_day=rng.randint(1, 28),
                consent_to_report=True,
            )
            extra.update(ids or {})
        if code == "ACPE":
            extra.update(
                nabp_eprofile_id=str(rng.randint(100000, 9999999)),
                birth_month=rng.randint(1, 12),
                birth_day=rng.randint(1, 28),
                consent_to_report=True,
            )
        choices.append(claim_svc.ClaimChoice(code, designation.board, amount))
    if not choices:
        return 0
    claims = claim_svc.submit_claim(
        past.activity, person, choices=choices, attest=True, certify=certify, **extra
    )
    return len(claims)


def run_past_activity(
    rng: random.Random, activity: Activity, logins: dict[str, User], learners: list[User]
) -> dict[str, int]:
    """Attendance, evaluations, claims (and through them, certificates) at the past meeting."""
    staff = logins["registration"]
    credit = logins["credit"]
    physician, nurse = logins["physician"], logins["nurse"]
    credit_setup.set_claim_window(activity, by=credit, claims_open_at=None, claims_close_at=None)
    sessions = list(
        Session.objects.filter(activity=activity, credit_eligible=True)
        .exclude(format__in=[F.BREAK, F.MEAL, F.INDUSTRY])
        .order_by("start", "pk")
    )
    _forms(activity, credit, session=sessions[0])

    size = min(FALL_ATTENDEES, max(10, len(learners) // 10))
    crowd = rng.sample(learners, min(size, len(learners)))
    people = [physician, nurse, *crowd]
    regs = _registrations(rng, activity, people, staff)
    by_id = {p.pk: p for p in people}

    noon = activity.local_bounds()[0] + dt.timedelta(hours=12)
    online: dict[int, list] = {}
    for person in people:
        reg = regs[person.pk]
        full = person in (physician, nurse)
        stretches = _plan_presence(rng, sessions, noon=noon, full=full)
        if reg.registration_type.mode == AttendanceMode.VIRTUAL:
            online[person.pk] = stretches
        else:
            _record_in_person(activity, staff, reg, stretches)
    reports = _zoom_reports(activity, staff, online, by_id)

    form = standard.activity_form(activity)
    session_form = EvaluationForm.objects.filter(session=sessions[0]).first()
    ends = activity.local_bounds()[1]
    past = _past_credit(activity)
    evaluated = claimed = biased_count = 0
    for person in people:
        if person == nurse:
            continue  # attended, has not evaluated yet: the visitor tries the whole flow
        if person != physician and rng.random() > EVALUATED_SHARE:
            continue
        # A few say the content was not free of commercial bias (always one, even small).
        biased = person != physician and (evaluated == 1 or rng.random() < 0.03)
        when = ends + dt.timedelta(hours=rng.uniform(0.2, 24 * 10))
        evaluation_svc.submit(
            form,
            person,
            _answers(rng, form, biased=biased, objectives=rng.choice((3, 4, 4, 5, 5, 5))),
            seconds_spent=rng.randint(150, 600),
            now=when,
        )
        if session_form is not None and rng.random() < 0.5:
            evaluation_svc.submit(
                session_form,
                person,
                _answers(rng, session_form, biased=False, objectives=4),
                seconds_spent=rng.randint(30, 120),
                now=when,
            )
        evaluated += 1
        biased_count += biased
        if person != physician and rng.random() > CLAIMED_SHARE:
            continue
        less = person != physician and rng.random() < CLAIMED_LESS_SHARE
        mine = person == physician
        moc = mine or rng.random() < 0.3
        ids = PHYSICIAN_IDS if mine else None
        # The first claimants get their certificates now; the rest wait for the staff's
        # "issue all" (the certificate batch), which keeps the demo quick to build.
        certify = mine or claimed < CERTIFIED_NOW
        made = _claim(rng, past, person, less=less, moc=moc, ids=ids, certify=certify)
        claimed += 1 if made else 0
    return {
        "past_attendees": len(people),
        "past_online": len(online),
        "past_reports": reports,
        "past_evaluations": evaluated,
        "past_not_free_of_bias": biased_count,
        "past_claimants": claimed,
    }
