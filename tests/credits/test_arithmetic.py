"""Credit arithmetic: covered minutes, roundings, steps and caps [M1][M2][N1][E3]."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from cmeconf.credits.arithmetic import (
    Minutes,
    capped,
    covered,
    down_to,
    hours,
    nearest_quarter,
    two_places,
)

NY = zoneinfo.ZoneInfo("America/New_York")


def t(hour: int, minute: int = 0, day: int = 14, month: int = 4) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, minute, tzinfo=NY)


def test_covered_counts_overlapping_time_once():
    result = covered([(t(9), t(10, 30)), (t(10), t(11))], NY)
    assert result.total == 120
    assert result.by_day == {dt.date(2027, 4, 14): 120}


def test_covered_of_nothing_is_zero():
    assert covered([], NY) == Minutes(total=0, by_day={})


def test_covered_drops_seconds_after_merging():
    start = t(9)
    assert covered([(start, start + dt.timedelta(seconds=119))]).total == 1


def test_covered_splits_days_at_local_midnight():
    result = covered([(t(22), t(2, day=15))], NY)
    assert result.total == 240
    assert result.by_day == {dt.date(2027, 4, 14): 120, dt.date(2027, 4, 15): 120}


def test_covered_accepts_a_zone_name():
    result = covered([(t(22), t(2, day=15))], "America/New_York")
    assert result.by_day[dt.date(2027, 4, 14)] == 120


def test_covered_per_day_inside_the_repeated_hour_when_dst_ends():
    # 01:30 EDT to 01:20 EST on 7 November 2027 is 50 real minutes; the wall clock
    # goes backwards, and the day still gets all 50.
    start = dt.datetime(2027, 11, 7, 5, 30, tzinfo=dt.UTC)
    end = dt.datetime(2027, 11, 7, 6, 20, tzinfo=dt.UTC)
    result = covered([(start, end)], NY)
    assert result.total == 50
    assert result.by_day == {dt.date(2027, 11, 7): 50}


def test_covered_across_the_spring_forward_gap_counts_real_minutes():
    # 01:00 EST to 04:00 EDT on 14 March 2027: two real hours.
    start = dt.datetime(2027, 3, 14, 1, 0, tzinfo=NY)
    end = dt.datetime(2027, 3, 14, 4, 0, tzinfo=NY)
    assert covered([(start, end)], NY).total == 120


def test_covered_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        covered([(dt.datetime(2027, 4, 14, 9), dt.datetime(2027, 4, 14, 10))])


def test_hours():
    assert hours(90) == Decimal("1.5")


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0, "0.00"),
        (-5, "0.00"),
        (1, "0.25"),  # minimum [M2]
        (7, "0.25"),
        (8, "0.25"),
        (22, "0.25"),
        (23, "0.50"),
        (60, "1.00"),
        (67, "1.00"),
        (68, "1.25"),
        (95, "1.50"),
        (100, "1.75"),
        (420, "7.00"),
    ],
)
def test_nearest_quarter(minutes, expected):
    assert nearest_quarter(minutes) == Decimal(expected)


def test_nearest_quarter_without_minimum():
    assert nearest_quarter(5, minimum=None) == Decimal("0.00")
    assert nearest_quarter(8, minimum=None) == Decimal("0.25")


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(0, "0.00"), (1, "0.02"), (90, "1.50"), (95, "1.58"), (100, "1.67"), (61, "1.02")],
)
def test_two_places(minutes, expected):
    assert two_places(minutes) == Decimal(expected)


@pytest.mark.parametrize(
    ("minutes", "expected"), [(0, "0.00"), (29, "0.00"), (30, "0.50"), (59, "0.50"), (61, "1.00")]
)
def test_down_to_whole_half_hours(minutes, expected):
    assert down_to(minutes, 30, Decimal("0.5")) == Decimal(expected)


def test_capped():
    assert capped(Decimal("3.25"), Decimal("3")) == Decimal("3.00")
    assert capped(Decimal("1.5"), Decimal("3")) == Decimal("1.50")
