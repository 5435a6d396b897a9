"""Credit arithmetic: pure functions from time to credit, no database.

Sources (docs/credits/sources.md): 60 minutes are one credit; live credit
is rounded to the nearest quarter hour with a minimum of 0.25 [M1][M2];
concurrent sessions count once toward the maximum [M1]; breaks and
non-accredited segments are excluded [M1][A12]. Learners claim only what their
measured participation supports [M3][M6], so a claim is the same arithmetic
applied to the learner's minutes, capped by the designated maximum.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from cmeconf.attendance import intervals as spans

Interval = spans.Interval

QUARTER = Decimal("0.25")
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Minutes:
    """Covered minutes in all, and per local calendar day (for per-day caps [E1])."""

    total: int
    by_day: Mapping[dt.date, int] = field(default_factory=dict)

    @classmethod
    def of(cls, total: int) -> Minutes:
        return cls(total=total, by_day={})


def covered(intervals: Iterable[Interval], tz: dt.tzinfo | str = dt.UTC) -> Minutes:
    """The time the intervals cover, each moment once, in whole minutes.

    Overlapping intervals (concurrent sessions, two devices) are merged first, so
    concurrent time counts once [M1]. The per-day figures split the merged time at
    local midnight of `tz`; they add up to at most `total` (each day rounds down).
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    merged = spans.merge(intervals)
    seconds = sum((b - a).total_seconds() for a, b in merged)
    per_day: dict[dt.date, float] = defaultdict(float)
    # Compared and subtracted in UTC: two datetimes sharing one tzinfo compare by wall
    # clock, which goes wrong inside the repeated hour when daylight saving time ends.
    for start, end in merged:
        while start < end:
            day = start.astimezone(zone).date()
            next_midnight = dt.datetime.combine(
                day + dt.timedelta(days=1), dt.time(), tzinfo=zone
            ).astimezone(dt.UTC)
            stop = min(end, next_midnight)
            per_day[day] += (stop - start).total_seconds()
            start = stop
    return Minutes(
        total=int(seconds // 60),
        by_day={day: int(s // 60) for day, s in sorted(per_day.items())},
    )


def hours(minutes: int) -> Decimal:
    return Decimal(minutes) / Decimal(60)


def nearest_quarter(minutes: int, *, minimum: Decimal | None = QUARTER) -> Decimal:
    """minutes/60 to the nearest quarter hour [M1]; at least `minimum` when any time counts [M2].

    Integer minutes never fall on a tie (the cut points are at 7.5 minutes), so the
    direction of rounding halves does not matter for whole minutes.
    """
    if minutes <= 0:
        return Decimal("0.00")
    value = (hours(minutes) / QUARTER).quantize(Decimal(1), rounding=ROUND_HALF_UP) * QUARTER
    if minimum is not None and value < minimum:
        value = minimum
    return value.quantize(HUNDREDTH)


def two_places(minutes: int) -> Decimal:
    """minutes/60 to two decimal places (ANCC: "logical and defensible" [N1][N2])."""
    if minutes <= 0:
        return Decimal("0.00")
    return hours(minutes).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def down_to(minutes: int, step_minutes: int, credit_per_step: Decimal) -> Decimal:
    """Whole steps only: 0.5 ECMEC per full 30 minutes [E3]."""
    if minutes <= 0:
        return Decimal("0.00")
    steps = (Decimal(minutes) / Decimal(step_minutes)).to_integral_value(rounding=ROUND_FLOOR)
    return (steps * credit_per_step).quantize(HUNDREDTH)


def capped(amount: Decimal, maximum: Decimal) -> Decimal:
    """A claim never exceeds the designated maximum [M3][M6]."""
    return min(amount, maximum).quantize(HUNDREDTH)
