"""UAN, e-Profile ID, birth day and board ID checks [P1][P2][P3][P4][P7][B1]."""

import pytest

from cmeconf.credits.identifiers import (
    birth_problems,
    board_id_problems,
    eprofile_problems,
    parse_uan,
    uan_problems,
)
from cmeconf.registration.identifiers import identifier_problems


def test_parse_uan_of_worked_example_12():
    uan = parse_uan("0798-9999-18-246-H04-P")
    assert uan is not None
    assert (uan.provider, uan.providership, uan.year, uan.sequence) == ("0798", "9999", 18, "246")
    assert (uan.delivery, uan.topic, uan.audience, uan.joint) == ("H", "04", "P", True)


def test_parse_uan_accepts_lower_case_and_spaces():
    assert parse_uan("  0798-0000-27-001-l01-t ").audience == "T"


@pytest.mark.parametrize(
    "value",
    [
        "0798-9999-18-246-H04-X",
        "0798-9999-18-246-H04",
        "798-9999-18-246-H04-P",
        "0798-9999-2018-246-H04-P",
        "0798-9999-18-246-X04-P",
        "0798-9999-18-246-H4-P",
        "0798-1234-18-246-H04-P",
        "",
    ],
)
def test_malformed_uans_are_refused(value):
    assert parse_uan(value) is None
    assert uan_problems(value)


def test_wrong_last_letter_says_so():
    problems = uan_problems("0798-9999-18-246-H04-X")
    assert problems[0].startswith("A UAN has the form 0000-0000-00-000-L00-P")
    assert "The last part of a UAN is P (pharmacists) or T (pharmacy technicians), not “X”." in (
        problems
    )


def test_wrong_providership_digits_say_so():
    assert uan_problems("0798-1234-18-246-H04-P") == [
        "The second part of a UAN is 0000 (sole providership) or 9999 (joint providership)."
    ]


def test_wrong_topic_part_says_so():
    problems = uan_problems("0798-9999-18-246-Q04-P")
    assert any(p.startswith("The fifth part of a UAN is L (live) or H") for p in problems)


def test_uan_matches_the_audience_delivery_and_providership():
    assert uan_problems("0798-9999-18-246-H04-P", audience="P", live=False, joint=True) == []
    assert uan_problems("0798-0000-27-001-L01-P", audience="P", live=True, joint=False) == []
    assert uan_problems("0798-0000-27-001-L01-P", audience="T") == [
        "This UAN ends in P; pharmacist credit needs P, technician credit T."
    ]
    assert uan_problems("0798-0000-27-001-H01-P", live=True) == [
        "A live activity's UAN has L (live) before the topic code."
    ]
    assert uan_problems("0798-0000-27-001-L01-P", live=False) == [
        "Home-study material's UAN has H (home study) before the topic code."
    ]
    assert uan_problems("0798-0000-27-001-L01-P", joint=True) == [
        "A jointly provided activity's UAN has 9999 as its second part."
    ]
    assert uan_problems("0798-9999-27-001-L01-P", joint=False) == [
        "An activity you provide alone has 0000 as the UAN's second part."
    ]


@pytest.mark.parametrize("value", ["123456", "1234567", "1", " 4242424 "])
def test_eprofile_ids_accepted(value):
    assert eprofile_problems(value) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Give your NABP e-Profile ID: CPE Monitor finds you by it."),
        ("12a456", "An NABP e-Profile ID is a number of up to 10 digits."),
        ("12345678901", "An NABP e-Profile ID is a number of up to 10 digits."),
    ],
)
def test_eprofile_ids_refused(value, message):
    assert eprofile_problems(value) == [message]


@pytest.mark.parametrize(("month", "day"), [(1, 1), (2, 29), (12, 31), (4, 30)])
def test_birth_days_accepted(month, day):
    assert birth_problems(month, day) == []


@pytest.mark.parametrize(
    ("month", "day", "message"),
    [
        (None, 3, "Give your birth month and day: the board matches you by them."),
        (3, None, "Give your birth month and day: the board matches you by them."),
        (13, 1, "The birth month is a number from 1 to 12."),
        (0, 1, "The birth month is a number from 1 to 12."),
        (2, 30, "February has no day 30."),
        (4, 31, "April has no day 31."),
        (5, 0, "May has no day 0."),
    ],
)
def test_birth_days_refused(month, day, message):
    assert birth_problems(month, day) == [message]


def test_abim_ids_have_six_digits():
    assert board_id_problems("ABIM", "123456") == []
    assert board_id_problems("ABIM", "12345") == ["An ABIM ID has 6 digits."]
    assert board_id_problems("ABIM", "12345a") == ["An ABIM ID has 6 digits."]


@pytest.mark.parametrize("value", ["123", "AB-12345", "12", "12 34", "1" * 21, "12345678"])
def test_other_boards_agree_with_the_registration_form(value):
    """An ID the registration form accepted is accepted with the claim, and vice versa."""
    at_registration = identifier_problems(
        ["ABMS_MOC"],
        ["ABMS_MOC"],
        {"abms_board": "ABP", "abms_id": value, "birth_month": "3", "birth_day": "4"},
    )
    assert ("abms_id" not in at_registration) == (board_id_problems("ABP", value) == [])


def test_other_boards_ids():
    assert board_id_problems("ABP", "123") == []
    assert board_id_problems("ABA", "AB-12345") == []
    assert board_id_problems("ABS", "12") == ["A board ID has 3 to 20 letters and digits."]
    assert board_id_problems("ABS", "12 34") == ["A board ID has 3 to 20 letters and digits."]
    assert board_id_problems("ABS", "1" * 21) == ["A board ID has 3 to 20 letters and digits."]


def test_missing_board_id():
    assert board_id_problems("ABIM", "  ") == [
        "Give your board ID: the board records MOC points only with it."
    ]
