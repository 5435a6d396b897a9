"""The staff backend of activities: pages show the right values, forms call the services."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import Activity, PlanningRole, Room, Session, SessionFaculty
from cmeconf.activities.services import activities as activity_services
from cmeconf.common import audit
from cmeconf.common.models import AuditEntry
from tests.factories import (
    ActivityFactory,
    RoomFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db


def url(name: str, activity=None, *args, provider=None) -> str:
    if activity is None:
        return reverse(f"staff:{name}", args=[provider.slug, *args])
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def activity(provider):
    """An activity being planned: its program is built and changed freely.

    After approval every change needs a reason and becomes an amendment; that is
    tested in test_amendments.py.
    """
    return ActivityFactory(
        provider=provider,
        slug="annual-2027",
        title="Annual Meeting 2027",
        state=ActivityState.PLANNING,
    )


@pytest.fixture
def draft(activity):
    activity.state = ActivityState.DRAFT
    activity.save()
    return activity


def count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx)


def assert_same_queries(client, address, add_more, django_assert_num_queries) -> None:
    """One item, then three: the page must not make a query per item."""
    one = count_queries(client, address)
    add_more()
    with django_assert_num_queries(one):
        response = client.get(address)
    assert response.status_code == 200


# Provider's activity list and creating an activity


def test_provider_page_lists_activities_with_state_and_dates(staff, provider, activity):
    ActivityFactory(provider=provider, title="Winter Course", state=ActivityState.DRAFT)
    ActivityFactory(title="Someone else's meeting")
    response = staff.get(reverse("staff:provider", args=[provider.slug]))
    html = response.content.decode()
    assert "Annual Meeting 2027" in html
    assert "Winter Course" in html
    assert "Draft" in html and "Planning" in html
    assert "14 Apr 2027 \u2013 16 Apr 2027" in html
    assert "Someone else" not in html
    assert reverse("staff:activity_create", args=[provider.slug]) in html


def test_provider_page_hides_new_activity_without_program(client, provider, activity):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=["reports"])
    client.force_login(user)
    html = client.get(reverse("staff:provider", args=[provider.slug])).content.decode()
    assert "Annual Meeting 2027" in html
    assert reverse("staff:activity_create", args=[provider.slug]) not in html


def test_activity_list_has_no_n_plus_one(staff, provider, activity, django_assert_num_queries):
    address = reverse("staff:provider", args=[provider.slug])
    assert_same_queries(
        staff,
        address,
        lambda: ActivityFactory.create_batch(2, provider=provider),
        django_assert_num_queries,
    )


def _activity_data(**over) -> dict:
    data = {
        "slug": "spring-2027",
        "title": "Spring Update",
        "kind": "course",
        "delivery": "hybrid",
        "start_date": "2027-05-03",
        "end_date": "2027-05-04",
        "time_zone": "America/Chicago",
        "target_professions": ["physician", "nurse"],
        "target_specialties": "cardiology, internal medicine",
    }
    return data | over


def test_create_activity_calls_the_service(staff, provider, admin_user):
    response = staff.post(reverse("staff:activity_create", args=[provider.slug]), _activity_data())
    activity = Activity.objects.get(provider=provider, slug="spring-2027")
    assert response.status_code == 302
    assert response["Location"] == url("activity", activity)
    assert activity.state == ActivityState.DRAFT
    assert activity.target_specialties == ["cardiology", "internal medicine"]
    assert activity.planning is not None
    entry = AuditEntry.objects.for_activity(activity.pk).get()
    assert entry.action == "activity.created"
    assert entry.actor == admin_user


def test_create_activity_errors_next_to_fields_and_nothing_saved(staff, provider, activity):
    response = staff.post(
        reverse("staff:activity_create", args=[provider.slug]),
        _activity_data(slug="annual-2027", title="", end_date="2027-05-01"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["title"] == ["This field is required."]
    assert form.errors["end_date"] == ["The last day cannot be before the first day."]
    assert Activity.objects.filter(provider=provider).count() == 1
    html = response.content.decode()
    assert "Nothing was saved." in html
    assert "The last day cannot be before the first day." in html


def test_duplicate_slug_from_the_service_lands_on_the_slug_field(staff, provider, activity):
    response = staff.post(
        reverse("staff:activity_create", args=[provider.slug]),
        _activity_data(slug="annual-2027"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["slug"]
    assert "already exists" in response.context["form"].errors["slug"][0]
    assert Activity.objects.filter(provider=provider).count() == 1


def test_create_needs_an_all_activities_team(client, provider, activity):
    user = UserFactory()
    TeamFactory(provider=provider, all_activities=False, activities=[activity], members=[user])
    client.force_login(user)
    response = client.post(reverse("staff:activity_create", args=[provider.slug]), _activity_data())
    assert response.status_code == 403
    assert not Activity.objects.filter(slug="spring-2027").exists()


def test_edit_activity_saves_through_service(staff, activity, admin_user):
    data = _activity_data(title="Annual Meeting 2027 (revised)")
    del data["slug"]
    response = staff.post(url("activity_edit", activity), data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Annual Meeting 2027 (revised)"
    assert activity.slug == "annual-2027"
    entry = AuditEntry.objects.for_activity(activity.pk).get(action="activity.updated")
    assert entry.before["title"] == "Annual Meeting 2027"
    assert entry.after["title"] == "Annual Meeting 2027 (revised)"


def test_edit_activity_error_keeps_old_values(staff, activity):
    data = _activity_data(title="New", time_zone="Mars/Olympus")
    del data["slug"]
    response = staff.post(url("activity_edit", activity), data)
    assert response.status_code == 400
    assert "time_zone" in response.context["form"].errors
    activity.refresh_from_db()
    assert activity.title == "Annual Meeting 2027"
    assert not AuditEntry.objects.for_activity(activity.pk).exists()


# Dashboard and lifecycle


def test_dashboard_shows_steps_blockers_counts_and_warnings(staff, draft):
    activity_services.transition(draft, "start_planning", by=None)
    room = RoomFactory(activity=draft, name="Hall A")
    SessionFactory(activity=draft, room=room, title="Heart failure")
    SessionFactory(activity=draft, room=room, title="Lipids")  # same room, same time
    SessionFactory(activity=draft, start=None, end=None, room=None)
    response = staff.get(url("activity", draft))
    html = response.content.decode()
    steps = response.context["steps"]
    assert [s["transition"].name for s in steps] == ["submit_for_review"]
    assert "Describe the professional practice gap." in steps[0]["blockers"]
    assert "Describe the professional practice gap." in html
    assert response.context["counts"] == {
        "sessions": 3,
        "scheduled": 2,
        "faculty": 0,
        "rooms": 1,
        "objectives": 0,
    }
    assert "Hall A is double-booked" in html
    assert "Double-booked rooms: 1" in html
    assert "Open the public page" not in html


def test_dashboard_hides_step_button_without_permission(client, provider, draft):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=["credit"])
    client.force_login(user)
    response = client.get(url("activity", draft))
    assert response.context["steps"][0]["allowed"] is False
    html = response.content.decode()
    assert url("activity_transition", draft, "start_planning") not in html
    assert "Your teams do not allow this step" in html


def test_dashboard_links_public_page_when_public(staff, activity):
    activity.state = ActivityState.PUBLISHED
    activity.save()
    html = staff.get(url("activity", activity)).content.decode()
    assert activity.get_absolute_url() in html


def test_transition_moves_the_activity_and_audits(staff, draft, admin_user):
    response = staff.post(url("activity_transition", draft, "start_planning"), {"note": "Go"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ActivityState.PLANNING
    entry = AuditEntry.objects.for_activity(draft.pk).get(action="activity.start_planning")
    assert entry.note == "Go"
    assert entry.actor == admin_user


def test_blocked_transition_says_why_and_changes_nothing(staff, draft):
    activity_services.transition(draft, "start_planning", by=None)
    response = staff.post(url("activity_transition", draft, "submit_for_review"), follow=True)
    draft.refresh_from_db()
    assert draft.state == ActivityState.PLANNING
    messages = [str(m) for m in response.context["messages"]]
    assert "Add at least one learning objective." in messages
    assert "Add the program's sessions before review." in messages


def test_transition_refused_by_service_without_permission(client, provider, draft):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=["review"])
    client.force_login(user)
    response = client.post(url("activity_transition", draft, "start_planning"))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.state == ActivityState.DRAFT


def test_unknown_transition_is_404(staff, draft):
    assert staff.post(url("activity_transition", draft, "explode")).status_code == 404


# Planning


def _planning_data(**over) -> dict:
    data = {
        "practice_gap": "Under-use of SGLT2 inhibitors.",
        "gap_sources": ["literature", "quality_data"],
        "gap_evidence": "Registry data 2025.",
        "educational_needs": ["knowledge", "performance"],
        "needs_description": "When to start them.",
        "intended_change": ["performance"],
        "objectives": "Start an SGLT2 inhibitor\n\nMonitor kidney function\n",
    }
    return data | over


def test_planning_saves_record_and_objectives(staff, activity):
    response = staff.post(url("planning", activity), _planning_data())
    assert response.status_code == 302
    activity.planning.refresh_from_db()
    assert activity.planning.gap_sources == ["literature", "quality_data"]
    assert activity.planning.intended_change == ["performance"]
    assert list(activity.objectives.values_list("text", flat=True)) == [
        "Start an SGLT2 inhibitor",
        "Monitor kidney function",
    ]
    actions = set(AuditEntry.objects.for_activity(activity.pk).values_list("action", flat=True))
    assert actions == {"planning.updated", "objectives.updated"}


def test_planning_error_saves_nothing(staff, activity):
    response = staff.post(url("planning", activity), _planning_data(objectives="x" * 501))
    assert response.status_code == 400
    assert response.context["form"].errors["objectives"] == [
        "Keep each objective under 500 characters."
    ]
    activity.planning.refresh_from_db()
    assert activity.planning.practice_gap == ""
    assert not activity.objectives.exists()
    assert not AuditEntry.objects.for_activity(activity.pk).exists()


def test_planning_unknown_source_shown_on_field(staff, activity):
    response = staff.post(url("planning", activity), _planning_data(gap_sources=["gossip"]))
    assert response.status_code == 400
    assert "gap_sources" in response.context["form"].errors


def test_planning_read_only_without_program(client, provider, activity):
    activity_services.update_planning_record(activity, by=None, practice_gap="A real gap.")
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=["review"])
    client.force_login(user)
    response = client.get(url("planning", activity))
    html = response.content.decode()
    assert "A real gap." in html
    assert 'name="practice_gap"' not in html  # the record is shown, not a form
    assert client.post(url("planning", activity), _planning_data()).status_code == 403
    activity.planning.refresh_from_db()
    assert activity.planning.practice_gap == "A real gap."


# Sessions


def test_sessions_list_filters_and_counts(staff, activity):
    track = TrackFactory(activity=activity, name="Cardiology")
    SessionFactory(activity=activity, title="Day one lecture", track=track)
    SessionFactory(
        activity=activity,
        title="Day two workshop",
        format="workshop",
        start=at(dt.date(2027, 4, 15), 10),
    )
    SessionFactory(activity=activity, title="Not placed", start=None, end=None, room=None)
    response = staff.get(url("sessions", activity))
    assert response.context["counts"]["total"] == 3
    assert response.context["counts"]["scheduled"] == 2
    html = response.content.decode()
    assert "3 sessions: 2 scheduled, 1 not yet." in html
    assert "09:00\u201310:00" in html  # New York time, the activity's zone

    def titles(query: dict) -> list[str]:
        rows = staff.get(url("sessions", activity), query).context["rows"]
        return sorted(r["session"].title for r in rows)

    assert titles({"day": "2027-04-15"}) == ["Day two workshop"]
    assert titles({"track": track.pk}) == ["Day one lecture"]
    assert titles({"format": "workshop"}) == ["Day two workshop"]
    assert titles({"unscheduled": "on"}) == ["Not placed"]


def test_sessions_list_has_no_n_plus_one(staff, activity, django_assert_num_queries):
    def session_with_faculty():
        s = SessionFactory(activity=activity, track=TrackFactory(activity=activity))
        SessionFacultyFactory(session=s)
        return s

    session_with_faculty()
    assert_same_queries(
        staff,
        url("sessions", activity),
        lambda: [session_with_faculty() for _ in range(2)],
        django_assert_num_queries,
    )


def _session_data(**over) -> dict:
    data = {
        "title": "Heart failure update",
        "format": "lecture",
        "day": "2027-04-14",
        "start_time": "10:00",
        "end_time": "11:00",
        "credit_eligible": "on",
        "objectives": "Start therapy\n\nTitrate it",
    }
    return data | over


def test_create_session(staff, activity, admin_user):
    room = RoomFactory(activity=activity)
    response = staff.post(url("session_create", activity), _session_data(room=room.pk))
    session = Session.objects.get(activity=activity)
    assert response.status_code == 302
    assert response["Location"] == url("session_edit", activity, session.code)
    assert session.start == at(dt.date(2027, 4, 14), 10)
    assert session.room == room
    assert session.objectives == "Start therapy\nTitrate it"
    assert AuditEntry.objects.for_activity(activity.pk).get().action == "session.created"


def test_create_session_errors_on_fields_and_nothing_saved(staff, activity):
    response = staff.post(
        url("session_create", activity),
        _session_data(format="break", start_time="11:00", end_time="10:00"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["end_time"] == ["The session must end after it starts."]
    assert errors["credit_eligible"] == [
        "Break cannot carry credit: only accredited education can."
    ]
    assert not Session.objects.exists()
    html = response.content.decode()
    assert "The session must end after it starts." in html


def test_session_needs_day_and_both_times(staff, activity):
    response = staff.post(url("session_create", activity), _session_data(end_time=""))
    assert response.context["form"].errors["end_time"] == [
        "Give a day, a start and an end time, or none of them."
    ]
    assert not Session.objects.exists()


def test_session_cannot_use_a_room_of_another_activity(staff, activity):
    foreign = RoomFactory()
    response = staff.post(url("session_create", activity), _session_data(room=foreign.pk))
    assert "room" in response.context["form"].errors
    assert not Session.objects.exists()


def test_edit_session_shows_its_warnings_and_saves(staff, activity):
    room = RoomFactory(activity=activity, name="Hall B")
    s1 = SessionFactory(activity=activity, room=room, title="First")
    SessionFactory(activity=activity, room=room, title="Second")
    response = staff.get(url("session_edit", activity, s1.code))
    html = response.content.decode()
    assert "Schedule warnings for this session" in html
    assert "Hall B is double-booked" in html
    assert response.context["form"].initial["start_time"] == dt.time(9, 0)

    response = staff.post(
        url("session_edit", activity, s1.code),
        _session_data(title="First, moved", room=room.pk, start_time="13:00", end_time="14:00"),
    )
    assert response.status_code == 302
    s1.refresh_from_db()
    assert s1.title == "First, moved"
    assert s1.start == at(dt.date(2027, 4, 14), 13)
    assert AuditEntry.objects.for_activity(activity.pk).get().action == "session.updated"


def test_edit_session_error_keeps_session(staff, activity):
    s = SessionFactory(activity=activity, title="Keep me")
    response = staff.post(url("session_edit", activity, s.code), _session_data(title=""))
    assert response.status_code == 400
    s.refresh_from_db()
    assert s.title == "Keep me"


def test_session_of_another_activity_is_404(staff, activity, provider):
    other = SessionFactory(activity=ActivityFactory(provider=provider))
    assert staff.get(url("session_edit", activity, other.code)).status_code == 404


def test_add_new_and_existing_faculty_and_remove(staff, activity):
    s = SessionFactory(activity=activity)
    existing = UserFactory(email="dr.kim@example.org", first_name="Ana", last_name="Kim")
    staff.post(
        url("session_faculty_add", activity, s.code),
        {"email": "DR.KIM@example.org", "role": "moderator"},
    )
    staff.post(
        url("session_faculty_add", activity, s.code),
        {"email": "new@example.org", "first_name": "Neo", "last_name": "Newman", "role": "speaker"},
    )
    links = list(s.faculty.select_related("person").order_by("order"))
    assert [(f.person.email, f.role) for f in links] == [
        ("dr.kim@example.org", "moderator"),
        ("new@example.org", "speaker"),
    ]
    assert links[0].person == existing
    assert not links[1].person.has_usable_password()
    html = staff.get(url("session_edit", activity, s.code)).content.decode()
    assert "Neo Newman" in html

    response = staff.post(url("session_faculty_remove", activity, s.code, links[0].pk))
    assert response.status_code == 302
    assert list(s.faculty.values_list("person__email", flat=True)) == ["new@example.org"]
    actions = list(
        AuditEntry.objects.for_activity(activity.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["faculty.added", "faculty.added", "faculty.removed"]


def test_faculty_errors_next_to_fields_and_no_stray_account(staff, activity):
    s = SessionFactory(activity=activity)
    response = staff.post(
        url("session_faculty_add", activity, s.code), {"email": "nobody@example.org"}
    )
    assert response.status_code == 400
    errors = response.context["faculty_form"].errors
    assert "role" in errors
    response = staff.post(
        url("session_faculty_add", activity, s.code),
        {"email": "nobody@example.org", "role": "speaker"},
    )
    assert response.context["faculty_form"].errors["first_name"]
    brk = SessionFactory(activity=activity, format="break", credit_eligible=False)
    response = staff.post(
        url("session_faculty_add", activity, brk.code),
        {"email": "x@example.org", "first_name": "X", "last_name": "Y", "role": "speaker"},
    )
    assert response.context["faculty_form"].errors["__all__"] == ["Break has no faculty."]
    from cmeconf.accounts.models import User

    assert not User.objects.filter(email__in=["nobody@example.org", "x@example.org"]).exists()
    assert not SessionFaculty.objects.exists()


def test_delete_session(staff, activity):
    s = SessionFactory(activity=activity)
    response = staff.post(url("session_delete", activity, s.code))
    assert response.status_code == 302
    assert not Session.objects.filter(pk=s.pk).exists()
    entry = AuditEntry.objects.for_activity(activity.pk).get()
    assert entry.action == "session.deleted"
    assert staff.get(url("session_delete", activity, "ABCDEF")).status_code == 405


def test_a_session_with_attendance_or_sign_ups_is_not_deleted(staff, activity, learner):
    import datetime as dt

    from django.utils import timezone

    from cmeconf.attendance.models import AttendanceInterval
    from cmeconf.registration.models import Registration, WorkshopSignup
    from tests.registration.factories import RegistrationTypeFactory

    start = timezone.now()
    attended = SessionFactory(activity=activity, start=start, end=start + dt.timedelta(hours=1))
    AttendanceInterval.objects.create(
        session=attended,
        person=learner,
        start=start,
        end=start + dt.timedelta(minutes=30),
        source="adjustment",
        recorded_at=start,
    )
    response = staff.post(url("session_delete", activity, attended.code), follow=True)
    assert "attendance is recorded for this session" in response.content.decode()
    workshop = SessionFactory(activity=activity, capacity=10)
    reg = Registration.objects.create(
        activity=activity,
        person=learner,
        registration_type=RegistrationTypeFactory(activity=activity),
        status="confirmed",
        registered_by=learner,
        created=start,
    )
    WorkshopSignup.objects.create(
        registration=reg, session=workshop, status="confirmed", created=start
    )
    response = staff.post(url("session_delete", activity, workshop.code), follow=True)
    assert "cancel their sign-ups" in response.content.decode()
    assert Session.objects.filter(pk__in=[attended.pk, workshop.pk]).count() == 2


# Rooms, tracks, planners


def test_rooms_crud(staff, activity):
    response = staff.post(
        url("rooms", activity),
        {"name": "Ballroom", "capacity": "400", "kind": "stage", "order": "1"},
    )
    assert response.status_code == 302
    room = Room.objects.get(activity=activity)
    assert (room.name, room.capacity, room.kind) == ("Ballroom", 400, "stage")
    response = staff.post(
        url("rooms", activity), {"name": "Ballroom", "kind": "room", "order": "2"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "This activity already has one of that name."
    ]
    assert Room.objects.filter(activity=activity).count() == 1
    response = staff.post(
        url("room_edit", activity, room.pk),
        {"name": "Grand Ballroom", "capacity": "", "kind": "room", "order": 0},
    )
    room.refresh_from_db()
    assert (room.name, room.capacity, room.kind) == ("Grand Ballroom", None, "room")
    html = staff.get(url("rooms", activity)).content.decode()
    assert "Grand Ballroom" in html
    staff.post(url("room_delete", activity, room.pk))
    assert not Room.objects.filter(activity=activity).exists()
    actions = list(
        AuditEntry.objects.for_activity(activity.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["room.created", "room.updated", "room.deleted"]


def test_room_of_another_activity_is_404(staff, activity):
    other = RoomFactory()
    assert staff.get(url("room_edit", activity, other.pk)).status_code == 404


def test_tracks_crud_and_colour_error(staff, activity):
    response = staff.post(url("tracks", activity), {"name": "Cardio", "color": "red", "order": 0})
    assert response.context["form"].errors["color"] == ["Choose a colour, like #2b6cb0."]
    staff.post(url("tracks", activity), {"name": "Cardio", "color": "#aa0000", "order": 0})
    track = activity.tracks.get()
    assert track.color == "#aa0000"
    staff.post(url("track_delete", activity, track.pk))
    assert not activity.tracks.exists()


def test_planners_add_and_remove(staff, activity):
    response = staff.post(
        url("planners", activity),
        {
            "email": "director@example.org",
            "first_name": "Dana",
            "last_name": "Director",
            "role": "course_director",
        },
    )
    assert response.status_code == 302
    role = PlanningRole.objects.select_related("person").get(activity=activity)
    assert (role.person.email, role.role) == ("director@example.org", "course_director")
    assert "Dana Director" in staff.get(url("planners", activity)).content.decode()
    response = staff.post(url("planners", activity), {"email": "not-an-email", "role": "planner"})
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    staff.post(url("planner_remove", activity, role.pk))
    assert not PlanningRole.objects.exists()


# Grid


def test_grid_places_sessions_by_room_and_time(staff, activity):
    a = RoomFactory(activity=activity, name="A", order=0)
    b = RoomFactory(activity=activity, name="B", order=1)
    s = SessionFactory(activity=activity, room=b, start=at(activity.start_date, 10, 30))
    SessionFactory(activity=activity, room=a, start=at(activity.end_date, 9))
    unplaced = SessionFactory(activity=activity, start=None, end=None, room=None, title="Loose")
    response = staff.get(url("grid", activity))
    placed = response.context["placed"]
    assert len(placed) == 1
    # Row 1 holds the room names, the day starts at 08:00 and rows are 5 minutes:
    # 10:30 is 150 minutes in, row 2 + 30; an hour spans 12 rows.
    assert (placed[0]["session"], placed[0]["row"], placed[0]["span"], placed[0]["col"]) == (
        s,
        32,
        12,
        3,
    )
    assert [s.title for s in response.context["unscheduled"]] == ["Loose"]
    html = response.content.decode()
    assert f'id="session-{s.code}"' in html
    assert "g-r-32 g-s-12 g-c-3" in html
    assert url("grid_move_form", activity, unplaced.code) in html
    assert response.context["elsewhere"] == 1
    other_day = staff.get(url("grid", activity), {"day": "2027-04-16"}).context["placed"]
    assert len(other_day) == 1


def test_grid_puts_overlapping_sessions_side_by_side(staff, activity):
    room = RoomFactory(activity=activity)
    day = activity.start_date
    SessionFactory(activity=activity, room=room, title="A", start=at(day, 9))
    SessionFactory(activity=activity, room=room, title="B", start=at(day, 9, 30))
    SessionFactory(activity=activity, room=room, title="C", start=at(day, 10))
    SessionFactory(activity=activity, room=room, title="D", start=at(day, 12))
    placed = staff.get(url("grid", activity)).context["placed"]
    lanes = {p["session"].title: (p["lane"], p["lanes"]) for p in placed}
    # A and B overlap, C starts when A ends and takes its lane; D stands alone.
    assert lanes == {"A": (1, 2), "B": (2, 2), "C": (1, 2), "D": (1, 1)}


def test_grid_has_no_n_plus_one(staff, activity, django_assert_num_queries):
    room = RoomFactory(activity=activity)

    def add(hour):
        s = SessionFactory(activity=activity, room=room, start=at(activity.start_date, hour))
        SessionFacultyFactory(session=s)

    add(9)
    assert_same_queries(
        staff,
        url("grid", activity),
        lambda: [add(11), add(13)],
        django_assert_num_queries,
    )


def _move(client, activity, **payload):
    return client.post(
        url("grid_move", activity), json.dumps(payload), content_type="application/json"
    )


def test_grid_move_json_moves_and_returns_warnings(staff, activity, admin_user):
    a = RoomFactory(activity=activity, name="A")
    b = RoomFactory(activity=activity, name="B")
    s1 = SessionFactory(activity=activity, room=a, title="Mover")
    sitter = SessionFactory(activity=activity, room=b, start=at(activity.start_date, 14))
    response = _move(staff, activity, session=s1.code, day="2027-04-14", time="14:30", room=b.pk)
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert data["session"]["start"] == "14:30"
    assert data["session"]["end"] == "15:30"
    assert data["session"]["room"] == b.pk
    assert [w["kind"] for w in data["warnings"]] == ["room"]
    assert sorted(data["warnings"][0]["sessions"]) == sorted([s1.code, sitter.code])
    s1.refresh_from_db()
    assert (s1.room, s1.start) == (b, at(activity.start_date, 14, 30))
    entry = AuditEntry.objects.for_activity(activity.pk).get()
    assert (entry.action, entry.actor) == ("session.updated", admin_user)


def test_grid_move_rejects_bad_input_and_changes_nothing(staff, activity):
    s = SessionFactory(activity=activity)
    foreign_room = RoomFactory()
    response = _move(staff, activity, session=s.code, day="2027-04-14", time="25:00", room=None)
    assert response.status_code == 400
    assert "time" in response.json()["errors"]
    response = _move(
        staff, activity, session=s.code, day="2027-04-14", time="10:00", room=foreign_room.pk
    )
    assert response.status_code == 400
    assert "room" in response.json()["errors"]
    response = staff.post(url("grid_move", activity), "[]", content_type="application/json")
    assert response.status_code == 400
    assert (
        _move(staff, activity, session="NOPE22", day="2027-04-14", time="10:00").status_code == 404
    )
    before = s.start
    s.refresh_from_db()
    assert s.start == before
    assert not AuditEntry.objects.for_activity(activity.pk).exists()


def test_grid_move_places_an_unscheduled_session(staff, activity):
    room = RoomFactory(activity=activity)
    s = SessionFactory(activity=activity, start=None, end=None, room=None)
    response = _move(staff, activity, session=s.code, day="2027-04-15", time="08:15", room=room.pk)
    assert response.status_code == 400
    assert response.json()["errors"]["minutes"]
    response = _move(
        staff, activity, session=s.code, day="2027-04-15", time="08:15", room=room.pk, minutes=45
    )
    assert response.status_code == 200
    s.refresh_from_db()
    assert (s.start, s.end) == (at(dt.date(2027, 4, 15), 8, 15), at(dt.date(2027, 4, 15), 9))


def test_move_form_fallback(staff, activity):
    room = RoomFactory(activity=activity, name="Annex")
    s = SessionFactory(activity=activity)
    page = staff.get(url("grid_move_form", activity, s.code))
    assert page.context["form"].initial["time"] == dt.time(9, 0)
    assert "minutes" not in page.context["form"].fields
    response = staff.post(
        url("grid_move_form", activity, s.code),
        {"day": "2027-04-16", "time": "16:00", "room": room.pk},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?day=2027-04-16#session-{s.code}")
    s.refresh_from_db()
    assert (s.start, s.room) == (at(dt.date(2027, 4, 16), 16), room)
    response = staff.post(url("grid_move_form", activity, s.code), {"day": "", "time": "16:00"})
    assert response.status_code == 400
    assert response.context["form"].errors["day"] == ["This field is required."]


# Audit trail


def test_audit_lists_newest_first_with_before_and_after(staff, activity, admin_user):
    activity_services.update_activity(activity, by=admin_user, title="Renamed")
    s = SessionFactory(activity=activity)
    from cmeconf.activities.services import program

    program.delete_session(s, by=admin_user)
    response = staff.get(url("audit", activity))
    rows = response.context["rows"]
    assert [r["entry"].action for r in rows] == ["session.deleted", "activity.updated"]
    assert ("title", "Annual Meeting 2027", "Renamed") in rows[1]["changes"]
    html = response.content.decode()
    assert "Renamed" in html and "Annual Meeting 2027" in html
    assert admin_user.display_name in html
    filtered = staff.get(url("audit", activity), {"action": "activity.updated"})
    assert [r["entry"].action for r in filtered.context["rows"]] == ["activity.updated"]


def test_audit_shows_only_this_activity(staff, activity, provider, admin_user):
    other = ActivityFactory(provider=provider)
    activity_services.update_activity(
        other, by=admin_user, title="Secret rename", reason="Sponsor asked"
    )
    html = staff.get(url("audit", activity)).content.decode()
    assert "Secret rename" not in html


def test_audit_is_paginated(staff, activity):
    for i in range(55):
        audit.record("note.added", actor=None, activity_id=activity.pk, after={"n": i})
    first = staff.get(url("audit", activity))
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0]["entry"].after == {"n": 54}
    second = staff.get(url("audit", activity), {"page": 2})
    assert len(second.context["rows"]) == 5


def test_audit_has_no_n_plus_one(staff, activity, admin_user, django_assert_num_queries):
    activity_services.update_activity(activity, by=admin_user, title="One")

    def more():
        activity_services.update_activity(activity, by=admin_user, title="Two")
        activity_services.update_activity(activity, by=admin_user, title="Three")

    assert_same_queries(staff, url("audit", activity), more, django_assert_num_queries)


def test_audit_page_cannot_change_anything(staff, activity):
    assert staff.post(url("audit", activity)).status_code == 405
    assert not AuditEntry.objects.exists()
