import datetime as dt

import pytest

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import Activity, LearningObjective, PlanningRecord
from cmeconf.common.models import AuditEntry
from tests.factories import ActivityFactory, SessionFactory, TeamFactory, UserFactory

LIST = "/api/v1/providers/acp/activities/"

# The activity is published: each write is an amendment and gives its reason.
REASON = "Rescheduled"


def test_public_sees_public_activities_only(api, provider, activity):
    ActivityFactory(provider=provider, slug="draft-one", state=ActivityState.DRAFT)
    ActivityFactory(provider=provider, slug="closed-one", state=ActivityState.CLOSED)
    ActivityFactory(slug="elsewhere")  # another provider's
    data = api.get(LIST).json()
    assert data["count"] == 2
    assert {a["slug"] for a in data["results"]} == {"annual-2027", "closed-one"}
    first = next(a for a in data["results"] if a["slug"] == "annual-2027")
    assert first == {
        "slug": "annual-2027",
        "title": "Annual Meeting 2027",
        "kind": "conference",
        "start_date": "2027-04-14",
        "end_date": "2027-04-16",
        "time_zone": "America/New_York",
        "delivery": "in_person",
        "state": "published",
        "public_url": "http://testserver/acp/annual-2027/",
    }


def test_staff_see_their_activities_in_any_state(staff_api, provider, activity):
    ActivityFactory(provider=provider, slug="draft-one", state=ActivityState.DRAFT)
    data = staff_api.get(LIST).json()
    states = {a["slug"]: (a["state"], a["public_url"]) for a in data["results"]}
    assert states["draft-one"] == ("draft", None)
    assert states["annual-2027"][0] == "published"


def test_limited_team_sees_its_draft_and_public_ones_only(api, provider, activity):
    mine = ActivityFactory(provider=provider, slug="mine", state=ActivityState.DRAFT)
    ActivityFactory(provider=provider, slug="not-mine", state=ActivityState.DRAFT)
    user = UserFactory()
    TeamFactory(provider=provider, all_activities=False, activities=[mine], members=[user])
    api.force_login(user)
    slugs = {a["slug"] for a in api.get(LIST).json()["results"]}
    assert slugs == {"mine", "annual-2027"}


@pytest.mark.parametrize("n", [1, 3])
def test_activity_list_queries_do_not_grow(staff_api, provider, django_assert_num_queries, n):
    for _ in range(n):
        ActivityFactory(provider=provider, state=ActivityState.DRAFT)
    # session, user, two-factor device, provider, membership, all-activities team, count, page
    with django_assert_num_queries(8):
        assert staff_api.get(LIST).json()["count"] == n


def test_create_activity_through_the_service(staff_api, provider, admin_user):
    body = {
        "slug": "winter-2028",
        "title": "Winter Update 2028",
        "kind": "course",
        "start_date": "2028-01-20",
        "end_date": "2028-01-21",
        "time_zone": "America/Chicago",
        "target_professions": ["physician", "nurse"],
    }
    response = staff_api.post(LIST, body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["state"] == "draft"
    assert data["target_professions"] == ["physician", "nurse"]
    assert data["public_url"] is None
    assert data["transitions"] == [
        {
            "name": "start_planning",
            "label": "Start planning",
            "permission": "program",
            "allowed": True,
            "blockers": [],
        }
    ]
    activity = Activity.objects.get(provider=provider, slug="winter-2028")
    assert activity.time_zone == "America/Chicago"
    assert PlanningRecord.objects.filter(activity=activity).exists()
    entry = AuditEntry.objects.get(action="activity.created", activity_id=activity.pk)
    assert entry.actor == admin_user


def test_create_refuses_end_before_start_and_saves_nothing(staff_api):
    body = {"reason": REASON, "slug": "x", "title": "X", "kind": "course"}
    response = staff_api.post(
        LIST, body | {"start_date": "2028-01-20", "end_date": "2028-01-19"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The last day cannot be before the first day."]}
    assert not Activity.objects.filter(slug="x").exists()


def test_create_reports_each_bad_field(staff_api, activity):
    response = staff_api.post(
        LIST,
        {
            "slug": activity.slug,
            "title": "",
            "kind": "festival",
            "start_date": "2028-01-20",
            "end_date": "2028-01-20",
            "time_zone": "Mars/Olympus",
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["title"] == ["This field may not be blank."]
    assert errors["kind"] == ['"festival" is not a valid choice.']
    assert errors["time_zone"] == ["Mars/Olympus is not a known time zone."]


def test_duplicate_slug_is_refused_by_the_service(staff_api, activity):
    response = staff_api.post(
        LIST,
        {
            "slug": activity.slug,
            "title": "Again",
            "kind": "course",
            "start_date": "2028-01-20",
            "end_date": "2028-01-20",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Activity.objects.filter(slug=activity.slug).count() == 1


def test_retrieve_shows_public_no_permissions(api, base):
    data = api.get(f"{base}/").json()
    assert data["title"] == "Annual Meeting 2027"
    assert data["permissions"] == []
    assert data["transitions"] == []


def test_patch_activity_audits_and_bumps_the_program(staff_api, base, activity):
    version = activity.program_version
    response = staff_api.patch(
        f"{base}/",
        {"title": "Annual Meeting", "venue_name": "Hall 3", "reason": REASON},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Annual Meeting"
    activity.refresh_from_db()
    assert (activity.title, activity.venue_name) == ("Annual Meeting", "Hall 3")
    assert activity.program_version == version + 1
    entry = AuditEntry.objects.get(action="activity.updated")
    assert entry.after == {"title": "Annual Meeting", "venue_name": "Hall 3"}


def test_patch_end_date_before_existing_start(staff_api, base, activity):
    response = staff_api.patch(
        f"{base}/", {"reason": REASON, "end_date": "2027-04-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The last day cannot be before the first day."]}
    activity.refresh_from_db()
    assert activity.end_date == dt.date(2027, 4, 16)


def test_put_is_not_offered(staff_api, base):
    response = staff_api.put(f"{base}/", {"title": "X"}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.'}


def test_form_encoded_requests_are_refused(staff_api, base, activity):
    response = staff_api.patch(
        f"{base}/", "title=X", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    activity.refresh_from_db()
    assert activity.title == "Annual Meeting 2027"


def test_transition_with_blockers_says_why(staff_api, provider):
    ActivityFactory(provider=provider, slug="plan", state=ActivityState.PLANNING)
    url = "/api/v1/providers/acp/activities/plan/transitions/submit_for_review/"
    response = staff_api.post(url, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "This step cannot be taken yet.",
        "blockers": [
            "Describe the professional practice gap.",
            "Name at least one source of the practice gap.",
            "Say which educational need underlies the gap.",
            "Say what the activity is designed to change.",
            "Add at least one learning objective.",
            "Say how the activity will analyse the change it was designed for.",
            "Add the program's sessions before review.",
            "Name at least one planner or course director.",
        ],
    }
    assert Activity.objects.get(slug="plan").state == "planning"


def test_transition_from_wrong_state(staff_api, base):
    response = staff_api.post(f"{base}/transitions/start_planning/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["blockers"] == [
        "The activity is Published; this step needs it to be Draft."
    ]


def test_transition_takes_the_step_and_audits_the_note(staff_api, provider):
    act = ActivityFactory(provider=provider, slug="ok", state=ActivityState.APPROVED)
    SessionFactory(activity=act)
    url = "/api/v1/providers/acp/activities/ok/transitions/publish/"
    response = staff_api.post(url, {"note": "Go"}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "published"
    assert data["published_at"] is not None
    assert data["public_url"] == "http://testserver/acp/ok/"
    entry = AuditEntry.objects.get(action="activity.publish")
    assert (entry.before, entry.after, entry.note) == (
        {"state": "approved"},
        {"state": "published"},
        "Go",
    )


def test_transition_needs_the_steps_permission(api, provider):
    act = ActivityFactory(provider=provider, slug="rev", state=ActivityState.IN_REVIEW)
    planner = UserFactory()
    TeamFactory(provider=provider, permissions=["program"], members=[planner])
    api.force_login(planner)
    response = api.post(
        "/api/v1/providers/acp/activities/rev/transitions/approve/", {}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not do this for this activity."}
    act.refresh_from_db()
    assert act.state == "in_review"


def test_planning_record_read_and_patch_with_objectives(staff_api, base, activity):
    body = {
        "practice_gap": "Statins are under-prescribed after MI.",
        "gap_sources": ["guidelines", "quality_data"],
        "educational_needs": ["competence"],
        "intended_change": ["performance"],
        "objectives": ["Prescribe high-intensity statins", "  ", "Explain the evidence"],
        "reason": REASON,
    }
    response = staff_api.patch(f"{base}/planning/", body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["objectives"] == ["Prescribe high-intensity statins", "Explain the evidence"]
    assert data["gap_sources"] == ["guidelines", "quality_data"]
    assert staff_api.get(f"{base}/planning/").json()["practice_gap"] == body["practice_gap"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"planning.updated", "objectives.updated"} <= actions


def test_planning_patch_is_all_or_nothing(staff_api, base, activity):
    LearningObjective.objects.create(activity=activity, text="Keep me", order=0)
    body = {"reason": REASON, "practice_gap": "Changed", "objectives": ["x" * 501]}
    response = staff_api.patch(f"{base}/planning/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"objectives": ["Keep each objective under 500 characters."]}
    activity.planning.refresh_from_db()
    assert activity.planning.practice_gap == ""
    assert list(activity.objectives.values_list("text", flat=True)) == ["Keep me"]
    assert not AuditEntry.objects.filter(action="planning.updated").exists()


def test_planning_refuses_unknown_vocabulary(staff_api, base):
    response = staff_api.patch(
        f"{base}/planning/", {"reason": REASON, "gap_sources": ["rumour"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"gap_sources": {"0": ['"rumour" is not a valid choice.']}}


def test_unknown_or_read_only_fields_are_refused_not_ignored(staff_api, base, provider):
    draft = ActivityFactory(
        provider=provider, slug="draft", title="Draft meeting", state=ActivityState.DRAFT
    )
    response = staff_api.patch(
        "/api/v1/providers/acp/activities/draft/",
        {"reason": REASON, "title": "Published?", "state": "published", "kind": "gala"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "kind": ['"gala" is not a valid choice.'],
        "state": ["There is no such field here, or it cannot be changed here."],
    }
    draft.refresh_from_db()
    assert (draft.state, draft.title) == ("draft", "Draft meeting")
    planning = staff_api.patch(
        f"{base}/planning/", {"reason": REASON, "updated": "2020-01-01"}, format="json"
    )
    assert planning.json() == {
        "updated": ["There is no such field here, or it cannot be changed here."]
    }
