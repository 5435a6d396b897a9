"""The API of the planning file: checklist, review comments, amendments, the activity file."""

from __future__ import annotations

import io
import zipfile

import pytest
from rest_framework.test import APIClient

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import ReviewComment
from cmeconf.activities.services import planning_review
from cmeconf.common.models import AuditEntry
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/providers/acp/activities"


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def member(provider, *perms):
    person = UserFactory()
    TeamFactory(provider=provider, permissions=list(perms), members=[person])
    return person


@pytest.fixture
def planning(provider):
    return ActivityFactory(provider=provider, slug="plan-2027", state=ActivityState.PLANNING)


def test_checklist_lists_items_with_their_sources(planning):
    credit = member(planning.provider, "credit")
    response = client_for(credit).get(f"{BASE}/plan-2027/checklist/")
    assert response.status_code == 200
    items = response.json()
    assert {"key", "label", "source", "done", "detail", "required_for"} == set(items[0])
    by_key = {i["key"]: i for i in items}
    assert {i["required_for"] for i in items} <= {"submit_for_review", "approve", "publish"}
    # Nothing planned yet: the practice gap [C1] is still to do, and says what to do.
    gap = by_key["practice_gap"]
    assert (gap["done"], gap["source"], gap["required_for"]) == (
        False,
        "C1",
        "submit_for_review",
    )
    assert gap["detail"] == "Describe the professional practice gap."


def test_checklist_is_for_the_activitys_teams(provider, planning, activity, learner):
    assert client_for(learner).get(f"{BASE}/plan-2027/checklist/").status_code == 404
    assert client_for(learner).get(f"{BASE}/annual-2027/checklist/").status_code == 403
    assert client_for(None).get(f"{BASE}/annual-2027/checklist/").status_code == 401


def test_comments_are_added_listed_and_resolved(planning):
    reviewer = member(planning.provider, "review")
    program = member(planning.provider, "program")
    response = client_for(reviewer).post(
        f"{BASE}/plan-2027/comments/", {"body": "Name the sources of the gap."}, format="json"
    )
    assert response.status_code == 201, response.content
    comment = response.json()
    assert (comment["activity_state"], comment["resolved"]) == ("planning", False)

    resolved = client_for(program).post(f"{BASE}/plan-2027/comments/{comment['id']}/resolve/")
    assert resolved.status_code == 200
    assert resolved.json()["resolved"] is True
    twice = client_for(program).post(f"{BASE}/plan-2027/comments/{comment['id']}/resolve/")
    assert twice.status_code == 400
    assert twice.json() == {"non_field_errors": ["This comment is already resolved."]}

    listed = client_for(program).get(f"{BASE}/plan-2027/comments/").json()["results"]
    assert [(c["body"], c["resolved"]) for c in listed] == [("Name the sources of the gap.", True)]
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        "review.comment_added",
        "review.comment_resolved",
    ]


def test_comments_refuse_blank_text_and_drafts(provider, planning):
    program = member(provider, "program")
    blank = client_for(program).post(f"{BASE}/plan-2027/comments/", {"body": " "}, format="json")
    assert blank.status_code == 400
    assert blank.json() == {"body": ["Write the comment first."]}
    ActivityFactory(provider=provider, slug="draft-2027", state=ActivityState.DRAFT)
    draft = client_for(program).post(f"{BASE}/draft-2027/comments/", {"body": "Hi"}, format="json")
    assert draft.status_code == 400
    assert not ReviewComment.objects.exists()


def test_comments_need_program_or_review(planning):
    registration = member(planning.provider, "registration")
    assert client_for(registration).get(f"{BASE}/plan-2027/comments/").status_code == 403
    response = client_for(registration).post(
        f"{BASE}/plan-2027/comments/", {"body": "Hi"}, format="json"
    )
    assert response.status_code == 403
    outsider = member(ProviderFactory(slug="bsoc"), "program", "review")
    assert client_for(outsider).get(f"{BASE}/plan-2027/comments/").status_code == 404


def test_amendments_are_listed_newest_first(activity):
    program = member(activity.provider, "program")
    for reason in ("Speaker ill.", "Room flooded."):
        planning_review.record_amendment(
            activity, by=program, summary="Session moved", reason=reason,
            changes={"before": {"room": 1}, "after": {"room": 2}},
        )  # fmt: skip
    credit = member(activity.provider, "credit")
    body = client_for(credit).get(f"{BASE}/annual-2027/amendments/").json()
    assert [(a["reason"], a["activity_state"]) for a in body["results"]] == [
        ("Room flooded.", "published"),
        ("Speaker ill.", "published"),
    ]
    assert body["results"][0]["changes"] == {"before": {"room": 1}, "after": {"room": 2}}
    assert client_for(UserFactory()).get(f"{BASE}/annual-2027/amendments/").status_code == 403


def test_activity_file_is_a_zip_and_its_download_is_audited(activity):
    reports = member(activity.provider, "reports")
    response = client_for(reports).get(f"{BASE}/annual-2027/activity-file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="acp-annual-2027-')
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "summary.pdf" in names
    assert "disclosures.csv" in names
    entry = AuditEntry.objects.get(action="activity.file_exported")
    assert (entry.actor, entry.after["format"]) == (reports, "zip")


def test_activity_file_needs_reports_or_review(provider, activity):
    program = member(provider, "program")
    assert client_for(program).get(f"{BASE}/annual-2027/activity-file/").status_code == 403
    assert client_for(UserFactory()).get(f"{BASE}/annual-2027/activity-file/").status_code == 403
    outsider = member(ProviderFactory(slug="bsoc"), "reports")
    ActivityFactory(provider=provider, slug="draft-2027", state=ActivityState.DRAFT)
    assert client_for(outsider).get(f"{BASE}/draft-2027/activity-file/").status_code == 404
    assert not AuditEntry.objects.filter(action="activity.file_exported").exists()


def test_responses_match_the_committed_schema(planning):
    import yaml

    from tests.api.test_schema import COMMITTED, _check

    openapi = yaml.safe_load(COMMITTED.read_text())
    reviewer = member(planning.provider, "review")
    api = client_for(reviewer)
    p = "/api/v1/providers/{provider}/activities/{activity}"
    comment = api.post(f"{BASE}/plan-2027/comments/", {"body": "Gap?"}, format="json")
    checks = [
        (comment, f"{p}/comments/", "post"),
        (api.get(f"{BASE}/plan-2027/comments/"), f"{p}/comments/", "get"),
        (api.post(f"{BASE}/plan-2027/comments/{comment.json()['id']}/resolve/"),
         f"{p}/comments/{{comment}}/resolve/", "post"),
        (api.get(f"{BASE}/plan-2027/amendments/"), f"{p}/amendments/", "get"),
        (api.get(f"{BASE}/plan-2027/checklist/"), f"{p}/checklist/", "get"),
    ]  # fmt: skip
    for response, path, method in checks:
        _check(openapi, response, path, method)
