"""Conflict-of-interest review: relevance, mitigation, owner/employee exceptions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmeconf.common.models import AuditEntry
from cmeconf.integrity import review, services
from cmeconf.integrity.models import IneligibleCompany
from tests.factories import ActivityFactory, TeamFactory, UserFactory


@pytest.fixture
def reviewer(provider):
    person = UserFactory(email="coi@example.org")
    TeamFactory(provider=provider, name="COI review", permissions=["review"], members=[person])
    return person


@pytest.fixture
def company(db):
    return IneligibleCompany.objects.create(
        name="Oncopharm", key="oncopharm", kind="pharmaceutical"
    )


def _disclose(person, company, nature="consultant"):
    d = services.submit_disclosure(
        person,
        by=person,
        attested=True,
        relationships=[
            {
                "company": company,
                "nature": nature,
                "start_date": dt.date(2024, 1, 1),
                "end_date": None,
            }
        ],
    )
    return d.relationships.get()


def test_relevant_relationship_is_unmitigated_until_documented(activity, reviewer, company):
    rel = _disclose(UserFactory(), company)
    decision = review.decide_relevance(
        activity, rel, reviewer=reviewer, relevant=True, reason="Talk on the company's drug class."
    )
    assert review.status(decision, list(decision.mitigations.all())) == review.Status.UNMITIGATED
    review.mitigate(
        decision,
        by=reviewer,
        method="peer_review_content",
        peer_name="Dr. Grace Lee",
        peer_review_date=dt.date(2027, 3, 1),
    )
    latest = review.latest_decisions(activity, [rel])[rel.pk]
    assert review.status(latest, list(latest.mitigations.all())) == review.Status.MITIGATED
    actions = list(
        AuditEntry.objects.filter(activity_id=activity.pk).values_list("action", flat=True)
    )
    assert sorted(actions) == ["coi.mitigated", "coi.relevance_decided"]


def test_peer_review_needs_the_peer_and_the_date(activity, reviewer, company):
    decision = review.decide_relevance(
        activity, _disclose(UserFactory(), company), reviewer=reviewer, relevant=True, reason="r"
    )
    with pytest.raises(ValidationError) as exc:
        review.mitigate(decision, by=reviewer, method="peer_review_content")
    assert exc.value.message_dict == {
        "peer_name": ["Name the peer who reviewed."],
        "peer_review_date": ["Give the date of the peer review."],
    }
    assert not decision.mitigations.exists()


def test_not_relevant_needs_no_mitigation_and_a_reason(activity, reviewer, company):
    rel = _disclose(UserFactory(), company)
    with pytest.raises(ValidationError, match="Give the reason"):
        review.decide_relevance(activity, rel, reviewer=reviewer, relevant=False, reason=" ")
    decision = review.decide_relevance(
        activity, rel, reviewer=reviewer, relevant=False, reason="Different organ system."
    )
    assert review.status(decision, []) == review.Status.NOT_RELEVANT
    with pytest.raises(ValidationError, match="Only a relevant relationship"):
        review.mitigate(decision, by=reviewer, method="attest")


def test_only_reviewers_and_never_of_themselves(activity, reviewer, company, admin_user):
    planner = UserFactory()
    TeamFactory(provider=activity.provider, permissions=["program"], members=[planner])
    rel = _disclose(UserFactory(), company)
    with pytest.raises(PermissionDenied):
        review.decide_relevance(activity, rel, reviewer=planner, relevant=True, reason="r")
    own = _disclose(reviewer, company)
    with pytest.raises(PermissionDenied, match="their own"):
        review.decide_relevance(activity, own, reviewer=reviewer, relevant=False, reason="r")


def test_worked_example_15_employee_on_research_ethics_is_allowed_by_exception(
    activity, reviewer, company
):
    employee = _disclose(UserFactory(), company, nature="employee")
    record = review.record_exception(
        activity,
        employee,
        reviewer=reviewer,
        exception="unrelated",
        reason="Teaches research ethics, unrelated to the employer's oncology line.",
    )
    assert record.get_exception_display().startswith("The content is not related")
    person = employee.disclosure.person
    role_start = activity.start_date
    assert services.role_blockers(person, role_start, activity=activity) == []
    other_activity = ActivityFactory(provider=activity.provider)
    assert (
        "Employee of Oncopharm"
        in services.role_blockers(person, role_start, activity=other_activity)[0]
    )
    consultant = _disclose(UserFactory(), company)
    with pytest.raises(ValidationError, match="only to owners and employees"):
        review.record_exception(
            activity, consultant, reviewer=reviewer, exception="unrelated", reason="r"
        )
