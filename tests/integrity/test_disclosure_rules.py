"""Disclosure rules, with the worked examples of the accreditation rules as tests."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cmeconf.common.models import AuditEntry
from cmeconf.integrity import rules, services
from cmeconf.integrity.choices import DisclosureState
from cmeconf.integrity.models import IneligibleCompany
from tests.factories import UserFactory

D = dt.date


JAN_2022 = D(2022, 1, 1)


def rel(nature="consultant", start=JAN_2022, end=None, company="Pharma X"):
    return rules.Relationship(company, nature, start, end)


def test_worked_example_14_lookback_runs_24_months_from_the_role_start():
    # Faculty role starts 2025-03-10: relationships active since 2023-03-10 are collected;
    # one that ended 2023-01-15 is out of scope [A5][A18].
    assert rules.lookback_start(D(2025, 3, 10)) == D(2023, 3, 10)
    ended_early = rel(start=D(2021, 6, 1), end=D(2023, 1, 15))
    still_on = rel(start=D(2021, 6, 1), end=D(2023, 3, 10))
    assert rules.relationships_in_scope([ended_early, still_on], D(2025, 3, 10)) == [still_on]


def test_lookback_handles_the_29th_of_february():
    assert rules.lookback_start(D(2028, 2, 29)) == D(2026, 2, 28)


def test_worked_example_15_employee_is_excluded_from_content_roles():
    # An employee of pharma X (oncology line) on oncology therapy is excluded [A7b];
    # a past employment is a relationship to mitigate, not an exclusion.
    employee = rel("employee", start=D(2019, 1, 1))
    former = rel("employee", start=D(2019, 1, 1), end=D(2024, 12, 31))
    royalties = rel("royalties", start=D(2019, 1, 1))  # not an owner or employee [A10]
    stock = rel("stock", start=D(2019, 1, 1))
    role = D(2025, 3, 10)
    assert rules.owner_or_employee([employee, former, royalties, stock], role) == [employee]


def test_worked_example_17_no_relationships_is_still_said_to_learners():
    line = rules.learner_disclosure("Dr. Ada Okafor", [])
    assert line.text == (
        "Dr. Ada Okafor has no relevant financial relationships with ineligible companies."
    )


def test_learner_line_names_companies_and_says_all_were_mitigated():
    line = rules.learner_disclosure(
        "Dr. Ben Lind", [("Pfizer", "Consultant"), ("Abbott", "Speaker"), ("Pfizer", "Consultant")]
    )
    assert line.text == (
        "Dr. Ben Lind has relevant financial relationships with: Abbott (Speaker); "
        "Pfizer (Consultant). All relevant financial relationships have been mitigated."
    )


def facts(submitted, state=DisclosureState.SUBMITTED, valid_months=12):
    return rules.DisclosureFacts(
        state=state,
        submitted=submitted,
        covers_from=rules.months_before(submitted, 24),
        valid_until=rules.months_after(submitted, valid_months),
    )


@pytest.mark.parametrize(
    ("disclosure", "role_start", "expected"),
    [
        (None, D(2025, 3, 10), ["No disclosure on file"]),
        (facts(D(2025, 1, 5), DisclosureState.REFUSED), D(2025, 3, 10), ["Refused to disclose"]),
        (facts(D(2024, 1, 5)), D(2025, 3, 10), ["expires on Jan. 5, 2025, before the role"]),
        (facts(D(2025, 4, 1)), D(2025, 3, 10), ["covers relationships since April 1, 2023"]),
        (facts(D(2025, 1, 5)), D(2025, 3, 10), []),
    ],
)
def test_a_person_is_confirmed_only_with_a_valid_covering_disclosure(
    disclosure, role_start, expected
):
    problems = rules.role_blockers(disclosure, role_start)
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert start in problem


@pytest.fixture
def pharma(db):
    return IneligibleCompany.objects.create(name="Pharma X", key="pharma x", kind="pharmaceutical")


def test_submit_keeps_the_disclosure_and_audits_it(pharma, settings):
    settings.DISCLOSURE_VALID_MONTHS = 12
    person = UserFactory()
    now = dt.datetime(2025, 1, 5, 12, tzinfo=dt.UTC)
    d = services.submit_disclosure(
        person,
        by=person,
        attested=True,
        now=now,
        relationships=[
            {
                "company": pharma,
                "nature": "consultant",
                "start_date": D(2024, 2, 1),
                "end_date": None,
            }
        ],
    )
    assert (d.covers_from, d.valid_until, d.has_relationships) == (
        D(2023, 1, 5),
        D(2026, 1, 5),
        True,
    )
    assert "past 24 months" in d.attestation
    entry = AuditEntry.objects.get(action="disclosure.submitted")
    assert entry.after["relationships"][0]["company"] == "Pharma X"
    assert services.role_blockers(person, D(2025, 3, 10)) == []
    assert "expires" in services.role_blockers(person, D(2026, 3, 10))[0]


def test_relationship_ending_before_it_starts_is_refused_clearly(pharma):
    person = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.submit_disclosure(
            person,
            by=person,
            attested=True,
            relationships=[
                {
                    "company": pharma,
                    "nature": "speaker",
                    "start_date": D(2024, 5, 1),
                    "end_date": D(2024, 4, 1),
                }
            ],
        )
    assert exc.value.message_dict["relationships"] == [
        "Relationship 1: it ends (April 1, 2024) before it starts (May 1, 2024)."
    ]
    assert not person.disclosures.exists()


def test_no_attestation_saves_nothing(pharma):
    person = UserFactory()
    with pytest.raises(ValidationError, match="confirm the attestation"):
        services.submit_disclosure(person, by=person, attested=False, relationships=[])
    assert not person.disclosures.exists()


def test_refusal_disqualifies(db):
    person = UserFactory()
    services.refuse_disclosure(person, by=person)
    assert services.role_blockers(person, D(2030, 1, 1))[0].startswith("Refused to disclose")
    assert AuditEntry.objects.filter(action="disclosure.refused").exists()


def test_an_employee_cannot_be_confirmed(pharma):
    person = UserFactory()
    services.submit_disclosure(
        person,
        by=person,
        attested=True,
        relationships=[
            {"company": pharma, "nature": "employee", "start_date": D(2020, 1, 1), "end_date": None}
        ],
    )
    role_start = dt.date.today() + dt.timedelta(days=30)
    problems = services.role_blockers(person, role_start)
    assert problems == [
        "Employee of Pharma X: owners and employees of ineligible companies cannot control "
        "content unless a reviewer records one of the exceptions."
    ]
