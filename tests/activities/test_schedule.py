"""The program's plain functions: grid layout, filters, days, labels, feed tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from cmeconf.activities import schedule
from cmeconf.activities.choices import SessionFormat
from cmeconf.activities.models import Activity, Room, Session
from tests.factories import NY, SessionFactory, UserFactory

DAY = dt.date(2027, 4, 14)


def t(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=NY)


def rooms(n: int) -> list[Room]:
    return [Room(pk=i + 1, name=f"Room {i + 1}", order=i) for i in range(n)]


def session(title, start, end, room=None, fmt=SessionFormat.LECTURE, **kw) -> Session:
    return Session(
        title=title,
        format=fmt,
        start=start,
        end=end,
        room=room,
        credit_eligible=fmt not in (SessionFormat.BREAK, SessionFormat.MEAL),
        **kw,
    )


def layout(grid: schedule.DayGrid) -> list[list[str]]:
    """Each row as 'title/rowspan/colspan' cells, '.' for an empty cell."""
    out = []
    for row in grid.rows:
        cells = []
        for c in row.cells:
            cells.append(f"{c.session.title}/{c.rowspan}/{c.colspan}" if c.session else ".")
        out.append([row.time.strftime("%H:%M"), *cells])
    return out


def test_rows_start_at_every_start_and_end_time():
    r = rooms(2)
    grid = schedule.build_grid(
        DAY,
        [
            session("A", t(9), t(10), r[0]),
            session("B", t(9), t(10, 30), r[1]),
            session("C", t(10, 30), t(11), r[0]),
        ],
        r,
    )
    assert layout(grid) == [
        ["09:00", "A/1/1", "B/2/1"],
        ["10:00", "."],
        ["10:30", "C/1/1", "."],
    ]
    assert [c.room_label for c in grid.rows[0].cells] == ["Room 1", "Room 2"]
    assert grid.unplaced == []


def test_a_break_without_a_room_spans_every_room():
    r = rooms(3)
    grid = schedule.build_grid(
        DAY,
        [
            session("Talk", t(9), t(10), r[1]),
            session("Coffee", t(10), t(10, 30), fmt=SessionFormat.BREAK),
        ],
        r,
    )
    assert layout(grid) == [["09:00", ".", "Talk/1/1", "."], ["10:00", "Coffee/1/3"]]
    assert grid.rows[1].cells[0].spans_all
    assert grid.rows[1].cells[0].room_label == "All rooms"


def test_a_break_that_collides_with_a_session_goes_to_the_list():
    r = rooms(2)
    coffee = session("Coffee", t(10), t(10, 30), fmt=SessionFormat.BREAK)
    grid = schedule.build_grid(DAY, [session("Long talk", t(9), t(11), r[0]), coffee], r)
    assert grid.unplaced == [coffee]


def test_the_same_break_in_neighbouring_rooms_becomes_one_cell():
    r = rooms(3)
    lunch = [session("Lunch", t(12), t(13), room, fmt=SessionFormat.MEAL) for room in r[:2]]
    grid = schedule.build_grid(DAY, [*lunch, session("Workshop", t(12), t(13), r[2])], r)
    assert layout(grid) == [["12:00", "Lunch/1/2", "Workshop/1/1"]]
    assert grid.rows[0].cells[0].room_label == "Room 1, Room 2"
    assert not grid.rows[0].cells[0].spans_all


def test_different_sessions_at_the_same_time_are_not_merged():
    r = rooms(2)
    grid = schedule.build_grid(
        DAY, [session("Talk", t(9), t(10), r[0]), session("Talk", t(9), t(10), r[1])], r
    )
    assert layout(grid) == [["09:00", "Talk/1/1", "Talk/1/1"]]


def test_a_double_booked_room_keeps_the_first_and_lists_the_second():
    r = rooms(1)
    second = session("Second", t(9, 30), t(10, 30), r[0])
    grid = schedule.build_grid(DAY, [session("First", t(9), t(10), r[0]), second], r)
    assert [c.session.title for row in grid.rows for c in row.cells if c.session] == ["First"]
    assert grid.unplaced == [second]


def test_sessions_without_a_room_are_listed_apart():
    r = rooms(1)
    online = session("Online", t(14), t(15))
    grid = schedule.build_grid(DAY, [session("Talk", t(9), t(10), r[0]), online], r)
    assert grid.unplaced == [online]


def test_only_busy_rooms_are_columns_when_asked():
    r = rooms(3)
    grid = schedule.build_grid(DAY, [session("Talk", t(9), t(10), r[2])], r, all_rooms=False)
    assert [room.name for room in grid.rooms] == ["Room 3"]


def test_without_rooms_everything_is_a_list():
    talk = session("Talk", t(9), t(10))
    grid = schedule.build_grid(DAY, [talk], [])
    assert grid.rows == [] and grid.unplaced == [talk]
    assert schedule.build_grid(DAY, [], []).is_empty


def test_filters_are_parsed_by_shape_only():
    f = schedule.parse_filters(QueryDict("track=12&format=lecture&topic=implicit-bias"))
    assert (f.track, f.format, f.topic) == (12, "lecture", "implicit-bias")
    assert f.active and f.query() == {"track": "12", "format": "lecture", "topic": "implicit-bias"}
    bad = schedule.parse_filters(QueryDict("track=x&format=sermon&topic=<script>"))
    assert bad == schedule.Filters() and not bad.active
    assert schedule.parse_filters(QueryDict("track=" + "9" * 30)).track is None


def test_parse_day_falls_back_to_the_first_day():
    a = Activity(start_date=DAY, end_date=DAY + dt.timedelta(days=2))
    assert schedule.parse_day(a, "2027-04-15") == dt.date(2027, 4, 15)
    assert schedule.parse_day(a, "2027-04-20") == DAY
    assert schedule.parse_day(a, "tomorrow") == DAY
    assert schedule.parse_day(a, None) == DAY


@pytest.mark.parametrize(
    ("fmt", "eligible", "label"),
    [
        (SessionFormat.LECTURE, True, ""),
        (SessionFormat.LECTURE, False, "Not for credit"),
        (SessionFormat.INDUSTRY, False, "Non-accredited, not for credit"),
        (SessionFormat.EXHIBIT, False, "Non-accredited, not for credit"),
        (SessionFormat.BREAK, False, ""),
        (SessionFormat.MEAL, False, ""),
    ],
)
def test_credit_label(fmt, eligible, label):
    assert schedule.credit_label(Session(format=fmt, credit_eligible=eligible)) == label


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("#B91C1C", "#b91c1c"),
        ("#abc", "#aabbcc"),
        ("red", None),
        ("#12345", None),
        ("#fff; } body { x", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_hex_color(value, expected):
    assert schedule.safe_hex_color(value) == expected


def test_faculty_name_never_falls_back_to_the_e_mail():
    from cmeconf.accounts.models import User

    assert schedule.faculty_name(User(email="x@y.org", first_name="Ada", last_name="Okafor",
                                      credentials="MD")) == "Ada Okafor, MD"  # fmt: skip
    assert "x@y.org" not in schedule.faculty_name(User(email="x@y.org"))


def test_cache_keys_change_with_the_version_and_the_language():
    from django.utils import translation

    a = Activity(pk=7, program_version=3)
    key = schedule.cache_key(a, "schedule", "2027-04-14")
    assert key == "program:7:3:en:schedule:2027-04-14"
    a.program_version = 4
    assert schedule.cache_key(a, "schedule", "2027-04-14") != key
    with translation.override("de"):
        assert ":de:" in schedule.cache_key(a, "schedule")


@pytest.mark.django_db
def test_agenda_feed_token_round_trip(activity):
    user = UserFactory()
    token = schedule.agenda_feed_token(user, activity)
    assert schedule.agenda_feed_user_id(token, activity) == user.pk
    assert schedule.agenda_feed_user_id(token + "x", activity) is None
    assert schedule.agenda_feed_user_id("1-1", activity) is None
    other = Activity(pk=activity.pk + 1000)
    assert schedule.agenda_feed_user_id(token, other) is None


@pytest.mark.django_db
def test_agenda_conflicts_and_days(activity):
    a = SessionFactory(activity=activity, start=t(9), end=t(10))
    b = SessionFactory(activity=activity, start=t(9, 30), end=t(10, 30))
    c = SessionFactory(activity=activity, start=t(10, 30), end=t(11))
    later = SessionFactory(activity=activity, start=None, end=None)
    assert schedule.agenda_conflicts([a, b, c, later]) == [(a, b)]
    days = schedule.agenda_days(activity, [later, c, a, b])
    assert [(d.day, [s.pk for s in d.sessions]) for d in days] == [
        (DAY, [a.pk, b.pk, c.pk]),
        (None, [later.pk]),
    ]
