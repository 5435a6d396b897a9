"""The reviewer's page: relationships in scope, their standing, and the three forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cmeconf.activities.models import PlanningRole, Topic
from cmeconf.integrity import review, services
from cmeconf.integrity.models import Mitigation, OwnerEmployeeException, RelevanceDecision
from tests.factories import (
    ActivityFactory,
    IneligibleCompanyFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The whole page, session and permissions included; the same for one person or three.
QUERIES = 28


@pytest.fixture
def reviewer(provider):
    person = UserFactory(email="coi@acp.example", first_name="Rita", last_name="Reviewer")
    TeamFactory(provider=provider, name="COI review", permissions=["review"], members=[person])
    return person


def disclose(person, *rels):
    """Submit a disclosure with (company name, nature) relationships; return them in order."""
    d = services.submit_disclosure(
        person,
        by=person,
        attested=True,
        relationships=[
            {
                "company": IneligibleCompanyFactory(name=name),
                "nature": nature,
                "start_date": dt.date(2024, 1, 1),
                "end_date": None,
            }
            for name, nature in rels
        ],
    )
    return list(d.relationships.order_by("id"))


def speaker(activity, first, last, title="Heart failure 2027", topics=()):
    person = UserFactory(first_name=first, last_name=last)
    session = SessionFactory(activity=activity, title=title)
    for name in topics:
        session.topics.add(
            Topic.objects.create(provider=activity.provider, slug=f"t-{name.lower()}", name=name)
        )
    SessionFacultyFactory(session=session, person=person)
    return person


def url(activity, name="coi_review", *args):
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


def test_page_shows_people_relationships_sessions_and_what_waits(client, activity, reviewer):
    ada = speaker(activity, "Ada", "Aster", "SGLT2 inhibitors", topics=["Cardiology"])
    consult, employ = disclose(ada, ("Oncopharm", "consultant"), ("Stentco", "employee"))
    speaker(activity, "Ben", "Birch", "Hypertension")  # discloses nothing
    disclose(UserFactory.create(), ("Elsewhere", "consultant"))  # not in control here
    nobody = speaker(activity, "Cy", "Cedar")
    services.submit_disclosure(nobody, by=nobody, attested=True, relationships=[])
    decision = review.decide_relevance(
        activity, consult, reviewer=reviewer, relevant=True, reason="Talks on its drug class."
    )
    review.mitigate(decision, by=reviewer, method="divest")

    client.force_login(reviewer)
    page = client.get(url(activity)).content.decode()

    assert "Ada Aster" in page
    assert "SGLT2 inhibitors" in page and "Cardiology" in page
    assert "Oncopharm: Consultant" in page and "Stentco: Employee" in page
    assert "Mitigated" in page and "Talks on its drug class." in page
    assert "Divested the relationship" in page
    assert "Not yet reviewed" in page
    assert "Elsewhere" not in page
    assert "1 relationship still needs a decision or a mitigation." in page
    assert "Approval waits for:" in page
    assert "Ben Birch" in page  # his missing disclosure keeps approval waiting
    assert "1 person has no financial relationships." in page
    # The exception form is offered for the employee only; mitigation after "relevant" only.
    assert page.count('action="' + url(activity, "coi_exception", employ.pk)) == 1
    assert url(activity, "coi_exception", consult.pk) not in page
    assert url(activity, "coi_mitigate", consult.pk) in page
    assert url(activity, "coi_mitigate", employ.pk) not in page


def test_program_team_gets_403_and_review_tab_only_for_reviewers(client, activity, reviewer):
    planner = UserFactory()
    TeamFactory(provider=activity.provider, permissions=["program"], members=[planner])
    client.force_login(planner)
    assert client.get(url(activity)).status_code == 403
    disclosures = client.get(url(activity, "disclosures")).content.decode()
    assert url(activity) not in disclosures
    client.force_login(reviewer)
    assert (
        f'href="{url(activity)}" aria-current="page"' in client.get(url(activity)).content.decode()
    )


def test_decide_records_the_decision_and_redirects(client, activity, reviewer):
    (rel,) = disclose(speaker(activity, "Ada", "Aster"), ("Oncopharm", "consultant"))
    client.force_login(reviewer)
    response = client.post(
        url(activity, "coi_decide", rel.pk), {"relevant": "no", "reason": "Unrelated topic."}
    )
    assert response.status_code == 302 and response["Location"] == url(activity)
    decision = RelevanceDecision.objects.get()
    assert (decision.relevant, decision.reason, decision.reviewer) == (
        False,
        "Unrelated topic.",
        reviewer,
    )
    page = client.get(url(activity)).content.decode()
    assert "Decision recorded on Oncopharm (Consultant)." in page
    assert "Not relevant" in page and "0 relationships still need" in page


def test_decide_without_reason_saves_nothing(client, activity, reviewer):
    (rel,) = disclose(speaker(activity, "Ada", "Aster"), ("Oncopharm", "consultant"))
    client.force_login(reviewer)
    response = client.post(url(activity, "coi_decide", rel.pk), {"relevant": "yes", "reason": ""})
    assert response.status_code == 400
    assert "Give the reason for the decision." in response.content.decode()
    assert not RelevanceDecision.objects.exists()


def test_mitigate_records_peer_review(client, activity, reviewer):
    (rel,) = disclose(speaker(activity, "Ada", "Aster"), ("Oncopharm", "consultant"))
    decision = review.decide_relevance(activity, rel, reviewer=reviewer, relevant=True, reason="r")
    client.force_login(reviewer)
    response = client.post(
        url(activity, "coi_mitigate", rel.pk),
        {
            "method": "peer_review_content",
            "peer_name": "Dr. Grace Lee",
            "peer_review_date": "2027-03-01",
        },
    )
    assert response.status_code == 302
    mitigation = Mitigation.objects.get()
    assert (mitigation.decision, mitigation.peer_name, mitigation.peer_review_date) == (
        decision,
        "Dr. Grace Lee",
        dt.date(2027, 3, 1),
    )


def test_mitigate_errors_from_the_service_show_by_the_fields(client, activity, reviewer):
    (rel,) = disclose(speaker(activity, "Ada", "Aster"), ("Oncopharm", "consultant"))
    review.decide_relevance(activity, rel, reviewer=reviewer, relevant=True, reason="r")
    client.force_login(reviewer)
    response = client.post(url(activity, "coi_mitigate", rel.pk), {"method": "peer_review_content"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_mitigate{rel.pk}_peer_name_errors"' in page
    assert "Name the peer who reviewed." in page
    assert "Give the date of the peer review." in page
    assert not Mitigation.objects.exists()


def test_mitigate_before_a_relevant_decision_is_refused(client, activity, reviewer):
    (rel,) = disclose(speaker(activity, "Ada", "Aster"), ("Oncopharm", "consultant"))
    client.force_login(reviewer)
    response = client.post(url(activity, "coi_mitigate", rel.pk), {"method": "divest"})
    assert response.status_code == 400
    assert "Decide first whether the relationship is relevant." in response.content.decode()
    assert not Mitigation.objects.exists()


def test_exception_for_an_employee(client, activity, reviewer):
    (rel,) = disclose(speaker(activity, "Ada", "Aster"), ("Stentco", "employee"))
    client.force_login(reviewer)
    response = client.post(
        url(activity, "coi_exception", rel.pk),
        {"exception": "basic_science", "reason": "Pre-clinical talk."},
    )
    assert response.status_code == 302
    exc = OwnerEmployeeException.objects.get()
    assert (exc.relationship, exc.exception, exc.reason) == (
        rel,
        "basic_science",
        "Pre-clinical talk.",
    )
    assert "Exception recorded:" in client.get(url(activity)).content.decode()


def test_exception_errors_save_nothing(client, activity, reviewer):
    (rel,) = disclose(speaker(activity, "Ada", "Aster"), ("Oncopharm", "consultant"))
    client.force_login(reviewer)
    response = client.post(
        url(activity, "coi_exception", rel.pk), {"exception": "unrelated", "reason": "r"}
    )
    assert response.status_code == 400
    assert "Exceptions apply only to owners and employees." in response.content.decode()
    assert not OwnerEmployeeException.objects.exists()


def test_relationship_of_another_activitys_person_is_404(client, provider, activity, reviewer):
    other = ActivityFactory(provider=provider, slug="winter-2027")
    (rel,) = disclose(speaker(other, "Oz", "Other"), ("Oncopharm", "consultant"))
    client.force_login(reviewer)
    for name in ("coi_decide", "coi_mitigate", "coi_exception"):
        response = client.post(url(activity, name, rel.pk), {"relevant": "no", "reason": "r"})
        assert response.status_code == 404
    assert not RelevanceDecision.objects.exists()


def test_reviewer_cannot_review_own_relationship(client, activity, reviewer):
    PlanningRole.objects.create(activity=activity, person=reviewer, role="planner")
    (rel,) = disclose(reviewer, ("Oncopharm", "consultant"))
    client.force_login(reviewer)
    response = client.post(url(activity, "coi_decide", rel.pk), {"relevant": "no", "reason": "r"})
    assert response.status_code == 403
    assert not RelevanceDecision.objects.exists()


@pytest.mark.parametrize("people", [1, 3])
def test_page_queries_do_not_grow_with_people(
    client, activity, reviewer, people, django_assert_num_queries
):
    for i in range(people):
        person = speaker(activity, f"P{i}", f"Person{i}", topics=[f"Topic{i}"])
        rel, _ = disclose(person, (f"Co{i}", "consultant"), (f"Emp{i}", "employee"))
        decision = review.decide_relevance(
            activity, rel, reviewer=reviewer, relevant=True, reason="r"
        )
        review.mitigate(decision, by=reviewer, method="attest")
    client.force_login(reviewer)
    client.get(url(activity))  # warm the session and the permission cache
    with django_assert_num_queries(QUERIES):
        page = client.get(url(activity)).content.decode()
    assert page.count("<li>Attested that recommendations") == people
