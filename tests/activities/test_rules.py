import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cmeconf.activities.rules import schedule_warnings, session_errors
from cmeconf.activities.services import program
from cmeconf.common.models import AuditEntry
from tests.factories import (
    ActivityFactory,
    RoomFactory,
    SessionFactory,
    SessionFacultyFactory,
    UserFactory,
    at,
)

# The activity is published: each change is an amendment and needs a reason.
REASON = "Program change after publication"


def test_session_errors_by_field(activity):
    other_room = RoomFactory()  # another activity's
    errors = session_errors(
        activity=activity,
        format="break",
        start=at(activity.start_date, 10),
        end=at(activity.start_date, 9),
        credit_eligible=True,
        room=other_room,
    )
    assert errors["end"] == ["The session must end after it starts."]
    assert errors["credit_eligible"] == [
        "Break cannot carry credit: only accredited education can."
    ]
    assert errors["room"] == ["That room belongs to another activity."]


def test_start_without_end_is_an_error(activity):
    errors = session_errors(
        activity=activity,
        format="lecture",
        start=at(activity.start_date, 9),
        end=None,
        credit_eligible=True,
    )
    assert errors == {"end": ["Give both a start and an end, or neither."]}


def test_double_booked_room_and_person_warn(activity):
    room = RoomFactory(activity=activity, name="Hall A")
    day = activity.start_date
    a = SessionFactory(activity=activity, room=room, title="A", start=at(day, 9), end=at(day, 10))
    b = SessionFactory(
        activity=activity, room=room, title="B", start=at(day, 9, 30), end=at(day, 10, 30)
    )
    c = SessionFactory(activity=activity, title="C", start=at(day, 10), end=at(day, 11))
    person = UserFactory(first_name="Grace", last_name="Hopper")
    SessionFacultyFactory(session=a, person=person)
    SessionFacultyFactory(session=c, person=person)  # back to back: fine
    SessionFacultyFactory(session=b, person=person)  # overlaps a and c
    warnings = schedule_warnings(activity)
    kinds = sorted((w.kind, w.session_ids) for w in warnings)
    assert kinds == [
        ("person", (a.pk, b.pk)),
        ("person", (b.pk, c.pk)),
        ("room", (a.pk, b.pk)),
    ]
    room_warning = next(w for w in warnings if w.kind == "room")
    assert room_warning.message == "Hall A is double-booked at 9:30 a.m.: “A” and “B”."


def test_outside_dates_and_capacity_warn(activity):
    room = RoomFactory(activity=activity, capacity=30)
    late = activity.end_date + dt.timedelta(days=1)
    s = SessionFactory(
        activity=activity,
        room=room,
        format="workshop",
        capacity=40,
        start=at(late, 9),
        end=at(late, 10),
    )
    kinds = {(w.kind, w.session_ids) for w in schedule_warnings(activity)}
    assert kinds == {("dates", (s.pk,)), ("capacity", (s.pk,))}


def test_create_session_refuses_corrupt_data_and_saves_nothing(activity, admin_user):
    with pytest.raises(ValidationError) as exc:
        program.create_session(
            activity,
            by=admin_user,
            reason=REASON,
            title="Lunch",
            format="meal",
            start=at(activity.start_date, 12),
            end=at(activity.start_date, 11),
            credit_eligible=True,
        )
    assert set(exc.value.message_dict) == {"end", "credit_eligible"}
    assert not activity.sessions.exists()
    assert not AuditEntry.objects.filter(action="session.created").exists()


def test_move_keeps_length_and_audits(activity, admin_user):
    room = RoomFactory(activity=activity)
    s = program.create_session(
        activity,
        by=admin_user,
        reason=REASON,
        title="Grand Rounds",
        format="lecture",
        start=at(activity.start_date, 9),
        end=at(activity.start_date, 9, 45),
        credit_eligible=True,
    )
    moved = program.move_session(
        s, by=admin_user, reason=REASON, start=at(activity.start_date, 14), room=room
    )
    assert moved.end - moved.start == dt.timedelta(minutes=45)
    entry = AuditEntry.objects.get(action="session.updated")
    assert entry.before["room"] is None and entry.after["room"] == room.pk


def test_faculty_cannot_be_added_to_a_break(activity, admin_user):
    s = SessionFactory(activity=activity, format="break", credit_eligible=False)
    with pytest.raises(ValidationError, match="Break has no faculty"):
        program.add_faculty(s, UserFactory(), by=admin_user, reason=REASON)


def test_topics_of_another_provider_refused(activity, admin_user):
    from cmeconf.activities.models import Topic

    other = ActivityFactory()
    foreign = Topic.objects.create(provider=other.provider, slug="secret", name="Secret")
    with pytest.raises(ValidationError, match="another provider"):
        program.create_session(
            activity,
            by=admin_user,
            reason=REASON,
            title="T",
            format="lecture",
            credit_eligible=True,
            topics=[foreign],
        )


def test_ancillary_items_keep_30_minutes_from_accredited_education(activity):
    # ACCME Standard 5 [A12]: no exhibits or industry sessions in the educational space
    # from 30 minutes before to 30 minutes after accredited education.
    room = RoomFactory(activity=activity, name="Ballroom A")
    other = RoomFactory(activity=activity, name="Exhibit Hall")
    day = activity.start_date
    lecture = SessionFactory(activity=activity, room=room, title="Sepsis", start=at(day, 9),
                             end=at(day, 10))  # fmt: skip
    close = SessionFactory(activity=activity, room=room, title="Industry Breakfast",
                           format="industry", credit_eligible=False,
                           start=at(day, 10, 15), end=at(day, 11))  # fmt: skip
    SessionFactory(activity=activity, room=room, title="Industry Lunch", format="industry",
                   credit_eligible=False, start=at(day, 10, 30), end=at(day, 11, 30))  # fmt: skip
    SessionFactory(activity=activity, room=other, title="Exhibits", format="exhibit",
                   credit_eligible=False, start=at(day, 9), end=at(day, 10))  # fmt: skip
    found = [w for w in schedule_warnings(activity) if w.kind == "ancillary"]
    assert [w.session_ids for w in found] == [(close.pk, lecture.pk)]
    assert found[0].message.startswith(
        "“Industry Breakfast” (non-accredited industry session) is in Ballroom A within 30 "
        "minutes of accredited “Sepsis” at 9 a.m."
    )
