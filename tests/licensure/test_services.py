"""From stored licences and credits to the engine's answer, and the checks on the way in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cmeconf.licensure import services
from cmeconf.licensure.models import ExternalCredit, Licence
from cmeconf.licensure.topics import licensure_topics, program_topics
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "requirement_set": "US-CA-MD",
    "license_type": "MD",
    "conditions": [],
    "expires_on": dt.date(2026, 7, 31),
    "birth_month": 7,
    "birth_day": 12,
    "issued_on": dt.date(2012, 3, 2),
}


def test_a_complete_licence_has_no_problems():
    assert services.licence_problems(**GOOD) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requirement_set": "US-ZZ-MD"}, "requirement_set"),
        ({"license_type": "RN"}, "license_type"),
        ({"conditions": ["flies_helicopters"]}, "conditions"),
        ({"birth_month": None}, "birth_month"),
        ({"birth_month": 2, "birth_day": 30}, "birth_day"),
        ({"expires_on": dt.date(2011, 1, 1)}, "expires_on"),
        # Texas assigns each licence its own date: it cannot be worked out.
        ({"requirement_set": "US-TX-MD-DO", "expires_on": None}, "expires_on"),
    ],
)
def test_licence_problems_name_the_field(change, field):
    problems = services.licence_problems(**(GOOD | change))
    assert list(problems) == [field]
    assert problems[field].endswith(".")


def test_february_29_is_a_birthday():
    assert services.licence_problems(**(GOOD | {"birth_month": 2, "birth_day": 29})) == {}


def test_every_set_has_a_readable_label():
    choices = dict(services.set_choices())
    assert len(choices) == 32
    assert choices["US-TX-MD-DO"] == "Texas: physician (DO, MD)"
    assert choices["US-FL-RN"].startswith("Florida: nurse (")


def test_amounts_are_checked_and_kept_as_two_decimal_strings():
    assert services.parse_amounts({"AMA_PRA_1": "1.5", "AOA_2A": 2}) == {
        "AMA_PRA_1": "1.50",
        "AOA_2A": "2.00",
    }
    for bad in ({}, {"CME_POINTS": 1}, {"AMA_PRA_1": "lots"}, {"AMA_PRA_1": 0},
                {"AMA_PRA_1": "1.255"}, {"AMA_PRA_1": "NaN"}, {"AMA_PRA_1": 501}):  # fmt: skip
        with pytest.raises(ValidationError) as e:
            services.parse_amounts(bad)
        assert list(e.value.message_dict) == ["amounts"]


def test_add_credit_refuses_unknown_codes_and_future_dates():
    person = UserFactory()
    with pytest.raises(ValidationError) as e:
        services.add_credit(
            person,
            title="Opioid update",
            completed_on=dt.date.today() + dt.timedelta(days=3),
            amounts={"AMA_PRA_1": "2"},
            topics=["opioid_prescribing", "astrology"],
            format="carrier_pigeon",
        )
    assert set(e.value.message_dict) == {"topics", "format", "completed_on"}
    assert not ExternalCredit.objects.exists()


def test_reports_measure_each_licence_with_the_persons_credits():
    """TC01 in stored form: California MD, 50 of 50 in the window, pain course done in 2013."""
    person = UserFactory()
    Licence.objects.create(person=person, **(GOOD | {"conditions": []}))
    for day, hours, topics in [
        (dt.date(2013, 10, 5), "12", ["pain_management", "end_of_life"]),
        (dt.date(2024, 9, 14), "20", []),
        (dt.date(2025, 3, 8), "18", []),
        (dt.date(2026, 5, 20), "12", ["pain_management"]),
    ]:
        services.add_credit(
            person, title="CME", completed_on=day, amounts={"AMA_PRA_1": hours}, topics=topics
        )
    other = UserFactory()  # someone else's credit never counts
    services.add_credit(
        other, title="CME", completed_on=dt.date(2025, 1, 1), amounts={"AMA_PRA_1": "40"}
    )
    [report] = services.reports(person, today=dt.date(2026, 6, 1))
    status = report.status
    assert (status.window_start, status.window_end) == (dt.date(2024, 8, 1), dt.date(2026, 7, 31))
    total = next(r for r in status.requirements if r.kind == "total")
    assert (total.counted, total.gap) == (Decimal("50"), Decimal("0"))
    assert status.compliant
    assert report.open_gaps == []


def test_a_licence_without_the_date_the_board_sets_reports_the_problem():
    person = UserFactory()
    Licence.objects.create(
        person=person,
        requirement_set="US-TX-MD-DO",
        license_type="MD",
        issued_on=dt.date(2015, 1, 1),
    )
    [report] = services.reports(person, today=dt.date(2026, 6, 1))
    assert report.status is None
    assert "expiry date" in report.problem


def test_program_topics_and_licensure_topics_translate_both_ways():
    assert licensure_topics(["pain-management-opioids", "cardiology"]) == {
        "pain_management",
        "opioid_prescribing",
    }
    assert program_topics(["opioid_prescribing"]) == {"pain-management-opioids"}
    assert program_topics(["sexual_harassment_prevention"]) == frozenset()


def test_a_second_licence_of_the_same_board_and_type_is_refused():
    person = UserFactory()
    first = Licence.objects.create(person=person, **GOOD)
    problems = services.licence_problems(person=person, **GOOD)
    assert list(problems) == ["license_type"]
    # Editing the licence itself is no duplicate; another person may hold the same.
    assert services.licence_problems(person=person, licence_id=first.pk, **GOOD) == {}
    assert services.licence_problems(person=UserFactory(), **GOOD) == {}


def test_a_required_course_of_no_stated_length_is_an_open_gap_until_taken():
    """New York's infection-control course has no hours: a gap of 0, and still to do."""
    person = UserFactory()
    Licence.objects.create(
        person=person,
        requirement_set="US-NY-MD-DO",
        license_type="MD",
        issued_on=dt.date(2005, 6, 1),
        expires_on=dt.date(2027, 6, 30),
    )
    [report] = services.reports(person, today=dt.date(2026, 11, 26))
    course = report.status.requirement("NY-INFECTION-CONTROL")
    assert (course.required, course.gap, course.met) == (None, Decimal("0"), False)
    assert course in report.open_gaps
