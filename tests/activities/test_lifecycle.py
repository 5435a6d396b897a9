import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import PlanningRole
from cmeconf.activities.services import activities as svc
from cmeconf.common.models import AuditEntry
from cmeconf.integrity import services as disclosures
from tests.factories import SessionFactory, TeamFactory, UserFactory


@pytest.fixture
def draft(provider, admin_user):
    return svc.create_activity(
        provider,
        by=admin_user,
        slug="fall-2027",
        title="Fall Review Course",
        kind="course",
        start_date=dt.date(2027, 10, 1),
        end_date=dt.date(2027, 10, 2),
        time_zone="America/Chicago",
    )


def _plan(activity, user):
    svc.update_planning_record(
        activity,
        by=user,
        practice_gap="Under-use of SGLT2 inhibitors in heart failure.",
        gap_sources=["guidelines", "quality_data"],
        educational_needs=["competence"],
        intended_change=["performance"],
        evaluation_plan="Chart audit of prescriptions three months after the course.",
    )
    svc.set_objectives(activity, ["Prescribe guideline-directed therapy"], by=user)
    SessionFactory(activity=activity, start=None, end=None, room=None)
    # A named planner, with a disclosure on file so that approval is not gated on it.
    director = UserFactory()
    PlanningRole.objects.create(activity=activity, person=director, role="course_director")
    disclosures.submit_disclosure(director, by=director, attested=True, relationships=[])


def test_created_in_draft_with_audit(draft, admin_user):
    assert draft.state == ActivityState.DRAFT
    entry = AuditEntry.objects.get(action="activity.created")
    assert entry.activity_id == draft.pk and entry.actor == admin_user
    assert entry.after["title"] == "Fall Review Course"


def test_review_needs_a_complete_planning_record(draft, admin_user):
    svc.transition(draft, "start_planning", by=admin_user)
    with pytest.raises(ValidationError) as exc:
        svc.transition(draft, "submit_for_review", by=admin_user)
    messages = exc.value.messages
    assert "Describe the professional practice gap." in messages
    assert "Add at least one learning objective." in messages
    assert "Add the program's sessions before review." in messages
    draft.refresh_from_db()
    assert draft.state == ActivityState.PLANNING


def test_full_lifecycle_each_step_audited(draft, admin_user, monkeypatch):
    _plan(draft, admin_user)
    for step in ("start_planning", "submit_for_review", "approve"):
        svc.transition(draft, step, by=admin_user)
    with pytest.raises(ValidationError, match="Schedule at least one session"):
        svc.transition(draft, "publish", by=admin_user)
    s = draft.sessions.get()
    s.start = dt.datetime(2027, 10, 1, 14, tzinfo=draft.tz)
    s.end = s.start + dt.timedelta(hours=1)
    s.save()
    a = svc.transition(draft, "publish", by=admin_user)
    assert a.state == ActivityState.PUBLISHED and a.published_at is not None
    with pytest.raises(ValidationError, match="only after its last day"):
        svc.transition(a, "complete", by=admin_user)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kw: dt.date(2027, 10, 3))
    svc.transition(a, "complete", by=admin_user)
    a = svc.transition(a, "close", by=admin_user)
    assert a.state == ActivityState.CLOSED
    actions = list(
        AuditEntry.objects.filter(activity_id=a.pk, action__startswith="activity.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "activity.created", "activity.start_planning", "activity.submit_for_review",
        "activity.approve", "activity.publish", "activity.complete", "activity.close",
    ]  # fmt: skip


def test_no_publishing_before_approval(draft, admin_user):
    with pytest.raises(ValidationError, match="needs it to be Approved"):
        svc.transition(draft, "publish", by=admin_user)


def test_approval_needs_the_review_permission(draft, admin_user, provider):
    _plan(draft, admin_user)
    svc.transition(draft, "start_planning", by=admin_user)
    svc.transition(draft, "submit_for_review", by=admin_user)
    planner = UserFactory()
    TeamFactory(provider=provider, name="Planners", permissions=["program"], members=[planner])
    with pytest.raises(PermissionDenied):
        svc.transition(draft, "approve", by=planner)
    draft.refresh_from_db()
    assert draft.state == ActivityState.IN_REVIEW


def test_update_records_before_and_after_and_bumps_version(draft, admin_user):
    version = draft.program_version
    svc.update_activity(draft, by=admin_user, title="Fall Review Course 2027")
    entry = AuditEntry.objects.get(action="activity.updated")
    assert entry.before == {"title": "Fall Review Course"}
    assert entry.after == {"title": "Fall Review Course 2027"}
    assert draft.program_version == version + 1


def test_invalid_activity_is_not_saved(provider, admin_user):
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(
            provider,
            by=admin_user,
            slug="x",
            title="X",
            kind="course",
            start_date=dt.date(2027, 1, 1),
            end_date=dt.date(2027, 1, 2),
            time_zone="Mars/Base",
        )
    assert "time_zone" in exc.value.message_dict
    assert not provider.activities.exists()
    assert not AuditEntry.objects.exists()
