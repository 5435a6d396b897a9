"""What a scan means, as plain functions of plain facts.

Both ways of recording a scan use these: the service (through the ORM, for
every page and API call) and the fast scan route (plain SQL, for scanner
devices under load, see checkin.fast_scans). Keeping the decisions here, away
from how the facts are read and written, is what keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from cmeconf.checkin.choices import ScanKind, ScanResult
from cmeconf.registration.choices import AttendanceMode, RegistrationStatus

# A scanner's clock may run a little ahead; a scan from further in the future is a mistake.
CLOCK_SKEW = dt.timedelta(minutes=5)
# Offline scanners send their queue later, but not scans from before the conference.
EARLIEST_BEFORE_START = dt.timedelta(days=2)

MESSAGES = {
    ScanResult.OK: {
        ScanKind.ENTRY: gettext_lazy("Welcome"),
        ScanKind.IN: gettext_lazy("Checked in"),
        ScanKind.OUT: gettext_lazy("Checked out"),
    },
    ScanResult.REPEAT: {
        ScanKind.ENTRY: gettext_lazy("Already checked in"),
        ScanKind.IN: gettext_lazy("Already checked in to this session"),
        ScanKind.OUT: gettext_lazy("Not checked in to this session"),
    },
}
REFUSALS = {
    ScanResult.UNKNOWN: gettext_lazy("Unknown badge"),
    ScanResult.CANCELLED: gettext_lazy("Registration cancelled"),
    ScanResult.NOT_REGISTERED: gettext_lazy("Not registered: on the waiting list"),
    ScanResult.NOT_SIGNED_UP: gettext_lazy("Not signed up for this workshop"),
    ScanResult.WRONG_ACTIVITY: gettext_lazy("Badge of another conference"),
    ScanResult.VIRTUAL_ONLY: gettext_lazy("Registered to attend online only"),
}

Event = tuple[dt.datetime, str]
Span = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True, slots=True)
class Badge:
    """What the rules need to know of the registration a badge names."""

    activity_id: int
    status: str
    mode: str  # of its registration type: in person, online, hybrid


def message(result: str, kind: str) -> str:
    """The words the scanner shows in large letters."""
    if result in MESSAGES:
        return str(MESSAGES[result][kind])
    return str(REFUSALS[result])


def time_problem(
    scanned_at: dt.datetime, *, start_date: dt.date, tz: dt.tzinfo, now: dt.datetime
) -> str | None:
    """Why a scan time given by the device cannot be right, or None.

    "naive", "future" or "early" (from before the conference's run-up).
    """
    if scanned_at.tzinfo is None or scanned_at.utcoffset() is None:
        return "naive"
    if scanned_at > now + CLOCK_SKEW:
        return "future"
    earliest = dt.datetime.combine(start_date, dt.time.min, tzinfo=tz) - EARLIEST_BEFORE_START
    if scanned_at < earliest:
        return "early"
    return None


def refusal(
    activity_id: int, badge: Badge | None, *, workshop: bool, signed_up: bool
) -> str | None:
    """Why the badge does not let its holder in (a ScanResult), or None when it does.

    `workshop`: the scan is into a session with limited seats, where only those
    signed up (`signed_up`) may enter.
    """
    if badge is None:
        return ScanResult.UNKNOWN
    if badge.activity_id != activity_id:
        return ScanResult.WRONG_ACTIVITY
    if badge.status == RegistrationStatus.CANCELLED:
        return ScanResult.CANCELLED
    if badge.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_PAYMENT):
        return ScanResult.NOT_REGISTERED
    if badge.mode == AttendanceMode.VIRTUAL:
        return ScanResult.VIRTUAL_ONLY
    if workshop and not signed_up:
        return ScanResult.NOT_SIGNED_UP
    return None


def inside(events: Iterable[Event], before: dt.datetime) -> bool:
    """Whether the learner was in the session at `before`, by their admitted scans.

    Pairing (attendance.intervals.close_open_scans) leaves a check-in open
    exactly when the last scan is a check-in, so the last scan up to `before`
    decides. At one instant a check-in comes before a check-out, as in pairing
    ("in" sorts before "out").
    """
    last = max((e for e in events if e[0] <= before), default=None)
    return last is not None and last[1] == ScanKind.IN


def result(
    kind: str, *, checked_in_at: dt.datetime | None, when: dt.datetime, events: list[Event]
) -> str:
    """OK or REPEAT for an admitted badge: a second scan for the same thing changes nothing."""
    if kind == ScanKind.ENTRY:
        return ScanResult.REPEAT if checked_in_at else ScanResult.OK
    was_inside = inside(events, when)
    if kind == ScanKind.IN:
        return ScanResult.REPEAT if was_inside else ScanResult.OK
    return ScanResult.OK if was_inside else ScanResult.REPEAT


def interval_changes(
    wanted: set[Span], current: Iterable[tuple[int, dt.datetime, dt.datetime, object]]
) -> tuple[list[int], list[Span]]:
    """(ids to delete, spans to add) that make the stored scan intervals match `wanted`.

    `current` rows are (id, start, end, voided_at). Intervals a staff member
    voided stay as they are and are not written again; live ones that still
    pair up stay too, so that their recorded_at tells when they were first seen.
    """
    current = list(current)
    kept = {(start, end) for _pk, start, end, _voided in current}
    stale = [
        pk for pk, start, end, voided in current if voided is None and (start, end) not in wanted
    ]
    return stale, sorted(wanted - kept)
