"""The staff attendance pages: overview, session minutes, imports, adjustments, removals, CSV."""

import csv
import datetime as dt
import io
import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmeconf.attendance import services, summary
from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.models import AttendanceImport, AttendanceInterval
from cmeconf.common.models import AuditEntry
from cmeconf.providers.permissions import Permission
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
    at,
)
from tests.registration.factories import RegistrationSetupFactory, RegistrationTypeFactory

DATA = pathlib.Path(__file__).parent / "data"
DAY = dt.date(2027, 4, 14)


def url(activity, name: str, *args) -> str:
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    data = (DATA / name).read_bytes() if content is None else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def session(activity):
    return SessionFactory(
        activity=activity, title="Update in Heart Failure", start=at(DAY, 9), end=at(DAY, 10, 30)
    )


@pytest.fixture
def ana(db):
    return UserFactory(email="ana.reyes@example.org", first_name="Ana", last_name="Reyes")


@pytest.fixture
def ben(db):
    return UserFactory(email="Ben.Okafor@Example.org", first_name="Ben", last_name="Okafor")


def import_zoom(client, activity, session, name="zoom_meeting_participants.csv", **extra):
    data = {"source": "zoom", "report": upload(name), "time_zone": "America/New_York", **extra}
    return client.post(url(activity, "attendance_import_add", session.code), data)


def member(provider, *perms):
    user = UserFactory()
    TeamFactory(provider=provider, permissions=list(perms), members=[user])
    return user


# --- import ---------------------------------------------------------------------------------


def test_import_good_zoom_file_shows_minutes_and_unmatched(staff, activity, session, ana, ben):
    response = import_zoom(staff, activity, session)

    record = AttendanceImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(activity, "attendance_import", session.code, record.pk)
    page = staff.get(response["Location"])
    text = page.content.decode()
    assert "2 people matched, 3 rows matched nobody" in text
    # The unmatched rows, with line, name and e-mail, for staff to follow up.
    assert "AV Desk (Conference Host)" in text
    assert "av-desk@example.org" in text
    assert "iPhone de Marie" in text
    assert "chidi.nwosu@example.net" in text
    assert record.sha256 in text

    page = staff.get(url(activity, "attendance_session", session.code))
    learners = {row.person.email: row.minutes for row in page.context["learners"]}
    # Ana on two devices covers the whole 90 minutes; Ben 9:05-10:15.
    assert learners == {"ana.reyes@example.org": 90, "Ben.Okafor@Example.org": 70}
    text = page.content.decode()
    assert '<td class="num minutes">90</td>' in text
    assert '<td class="num minutes">70</td>' in text
    assert "zoom_meeting_participants.csv" in text
    assert "Dr. Chidi Nwosu" in text  # in the list of past imports
    assert page.context["median"] == 80


def test_broken_file_imports_nothing_and_lists_each_bad_line(staff, activity, session, ana):
    response = import_zoom(staff, activity, session, name="broken_zoom_bad_rows.csv")

    assert response.status_code == 400
    assert AttendanceImport.objects.count() == 0
    assert AttendanceInterval.objects.count() == 0
    text = response.content.decode()
    assert "Nothing was imported." in text
    assert "Line 3:" in text  # Ben's join time is not a date
    assert "Line 4:" in text  # Priya leaves before she joins
    assert "Line 5:" in text  # Chidi's leave date is impossible
    assert not AuditEntry.objects.filter(action="attendance.imported").exists()


def test_wrong_encoding_is_explained(staff, activity, session):
    response = import_zoom(staff, activity, session, name="broken_zoom_latin1.csv")
    assert response.status_code == 400
    assert "not UTF-8 or UTF-16" in response.content.decode()
    assert AttendanceImport.objects.count() == 0


def test_same_file_twice_is_refused_and_says_so(staff, activity, session, ana):
    import_zoom(staff, activity, session)
    response = import_zoom(staff, activity, session)
    assert response.status_code == 400
    assert "already imported for this session" in response.content.decode()
    assert AttendanceImport.objects.count() == 1
    assert AttendanceInterval.objects.count() == 3


def test_import_needs_a_file_and_a_source(staff, activity, session):
    response = staff.post(url(activity, "attendance_import_add", session.code), {})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose the report file to import." in text
    assert "Say whether the report is from Zoom or Teams." in text


def test_oversized_file_is_refused_before_reading(staff, activity, session, monkeypatch):
    monkeypatch.setattr("cmeconf.attendance.forms.MAX_REPORT_BYTES", 1000)
    content = (DATA / "zoom_meeting_participants.csv").read_bytes() * 3
    response = staff.post(
        url(activity, "attendance_import_add", session.code),
        {"source": "zoom", "report": upload("big.csv", content), "time_zone": "UTC"},
    )
    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    assert AttendanceImport.objects.count() == 0


def test_report_time_zone_defaults_to_the_activitys(staff, activity, session):
    activity.time_zone = "Europe/Berlin"
    activity.save(update_fields=["time_zone"])
    page = staff.get(url(activity, "attendance_session", session.code))
    assert page.context["import_form"]["time_zone"].value() == "Europe/Berlin"
    assert '<option value="Europe/Berlin" selected>' in page.content.decode()


def test_teams_report_in_another_time_zone(staff, activity, session, ana, ben):
    response = staff.post(
        url(activity, "attendance_import_add", session.code),
        {
            "source": "teams",
            "report": upload("teams_attendance_report.csv"),
            "time_zone": "America/New_York",
        },
    )
    assert response.status_code == 302
    assert services.minutes_by_person(session) == {ana.pk: 68, ben.pk: 45}
    # Read in Chicago, the same file lands an hour later: a different import result.
    other = SessionFactory(activity=activity, start=at(DAY, 9), end=at(DAY, 10, 30))
    staff.post(
        url(activity, "attendance_import_add", other.code),
        {
            "source": "zoom",
            "report": upload("zoom_meeting_participants_2024.csv"),
            "time_zone": "America/Chicago",
        },
    )
    assert services.minutes_by_person(other) == {ana.pk: 27, ben.pk: 30}


# --- session page ---------------------------------------------------------------------------


def test_session_page_merges_sources_and_strikes_removed_time(
    staff, admin_user, activity, session, ana, ben
):
    services.import_report(
        session,
        source=AttendanceSource.ZOOM,
        filename="zoom.csv",
        content=(DATA / "zoom_meeting_participants_2024.csv").read_bytes(),
        by=admin_user,
    )
    scan = AttendanceInterval.objects.create(
        session=session,
        person=ana,
        start=at(DAY, 8, 55),
        end=at(DAY, 9, 20),
        source=AttendanceSource.SCAN,
        device="Hall A door",
        recorded_at=at(DAY, 9, 20),
    )
    wrong = AttendanceInterval.objects.get(person=ben)
    services.void_interval(wrong, reason="Shared Zoom login", by=admin_user)

    page = staff.get(url(activity, "attendance_session", session.code))
    rows = {row.person.pk: row for row in page.context["learners"]}
    # Ana: scan 9:00-9:20 (clipped) joined to Zoom 9:02:11-10:01:11.
    assert rows[ana.pk].minutes == 61
    assert rows[ben.pk].minutes == 0
    assert rows[ben.pk].voided == 1
    text = page.content.decode()
    assert "Badge scans" in text and "Hall A door" in text
    assert "Zoom report" in text
    assert f'id="interval-{wrong.pk}" class="is-removed"' in text
    assert "Shared Zoom login" in text
    assert "<del>" in text
    assert url(activity, "attendance_void", session.code, scan.pk) in text
    # A removed interval has no second "Remove" link.
    assert url(activity, "attendance_void", session.code, wrong.pk) not in text


def test_search_by_name_or_email(staff, admin_user, activity, session, ana, ben):
    for person in (ana, ben):
        services.add_adjustment(
            session,
            person,
            start=at(DAY, 9),
            end=at(DAY, 9, 30),
            reason="Paper list",
            by=admin_user,
        )
    address = url(activity, "attendance_session", session.code)
    found = staff.get(address, {"q": "okafor"}).context["learners"]
    assert [r.person for r in found] == [ben]
    found = staff.get(address, {"q": "ana.reyes@"}).context["learners"]
    assert [r.person for r in found] == [ana]
    response = staff.get(address, {"q": "nobody-like-this"})
    assert response.context["learners"] == []
    assert "Nobody matches this search." in response.content.decode()


def test_csv_export_is_safe_against_formulas(staff, admin_user, activity, session):
    evil = UserFactory(email="x@example.org", first_name="=HYPERLINK(1)", last_name="+Cmd")
    services.add_adjustment(
        session, evil, start=at(DAY, 9), end=at(DAY, 9, 45), reason="Paper list", by=admin_user
    )
    plain = UserFactory(email="plain@example.org", first_name="Pat", last_name="Plain")
    services.add_adjustment(
        session, plain, start=at(DAY, 10), end=at(DAY, 10, 20), reason="Paper list", by=admin_user
    )
    response = staff.get(url(activity, "attendance_session_csv", session.code))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"-{session.code}-attendance.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["last_name"], r["first_name"], r["minutes"]) for r in rows] == [
        ("'+Cmd", "'=HYPERLINK(1)", "45"),
        ("Plain", "Pat", "20"),
    ]
    assert rows[1]["session_minutes"] == "90"
    assert rows[1]["sources"] == "adjustment"
    # The same search as the page.
    response = staff.get(url(activity, "attendance_session_csv", session.code), {"q": "plain"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["email"] for r in rows] == ["plain@example.org"]


def test_session_page_queries_do_not_grow_with_learners(staff, admin_user, activity, session):
    def add(n):
        for _ in range(n):
            person = UserFactory()
            for hour in (9, 10):
                services.add_adjustment(
                    session,
                    person,
                    start=at(DAY, hour),
                    end=at(DAY, hour, 15),
                    reason="List",
                    by=admin_user,
                )

    address = url(activity, "attendance_session", session.code)
    add(1)
    staff.get(address)  # warm the session and permission lookups
    with CaptureQueriesContext(connection) as one:
        staff.get(address)
    add(2)
    with CaptureQueriesContext(connection) as three:
        response = staff.get(address)
    assert len(response.context["learners"]) == 3
    assert len(three) == len(one)


# --- overview -------------------------------------------------------------------------------


def test_overview_lists_credit_sessions_with_counts(staff, admin_user, activity, session, ana, ben):
    SessionFactory(activity=activity, title="Coffee", credit_eligible=False)
    SessionFactory(activity=activity, title="Later", start=None, end=None)
    empty = SessionFactory(activity=activity, title="Afternoon", start=at(DAY, 14), end=at(DAY, 15))
    services.import_report(
        session,
        source=AttendanceSource.ZOOM,
        filename="zoom.csv",
        content=(DATA / "zoom_meeting_participants.csv").read_bytes(),
        by=admin_user,
    )
    response = staff.get(url(activity, "attendance"))
    assert response.status_code == 200
    rows = {r.session.title: r for r in response.context["rows"]}
    assert set(rows) == {"Update in Heart Failure", "Afternoon"}
    heart = rows["Update in Heart Failure"]
    assert (heart.learners, heart.total_minutes, heart.median_minutes, heart.imports) == (
        2,
        160,
        80,
        1,
    )
    assert (rows["Afternoon"].learners, rows["Afternoon"].median_minutes) == (0, None)
    assert response.context["others"] == 2
    text = response.content.decode()
    assert url(activity, "attendance_session", session.code) in text
    assert url(activity, "attendance_session", empty.code) in text
    assert "2 other sessions are not listed" in text


def test_overview_agrees_with_the_service(admin_user, activity, session, ana, ben):
    services.import_report(
        session,
        source=AttendanceSource.TEAMS,
        filename="teams.csv",
        content=(DATA / "teams_attendance_report.csv").read_bytes(),
        by=admin_user,
    )
    (row,) = summary.session_summaries(activity)
    assert row.total_minutes == sum(services.minutes_by_person(session).values())


def test_overview_queries_do_not_grow_with_sessions(staff, admin_user, activity):
    def add_session(hour):
        s = SessionFactory(activity=activity, start=at(DAY, hour), end=at(DAY, hour, 45))
        services.add_adjustment(
            s, admin_user, start=at(DAY, hour), end=at(DAY, hour, 30), reason="List", by=admin_user
        )

    add_session(9)
    staff.get(url(activity, "attendance"))
    with CaptureQueriesContext(connection) as one:
        staff.get(url(activity, "attendance"))
    add_session(11)
    add_session(13)
    with CaptureQueriesContext(connection) as three:
        response = staff.get(url(activity, "attendance"))
    assert len(response.context["rows"]) == 3
    assert len(three) == len(one)


# --- adjustments and removals ---------------------------------------------------------------


@pytest.fixture
def registrant(activity):
    from cmeconf.registration import services as reg_services

    RegistrationSetupFactory(activity=activity)
    reg_type = RegistrationTypeFactory(activity=activity, code="physician")
    person = UserFactory(email="dana@example.org", first_name="Dana", last_name="Diaz")
    reg_services.register(activity, person, registration_type=reg_type, by=person)
    return person


def adjust(client, activity, session, **data):
    values = {
        "email": "dana@example.org",
        "start": "2027-04-14T09:00",
        "end": "2027-04-14T09:40",
        "reason": "Scanner at Hall A was down",
        **data,
    }
    return client.post(url(activity, "attendance_adjust", session.code), values)


def test_adjust_adds_time_in_the_activity_time_zone(
    staff, admin_user, activity, session, registrant
):
    response = adjust(staff, activity, session, email="DANA@example.org")

    assert response.status_code == 302
    interval = AttendanceInterval.objects.get()
    assert interval.person == registrant
    assert interval.source == AttendanceSource.ADJUSTMENT
    # 09:00 typed on the page is 09:00 in New York, not in UTC.
    assert interval.start == at(DAY, 9)
    assert interval.end == at(DAY, 9, 40)
    assert interval.reason == "Scanner at Hall A was down"
    assert services.minutes_attended(session, registrant) == 40
    entry = AuditEntry.objects.get(action="attendance.adjusted")
    assert entry.actor == admin_user
    assert entry.after["reason"] == "Scanner at Hall A was down"


def test_adjust_needs_a_reason(staff, activity, session, registrant):
    response = adjust(staff, activity, session, reason="  ")
    assert response.status_code == 400
    assert "Give the reason for the adjustment." in response.content.decode()
    assert AttendanceInterval.objects.count() == 0


def test_adjust_refuses_time_outside_the_session_and_strangers(
    staff, activity, session, registrant
):
    response = adjust(staff, activity, session, start="2027-04-14T11:00", end="2027-04-14T12:00")
    assert response.status_code == 400
    assert "The time given lies outside the session." in response.content.decode()

    response = adjust(staff, activity, session, end="2027-04-14T08:00")
    assert "The end must be after the start." in response.content.decode()

    UserFactory(email="stranger@example.org")
    response = adjust(staff, activity, session, email="stranger@example.org")
    assert response.status_code == 400
    assert "Nobody with this e-mail is registered" in response.content.decode()
    assert AttendanceInterval.objects.count() == 0


def test_adjust_accepts_a_learner_an_import_matched(staff, admin_user, activity, session, ana):
    services.import_report(
        session,
        source=AttendanceSource.ZOOM,
        filename="zoom.csv",
        content=(DATA / "zoom_meeting_participants.csv").read_bytes(),
        by=admin_user,
    )
    response = adjust(staff, activity, session, email="ana.reyes@example.org")
    assert response.status_code == 302
    assert AttendanceInterval.objects.filter(person=ana, source="adjustment").count() == 1


def test_void_needs_a_reason_then_strikes_the_time(
    staff, admin_user, activity, session, registrant
):
    interval = services.add_adjustment(
        session, registrant, start=at(DAY, 9), end=at(DAY, 10), reason="List", by=admin_user
    )
    address = url(activity, "attendance_void", session.code, interval.pk)
    page = staff.get(address)
    assert page.status_code == 200
    assert "Dana Diaz" in page.content.decode()

    response = staff.post(address, {"reason": ""})
    assert response.status_code == 400
    assert "Give the reason for removing this attendance." in response.content.decode()
    interval.refresh_from_db()
    assert interval.voided_at is None

    response = staff.post(address, {"reason": "Scanned a colleague's badge"})
    assert response.status_code == 302
    interval.refresh_from_db()
    assert interval.voided_at is not None
    assert interval.void_reason == "Scanned a colleague's badge"
    assert services.minutes_attended(session, registrant) == 0
    entry = AuditEntry.objects.get(action="attendance.voided")
    assert entry.actor == admin_user and entry.after["reason"] == "Scanned a colleague's badge"

    # Twice: refused, and said.
    assert "already removed" in staff.get(address).content.decode()
    response = staff.post(address, {"reason": "Again"})
    assert response.status_code == 400
    assert "already removed" in response.content.decode()


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("perm", [Permission.REGISTRATION, Permission.CREDIT, Permission.REPORTS])
def test_readers(client, provider, activity, session, perm):
    client.force_login(member(provider, perm))
    assert client.get(url(activity, "attendance")).status_code == 200
    page = client.get(url(activity, "attendance_session", session.code))
    assert page.status_code == 200
    # Only registration and check-in sees the forms that change attendance.
    assert (b'id="import-form"' in page.content) == (perm == Permission.REGISTRATION)
    assert client.get(url(activity, "attendance_session_csv", session.code)).status_code == 200


@pytest.mark.parametrize("perm", [Permission.CREDIT, Permission.REPORTS, Permission.PROGRAM])
def test_members_without_registration_cannot_change(client, provider, activity, session, perm):
    person = UserFactory(email="dana@example.org")
    interval = AttendanceInterval.objects.create(
        session=session,
        person=person,
        start=at(DAY, 9),
        end=at(DAY, 10),
        source=AttendanceSource.SCAN,
        recorded_at=at(DAY, 10),
    )
    client.force_login(member(provider, perm))
    assert import_zoom(client, activity, session).status_code == 403
    assert adjust(client, activity, session).status_code == 403
    void_url = url(activity, "attendance_void", session.code, interval.pk)
    assert client.post(void_url, {"reason": "No"}).status_code == 403
    assert AttendanceImport.objects.count() == 0
    assert AttendanceInterval.objects.count() == 1
    interval.refresh_from_db()
    assert interval.voided_at is None


def test_program_team_cannot_read(client, provider, activity, session):
    client.force_login(member(provider, Permission.PROGRAM))
    assert client.get(url(activity, "attendance")).status_code == 403
    assert client.get(url(activity, "attendance_session", session.code)).status_code == 403


def test_outsiders_get_404_and_other_activities_sessions_are_not_found(
    client, staff, activity, session
):
    other = ActivityFactory(provider=ProviderFactory(slug="other"), slug=activity.slug)
    theirs = SessionFactory(activity=other, start=at(DAY, 9), end=at(DAY, 10))
    theirs_interval = AttendanceInterval.objects.create(
        session=theirs,
        person=UserFactory(),
        start=at(DAY, 9),
        end=at(DAY, 10),
        source=AttendanceSource.SCAN,
        recorded_at=at(DAY, 10),
    )
    # Through this activity's URLs, the other provider's session is not found.
    assert staff.get(url(activity, "attendance_session", theirs.code)).status_code == 404
    mine_void = url(activity, "attendance_void", session.code, theirs_interval.pk)
    assert staff.post(mine_void, {"reason": "x"}).status_code == 404
    theirs_interval.refresh_from_db()
    assert theirs_interval.voided_at is None

    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(url(activity, "attendance")).status_code == 404
    assert client.get(url(activity, "attendance_session", session.code)).status_code == 404


def test_import_of_another_session_is_not_found(staff, admin_user, activity, session, ana):
    other = SessionFactory(activity=activity, start=at(DAY, 9), end=at(DAY, 10, 30))
    record = services.import_report(
        other,
        source=AttendanceSource.ZOOM,
        filename="zoom.csv",
        content=(DATA / "zoom_meeting_participants.csv").read_bytes(),
        by=admin_user,
    )
    assert staff.get(url(activity, "attendance_import", session.code, record.pk)).status_code == 404
    assert staff.get(url(activity, "attendance_import", other.code, record.pk)).status_code == 200
