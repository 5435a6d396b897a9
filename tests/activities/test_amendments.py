"""After approval every change to the planning record and program is an amendment."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import Amendment, PlanningRole, Room, Session
from cmeconf.activities.services import activities as svc
from cmeconf.activities.services import planning_review, program
from cmeconf.common.models import AuditEntry
from tests.factories import (
    ActivityFactory,
    RoomFactory,
    SessionFactory,
    SessionFacultyFactory,
    TrackFactory,
    UserFactory,
    at,
)

REASON = "The faculty member fell ill."


@pytest.fixture
def approved(provider):
    return ActivityFactory(provider=provider, slug="annual-2027", state=ActivityState.APPROVED)


@pytest.fixture
def planning(provider):
    return ActivityFactory(provider=provider, slug="plan-2027", state=ActivityState.PLANNING)


@pytest.mark.parametrize(
    ("state", "required"),
    [
        ("draft", False),
        ("planning", False),
        ("in_review", False),
        ("approved", True),
        ("published", True),
        ("completed", True),
        ("closed", False),
    ],
)
def test_amendment_required_from_approval_until_completed(provider, state, required):
    assert planning_review.amendment_required(ActivityFactory(provider=provider, state=state)) is (
        required
    )


def test_before_approval_the_reason_is_optional_and_nothing_is_an_amendment(planning, admin_user):
    svc.update_planning_record(planning, by=admin_user, practice_gap="Gap")
    program.create_room(planning, by=admin_user, name="Hall A", reason="First room")
    assert not Amendment.objects.exists()
    entry = AuditEntry.objects.for_activity(planning.pk).get(action="room.created")
    assert entry.note == "First room"


def test_planning_change_after_approval_needs_a_reason_and_saves_nothing_without(
    approved, admin_user
):
    with pytest.raises(ValidationError) as exc:
        svc.update_planning_record(approved, by=admin_user, practice_gap="A new gap")
    assert exc.value.message_dict == {
        "reason": [
            "This activity is approved: give the reason for this change; it is kept as an "
            "amendment."
        ]
    }
    approved.planning.refresh_from_db()
    assert approved.planning.practice_gap == ""
    assert not AuditEntry.objects.for_activity(approved.pk).exists()
    with pytest.raises(ValidationError):
        svc.update_planning_record(approved, by=admin_user, practice_gap="Gap", reason="   ")


def test_planning_change_with_reason_is_kept_as_an_amendment(approved, admin_user):
    svc.update_planning_record(
        approved, by=admin_user, practice_gap="A new gap", evaluation_plan="Survey", reason=REASON
    )
    amendment = Amendment.objects.get()
    assert amendment.activity == approved
    assert amendment.summary == "Planning record changed: practice_gap, evaluation_plan"
    assert amendment.reason == REASON
    assert amendment.made_by == admin_user
    assert amendment.activity_state == "approved"
    assert amendment.changes == {
        "before": {"practice_gap": "", "evaluation_plan": ""},
        "after": {"practice_gap": "A new gap", "evaluation_plan": "Survey"},
    }
    actions = AuditEntry.objects.for_activity(approved.pk).values_list("action", "note")
    assert set(actions) == {("planning.updated", REASON), ("amendment.recorded", "")}


def test_a_change_that_changes_nothing_needs_no_reason(approved, admin_user):
    svc.update_activity(approved, by=admin_user, title=approved.title)
    svc.set_objectives(approved, [], by=admin_user)
    assert not Amendment.objects.exists()


def _calls(activity, user):
    """Every program change a planner can make, as (name, callable taking reason)."""
    room = RoomFactory(activity=activity, name="Hall A")
    track = TrackFactory(activity=activity, name="Cardiology")
    session = SessionFactory(activity=activity, room=room, title="Heart failure")
    link = SessionFacultyFactory(session=session)
    planner = PlanningRole.objects.create(activity=activity, person=UserFactory(), role="planner")
    new_person = UserFactory(first_name="Noor", last_name="Haddad")
    day = activity.start_date
    return [
        ("activity", lambda r: svc.update_activity(activity, by=user, title="New", reason=r)),
        ("objectives", lambda r: svc.set_objectives(activity, ["Treat"], by=user, reason=r)),
        ("room+", lambda r: program.create_room(activity, by=user, name="Annex", reason=r)),
        ("room~", lambda r: program.update_room(room, by=user, capacity=10, reason=r)),
        ("track~", lambda r: program.update_track(track, by=user, name="Cardio", reason=r)),
        (
            "session+",
            lambda r: program.create_session(
                activity, by=user, title="New talk", format="lecture", reason=r
            ),
        ),
        ("session~", lambda r: program.update_session(session, by=user, title="HF", reason=r)),
        (
            "move",
            lambda r: program.move_session(
                session, by=user, start=at(day, 14), room=room, reason=r
            ),
        ),
        ("faculty+", lambda r: program.add_faculty(session, new_person, by=user, reason=r)),
        ("faculty-", lambda r: program.remove_faculty(link, by=user, reason=r)),
        ("planner+", lambda r: program.add_planner(activity, new_person, by=user, reason=r)),
        ("planner-", lambda r: program.remove_planner(planner, by=user, reason=r)),
        ("track-", lambda r: program.delete_track(track, by=user, reason=r)),
        ("session-", lambda r: program.delete_session(session, by=user, reason=r)),
        ("room-", lambda r: program.delete_room(room, by=user, reason=r)),
    ]


def test_every_program_change_after_approval_needs_a_reason(approved, admin_user):
    for name, call in _calls(approved, admin_user):
        with pytest.raises(ValidationError) as exc:
            call("")
        assert list(exc.value.message_dict) == ["reason"], name
    assert not Amendment.objects.exists()
    assert Room.objects.filter(activity=approved).count() == 1
    assert Session.objects.filter(activity=approved, title="Heart failure").exists()


def test_every_program_change_with_a_reason_is_an_amendment(approved, admin_user):
    calls = _calls(approved, admin_user)
    for _name, call in calls:
        call(REASON)
    summaries = list(Amendment.objects.order_by("id").values_list("summary", flat=True))
    assert len(summaries) == len(calls)
    assert summaries[:4] == [
        "Activity details changed: title",
        "Learning objectives changed",
        "Room “Annex” added",
        "Room “Hall A” changed: capacity",
    ]
    assert "Session “HF” changed: start, end" in summaries  # the move
    assert "Noor Haddad added to “HF” as Speaker" in summaries
    assert summaries[-1] == "Room “Hall A” removed"
    assert set(Amendment.objects.values_list("reason", flat=True)) == {REASON}
    removed = Amendment.objects.order_by("id").last()
    assert removed.changes["after"] is None
    assert removed.changes["before"]["name"] == "Hall A"


def test_record_amendment_refuses_before_approval_and_without_reason(
    planning, approved, admin_user
):
    with pytest.raises(ValidationError, match="not amendments"):
        planning_review.record_amendment(
            planning, by=admin_user, summary="X", reason="Y", changes={}
        )
    with pytest.raises(ValidationError) as exc:
        planning_review.record_amendment(
            approved, by=admin_user, summary="X", reason="", changes={}
        )
    assert list(exc.value.message_dict) == ["reason"]
    amendment = planning_review.record_amendment(
        approved,
        by=admin_user,
        summary="Venue moved",
        reason="Flooding",
        changes={"before": {"day": dt.date(2027, 4, 14)}, "after": {"day": dt.date(2027, 4, 15)}},
    )
    assert amendment.changes == {"before": {"day": "2027-04-14"}, "after": {"day": "2027-04-15"}}
    assert AuditEntry.objects.get(action="amendment.recorded").after == {
        "summary": "Venue moved",
        "reason": "Flooding",
    }


# Staff pages


def _url(activity, name: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


PLANNING_DATA = {
    "practice_gap": "Under-use of SGLT2 inhibitors.",
    "gap_sources": ["literature"],
    "educational_needs": ["knowledge"],
    "intended_change": ["performance"],
    "evaluation_plan": "Chart audit.",
    "objectives": "Start an SGLT2 inhibitor",
}


def test_planning_form_asks_for_a_reason_after_approval_and_keeps_the_input(staff, approved):
    response = staff.get(_url(approved, "planning"))
    assert "Reason for this change" in response.content.decode()
    response = staff.post(_url(approved, "planning"), PLANNING_DATA)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["reason"] == ["Give the reason for this change: the activity is approved."]
    assert form["practice_gap"].value() == "Under-use of SGLT2 inhibitors."
    assert not Amendment.objects.exists()

    response = staff.post(_url(approved, "planning"), PLANNING_DATA | {"reason": REASON})
    assert response.status_code == 302
    assert list(Amendment.objects.order_by("id").values_list("summary", "reason")) == [
        (
            "Planning record changed: practice_gap, gap_sources, educational_needs, "
            "intended_change, evaluation_plan",
            REASON,
        ),
        ("Learning objectives changed", REASON),
    ]
    html = staff.get(_url(approved, "planning")).content.decode()
    assert "Learning objectives changed" in html
    assert REASON in html
    assert "Start an SGLT2 inhibitor" in html  # the "after" of the objectives


def test_planning_form_has_no_reason_before_approval(staff, planning):
    html = staff.get(_url(planning, "planning")).content.decode()
    assert "Reason for this change" not in html
    assert staff.post(_url(planning, "planning"), PLANNING_DATA).status_code == 302


def test_session_delete_button_needs_the_reason(staff, approved):
    session = SessionFactory(activity=approved, title="Heart failure")
    response = staff.post(_url(approved, "session_delete", session.code), follow=True)
    assert Session.objects.filter(pk=session.pk).exists()
    assert "Give the reason for this change: the activity is approved." in [
        str(m) for m in response.context["messages"]
    ]
    page = staff.get(_url(approved, "session_edit", session.code)).content.decode()
    assert 'name="reason"' in page
    staff.post(_url(approved, "session_delete", session.code), {"reason": REASON})
    assert not Session.objects.filter(pk=session.pk).exists()
    assert Amendment.objects.get().summary == "Session “Heart failure” removed"


def test_grid_move_asks_for_the_reason_after_approval(staff, approved):
    room = RoomFactory(activity=approved)
    session = SessionFactory(activity=approved, room=room)
    assert 'id="move-reason"' in staff.get(_url(approved, "grid")).content.decode()
    move = {"session": session.code, "day": "2027-04-14", "time": "11:00", "room": room.pk}
    response = staff.post(_url(approved, "grid_move"), json.dumps(move), "application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["reason"][0]["message"] == (
        "Give the reason for this change: the activity is approved."
    )
    response = staff.post(
        _url(approved, "grid_move"), json.dumps(move | {"reason": REASON}), "application/json"
    )
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.start == at(approved.start_date, 11)
    assert Amendment.objects.get().reason == REASON


def test_grid_has_no_reason_field_before_approval(staff, planning):
    assert 'id="move-reason"' not in staff.get(_url(planning, "grid")).content.decode()


# REST API


@pytest.fixture
def staff_api(admin_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(admin_user)
    return api


def test_api_write_after_approval_needs_the_reason(staff_api, approved):
    session = SessionFactory(activity=approved, title="Heart failure")
    base = f"/api/v1/providers/{approved.provider.slug}/activities/{approved.slug}"
    response = staff_api.patch(f"{base}/sessions/{session.code}/", {"title": "HF"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "reason": [
            "This activity is approved: give the reason for this change; it is kept as an "
            "amendment."
        ]
    }
    response = staff_api.patch(
        f"{base}/sessions/{session.code}/", {"title": "HF", "reason": REASON}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "HF"
    assert "reason" not in response.json()
    response = staff_api.patch(
        f"{base}/planning/", {"objectives": ["Treat"], "reason": REASON}, format="json"
    )
    assert response.status_code == 200
    room = RoomFactory(activity=approved)
    assert staff_api.delete(f"{base}/rooms/{room.pk}/").status_code == 400
    assert staff_api.delete(f"{base}/rooms/{room.pk}/?reason=Closed").status_code == 204
    assert list(Amendment.objects.order_by("id").values_list("summary", "reason")) == [
        ("Session “HF” changed: title", REASON),
        ("Learning objectives changed", REASON),
        (f"Room “{room.name}” removed", "Closed"),
    ]


def test_api_write_before_approval_needs_no_reason(staff_api, planning):
    base = f"/api/v1/providers/{planning.provider.slug}/activities/{planning.slug}"
    response = staff_api.post(f"{base}/rooms/", {"name": "Annex"}, format="json")
    assert response.status_code == 201
    assert not Amendment.objects.exists()
