"""What learners are shown on session pages, generated from disclosures and review."""

import datetime as dt

import pytest

from cmeconf.integrity import review, services
from cmeconf.integrity.models import IneligibleCompany, LearnerDisclosureVersion
from tests.factories import SessionFactory, SessionFacultyFactory, TeamFactory, UserFactory


@pytest.fixture
def reviewer(provider):
    person = UserFactory()
    TeamFactory(provider=provider, name="COI", permissions=["review"], members=[person])
    return person


@pytest.fixture
def session(activity):
    return SessionFactory(activity=activity, title="Statins in 2027")


def _page(client, session) -> str:
    a = session.activity
    return client.get(f"/{a.provider.slug}/{a.slug}/sessions/{session.code}/").text


def _speaker(session, **names):
    person = UserFactory(credentials="MD", **names)
    SessionFacultyFactory(session=session, person=person)
    return person


def test_worked_example_17_no_relationships_is_said(client, session):
    person = _speaker(session, first_name="Ada", last_name="Okafor")
    services.submit_disclosure(person, by=person, attested=True, relationships=[])
    page = _page(client, session)
    assert "Disclosure of financial relationships" in page
    assert (
        "Ada Okafor, MD has no relevant financial relationships with ineligible companies."
    ) in page


def test_mitigated_relationships_are_named_with_the_statement(client, session, reviewer):
    person = _speaker(session, first_name="Ben", last_name="Lind")
    company = IneligibleCompany.objects.create(
        name="Statinco", key="statinco", kind="pharmaceutical"
    )
    d = services.submit_disclosure(
        person,
        by=person,
        attested=True,
        relationships=[
            {
                "company": company,
                "nature": "speaker",
                "start_date": dt.date(2025, 5, 1),
                "end_date": None,
            }
        ],
    )
    assert "Ben Lind, MD: disclosure under review." in _page(client, session)
    decision = review.decide_relevance(
        session.activity, d.relationships.get(), reviewer=reviewer, relevant=True, reason="Statins."
    )
    review.mitigate(decision, by=reviewer, method="attest")
    page = _page(client, session)  # the review changed the page at once
    assert (
        "Ben Lind, MD has relevant financial relationships with: Statinco (Speaker "
        "(speakers&#x27; bureau)). All relevant financial relationships have been mitigated."
    ) in page
    versions = LearnerDisclosureVersion.objects.filter(scope=f"session:{session.code}")
    assert versions.count() == 2  # under review, then mitigated: both kept as shown
    assert "Statinco" in versions.order_by("first_shown", "id").last().lines[0]


def test_no_disclosure_yet_is_said_not_hidden(client, session):
    _speaker(session, first_name="Cy", last_name="Young")
    assert "Cy Young, MD: disclosure not yet available." in _page(client, session)


def test_non_accredited_sessions_carry_no_disclosure_section(client, activity):
    industry = SessionFactory(activity=activity, format="industry", credit_eligible=False)
    _speaker(industry)
    assert "Disclosure of financial relationships" not in _page(client, industry)
