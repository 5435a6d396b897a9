"""The worked examples of the credit rules (docs/credits/sources.md cites each rule).

`q(m)` = m/60 to the nearest 0.25 [M1]; integer minutes never tie.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

from cmeconf.activities.choices import SessionFormat
from cmeconf.credits.arithmetic import Minutes, covered
from cmeconf.credits.identifiers import parse_uan, uan_problems
from cmeconf.credits.participation import activity_minutes
from cmeconf.credits.types import rule
from cmeconf.credits.types.acpe import ceu
from tests.factories import SessionFactory, at

NY = zoneinfo.ZoneInfo("America/New_York")
DAY = dt.date(2027, 4, 14)


def t(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=NY)


def ama(minutes: int) -> Decimal:
    return rule("AMA_PRA_1").amount(Minutes.of(minutes), {})


def test_example_1_live_95_minutes_is_1_50_ama():
    assert ama(95) == Decimal("1.50")  # 1.583 -> 1.50 [M1]


def test_example_2_100_minutes_is_1_75():
    assert ama(100) == Decimal("1.75")  # 1.667 -> 1.75 [M1]


def test_example_4_10_minutes_is_the_minimum_0_25():
    # The designation's minimum [M1][M2]: 0.167 -> 0.25.
    assert rule("AMA_PRA_1").designation_amount(Minutes.of(10), {}) == Decimal("0.25")
    # A learner's claim has no minimum (decision): 10 minutes are 0.25 by rounding
    # alone (0.167 is nearer 0.25 than 0), 7 minutes support nothing.
    assert ama(10) == Decimal("0.25")
    assert ama(7) == Decimal("0.00")


# 08:00-17:00 with a lunch, two breaks and a non-accredited industry slot [M1][M2][A12].
DAY_PROGRAM = [
    (t(8), t(10), "lecture"),
    (t(10), t(10, 15), "break"),
    (t(10, 15), t(12), "lecture"),
    (t(12), t(13), "meal"),
    (t(13), t(14, 45), "panel"),
    (t(14, 45), t(15), "break"),
    (t(15), t(15, 30), "industry"),
    (t(15, 30), t(17), "lecture"),
]
NOT_CREDIT = {"break", "meal", "industry"}


def test_example_6_a_day_minus_lunch_breaks_and_industry_is_7_00():
    assert covered((a, b) for a, b, _ in DAY_PROGRAM).total == 540
    credit = [(a, b) for a, b, kind in DAY_PROGRAM if kind not in NOT_CREDIT]
    minutes = covered(credit, NY)
    assert minutes.total == 540 - 60 - 2 * 15 - 30 == 420
    assert minutes.by_day == {DAY: 420}
    assert rule("AMA_PRA_1").amount(minutes, {}) == Decimal("7.00")


def test_example_6_through_the_program_in_the_database(activity):
    formats = {
        "lecture": SessionFormat.LECTURE,
        "panel": SessionFormat.PANEL,
        "break": SessionFormat.BREAK,
        "meal": SessionFormat.MEAL,
        "industry": SessionFormat.INDUSTRY,
    }
    for start, end, kind in DAY_PROGRAM:
        SessionFactory(activity=activity, start=start, end=end, format=formats[kind])
    minutes = activity_minutes(activity)
    assert minutes.total == 420
    assert rule("AMA_PRA_1").amount(minutes, {}) == Decimal("7.00")


def test_example_7_two_concurrent_breakouts_add_1_50_not_3_00(activity):
    SessionFactory(activity=activity, start=at(DAY, 8), end=at(DAY, 9))
    before = rule("AMA_PRA_1").amount(activity_minutes(activity), {})
    for _room in range(2):
        SessionFactory(activity=activity, start=at(DAY, 10), end=at(DAY, 11, 30))
    after = rule("AMA_PRA_1").amount(activity_minutes(activity), {})
    assert after - before == Decimal("1.50")
    # The arithmetic alone says the same.
    breakouts = [(t(10), t(11, 30)), (t(10), t(11, 30))]
    assert rule("AMA_PRA_1").amount(covered(breakouts, NY), {}) == Decimal("1.50")


def test_example_10_ancc_90_minutes_plus_5_minutes_evaluation_is_1_58():
    ancc = rule("ANCC")
    # [N1]; the evaluation time counts up to the provider's allowance (here 5 minutes).
    allowance = {"evaluation_minutes": 5}
    assert ancc.amount(Minutes.of(90), allowance, evaluation_minutes=5) == Decimal("1.58")
    assert ancc.designation_amount(Minutes.of(90), allowance) == Decimal("1.58")


def test_example_11_acpe_90_minutes_is_1_5_contact_hours_and_0_15_ceu():
    hours = rule("ACPE").amount(Minutes.of(90), {})
    assert hours == Decimal("1.50")  # [P8]
    assert ceu(hours) == Decimal("0.15")


def test_example_12_uan_valid_and_invalid():
    uan = parse_uan("0798-9999-18-246-H04-P")
    assert uan is not None
    assert uan.provider == "0798"
    assert uan.joint  # 9999 [P2]
    assert uan.year == 18
    assert uan.sequence == "246"
    assert (uan.delivery, uan.topic) == ("H", "04")  # home study, topic 04
    assert uan.audience == "P"  # pharmacist
    assert uan_problems("0798-9999-18-246-H04-P") == []
    assert parse_uan("0798-9999-18-246-H04-X") is None
    assert uan_problems("0798-9999-18-246-H04-X")  # invalid [P2][P3][P4]
