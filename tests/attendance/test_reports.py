"""Reading Zoom and Teams participant reports, good and broken."""

import datetime as dt
import pathlib
import zoneinfo

import pytest

from cmeconf.attendance.reports import ReportError, parse_teams, parse_zoom

DATA = pathlib.Path(__file__).parent / "data"
NY = zoneinfo.ZoneInfo("America/New_York")
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
DAY = dt.date(2027, 4, 14)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def t(hour: int, minute: int = 0, second: int = 0, tz=NY) -> dt.datetime:
    return dt.datetime(2027, 4, 14, hour, minute, second, tzinfo=tz)


def summary(rows):
    return [(r.email, r.join, r.leave, r.line) for r in rows]


def test_zoom_meeting_export_with_meeting_details_block():
    rows = parse_zoom(read("zoom_meeting_participants.csv"), NY)
    assert summary(rows) == [
        ("av-desk@example.org", t(8, 50, 2), t(10, 33, 40), 5),
        ("ana.reyes@example.org", t(8, 52, 10), t(9, 40, 5), 6),
        ("ben.okafor@example.org", t(9, 5), t(10, 15), 7),
        ("ana.reyes@example.org", t(9, 30), t(9, 45), 8),
        ("", t(9, 10, 44), t(9, 58, 2), 9),
        ("ana.reyes@example.org", t(9, 41, 30), t(10, 31, 12), 10),
        ("chidi.nwosu@example.net", t(9, 0, 31), t(10, 30), 11),
    ]
    assert rows[2].name == "Ben Okafor (Benjamin Okafor)"
    assert rows[4].name == "iPhone de Marie"


def test_zoom_times_are_read_in_the_given_time_zone():
    rows = parse_zoom(read("zoom_meeting_participants_2024.csv"), CHICAGO)
    assert rows[0].join == t(9, 2, 11, tz=CHICAGO)
    assert rows[0].join.astimezone(dt.UTC) == dt.datetime(2027, 4, 14, 14, 2, 11, tzinfo=dt.UTC)


def test_zoom_export_with_the_newer_headers():
    rows = parse_zoom(read("zoom_meeting_participants_2024.csv"), NY)
    assert summary(rows) == [
        ("ana.reyes@example.org", t(9, 2, 11), t(10, 1, 11), 2),
        ("ben.okafor@example.org", t(9), t(9, 30, 59), 3),
    ]


def test_zoom_webinar_attendee_report_reads_every_table_and_skips_no_shows():
    rows = parse_zoom(read("zoom_webinar_attendee_report.csv"), NY)
    assert summary(rows) == [
        ("av-desk@example.org", t(8, 45, 13), t(10, 35, 2), 7),
        ("priya.raman@example.org", t(8, 55), t(10, 31), 10),
        ("ana.reyes@example.org", t(9, 0, 20), t(9, 50, 20), 13),
        ("ana.reyes@example.org", t(9, 55), t(10, 20), 14),
        ("ben.okafor@example.org", t(9, 15), t(9, 45), 15),
    ]
    assert "carla.mendes@example.org" not in {r.email for r in rows}


def test_teams_report_utf16_reads_each_join_and_leave():
    rows = parse_teams(read("teams_attendance_report.csv"), NY, near=DAY)
    assert summary(rows) == [
        ("ana.reyes@example.org", t(9, 1, 12), t(9, 40), 18),
        ("ana.reyes@example.org", t(10), t(10, 32, 10), 19),
        ("ben.okafor@example.org", t(9, 20), t(10, 5), 20),
        ("priya.raman@example.org", t(8, 58, 3), t(10, 32, 10), 21),
        ("", t(9, 3), t(9, 33), 22),
    ]
    # Section 2 would have said 9:01 to 10:32 for Ana; her 20 minutes away are not counted.
    assert rows[0].name == "Reyes, Ana"


def test_teams_report_with_day_first_dates_and_24_hour_times():
    rows = parse_teams(read("teams_attendance_report_day_first.csv"), NY, near=DAY)
    assert summary(rows) == [("ana.reyes@example.org", t(9, 15), t(10), 15)]


def test_teams_ambiguous_dates_are_read_closest_to_the_session():
    text = (
        b"1. Summary\nMeeting title\tGrand rounds\n\n3. In-Meeting Activities\n"
        b"Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
        b"Ana Reyes\t5/4/27, 9:00:00 AM\t5/4/27, 9:30:00 AM\t30m\tana.reyes@example.org\tAttendee\n"
    )
    (may_4,) = parse_teams(text, NY, near=dt.date(2027, 5, 4))
    (april_5,) = parse_teams(text, NY, near=dt.date(2027, 4, 5))
    assert may_4.join.date() == dt.date(2027, 5, 4)
    assert april_5.join.date() == dt.date(2027, 4, 5)


def test_teams_guest_without_email_falls_back_to_the_upn():
    text = (
        b"3. In-Meeting Activities\n"
        b"Name,Join Time,Leave Time,Duration,Email,Participant ID (UPN),Role\n"
        b"Guest,4/14/27 9:00 AM,4/14/27 9:30 AM,30m,,guest.doc@example.org,Attendee\n"
    )
    (row,) = parse_teams(text, NY, near=DAY)
    assert row.email == "guest.doc@example.org"


def problems(exc_info) -> list[str]:
    return exc_info.value.problems


def test_zoom_file_missing_a_column_is_refused():
    with pytest.raises(ReportError) as exc:
        parse_zoom(read("broken_zoom_missing_columns.csv"), NY)
    assert problems(exc) == ["Line 1: the participant table has no column Leave Time."]


def test_zoom_file_without_email_column_is_refused():
    with pytest.raises(ReportError) as exc:
        parse_zoom(read("broken_zoom_no_email_column.csv"), NY)
    assert problems(exc) == ["Line 1: the participant table has no “User Email” or “Email” column."]


def test_zoom_file_with_bad_rows_names_each_one():
    with pytest.raises(ReportError) as exc:
        parse_zoom(read("broken_zoom_bad_rows.csv"), NY)
    found = problems(exc)
    assert len(found) == 3
    assert found[0].startswith("Line 3: join time “2027-04-14 morning” is not a date")
    assert found[1] == (
        "Line 4: leave time 04/14/2027 09:10:00 AM is before join time 04/14/2027 10:10:00 AM."
    )
    assert found[2].startswith("Line 5: leave time “13/31/2027 10:00:00 AM” is not a date")


def test_file_in_a_legacy_encoding_is_refused():
    with pytest.raises(ReportError) as exc:
        parse_zoom(read("broken_zoom_latin1.csv"), NY)
    assert "not UTF-8 or UTF-16" in problems(exc)[0]


def test_empty_file_is_refused():
    with pytest.raises(ReportError, match="empty"):
        parse_zoom(b"\n\n", NY)
    with pytest.raises(ReportError, match="empty"):
        parse_teams(b"", NY)


def test_a_file_that_is_no_report_is_refused():
    with pytest.raises(ReportError, match="not a Zoom participant report"):
        parse_zoom(read("broken_not_a_report.csv"), NY)
    with pytest.raises(ReportError, match="not a Teams attendance report"):
        parse_teams(read("broken_not_a_report.csv"), NY)


def test_a_report_of_the_other_service_says_so():
    with pytest.raises(ReportError, match="import it as a Teams report"):
        parse_zoom(read("teams_attendance_report.csv"), NY)
    with pytest.raises(ReportError, match="import it as a Zoom report"):
        parse_teams(read("zoom_meeting_participants.csv"), NY)


def test_teams_report_without_in_meeting_activities_is_refused():
    with pytest.raises(ReportError, match=r"no “3\. In-Meeting Activities” section"):
        parse_teams(read("broken_teams_no_activities.csv"), NY, near=DAY)


def test_teams_report_with_bad_rows_names_each_one():
    with pytest.raises(ReportError) as exc:
        parse_teams(read("broken_teams_bad_dates.csv"), NY, near=DAY)
    assert problems(exc) == [
        "Line 20: leave time 4/14/27, 9:05:00 AM is before join time 4/14/27, 9:20:00 AM.",
        "Line 21: join time “yesterday” is not a date (for example 4/14/27, 9:05:00 AM).",
    ]


def test_older_teams_attendance_list_is_refused_with_the_reason():
    with pytest.raises(ReportError, match="no e-mail addresses"):
        parse_teams(read("teams_attendance_list_2020.csv"), NY, near=DAY)


def test_a_row_with_only_a_name_is_named_not_skipped():
    text = (
        b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        b"Ana Reyes,,,,,\n"
    )
    with pytest.raises(ReportError) as exc:
        parse_zoom(text, NY)
    assert problems(exc) == [
        "Line 2: the join time is missing.",
        "Line 2: the leave time is missing.",
    ]
