"""No approval or publication while anyone in control of content is not cleared."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.services import activities as activity_services
from cmeconf.integrity import gate, review, services
from cmeconf.integrity.models import IneligibleCompany
from tests.factories import (
    ActivityFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    UserFactory,
)


@pytest.fixture
def in_review(provider):
    return ActivityFactory(provider=provider, state=ActivityState.IN_REVIEW)


@pytest.fixture
def reviewer(provider):
    person = UserFactory()
    TeamFactory(provider=provider, name="COI", permissions=["review"], members=[person])
    return person


@pytest.fixture
def company(db):
    return IneligibleCompany.objects.create(
        name="Cardiopharm", key="cardiopharm", kind="pharmaceutical"
    )


def _speaker(activity, first_name="Ada", last_name="Okafor"):
    person = UserFactory(first_name=first_name, last_name=last_name)
    SessionFacultyFactory(session=SessionFactory(activity=activity), person=person)
    return person


def _disclose(person, company=None, nature="consultant"):
    rels = []
    if company:
        rels = [
            {
                "company": company,
                "nature": nature,
                "start_date": dt.date(2025, 1, 1),
                "end_date": None,
            }
        ]
    d = services.submit_disclosure(person, by=person, attested=True, relationships=rels)
    return d.relationships.first()


def test_no_approval_without_disclosures(in_review, reviewer):
    _speaker(in_review)
    with pytest.raises(ValidationError) as exc:
        activity_services.transition(in_review, "approve", by=reviewer)
    assert exc.value.messages == [
        "Ada Okafor: No disclosure on file: everyone in control of content must disclose first."
    ]
    in_review.refresh_from_db()
    assert in_review.state == ActivityState.IN_REVIEW


def test_relationships_must_be_reviewed_and_relevant_ones_mitigated(in_review, reviewer, company):
    rel = _disclose(_speaker(in_review), company)
    assert gate.clearance_problems(in_review) == [
        "Ada Okafor: the relationship with Cardiopharm has not been reviewed."
    ]
    decision = review.decide_relevance(
        in_review, rel, reviewer=reviewer, relevant=True, reason="Talk on its statin."
    )
    assert gate.clearance_problems(in_review) == [
        "Ada Okafor: the relevant relationship with Cardiopharm is not mitigated."
    ]
    review.mitigate(decision, by=reviewer, method="attest")
    approved = activity_services.transition(in_review, "approve", by=reviewer)
    assert approved.state == ActivityState.APPROVED


def test_employees_block_until_an_exception_is_recorded(in_review, reviewer, company):
    rel = _disclose(_speaker(in_review), company, nature="employee")
    assert gate.clearance_problems(in_review) == [
        "Ada Okafor: Employee of Cardiopharm: owners and employees of ineligible companies "
        "cannot control content unless a reviewer records one of the exceptions."
    ]
    review.record_exception(
        in_review, rel, reviewer=reviewer, exception="basic_science", reason="Pre-clinical only."
    )
    # The exception lets them take part; the relationship is still reviewed like any other.
    assert gate.clearance_problems(in_review) == [
        "Ada Okafor: the relationship with Cardiopharm has not been reviewed."
    ]


def test_people_with_nothing_to_disclose_are_cleared(in_review, reviewer):
    _disclose(_speaker(in_review))
    assert gate.clearance_problems(in_review) == []


def test_other_steps_are_not_gated(provider, admin_user):
    activity = ActivityFactory(provider=provider, state=ActivityState.DRAFT)
    _speaker(activity)
    assert activity_services.transition(activity, "start_planning", by=admin_user).state == (
        ActivityState.PLANNING
    )


@pytest.mark.parametrize("n", [1, 3])
def test_clearance_takes_constant_queries(in_review, company, django_assert_num_queries, n):
    for i in range(n):
        _disclose(_speaker(in_review, first_name=f"P{i}"), company)
    # faculty, planners, disclosures, relationships, companies, exceptions (roster and
    # gate), decisions with their mitigations
    with django_assert_num_queries(8):
        assert len(gate.clearance_problems(in_review)) == n
