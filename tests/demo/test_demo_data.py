import datetime as dt
import itertools
import random
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cmeconf.accounts.models import User
from cmeconf.accounts.rules import npi_is_valid
from cmeconf.activities import rules
from cmeconf.activities.choices import NON_EDUCATIONAL_FORMATS, ActivityState, SessionFormat
from cmeconf.activities.models import Activity, Bookmark, Session
from cmeconf.common.models import AuditEntry
from cmeconf.demo import credit as demo_credit
from cmeconf.demo import generator, program
from cmeconf.demo import vocabulary as v
from cmeconf.providers.permissions import permission_set

SMALL = ["--sessions", "40", "--faculty", "30", "--learners", "50"]


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def program_of(slug: str = generator.ANNUAL_SLUG) -> list[tuple]:
    activity = Activity.objects.get(provider__slug="accp", slug=slug)
    tz = activity.tz
    return [
        (
            s.title,
            s.format,
            s.start.astimezone(tz).isoformat(),
            s.end.astimezone(tz).isoformat(),
            s.room.name if s.room else None,
            s.track.name if s.track else None,
            tuple(f.person.email for f in s.faculty.all()),
        )
        for s in activity.sessions.select_related("room", "track")
        .prefetch_related("faculty__person")
        .order_by("start", "room__order", "title")
    ]


@pytest.fixture
def small_demo(db):
    run(*SMALL, "--quiet")
    return Activity.objects.get(provider__slug="accp", slug=generator.ANNUAL_SLUG)


def test_small_demo_is_a_published_meeting_with_every_format(small_demo):
    meeting = small_demo
    assert meeting.title == "ACCP Annual Scientific Meeting 2027"
    assert meeting.state == ActivityState.PUBLISHED
    assert (meeting.start_date, meeting.end_date) == (dt.date(2027, 4, 15), dt.date(2027, 4, 17))
    assert meeting.time_zone == "America/Chicago"
    assert meeting.planning.practice_gap.startswith("Internists and hospitalists")
    assert meeting.objectives.count() == len(v.OBJECTIVES)
    assert meeting.rooms.count() == 8
    assert meeting.sessions.count() == 40
    formats = set(meeting.sessions.values_list("format", flat=True))
    assert formats == set(SessionFormat.values)
    tz = meeting.tz
    times = [
        (s.start.astimezone(tz).time(), s.end.astimezone(tz).time()) for s in meeting.sessions.all()
    ]
    assert min(start for start, _end in times) == dt.time(7, 0)
    assert max(end for _start, end in times) <= dt.time(18, 0)
    # Workshops have seats, no more than their room holds.
    for s in meeting.sessions.filter(format=SessionFormat.WORKSHOP).select_related("room"):
        assert 0 < s.capacity <= s.room.capacity
    others = dict(Activity.objects.filter(provider__slug="accp").values_list("slug", "state"))
    assert others == {
        generator.ANNUAL_SLUG: ActivityState.PUBLISHED,
        generator.GRAND_ROUNDS_SLUG: ActivityState.PUBLISHED,
        generator.DRAFT_SLUG: ActivityState.DRAFT,
        demo_credit.fall_slug(): ActivityState.COMPLETED,
    }


def test_breaks_meals_exhibits_and_industry_never_carry_credit(small_demo):
    by_format = defaultdict(set)
    for fmt, eligible in small_demo.sessions.values_list("format", "credit_eligible"):
        by_format[fmt].add(eligible)
    for fmt, values in by_format.items():
        assert values == {fmt not in NON_EDUCATIONAL_FORMATS}, fmt
    industry = small_demo.sessions.filter(format=SessionFormat.INDUSTRY)
    assert industry.count() == 2
    assert all("not part of the accredited program" in s.abstract for s in industry)


def test_no_room_is_double_booked_and_no_exhibit_crowds_education(small_demo):
    warnings = rules.schedule_warnings(small_demo)
    assert [
        w.message for w in warnings if w.kind in ("room", "dates", "capacity", "ancillary")
    ] == []
    assert [w for w in warnings if w.kind == "person"] == []
    # Breaks and meals outside the exhibit hall span every room.
    spanning = small_demo.sessions.filter(room=None).values_list("format", flat=True)
    assert set(spanning) <= {SessionFormat.BREAK, SessionFormat.MEAL}


def test_sessions_carry_shared_topics_and_faculty(small_demo):
    with_topics = small_demo.sessions.filter(topics__isnull=False).distinct()
    assert with_topics.exists()
    assert not with_topics.filter(topics__provider__isnull=False).exists()
    keynote = small_demo.sessions.filter(format=SessionFormat.KEYNOTE).order_by("start").first()
    speaker = keynote.faculty.get().person
    assert speaker.email == "faculty@accp.example"
    assert speaker.faculty_roles.filter(role="panelist").exists()
    lectures = small_demo.sessions.filter(format=SessionFormat.LECTURE)
    assert all(s.faculty.count() == 1 for s in lectures)
    person = lectures.first().faculty.get().person
    assert person.bio.startswith(f"{person.first_name} {person.last_name} is ")
    assert person.institution in v.INSTITUTIONS


def test_learners_have_profiles_valid_npis_and_bookmarks(small_demo):
    learners = User.objects.filter(email__endswith="@learners.accp.example")
    assert learners.count() == 50
    npis = [n for n in learners.values_list("npi", flat=True) if n]
    assert npis and all(npi_is_valid(n) for n in npis)
    assert set(learners.values_list("profession", flat=True)) >= {"physician", "nurse"}
    assert Bookmark.objects.filter(user__in=learners).count() == 150
    agenda = Bookmark.objects.filter(user__email="physician@accp.example")
    assert agenda.exists()
    assert not agenda.filter(session__credit_eligible=False).exists()


def test_same_seed_same_program_other_seed_another(db):
    run(*SMALL, "--quiet", "--seed", "7")
    first = program_of()
    run(*SMALL, "--quiet", "--seed", "7", "--reset")
    assert program_of() == first
    run(*SMALL, "--quiet", "--seed", "8", "--reset")
    assert program_of() != first


def test_if_empty_changes_nothing_and_prints_the_logins(small_demo):
    counts = (User.objects.count(), Session.objects.count(), AuditEntry.objects.count())
    out = run(*SMALL, "--if-empty")
    assert "The demo data is there already." in out
    assert "director@accp.example" in out and v.PASSWORD in out
    assert "/accp/annual-2027/" in out
    assert (User.objects.count(), Session.objects.count(), AuditEntry.objects.count()) == counts
    with pytest.raises(CommandError, match="exists already"):
        run(*SMALL, "--quiet")


def test_reset_leaves_the_audit_trail(small_demo):
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    run(*SMALL, "--quiet", "--reset")
    after = set(AuditEntry.objects.values_list("pk", flat=True))
    assert before < after
    assert AuditEntry.objects.filter(action="demo.reset").count() == 1
    assert Activity.objects.filter(provider__slug="accp").count() == 4


def test_every_role_can_log_in_with_its_permissions(small_demo):
    provider = small_demo.provider
    expected = {
        "director": {"program", "registration", "review", "credit", "reports", "teams"},
        "planner": {"program"},
        "registration": {"registration"},
        "coi": {"review"},
        "credit": {"credit", "reports"},
        "faculty": set(),
        "physician": set(),
        "nurse": set(),
    }
    for login in v.LOGINS:
        client = Client()
        assert client.login(email=login.email, password=v.PASSWORD), login.email
        user = User.objects.get(email=login.email)
        if login.key == "admin":
            assert user.is_superuser
            assert "Site administration" in client.get("/admin/").content.decode()
        else:
            assert set(permission_set(user, provider, small_demo)) == expected[login.key]


def test_output_lists_paths_and_logins(db):
    out = run(*SMALL)
    assert "Done in" in out
    assert "http://127.0.0.1:8000/accp/annual-2027/" in out
    for login in v.LOGINS:
        assert f"{login.email}" in out
        assert login.role in out


def test_full_size_plan_fits_the_rooms():
    rooms = program.room_plans(8)
    plans = program.plan_program(
        random.Random(2027),
        start_date=dt.date(2027, 4, 15),
        days=3,
        rooms=rooms,
        sessions=300,
        time_zone="America/Chicago",
    )
    assert len(plans) == 300
    by_room = defaultdict(list)
    for p in plans:
        if p.room is not None:
            by_room[p.room].append((p.start, p.end))
    for intervals in by_room.values():
        intervals.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(intervals))
    formats = [p.format for p in plans]
    assert formats.count(SessionFormat.LECTURE) > len(plans) / 2
    assert formats.count(SessionFormat.KEYNOTE) == 3
    assert formats.count(SessionFormat.WORKSHOP) >= 3
    program.assign_faculty(random.Random(1), plans, ["Cardiology"] * 400)
    roles = sum(len(p.faculty) for p in plans)
    assert roles == sum(len(p.roles) for p in plans)


def test_leftover_demo_accounts_ask_for_reset(db):
    User.objects.create_user("physician@accp.example", first_name="Left", last_name="Over")
    with pytest.raises(CommandError, match="use --reset"):
        run(*SMALL, "--quiet")
    run(*SMALL, "--quiet", "--reset")
    assert User.objects.get(email="physician@accp.example").first_name == "Marcus"


def test_demo_has_registration_support_and_consent(small_demo):
    from cmeconf.integrity.models import SharingConsent, SupportAgreement
    from cmeconf.integrity.support import agreement_status
    from cmeconf.registration.choices import RegistrationStatus
    from cmeconf.registration.models import Registration

    meeting = small_demo
    mine = Registration.objects.get(activity=meeting, person__email="physician@accp.example")
    assert mine.status == RegistrationStatus.CONFIRMED
    assert meeting.registration_types.count() == 5
    assert meeting.promo_codes.get().code == "CHAPTER10"
    agreements = SupportAgreement.objects.filter(activity=meeting)
    assert agreements.count() == 2
    assert all(agreement_status(a).signed and not agreement_status(a).late for a in agreements)
    assert SharingConsent.objects.filter(activity=meeting, withdrawn_at__isnull=True).exists()


def test_every_demo_learner_is_registered_and_workshops_fill(small_demo):
    from cmeconf.registration import services
    from cmeconf.registration.badge_tokens import badge_token, registration_for_token
    from cmeconf.registration.choices import RegistrationStatus, SignupStatus
    from cmeconf.registration.models import Registration, WorkshopSignup

    learners = User.objects.filter(email__endswith=f"@learners.{v.DEMO_DOMAIN}")
    regs = Registration.objects.filter(activity=small_demo, person__in=learners)
    assert regs.count() == learners.count() == 50
    statuses = set(regs.values_list("status", flat=True))
    assert RegistrationStatus.CONFIRMED in statuses
    for reg in regs.filter(status=RegistrationStatus.CONFIRMED):
        assert reg.amount_due == sum(p.amount for p in reg.payments.all())
    # Badges scan: every registration has a key, and its token finds it.
    reg = regs.first()
    assert registration_for_token(badge_token(reg)) == reg
    for workshop in small_demo.sessions.filter(capacity__isnull=False, start__isnull=False):
        confirmed = WorkshopSignup.objects.filter(
            session=workshop, status=SignupStatus.CONFIRMED
        ).count()
        assert confirmed <= workshop.capacity
        assert services.session_seats_left(workshop) == workshop.capacity - confirmed


def test_demo_physician_has_licences_with_gaps_that_the_meeting_fills(small_demo):
    from django.utils import timezone

    from cmeconf.licensure import fill, services

    physician = User.objects.get(email="physician@accp.example")
    reports = services.reports(physician)
    assert sorted(r.licence.requirement_set for r in reports) == ["US-CA-MD", "US-TX-MD-DO"]
    for report in reports:
        assert report.status is not None and not report.status.compliant
        assert any(r.counted > 0 for r in report.status.requirements)
        rows = fill.fillers(report, now=timezone.now())
        assert rows and all(r.session.activity == small_demo for r in rows)
    texas = next(r for r in reports if r.licence.requirement_set == "US-TX-MD-DO")
    closes = {g.id for row in fill.fillers(texas, now=timezone.now()) for g in row.closes}
    assert {"total", "formal-min"} <= closes
    # Some outside credit does not count, and the dashboard can say why.
    total = texas.status.requirement("total")
    assert total.not_counted
