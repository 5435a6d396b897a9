"""Cycle windows: which dates a licence's renewal looks back over, and when it is due.

Plain date arithmetic, no rules data beyond a set's ``Cycle``. Month arithmetic
for windows snaps to month ends (never counts days), so a window computed back
from 28 February 2026 starts on 1 March 2024 and leaves out the leap day. A
birthday is a date, not a month end: it only gives way where the month is too
short (29 February in other years).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

from cmeconf.licensure.rules import Cycle

ONE_DAY = dt.timedelta(days=1)

# Anchors whose expiry the platform cannot work out: the licence must say it.
EXPIRY_REQUIRED_ANCHORS = frozenset(
    {
        "board_assigned_staggered",
        "staggered_by_surname",
        "staggered_by_surname_initial",
        "license_expiration_rolling_group",
        "dea_registration_event",
        "fixed_biennium_by_group",
        "fixed_biennium_department",
        "license_expiration",
        "license_expiration_month_end",
        "unknown",
    }
)


class ExpiryRequiredError(ValueError):
    """The cycle's anchor does not determine an expiry: it has to be supplied."""


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def is_month_end(day: dt.date) -> bool:
    return (day + ONE_DAY).day == 1


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS[month - 1]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same calendar date ``months`` later (or earlier, if negative).

    A month end maps to the month end, and a day the target month lacks (31 April,
    29 February 2025) becomes that month's last day.
    """
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    last = _days_in(year, month)
    if day.day > last or day.day == _days_in(day.year, day.month):
        return dt.date(year, month, last)
    return dt.date(year, month, day.day)


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def add_months_clamped(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later, or the month's last day if it is shorter.

    Unlike ``add_months``, a month end stays the same day number: a birthday on
    28 February is 28 February in leap years too.
    """
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return dt.date(year, month, min(day.day, _days_in(year, month)))


def rolling_start(end: dt.date, length_months: int) -> dt.date:
    """The first day of a window of ``length_months`` ending on ``end`` (inclusive)."""
    return add_months(end, -length_months) + ONE_DAY


def calendar_years_before(renewal: dt.date, years: int) -> tuple[dt.date, dt.date]:
    """The ``years`` whole calendar years before the renewal's year (California DO)."""
    return dt.date(renewal.year - years, 1, 1), dt.date(renewal.year - 1, 12, 31)


def cycle_window(
    cycle: Cycle, expiry: dt.date, *, cycle_start: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The window [start, end] (inclusive) of the cycle that ends with ``expiry``.

    ``cycle_start`` wins when the licence states its period (Royal College cycles,
    a nursing period taken from the licence).
    """
    if cycle_start is not None:
        return cycle_start, expiry
    months = cycle.length_months
    if months is None:
        raise ValueError("this set has no general cycle")
    if cycle.anchor == "calendar_biennium_preceding_renewal_year":
        return calendar_years_before(expiry, months // 12)
    if cycle.anchor == "program_enrollment_calendar_years":
        # A cycle of whole calendar years ending with the expiry's year.
        return dt.date(expiry.year - months // 12 + 1, 1, 1), dt.date(expiry.year, 12, 31)
    return rolling_start(expiry, months), expiry


def _first_on_or_after(
    origin: dt.date,
    step_months: int,
    today: dt.date,
    *,
    offset: int = 0,
    shift: Callable[[dt.date, int], dt.date] = add_months,
) -> dt.date:
    """The first of ``shift(origin, offset + k * step_months)`` (any whole k) on or after today.

    Each candidate is taken from the origin, not from the one before, so a day that a
    short month cut back (29 February) comes back in the next leap year.
    """
    k = 0
    day = shift(origin, offset)
    while day < today:
        k += 1
        day = shift(origin, offset + k * step_months)
    while True:
        earlier = shift(origin, offset + (k - 1) * step_months)
        if earlier < today:
            return day
        k -= 1
        day = earlier


def next_expiry(
    cycle: Cycle,
    *,
    today: dt.date,
    birth_date: dt.date | None = None,
    issued_on: dt.date | None = None,
    cycle_start: dt.date | None = None,
) -> dt.date:
    """The first expiry on or after ``today`` that the anchor determines.

    Raises ``ExpiryRequiredError`` when the anchor depends on facts only the board
    holds (staggered dates, surname groups) or is not confirmed. For birth-based
    anchors with a cycle longer than a year, the licence's first expiry (the first
    anchor date at least twelve months after issue) fixes which years are renewal
    years; without an issue date the nearest anchor date is taken.
    """
    anchor = cycle.anchor
    months = cycle.length_months
    if anchor in EXPIRY_REQUIRED_ANCHORS or anchor.startswith("UNCONFIRMED") or not months:
        raise ExpiryRequiredError(f"anchor {anchor!r}: supply the licence's expiry date")
    if anchor in ("birth_month_end", "birth_month", "birthday", "birthday_renewal_4yr_cme_period"):
        if birth_date is None:
            raise ExpiryRequiredError(f"anchor {anchor!r} needs the date of birth")
        start = issued_on + dt.timedelta(days=365) if issued_on else today
        year = start.year
        birthday = anchor.startswith("birthday")
        while True:
            if birthday:
                candidate = add_months_clamped(birth_date, 12 * (year - birth_date.year))
            else:
                candidate = month_end(year, birth_date.month)
            if candidate >= start:
                break
            year += 1
        if issued_on is None:
            return candidate
        if birthday:
            # Step from the birth date itself, so a leap-day birthday comes back.
            offset = 12 * (year - birth_date.year)
            return _first_on_or_after(
                birth_date, months, today, offset=offset, shift=add_months_clamped
            )
        return _first_on_or_after(candidate, months, today)
    if anchor in ("fixed_biennium", "fixed_triennium", "fixed_cycle"):
        if cycle.fixed_end is None:
            raise ExpiryRequiredError(f"anchor {anchor!r} without a known cycle end")
        return _first_on_or_after(cycle.fixed_end, months, today)
    if anchor == "calendar_biennium_preceding_renewal_year":
        raise ExpiryRequiredError("the renewal date is set by the board: supply it")
    if anchor in ("program_enrollment_calendar_years", "admission_date"):
        if cycle_start is None:
            raise ExpiryRequiredError(f"anchor {anchor!r} needs the cycle's start")
        if anchor == "program_enrollment_calendar_years":
            first_end = dt.date(cycle_start.year + months // 12 - 1, 12, 31)
        else:
            first_end = add_months(cycle_start, months) - ONE_DAY
        return _first_on_or_after(first_end, months, today)
    raise ExpiryRequiredError(f"anchor {anchor!r}: supply the licence's expiry date")


def renewal_number(issued_on: dt.date, expiry: dt.date, length_months: int) -> int:
    """Which renewal an expiry is (1: the first renewal after issue).

    The first licence term may be shorter than a cycle but never longer, so the
    n-th renewal is the one less than n cycles after issue.
    """
    # Start from whole months (at most one too few cycles), then step: one or two tries.
    n = max(1, months_between(issued_on, expiry) // length_months)
    while n > 1 and add_months(issued_on, (n - 1) * length_months) >= expiry:
        n -= 1
    while add_months(issued_on, n * length_months) < expiry:
        n += 1
    return n


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (the first licence term, for proration).

    The plain calendar count: a month is complete once the day of the month comes round
    again (30 April to 30 May is one month). Month ends are not snapped here: that would
    make 30 September to 30 October no month at all.
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months
