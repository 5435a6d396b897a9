"""Importing reports, adjusting and voiding attendance, counting minutes per learner."""

import datetime as dt
import pathlib
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.models import AttendanceImport, AttendanceInterval
from cmeconf.attendance.services import (
    add_adjustment,
    import_report,
    minutes_attended,
    minutes_by_person,
    void_interval,
)
from cmeconf.common.models import AuditEntry
from tests.factories import SessionFactory, UserFactory, at

DATA = pathlib.Path(__file__).parent / "data"
DAY = dt.date(2027, 4, 14)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def session(activity):
    return SessionFactory(activity=activity, start=at(DAY, 9), end=at(DAY, 10, 30))


@pytest.fixture
def ana(db):
    return UserFactory(email="ana.reyes@example.org", first_name="Ana", last_name="Reyes")


@pytest.fixture
def ben(db):
    # Stored with capitals: matching ignores case on both sides.
    return UserFactory(email="Ben.Okafor@Example.org", first_name="Ben", last_name="Okafor")


def zoom(session, by, name="zoom_meeting_participants.csv", **kwargs):
    return import_report(
        session, source=AttendanceSource.ZOOM, filename=name, content=read(name), by=by, **kwargs
    )


def teams(session, by, name="teams_attendance_report.csv", **kwargs):
    return import_report(
        session, source=AttendanceSource.TEAMS, filename=name, content=read(name), by=by, **kwargs
    )


def test_zoom_import_matches_by_email_and_lists_the_rest(session, admin_user, ana, ben):
    record = zoom(session, admin_user)

    assert record.matched == 2
    assert record.unmatched == [
        {"line": 5, "name": "AV Desk (Conference Host)", "email": "av-desk@example.org"},
        {"line": 9, "name": "iPhone de Marie", "email": ""},
        {"line": 11, "name": "Dr. Chidi Nwosu", "email": "chidi.nwosu@example.net"},
    ]
    assert record.activity == session.activity
    assert record.imported_by == admin_user
    assert len(record.sha256) == 64
    intervals = AttendanceInterval.objects.filter(source_import=record)
    assert sorted((i.person_id, i.source) for i in intervals) == sorted(
        [(ana.pk, "zoom")] * 3 + [(ben.pk, "zoom")]
    )
    # Kept as the report gives them: Ana joined at 8:52, before the session.
    assert min(i.start for i in intervals if i.person_id == ana.pk) == at(
        DAY, 8, 52
    ) + dt.timedelta(seconds=10)

    # Ana on two devices 8:52-10:31 is the whole session; Ben 9:05-10:15.
    assert minutes_by_person(session) == {ana.pk: 90, ben.pk: 70}
    assert minutes_attended(session, ana) == 90
    assert minutes_attended(session, ben) == 70

    entry = AuditEntry.objects.get(action="attendance.imported")
    assert entry.actor == admin_user
    assert entry.activity_id == session.activity_id
    assert entry.after["matched"] == 2
    assert entry.after["unmatched"] == 3
    assert entry.after["rows"] == 7
    assert entry.after["filename"] == "zoom_meeting_participants.csv"


def test_teams_import_counts_only_time_in_the_meeting(session, admin_user, ana, ben):
    record = teams(session, admin_user)
    assert record.source == AttendanceSource.TEAMS
    assert record.matched == 2
    assert [u["line"] for u in record.unmatched] == [21, 22]  # Priya has no account; the phone
    # Ana: 9:01:12-9:40:00 and 10:00:00-10:30 (of 10:32:10) = 68 min 48 s.
    assert minutes_by_person(session) == {ana.pk: 68, ben.pk: 45}


def test_sources_are_merged_per_person(session, admin_user, ana, ben):
    zoom(session, admin_user, name="zoom_meeting_participants_2024.csv")
    teams(session, admin_user)
    # Ana: Zoom 9:02:11-10:01:11, Teams 9:01:12-9:40 and 10:00-10:32 -> 9:01:12-10:30.
    assert minutes_attended(session, ana) == 88
    # Ben: Zoom 9:00-9:30:59, Teams 9:20-10:05 -> 9:00-10:05.
    assert minutes_attended(session, ben) == 65


def test_report_times_are_read_in_the_time_zone_given(session, admin_user, ana, ben):
    zoom(
        session,
        admin_user,
        name="zoom_meeting_participants_2024.csv",
        tz=zoneinfo.ZoneInfo("America/Chicago"),
    )
    # 9:02:11 in Chicago is 10:02:11 in New York: 27 min 49 s of the session remain.
    assert minutes_by_person(session) == {ana.pk: 27, ben.pk: 30}


def test_the_same_file_is_refused_twice_for_a_session(session, admin_user, ana, ben, activity):
    zoom(session, admin_user)
    with pytest.raises(ValidationError, match="already imported for this session"):
        zoom(session, admin_user)
    with pytest.raises(ValidationError, match="already imported"):
        # Renaming the file does not make it another report.
        import_report(
            session,
            source=AttendanceSource.ZOOM,
            filename="copy.csv",
            content=read("zoom_meeting_participants.csv"),
            by=admin_user,
        )
    assert AttendanceImport.objects.count() == 1
    assert AttendanceInterval.objects.count() == 4

    # The same export may serve a second session at the same time (a parallel room).
    other = SessionFactory(activity=activity, start=at(DAY, 9), end=at(DAY, 10))
    zoom(other, admin_user)
    assert minutes_by_person(other) == {ana.pk: 60, ben.pk: 55}


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        (AttendanceSource.ZOOM, "broken_zoom_bad_rows.csv", ["Line 3:", "Line 4:", "Line 5:"]),
        (AttendanceSource.ZOOM, "broken_zoom_missing_columns.csv", ["Line 1:"]),
        (AttendanceSource.ZOOM, "broken_zoom_latin1.csv", ["not UTF-8 or UTF-16"]),
        (AttendanceSource.TEAMS, "broken_teams_bad_dates.csv", ["Line 20:", "Line 21:"]),
        (AttendanceSource.TEAMS, "broken_teams_no_activities.csv", ["In-Meeting Activities"]),
        (AttendanceSource.TEAMS, "teams_attendance_list_2020.csv", ["no e-mail addresses"]),
    ],
)
def test_a_broken_file_imports_nothing_and_names_each_problem(
    session, admin_user, ana, ben, source, name, expected
):
    with pytest.raises(ValidationError) as exc:
        import_report(session, source=source, filename=name, content=read(name), by=admin_user)
    messages = exc.value.messages
    assert len(messages) == len(expected)
    for message, start in zip(messages, expected, strict=True):
        assert start in message
    assert not AttendanceImport.objects.exists()
    assert not AttendanceInterval.objects.exists()
    assert not AuditEntry.objects.filter(action="attendance.imported").exists()


def test_a_report_of_another_day_is_refused(activity, admin_user, ana):
    next_day = SessionFactory(
        activity=activity,
        start=at(DAY + dt.timedelta(days=1), 9),
        end=at(DAY + dt.timedelta(days=1), 10),
    )
    with pytest.raises(ValidationError, match="No row of this report falls within the session"):
        zoom(next_day, admin_user)
    assert not AttendanceImport.objects.exists()


def test_only_zoom_and_teams_reports_are_imported(session, admin_user):
    with pytest.raises(ValidationError) as exc:
        import_report(
            session,
            source=AttendanceSource.SCAN,
            filename="x.csv",
            content=read("zoom_meeting_participants.csv"),
            by=admin_user,
        )
    assert "source" in exc.value.message_dict


def test_an_unscheduled_session_has_no_attendance(activity, admin_user, ana):
    unscheduled = SessionFactory(activity=activity, start=None, end=None)
    with pytest.raises(ValidationError, match="no time yet"):
        zoom(unscheduled, admin_user)
    assert minutes_by_person(unscheduled) == {}
    assert minutes_attended(unscheduled, ana) == 0


def test_only_registration_staff_change_attendance(session, ana):
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        zoom(session, outsider)
    with pytest.raises(PermissionDenied):
        add_adjustment(
            session, ana, start=at(DAY, 9), end=at(DAY, 10), reason="scanner down", by=outsider
        )
    assert not AttendanceInterval.objects.exists()


def test_adjustment_adds_minutes_with_a_reason(session, admin_user, ana, ben):
    zoom(session, admin_user)
    interval = add_adjustment(
        session,
        ben,
        start=at(DAY, 9),
        end=at(DAY, 9, 5),
        reason="  Badge scanner at Hall A was down until 9:05.  ",
        by=admin_user,
    )
    assert interval.source == AttendanceSource.ADJUSTMENT
    assert interval.reason == "Badge scanner at Hall A was down until 9:05."
    assert interval.recorded_by == admin_user
    assert minutes_attended(session, ben) == 75

    entry = AuditEntry.objects.get(action="attendance.adjusted")
    assert entry.actor == admin_user
    assert entry.after["person"] == ben.pk
    assert entry.after["reason"] == "Badge scanner at Hall A was down until 9:05."


@pytest.mark.parametrize(
    ("start", "end", "reason", "field"),
    [
        ((9, 0), (9, 30), "   ", "reason"),
        ((9, 30), (9, 30), "late scan", "end"),
        ((9, 30), (9, 0), "late scan", "end"),
        ((11, 0), (11, 30), "late scan", "start"),
    ],
)
def test_adjustment_needs_a_reason_and_a_time_in_the_session(
    session, admin_user, ana, start, end, reason, field
):
    with pytest.raises(ValidationError) as exc:
        add_adjustment(
            session, ana, start=at(DAY, *start), end=at(DAY, *end), reason=reason, by=admin_user
        )
    assert field in exc.value.message_dict
    assert not AttendanceInterval.objects.exists()
    assert not AuditEntry.objects.filter(action="attendance.adjusted").exists()


def test_void_stops_an_interval_from_counting_and_keeps_it(session, admin_user, ana, ben):
    zoom(session, admin_user)
    bens = AttendanceInterval.objects.get(person=ben)
    with pytest.raises(ValidationError) as exc:
        void_interval(bens, reason="", by=admin_user)
    assert "reason" in exc.value.message_dict
    assert minutes_attended(session, ben) == 70

    voided = void_interval(bens, reason="Ben's colleague used his login.", by=admin_user)
    assert voided.voided_at is not None
    assert voided.void_reason == "Ben's colleague used his login."
    assert minutes_attended(session, ben) == 0
    assert minutes_by_person(session) == {ana.pk: 90}
    assert AttendanceInterval.objects.filter(pk=bens.pk).exists()

    entry = AuditEntry.objects.get(action="attendance.voided")
    assert entry.after["person"] == ben.pk
    assert entry.after["reason"] == "Ben's colleague used his login."
    assert entry.before == {"voided_at": None}

    with pytest.raises(ValidationError, match="already removed"):
        void_interval(bens, reason="again", by=admin_user)
    assert AuditEntry.objects.filter(action="attendance.voided").count() == 1


def test_minutes_by_person_is_one_query(session, admin_user, ana, ben, django_assert_num_queries):
    zoom(session, admin_user)
    teams(session, admin_user)
    with django_assert_num_queries(1):
        result = minutes_by_person(session)
    assert result == {ana.pk: 90, ben.pk: 70}


def test_minutes_of_another_session_are_not_mixed_in(session, activity, admin_user, ana):
    zoom(session, admin_user)
    later = SessionFactory(activity=activity, start=at(DAY, 11), end=at(DAY, 12))
    assert minutes_by_person(later) == {}
    assert minutes_attended(later, ana) == 0
