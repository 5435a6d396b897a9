"""Attendance arithmetic: pure functions over time intervals, no database.

A learner's presence at a session is a set of intervals, seen by several
sources (badge scans, Zoom, Teams, virtual presence, staff adjustments) and
devices. Credit rests on measured participation [M1][M3], so the same minute
seen twice must count once: intervals are merged before they are counted, and
only the part inside the session counts.

Every datetime must be aware. Arithmetic is done in UTC, because Python
subtracts and compares two datetimes that share one tzinfo by their wall
clocks, which would count an hour too many or too few across a DST change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

Interval = tuple[dt.datetime, dt.datetime]


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: attendance needs aware datetimes")
    return value.astimezone(dt.UTC)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping and touching intervals; the result is sorted, in UTC.

    Touching intervals (one ends when the next starts) become one, so a learner
    who left Zoom and came back the same second is one stretch of presence.
    Raises ValueError for an interval that ends before it starts.
    """
    spans: list[Interval] = []
    for start, end in intervals:
        start, end = _utc(start), _utc(end)
        if end < start:
            raise ValueError(f"interval ends before it starts: {start} to {end}")
        spans.append((start, end))
    spans.sort()
    merged: list[Interval] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def clip(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The parts of the intervals that fall between start and end (merged, in UTC).

    Time before a session starts or after it ends is not time in the session
    [M1]: a learner who joins the stream early earns nothing for the wait.
    """
    start, end = _utc(start), _utc(end)
    clipped = []
    for a, b in merge(intervals):
        a, b = max(a, start), min(b, end)
        if a < b:
            clipped.append((a, b))
    return clipped


def minutes(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes of presence between start and end, rounded down.

    The intervals are merged (each moment counts once, whatever saw it) and
    clipped to [start, end]; the total seconds are divided by 60 and the
    remainder dropped, so 59 seconds are 0 minutes and 119 seconds 1 minute.
    Rounding down keeps minutes within what was measured; the credit rules
    round the minutes to quarter hours later [M1].
    """
    seconds = sum((b - a).total_seconds() for a, b in clip(intervals, start, end))
    return int(seconds // 60)


class ScanKind(StrEnum):
    IN = "in"
    OUT = "out"


class ScanPairing(NamedTuple):
    intervals: list[Interval]
    # Check-outs that had no check-in before them: not counted, shown to staff.
    stray_check_outs: list[dt.datetime]


def close_open_scans(
    events: Iterable[tuple[dt.datetime, str]], session_end: dt.datetime
) -> ScanPairing:
    """Pair check-in and check-out scans of one learner into intervals.

    `events` are (time, "in" | "out") from any number of devices, in any order.
    - A check-in without a later check-out closes at the session's end: door
      scanners miss people leaving, and the session's end is the latest they
      can have been there.
    - A second check-in while already in is ignored (a badge scanned twice, or
      at two doors); the first one counts.
    - A check-out without a check-in is ignored and reported.
    - A check-in at or after the session's end with no check-out gives nothing.
    """
    session_end = _utc(session_end)
    # Check-in before check-out at the same instant, so an in/out pair at one
    # moment is a (zero-length) visit, not a stray check-out.
    ordered = sorted(
        ((_utc(when), ScanKind(kind)) for when, kind in events),
        key=lambda e: (e[0], 0 if e[1] == ScanKind.IN else 1),
    )
    intervals: list[Interval] = []
    stray: list[dt.datetime] = []
    opened: dt.datetime | None = None
    for when, kind in ordered:
        if kind == ScanKind.IN:
            if opened is None:
                opened = when
        elif opened is None:
            stray.append(when)
        else:
            intervals.append((opened, when))
            opened = None
    if opened is not None and opened < session_end:
        intervals.append((opened, session_end))
    return ScanPairing(intervals, stray)
