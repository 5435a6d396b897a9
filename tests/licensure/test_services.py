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


# A licence with no dates at all: which one the board's cycle needs depends on the board.
BARE = {"conditions": [], "expires_on": None, "birth_month": None, "birth_day": None,
        "issued_on": None}  # fmt: skip


@pytest.mark.parametrize(
    ("requirement_set", "license_type", "field", "words"),
    [
        ("US-CA-MD", "MD", "birth_month", "birth month"),  # end of the birth month
        ("US-AZ-MD", "MD", "birth_month", "birth month"),  # birthday
        ("US-VA-MD-DO", "DO", "birth_month", "birth month"),
        ("US-CA-DO", "DO", "expires_on", "expiry"),  # the calendar years before renewal
        ("CA-RCPSC-MOC", "FRCPC", "cycle_start", "cycle"),  # the licence's own cycle
        ("DE-VERTRAGSARZT-95D", "Vertragsarzt (SHI-accredited physician)", "cycle_start", "cycle"),
        ("US-KY-MD-DO", "MD", "expires_on", "expiry"),  # a fixed cycle whose end is unknown
        ("US-OR-MD-DO", "MD", "expires_on", "expiry"),
        ("US-TX-MD-DO", "MD", "expires_on", "expiry"),  # board-assigned
    ],
)
def test_a_licence_the_engine_cannot_place_asks_for_the_missing_date(
    requirement_set, license_type, field, words
):
    fields = BARE | {"requirement_set": requirement_set, "license_type": license_type}
    problems = services.licence_problems(**fields)
    assert list(problems) == [field]
    assert words in problems[field]
    # The expiry date printed on the licence always places the cycle.
    dated = fields | {"expires_on": dt.date(2027, 12, 31)}
    assert services.licence_problems(**dated) == {}


def test_the_birth_month_or_the_cycle_start_is_enough_where_the_board_uses_them():
    california = BARE | {"requirement_set": "US-CA-MD", "license_type": "MD", "birth_month": 4}
    assert services.licence_problems(**california) == {}
    royal = BARE | {"requirement_set": "CA-RCPSC-MOC", "license_type": "FRCPC"}
    assert services.licence_problems(**royal, cycle_start=dt.date(2023, 1, 1)) == {}


def test_a_cycle_cannot_start_after_it_ends():
    royal = BARE | {"requirement_set": "CA-RCPSC-MOC", "license_type": "FRCPC"}
    problems = services.licence_problems(
        **(royal | {"expires_on": dt.date(2026, 12, 31)}), cycle_start=dt.date(2027, 1, 1)
    )
    assert list(problems) == ["cycle_start"]


def test_the_report_names_the_missing_field_like_the_form():
    person = UserFactory()
    Licence.objects.create(person=person, requirement_set="US-CA-MD", license_type="MD")
    Licence.objects.create(person=person, requirement_set="CA-RCPSC-MOC", license_type="FRCPC")
    problems = {r.requirement_set.id: r.problem for r in services.reports(person)}
    assert "birth month" in problems["US-CA-MD"]
    assert "cycle" in problems["CA-RCPSC-MOC"]
    assert (
        problems["US-CA-MD"]
        == services.licence_problems(
            **(BARE | {"requirement_set": "US-CA-MD", "license_type": "MD"})
        )["birth_month"]
    )


def test_report_evaluates_one_licence():
    person = UserFactory()
    licence = Licence.objects.create(person=person, **GOOD)
    Licence.objects.create(person=person, **(GOOD | {"requirement_set": "US-TX-MD-DO"}))
    report = services.report(licence, today=dt.date(2026, 6, 1))
    assert report.licence == licence
    assert report.status.window_end == dt.date(2026, 7, 31)
    [same] = [
        r for r in services.reports(person, today=dt.date(2026, 6, 1)) if r.licence == licence
    ]
    assert same.status == report.status


def test_a_credit_recorded_twice_is_refused():
    person = UserFactory()
    first = {"title": "Opioid  update", "completed_on": dt.date(2025, 3, 1),
             "amounts": {"AMA_PRA_1": "2"}}  # fmt: skip
    services.add_credit(person, **first)
    with pytest.raises(ValidationError) as e:
        services.add_credit(person, **(first | {"title": "opioid update", "amounts":
                                                {"AMA_PRA_1": "2.00"}}))  # fmt: skip
    assert list(e.value.message_dict) == ["title"]
    assert "already recorded" in e.value.message_dict["title"][0]
    # Another date, another amount or another person is another credit.
    services.add_credit(person, **(first | {"completed_on": dt.date(2025, 3, 2)}))
    services.add_credit(person, **(first | {"amounts": {"AMA_PRA_1": "1"}}))
    services.add_credit(UserFactory(), **first)
    assert ExternalCredit.objects.filter(person=person).count() == 3


def test_a_certification_must_expire_after_it_was_granted():
    problems = services.certification_problems(
        certified_on=dt.date(2020, 1, 1), expires_on=dt.date(2020, 1, 1)
    )
    assert list(problems) == ["expires_on"]
    assert services.certification_problems(certified_on=dt.date(2020, 1, 1), expires_on=None) == {}
    assert (
        services.certification_problems(
            certified_on=dt.date(2020, 1, 1), expires_on=dt.date(2030, 1, 1)
        )
        == {}
    )


def test_saving_a_licence_that_became_a_duplicate_meanwhile_explains_it():
    """Two saves at once both pass the check; the database refuses the second."""
    person = UserFactory()
    Licence.objects.create(person=person, **GOOD)
    late = Licence(person=person, **GOOD)
    with pytest.raises(ValidationError) as e:
        services.save_licence(late)
    assert "already have this licence" in e.value.message_dict["license_type"][0]
    assert Licence.objects.filter(person=person).count() == 1


def test_a_birthday_renewal_needs_the_day_not_only_the_month():
    massachusetts = GOOD | {
        "requirement_set": "US-MA-MD-DO",
        "expires_on": None,
        "birth_month": 3,
        "birth_day": None,
    }
    assert list(services.licence_problems(**massachusetts)) == ["birth_day"]
    assert services.licence_problems(**(massachusetts | {"birth_day": 15})) == {}
    # The expiry printed on the licence does instead.
    assert services.licence_problems(**(massachusetts | {"expires_on": dt.date(2027, 3, 15)})) == {}
    # California renews at the end of the birth month: the month is enough there.
    assert services.licence_problems(**(GOOD | {"expires_on": None, "birth_day": None})) == {}
