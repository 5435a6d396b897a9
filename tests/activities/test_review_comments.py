"""Review comments on the planning record, and the Planning tab and dashboard around them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import ReviewComment
from cmeconf.activities.services import planning_review
from cmeconf.common.models import AuditEntry
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    UserFactory,
)


@pytest.fixture
def planning(provider):
    return ActivityFactory(provider=provider, slug="annual-2027", state=ActivityState.PLANNING)


def _url(activity, name: str, *args) -> str:
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


def test_comment_keeps_author_state_and_time_and_is_audited(planning, admin_user):
    comment = planning_review.add_comment(planning, by=admin_user, body="  Name the sources.  ")
    assert comment.body == "Name the sources."
    assert comment.author == admin_user
    assert comment.activity_state == "planning"
    assert comment.created is not None and comment.resolved_at is None
    entry = AuditEntry.objects.get(action="review.comment_added")
    assert entry.activity_id == planning.pk and entry.after == {"body": "Name the sources."}


def test_no_comment_on_a_draft_nor_an_empty_one(provider, planning, admin_user):
    draft = ActivityFactory(provider=provider, state=ActivityState.DRAFT)
    with pytest.raises(ValidationError, match="still a draft"):
        planning_review.add_comment(draft, by=admin_user, body="Too early")
    with pytest.raises(ValidationError) as exc:
        planning_review.add_comment(planning, by=admin_user, body="   ")
    assert exc.value.message_dict == {"body": ["Write the comment first."]}
    assert not ReviewComment.objects.exists()


@pytest.mark.parametrize("state", ["in_review", "approved", "published", "completed", "closed"])
def test_comments_stay_possible_after_planning(provider, admin_user, state):
    activity = ActivityFactory(provider=provider, state=state)
    assert planning_review.add_comment(activity, by=admin_user, body="Ok").activity_state == state


def test_resolve_once(planning, admin_user):
    comment = planning_review.add_comment(planning, by=admin_user, body="Fix the gap.")
    resolved = planning_review.resolve_comment(comment, by=admin_user)
    assert resolved.resolved_by == admin_user and resolved.resolved_at is not None
    assert AuditEntry.objects.filter(action="review.comment_resolved").count() == 1
    with pytest.raises(ValidationError, match="already resolved"):
        planning_review.resolve_comment(comment, by=admin_user)


# Pages


def _member(provider, *perms):
    person = UserFactory()
    TeamFactory(provider=provider, permissions=list(perms), members=[person])
    return person


@pytest.mark.parametrize("perm", ["program", "review"])
def test_planners_and_reviewers_comment_and_resolve(client, provider, planning, perm):
    person = _member(provider, perm)
    client.force_login(person)
    response = client.post(_url(planning, "planning_comment_add"), {"body": "Name the sources."})
    assert response.status_code == 302
    assert response["Location"].endswith("/planning/#comments")
    comment = ReviewComment.objects.get()
    assert (comment.author, comment.body) == (person, "Name the sources.")
    html = client.get(_url(planning, "planning")).content.decode()
    assert "Name the sources." in html and "Mark resolved" in html
    response = client.post(_url(planning, "planning_comment_resolve", comment.pk))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_by == person
    assert "Mark resolved" not in client.get(_url(planning, "planning")).content.decode()


def test_empty_comment_shows_the_error_and_saves_nothing(client, provider, planning):
    client.force_login(_member(provider, "review"))
    response = client.post(_url(planning, "planning_comment_add"), {"body": ""})
    assert response.status_code == 400
    assert response.context["comment_form"].errors["body"] == ["Write the comment first."]
    assert not ReviewComment.objects.exists()


def test_comment_on_a_draft_is_refused_on_the_form(client, provider, admin_user):
    draft = ActivityFactory(provider=provider, state=ActivityState.DRAFT)
    client.force_login(admin_user)
    html = client.get(_url(draft, "planning")).content.decode()
    assert "Comments open when planning starts." in html
    response = client.post(_url(draft, "planning_comment_add"), {"body": "Early thought"})
    assert response.status_code == 400
    assert response.context["comment_form"]["body"].value() == "Early thought"
    assert not ReviewComment.objects.exists()


def test_team_without_program_or_review_may_read_but_not_comment(client, provider, planning):
    planning_review.add_comment(planning, by=_member(provider, "review"), body="Visible note")
    client.force_login(_member(provider, "credit"))
    html = client.get(_url(planning, "planning")).content.decode()
    assert "Visible note" in html
    assert "Add comment" not in html and "Mark resolved" not in html
    comment = ReviewComment.objects.get()
    assert client.post(_url(planning, "planning_comment_add"), {"body": "x"}).status_code == 403
    response = client.post(_url(planning, "planning_comment_resolve", comment.pk))
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.resolved_at is None and ReviewComment.objects.count() == 1


def test_member_of_another_provider_gets_404(client, planning):
    other = ProviderFactory()
    outsider = UserFactory()
    TeamFactory(provider=other, members=[outsider])
    comment = planning_review.add_comment(planning, by=UserFactory(), body="Internal")
    client.force_login(outsider)
    assert client.post(_url(planning, "planning_comment_add"), {"body": "x"}).status_code == 404
    response = client.post(_url(planning, "planning_comment_resolve", comment.pk))
    assert response.status_code == 404
    assert ReviewComment.objects.count() == 1


def test_comment_of_another_activity_is_not_found(client, provider, planning, admin_user):
    sibling = ActivityFactory(provider=provider, state=ActivityState.PLANNING)
    comment = planning_review.add_comment(sibling, by=admin_user, body="Elsewhere")
    client.force_login(admin_user)
    response = client.post(_url(planning, "planning_comment_resolve", comment.pk))
    assert response.status_code == 404
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_dashboard_counts_clearance_problems_and_links_the_checklist(client, provider, admin_user):
    activity = ActivityFactory(provider=provider, state=ActivityState.IN_REVIEW)
    for n in range(4):  # four speakers without a disclosure: four lines from the gate
        SessionFacultyFactory(
            session=SessionFactory(
                activity=activity,
                start=dt.datetime(2027, 4, 14, 9 + n, tzinfo=activity.tz),
                end=dt.datetime(2027, 4, 14, 10 + n, tzinfo=activity.tz),
            ),
            person=UserFactory(first_name="Speaker", last_name=f"Number{n}"),
        )
    client.force_login(admin_user)
    response = client.get(_url(activity, "activity"))
    approve = next(s for s in response.context["steps"] if s["transition"].name == "approve")
    assert approve["other_blockers"] == 4
    assert approve["checklist_open"] == 1  # the disclosures item
    html = response.content.decode()
    assert "Number0" not in html  # no line per person any more
    assert "4 problems with disclosures, review or support." in html
    assert _url(activity, "planning") + "#checklist" in html


def test_planning_tab_has_no_query_per_comment_or_amendment(
    client, provider, admin_user, django_assert_num_queries
):
    from cmeconf.activities.services import program
    from tests.activities.test_staff_views import assert_same_queries

    activity = ActivityFactory(provider=provider, state=ActivityState.APPROVED)

    def one_of_each(n):
        author = UserFactory()
        comment = planning_review.add_comment(activity, by=author, body=f"Comment {n}")
        planning_review.resolve_comment(comment, by=UserFactory())
        program.create_room(activity, by=UserFactory(), name=f"Room {n}", reason=f"Reason {n}")

    one_of_each(1)
    client.force_login(admin_user)
    assert_same_queries(
        client,
        _url(activity, "planning"),
        lambda: [one_of_each(2), one_of_each(3)],
        django_assert_num_queries,
    )
    html = client.get(_url(activity, "planning")).content.decode()
    assert "Comment 3" in html and "Reason 3" in html and "Room “Room 3” added" in html
