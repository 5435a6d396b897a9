import datetime as dt

import pytest

from cmeconf.licensure import windows
from cmeconf.licensure.rules import Cycle

D = dt.date


def cycle(anchor: str, months: int | None = 24, **kw) -> Cycle:
    return Cycle(months, anchor, True, "", "", **kw)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 15), 1, D(2026, 2, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # a day February lacks becomes its last day
        (D(2026, 2, 28), -24, D(2024, 2, 29)),  # month end to month end
        (D(2028, 2, 29), -24, D(2026, 2, 28)),
        (D(2026, 3, 30), -1, D(2026, 2, 28)),
        (D(2024, 12, 15), 13, D(2026, 1, 15)),
    ],
)
def test_add_months_snaps_to_month_ends(day, months, expected):
    assert windows.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("expiry", "start"),
    [
        (D(2026, 2, 28), D(2024, 3, 1)),  # the leap day 2024-02-29 stays outside
        (D(2028, 2, 29), D(2026, 3, 1)),
        (D(2026, 7, 31), D(2024, 8, 1)),
        (D(2026, 3, 15), D(2024, 3, 16)),  # a birthday expiry
        (D(2026, 4, 30), D(2024, 5, 1)),
        (D(2026, 8, 31), D(2024, 9, 1)),
    ],
)
def test_rolling_window(expiry, start):
    assert windows.cycle_window(cycle("birth_month_end"), expiry) == (start, expiry)


def test_fixed_biennium_window_and_next_expiry():
    pa = cycle("fixed_biennium", fixed_end=D(2024, 12, 31))
    expiry = windows.next_expiry(pa, today=D(2025, 6, 1))
    assert expiry == D(2026, 12, 31)
    assert windows.cycle_window(pa, expiry) == (D(2025, 1, 1), D(2026, 12, 31))
    # On the last day of a cycle, that cycle is still the current one.
    assert windows.next_expiry(pa, today=D(2026, 12, 31)) == D(2026, 12, 31)
    assert windows.next_expiry(pa, today=D(2027, 1, 1)) == D(2028, 12, 31)
    # A known end far in the future works backwards too.
    late = cycle("fixed_biennium", fixed_end=D(2030, 12, 31))
    assert windows.next_expiry(late, today=D(2025, 6, 1)) == D(2026, 12, 31)


def test_calendar_years_before_renewal_year():
    ca_do = cycle("calendar_biennium_preceding_renewal_year")
    assert windows.cycle_window(ca_do, D(2026, 5, 31)) == (D(2024, 1, 1), D(2025, 12, 31))


def test_programme_cycle_of_calendar_years():
    moc = cycle("program_enrollment_calendar_years", 60)
    assert windows.cycle_window(moc, D(2028, 12, 31)) == (D(2024, 1, 1), D(2028, 12, 31))
    expiry = windows.next_expiry(moc, today=D(2026, 3, 1), cycle_start=D(2024, 1, 1))
    assert expiry == D(2028, 12, 31)
    assert windows.next_expiry(moc, today=D(2029, 1, 1), cycle_start=D(2024, 1, 1)) == D(
        2033, 12, 31
    )


def test_stated_period_wins():
    assert windows.cycle_window(cycle("unknown"), D(2026, 4, 30), cycle_start=D(2024, 5, 1)) == (
        D(2024, 5, 1),
        D(2026, 4, 30),
    )


def test_birth_month_end_expiry():
    ca = cycle("birth_month_end")
    born = D(1975, 7, 9)
    assert windows.next_expiry(ca, today=D(2026, 3, 1), birth_date=born) == D(2026, 7, 31)
    assert windows.next_expiry(ca, today=D(2026, 8, 1), birth_date=born) == D(2027, 7, 31)
    # With the issue date, renewal years follow the first expiry (at least a year after issue).
    issued = D(2013, 3, 2)  # first expiry 2014-07-31, then every two years
    assert windows.next_expiry(ca, today=D(2025, 8, 1), birth_date=born, issued_on=issued) == D(
        2026, 7, 31
    )
    assert windows.next_expiry(ca, today=D(2026, 8, 1), birth_date=born, issued_on=issued) == D(
        2028, 7, 31
    )


def test_birthday_expiry_on_a_leap_birthday():
    ma = cycle("birthday")
    born = D(1980, 2, 29)
    assert windows.next_expiry(ma, today=D(2026, 1, 10), birth_date=born) == D(2026, 2, 28)


@pytest.mark.parametrize(
    "anchor", ["board_assigned_staggered", "staggered_by_surname", "unknown", "license_expiration"]
)
def test_anchors_that_need_the_expiry(anchor):
    with pytest.raises(windows.ExpiryRequiredError):
        windows.next_expiry(cycle(anchor), today=D(2026, 1, 1))


def test_birth_anchor_without_birth_date():
    with pytest.raises(windows.ExpiryRequiredError):
        windows.next_expiry(cycle("birthday"), today=D(2026, 1, 1))


@pytest.mark.parametrize(
    ("issued", "expiry", "number"),
    [
        (D(2024, 5, 1), D(2026, 4, 30), 1),  # a full first term
        (D(2025, 11, 1), D(2026, 4, 30), 1),  # a short first term
        (D(2024, 4, 1), D(2026, 4, 30), 2),  # the first term ended 2024-04-30
        (D(2012, 3, 2), D(2026, 7, 31), 8),
    ],
)
def test_renewal_number(issued, expiry, number):
    assert windows.renewal_number(issued, expiry, 24) == number


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2025, 3, 2), D(2026, 2, 28), 11),
        (D(2025, 2, 28), D(2026, 2, 28), 12),
        # The day of the month came round again: a whole month, month end or not.
        (D(2024, 9, 30), D(2025, 10, 30), 13),
        (D(2025, 4, 30), D(2025, 5, 30), 1),
        (D(2025, 4, 30), D(2025, 5, 29), 0),
        (D(2025, 1, 15), D(2025, 1, 15), 0),
        (D(2024, 2, 29), D(2025, 2, 28), 11),
    ],
)
def test_months_between_counts_calendar_months(start, end, months):
    assert windows.months_between(start, end) == months


def test_add_months_clamped_keeps_the_day_number():
    assert windows.add_months_clamped(D(1971, 2, 28), 12 * 57) == D(2028, 2, 28)
    assert windows.add_months_clamped(D(1980, 2, 29), 12 * 46) == D(2026, 2, 28)
    assert windows.add_months_clamped(D(1980, 2, 29), 12 * 48) == D(2028, 2, 29)
    assert windows.add_months_clamped(D(2025, 4, 30), 1) == D(2025, 5, 30)
    assert windows.add_months_clamped(D(2025, 1, 31), -2) == D(2024, 11, 30)


def test_birthday_on_28_february_stays_there_in_leap_years():
    birthday = cycle("birthday")
    born = D(1971, 2, 28)
    assert windows.next_expiry(birthday, today=D(2028, 1, 10), birth_date=born) == D(2028, 2, 28)
    # With an issue date, renewal years step from the birthday itself: 2022, 2024, 2026, 2028.
    issued = D(2020, 6, 1)
    assert windows.next_expiry(
        birthday, today=D(2023, 6, 1), birth_date=born, issued_on=issued
    ) == D(2024, 2, 28)
    assert windows.next_expiry(
        birthday, today=D(2027, 6, 1), birth_date=born, issued_on=issued
    ) == D(2028, 2, 28)


def test_leap_day_birthday_comes_back_in_leap_years():
    birthday = cycle("birthday")
    born = D(1980, 2, 29)
    issued = D(2020, 6, 1)  # first expiry 2022-02-28, then every two years
    assert windows.next_expiry(
        birthday, today=D(2023, 6, 1), birth_date=born, issued_on=issued
    ) == D(2024, 2, 29)
    assert windows.next_expiry(
        birthday, today=D(2024, 3, 1), birth_date=born, issued_on=issued
    ) == D(2026, 2, 28)


def test_birth_month_end_still_ends_the_month_in_leap_years():
    ca = cycle("birth_month_end")
    born = D(1971, 2, 3)
    issued = D(2020, 6, 1)  # first expiry 2022-02-28
    assert windows.next_expiry(ca, today=D(2023, 6, 1), birth_date=born, issued_on=issued) == D(
        2024, 2, 29
    )
