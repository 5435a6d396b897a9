"""The demo provider and its conferences, made through the same services as the staff pages.

Deterministic by seed: the same seed gives the same people, titles, rooms and
times (session codes are random by design and differ). Only the bulk of
learners and their bookmarks are written with bulk_create, for speed, all with
one shared password hash.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from cmeconf.accounts import services as account_svc
from cmeconf.accounts.models import User
from cmeconf.activities.choices import ActivityKind, Delivery, PlanningRoleKind, RoomKind
from cmeconf.activities.choices import SessionFormat as F
from cmeconf.activities.models import Activity, Bookmark, Session, Topic
from cmeconf.activities.services import activities as activity_svc
from cmeconf.activities.services import agenda as agenda_svc
from cmeconf.activities.services import program as program_svc
from cmeconf.common import audit
from cmeconf.demo import credit as demo_credit
from cmeconf.demo import disclosures as demo_disclosures
from cmeconf.demo import licensure as demo_licensure
from cmeconf.demo import program as plan
from cmeconf.demo import registrants as demo_registrants
from cmeconf.demo import registration as demo_registration
from cmeconf.demo import support as demo_support
from cmeconf.demo import vocabulary as v
from cmeconf.integrity.models import Disclosure, LedgerEntry, SupportAgreement
from cmeconf.providers import services as provider_svc
from cmeconf.providers.models import Provider
from cmeconf.registration.models import Payment, Registration, RegistrationGroup, WorkshopSignup

ANNUAL_SLUG = "annual-2027"
ANNUAL_START = dt.date(2027, 4, 15)
GRAND_ROUNDS_SLUG = "grand-rounds-spring-2027"
DRAFT_SLUG = "primary-care-review-2028"


@dataclass(frozen=True)
class Sizes:
    days: int = 3
    rooms: int = 8
    sessions: int = 300
    faculty: int = 400
    learners: int = 3000


@dataclass
class DemoResult:
    provider: Provider
    activity: Activity
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_provider() -> Provider | None:
    return Provider.objects.filter(slug=v.PROVIDER["slug"]).first()


def leftover_accounts() -> int:
    """Demo accounts without the demo provider (it was deleted some other way)."""
    if demo_provider() is not None:
        return 0
    return User.objects.filter(_demo_users()).count()


def _demo_users() -> Q:
    return Q(email__endswith=f"@{v.DEMO_DOMAIN}") | Q(email__endswith=f".{v.DEMO_DOMAIN}")


@transaction.atomic
def reset_demo() -> int:
    """Delete the demo provider, its activities and every demo account.

    The audit trail is append-only and keeps its entries; they name the
    deleted rows by id and text. Side effects: audit "demo.reset".
    Returns how many rows went with the accounts (theirs and what hung on them).
    """
    provider = demo_provider()
    if provider is not None:
        # Activities protect their provider; their program, rooms and links go with them.
        # Support records and registrations are kept against deletion of their activity;
        # the demo's go deliberately.
        demo_credit.remove(provider)
        Payment.objects.filter(registration__activity__provider=provider).delete()
        WorkshopSignup.objects.filter(registration__activity__provider=provider).delete()
        Registration.objects.filter(activity__provider=provider).delete()
        RegistrationGroup.objects.filter(activity__provider=provider).delete()
        LedgerEntry.objects.filter(activity__provider=provider).delete()
        SupportAgreement.objects.filter(activity__provider=provider).delete()
        Activity.objects.filter(provider=provider).delete()
        provider.delete()
    # Disclosures are kept against deletion of their person; the demo's go deliberately.
    Disclosure.objects.filter(person__in=User.objects.filter(_demo_users())).delete()
    removed, _detail = User.objects.filter(_demo_users()).delete()
    audit.record("demo.reset", actor=None, note=f"demo provider {v.PROVIDER['slug']} removed")
    return removed


def login_rows() -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of every demo login, for the command to print."""
    return [(login.role, login.email, v.PASSWORD) for login in v.LOGINS]


def public_paths(provider_slug: str = v.PROVIDER["slug"]) -> dict[str, str]:
    """Paths of the annual meeting's public pages that exist in this installation."""
    paths = {}
    for name in ("activity", "schedule"):
        try:
            paths[name] = reverse(f"public:{name}", args=[provider_slug, ANNUAL_SLUG])
        except NoReverseMatch:
            continue
    return paths


def generate(
    *, seed: int = 2027, sizes: Sizes | None = None, log: Callable[[str], None] | None = None
) -> DemoResult:
    """Create the demo provider, its people and three activities. Atomic."""
    sizes = sizes or Sizes()
    log = log or (lambda _msg: None)
    began = time.monotonic()
    with transaction.atomic():
        result = _generate(random.Random(seed), sizes, log)
    result.seconds = time.monotonic() - began
    return result


def _generate(rng: random.Random, sizes: Sizes, log: Callable[[str], None]) -> DemoResult:
    logins = _logins()
    # One hash for the thousands of learners: hashing is deliberately slow (PBKDF2).
    password_hash = logins["physician"].password
    director = logins["director"]
    provider = _provider(by=logins["admin"], logins=logins)
    log(f"provider {provider.slug}, {len(logins)} logins")

    faculty = _faculty(rng, sizes.faculty, by=director, first=logins["faculty"])
    # Staff who plan or review disclose too, with nothing to report, so the reviewer is free
    # to review everyone else.
    demo_disclosures.disclose(
        rng, [u for u in logins.values() if u not in faculty], with_relationships=False
    )
    demo_disclosures.disclose(rng, faculty)
    log(f"{len(faculty)} faculty, all disclosed")
    activity = _annual_meeting(rng, provider, sizes, logins, faculty)
    log(f"{activity.title}: {activity.sessions.count()} sessions")
    _grand_rounds(rng, provider, logins, faculty)
    _draft(provider, logins)
    learners = _learners(rng, sizes.learners, password_hash)
    bookmarks = _bookmarks(rng, activity, learners, logins)
    demo_registration.add(activity, logins)
    consents = demo_support.consents(rng, activity, logins["physician"], learners)
    log(f"{len(learners)} learners, {bookmarks} bookmarks, {consents} consents to share details")
    outside = demo_licensure.add(logins["physician"], meeting_starts=activity.start_date)
    log(f"physician: California and Texas licences, {outside} credits from elsewhere")
    registered = demo_registrants.add(rng, activity, learners, logins["registration"])
    log(f"{registered} registrants holding a seat")
    began = time.monotonic()
    credit = demo_credit.add(
        rng, provider=provider, annual=activity, logins=logins, faculty=faculty, learners=learners
    )
    log(
        f"credit: {credit.past_activity.title}, {credit.counts['past_attendees']} attended, "
        f"{credit.counts['past_claimants']} claimed ({time.monotonic() - began:.1f} s)"
    )
    counts = {
        "sessions": activity.sessions.count(),
        "faculty": len(faculty),
        "learners": len(learners),
        "bookmarks": bookmarks,
        "registrants": registered,
        **credit.counts,
    }
    return DemoResult(provider=provider, activity=activity, counts=counts)


def _logins() -> dict[str, User]:
    """One account per role, each with the demo password, through the account services."""
    users: dict[str, User] = {}
    # The site administrator first: it is the actor of everything after.
    for login in sorted(v.LOGINS, key=lambda login: login.key != "admin"):
        user = account_svc.create_account(
            email=login.email,
            password=v.PASSWORD,
            first_name=login.first_name,
            last_name=login.last_name,
            by=users.get("admin"),
            credentials=login.credentials,
            profession=login.profession,
            specialty=login.specialty,
            country="US",
            region="IL",
        )
        if login.key == "admin":
            account_svc.update_account(user, by=user, is_staff=True, is_superuser=True)
        users[login.key] = user
    return users


def _provider(*, by: User, logins: dict[str, User]) -> Provider:
    provider = provider_svc.create_provider(by=by, **v.PROVIDER)
    for accreditor, identifier, until in v.ACCREDITATIONS:
        provider_svc.set_accreditation(
            provider,
            by=by,
            accreditor=accreditor,
            identifier=identifier,
            valid_until=dt.date.fromisoformat(until),
        )
    members = {login.team: logins[login.key] for login in v.LOGINS if login.team}
    for name, permissions in v.TEAMS:
        team = provider_svc.create_team(
            provider, by=by, name=name, all_activities=True, permissions=permissions
        )
        provider_svc.add_member(team, members[name], by=by)
    return provider


def _faculty(rng: random.Random, n: int, *, by: User, first: User) -> list[User]:
    """`n` faculty members; the demo faculty login is the first, so that it gets a keynote."""
    people = [first]
    used = {(first.first_name, first.last_name)}
    for i in range(1, n):
        track = v.TRACKS[i % len(v.TRACKS)]
        for _attempt in range(20):
            name = (rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES))
            if name not in used:
                break
        used.add(name)
        roll = rng.random()
        if roll < 0.08:
            profession, credentials = "nurse", rng.choice(("DNP, APRN", "MSN, APRN", "PhD, RN"))
        elif roll < 0.13:
            profession, credentials = "pharmacist", rng.choice(("PharmD, BCPS", "PharmD"))
        else:
            profession = "physician"
            credentials = rng.choice(("MD", "MD", "MD, FACP", "DO", "MD, PhD", "MD, MPH", "MBBS"))
        institution = rng.choice(v.INSTITUTIONS)
        position = rng.choice(v.POSITIONS).format(s=track.name)
        bio = (
            f"{name[0]} {name[1]} is {position} at {institution}. "
            f"Their work focuses on {rng.choice(v.INTERESTS)}."
        )
        local = f"{name[0]}.{name[1]}".lower().replace("'", "").replace(" ", "")
        person, _created = account_svc.find_or_create_person(
            email=f"{local}.{i}@faculty.{v.DEMO_DOMAIN}",
            by=by,
            first_name=name[0],
            last_name=name[1],
            credentials=credentials,
            profession=profession,
            specialty=track.specialty,
            institution=institution,
            country="US",
            region=rng.choice(v.US_STATES),
            bio=bio,
        )
        people.append(person)
    return people


def _through_review(activity: Activity, logins: dict[str, User]) -> Activity:
    """Submit, review disclosures and approve (COI reviewer), publish, as the staff would."""
    activity = activity_svc.transition(activity, "submit_for_review", by=logins["planner"])
    demo_disclosures.review_activity(random.Random(activity.slug), activity, logins["coi"])
    activity = activity_svc.transition(
        activity, "approve", by=logins["coi"], note="All relevant relationships mitigated."
    )
    return activity_svc.transition(activity, "publish", by=logins["planner"])


def _annual_meeting(
    rng: random.Random,
    provider: Provider,
    sizes: Sizes,
    logins: dict[str, User],
    faculty: list[User],
) -> Activity:
    planner = logins["planner"]
    days = max(1, sizes.days)
    activity = activity_svc.create_activity(
        provider,
        by=logins["director"],
        slug=ANNUAL_SLUG,
        title="ACCP Annual Scientific Meeting 2027",
        kind=ActivityKind.CONFERENCE,
        description=(
            "Three days of updates across internal medicine and its subspecialties: plenary "
            "keynotes, concurrent sessions in twelve tracks, hands-on workshops, case "
            "challenges and poster sessions, for physicians, nurses, pharmacists and physician "
            "assistants."
        ),
        start_date=ANNUAL_START,
        end_date=ANNUAL_START + dt.timedelta(days=days - 1),
        time_zone="America/Chicago",
        delivery=Delivery.HYBRID,
        venue_name="Lakefront Convention Center",
        venue_address="1200 East Lakefront Drive\nChicago, IL 60616",
        target_professions=["physician", "nurse", "pharmacist", "physician_assistant"],
        target_specialties=["Internal Medicine", "Family Medicine", "Hospital Medicine"],
    )
    activity_svc.update_planning_record(activity, by=planner, **v.PLANNING)
    activity_svc.set_objectives(activity, list(v.OBJECTIVES), by=planner)
    for person, role in (
        (logins["director"], PlanningRoleKind.COURSE_DIRECTOR),
        (planner, PlanningRoleKind.PLANNER),
        (logins["coi"], PlanningRoleKind.REVIEWER),
    ):
        program_svc.add_planner(activity, person, by=logins["director"], role=role)
    activity = activity_svc.transition(activity, "start_planning", by=planner)

    room_plans = plan.room_plans(sizes.rooms)
    rooms = [
        program_svc.create_room(
            activity, by=planner, name=r.name, capacity=r.capacity, description=r.description,
            order=i,
        )
        for i, r in enumerate(room_plans)
    ]  # fmt: skip
    tracks = [
        program_svc.create_track(activity, by=planner, name=t.name, color=t.color, order=i)
        for i, t in enumerate(v.TRACKS)
    ]
    plans = plan.plan_program(
        rng,
        start_date=activity.start_date,
        days=days,
        rooms=room_plans,
        sessions=sizes.sessions,
        time_zone=activity.time_zone,
    )
    plan.assign_faculty(rng, plans, [p.specialty for p in faculty], keep_free=0)
    topics = {t.slug: t for t in Topic.objects.filter(provider=None)}
    for p in plans:
        session = program_svc.create_session(
            activity,
            by=planner,
            topics=[topics[s] for s in p.topics if s in topics],
            title=p.title,
            format=p.format,
            abstract=p.abstract,
            objectives=p.objectives,
            track=tracks[p.track] if p.track is not None else None,
            room=rooms[p.room] if p.room is not None else None,
            start=p.start,
            end=p.end,
            credit_eligible=p.credit_eligible,
            capacity=p.capacity,
        )
        for person, role in p.faculty:
            program_svc.add_faculty(session, faculty[person], by=planner, role=role)
    demo_support.add(activity, logins)
    return _through_review(activity, logins)


def _grand_rounds(
    rng: random.Random, provider: Provider, logins: dict[str, User], faculty: list[User]
) -> Activity:
    """A weekly regularly scheduled series: twelve Wednesday noon conferences."""
    planner = logins["planner"]
    first = dt.date(2027, 1, 13)
    weeks = 12
    activity = activity_svc.create_activity(
        provider,
        by=logins["director"],
        slug=GRAND_ROUNDS_SLUG,
        title="Internal Medicine Grand Rounds, Spring 2027",
        kind=ActivityKind.RSS,
        description=(
            "Weekly grand rounds of the college's Chicago chapter: one hour on a clinical "
            "question, with discussion. In the auditorium and streamed."
        ),
        start_date=first,
        end_date=first + dt.timedelta(weeks=weeks - 1),
        time_zone="America/Chicago",
        delivery=Delivery.HYBRID,
        venue_name="ACCP Headquarters, Riverside Auditorium",
        venue_address="330 North Wabash Avenue\nChicago, IL 60611",
        target_professions=["physician", "physician_assistant", "nurse"],
        target_specialties=["Internal Medicine", "Hospital Medicine"],
    )
    activity_svc.update_planning_record(
        activity,
        by=planner,
        practice_gap=(
            "Residents and attendings report gaps in applying new evidence to complex "
            "inpatients, confirmed by morbidity and mortality conference reviews."
        ),
        gap_sources=["expert_opinion", "prior_evaluations"],
        educational_needs=["knowledge", "competence"],
        intended_change=["competence", "performance"],
        evaluation_plan=(
            "A three-question survey after each session on intended changes, and a review of "
            "the related quality measures at the next morbidity and mortality conference."
        ),
    )
    activity_svc.set_objectives(
        activity,
        ["Apply current evidence to the care of complex hospitalized adults"],
        by=planner,
    )
    for person, role in (
        (logins["director"], PlanningRoleKind.COURSE_DIRECTOR),
        (planner, PlanningRoleKind.PLANNER),
    ):
        program_svc.add_planner(activity, person, by=logins["director"], role=role)
    activity = activity_svc.transition(activity, "start_planning", by=planner)
    room = program_svc.create_room(
        activity, by=planner, name="Riverside Auditorium", capacity=220, order=0
    )
    tz = activity.tz
    topics = [topic for track in v.TRACKS for topic, _slugs in track.topics]
    for week, topic in enumerate(rng.sample(topics, weeks)):
        day = first + dt.timedelta(weeks=week)
        start = dt.datetime.combine(day, dt.time(12, 0), tzinfo=tz)
        session = program_svc.create_session(
            activity,
            by=planner,
            title=f"Grand Rounds: {topic}",
            format=F.LECTURE,
            abstract=f"A case-based hour on {topic}, with time for discussion.",
            objectives=f"Apply current evidence on {topic} to a hospitalized patient",
            room=room,
            start=start,
            end=start + dt.timedelta(hours=1),
            credit_eligible=True,
        )
        program_svc.add_faculty(session, rng.choice(faculty), by=planner)
    return _through_review(activity, logins)


def _draft(provider: Provider, logins: dict[str, User]) -> Activity:
    """Next year's review course, still being planned: never public."""
    planner = logins["planner"]
    activity = activity_svc.create_activity(
        provider,
        by=logins["director"],
        slug=DRAFT_SLUG,
        title="Primary Care Review Course 2028",
        kind=ActivityKind.COURSE,
        description="A two-day board review course for primary care clinicians.",
        start_date=dt.date(2028, 2, 10),
        end_date=dt.date(2028, 2, 11),
        time_zone="America/Denver",
        delivery=Delivery.VIRTUAL,
    )
    activity_svc.update_planning_record(
        activity,
        by=planner,
        practice_gap="Board pass rates in our region lag the national average.",
        gap_sources=["learner_survey"],
    )
    # Online only: the sessions will stream on a virtual stage.
    program_svc.create_room(
        activity,
        by=planner,
        name="Main Stage",
        kind=RoomKind.VIRTUAL_STAGE,
        description="Streamed live",
        order=0,
    )
    for title in ("Hypertension Review", "Diabetes Review", "Board-Style Questions"):
        program_svc.create_session(activity, by=planner, title=title, format=F.LECTURE)
    return activity


def _npi(rng: random.Random) -> str:
    """A random NPI with a valid check digit (Luhn over 80840 + the first nine digits)."""
    body = "1" + "".join(str(rng.randrange(10)) for _ in range(8))
    digits = [int(c) for c in "80840" + body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def _learners(rng: random.Random, n: int, password_hash: str) -> list[User]:
    professions = [p for p, *_rest in v.LEARNER_PROFESSIONS]
    weights = [w for _p, w, *_rest in v.LEARNER_PROFESSIONS]
    details = {p: (creds, specs) for p, _w, creds, specs in v.LEARNER_PROFESSIONS}
    users = []
    for i in range(n):
        profession = rng.choices(professions, weights)[0]
        creds, specs = details[profession]
        first, last = rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES)
        canadian = rng.random() < 0.05
        local = f"{first}.{last}".lower().replace("'", "")
        users.append(
            User(
                email=f"{local}.{i}@learners.{v.DEMO_DOMAIN}",
                password=password_hash,
                first_name=first,
                last_name=last,
                credentials=rng.choice(creds),
                profession=profession,
                specialty=rng.choice(specs or v.LEARNER_SPECIALTIES),
                institution=rng.choice(v.INSTITUTIONS),
                npi=_npi(rng) if profession == "physician" and not canadian else "",
                country="CA" if canadian else "US",
                region=rng.choice(v.CA_PROVINCES if canadian else v.US_STATES),
            )
        )
    User.objects.bulk_create(users, batch_size=500)
    return list(User.objects.filter(email__endswith=f"@learners.{v.DEMO_DOMAIN}").order_by("pk"))


def _bookmarks(
    rng: random.Random, activity: Activity, learners: list[User], logins: dict[str, User]
) -> int:
    sessions = list(
        Session.objects.filter(activity=activity, credit_eligible=True).order_by("start", "pk")
    )
    if not sessions:
        return 0
    # The demo learners get an agenda through the service, one session per block.
    for key in ("physician", "nurse"):
        taken: list[Session] = []
        for s in sessions:
            if len(taken) >= 8:
                break
            if all(t.end <= s.start or t.start >= s.end for t in taken) and rng.random() < 0.3:
                taken.append(s)
        for s in taken:
            agenda_svc.bookmark(s, user=logins[key])
    rows = [
        Bookmark(user=user, session=s)
        for user in learners[:100]
        for s in rng.sample(sessions, min(3, len(sessions)))
    ]
    Bookmark.objects.bulk_create(rows, batch_size=500)
    return Bookmark.objects.filter(session__activity=activity).count()
