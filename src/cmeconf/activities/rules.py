"""Rules of the program: what is invalid, and what only deserves a warning."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import time_format
from django.utils.translation import gettext as _

from cmeconf.activities.choices import NON_EDUCATIONAL_FORMATS, RoomKind, SessionFormat


def session_errors(
    *,
    activity,
    format: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    credit_eligible: bool,
    room=None,
    track=None,
) -> dict[str, list[str]]:
    """Errors that would make a session wrong, by field. Empty when valid."""
    errors: dict[str, list[str]] = defaultdict(list)
    if format not in SessionFormat.values:
        errors["format"].append(_("Choose a format from the list."))
    if (start is None) != (end is None):
        field = "end" if end is None else "start"
        errors[field].append(_("Give both a start and an end, or neither."))
    if start is not None and end is not None:
        if end <= start:
            errors["end"].append(_("The session must end after it starts."))
        elif end - start > dt.timedelta(hours=24):
            errors["end"].append(_("A session cannot last more than 24 hours."))
    if credit_eligible and format in NON_EDUCATIONAL_FORMATS:
        errors["credit_eligible"].append(
            _("%(format)s cannot carry credit: only accredited education can.")
            % {"format": SessionFormat(format).label}
        )
    if room is not None and room.activity_id != activity.pk:
        errors["room"].append(_("That room belongs to another activity."))
    if track is not None and track.activity_id != activity.pk:
        errors["track"].append(_("That track belongs to another activity."))
    return dict(errors)


WARNING_KINDS = ("room", "person", "dates", "capacity", "ancillary")

# Exhibits, advertising and non-accredited industry sessions are ancillary: Standard 5 keeps
# them out of the educational space (a room or a virtual stage) from 30 minutes before
# to 30 minutes after accredited education [A12].
ANCILLARY_FORMATS = frozenset(
    {SessionFormat.EXHIBIT, SessionFormat.INDUSTRY, SessionFormat.ADVERTISING}
)
ANCILLARY_GAP = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class ScheduleWarning:
    kind: str  # one of WARNING_KINDS
    session_ids: tuple[int, ...]
    message: str


def overlaps(items: list[tuple[dt.datetime, dt.datetime, object]]) -> Iterable[tuple]:
    """Pairs of items whose [start, end) intervals overlap, by a sweep over start times."""
    items = sorted(items, key=lambda i: (i[0], i[1]))
    active: list[tuple] = []
    for item in items:
        active = [a for a in active if a[1] > item[0]]
        for other in active:
            yield other, item
        active.append(item)


def schedule_warnings(activity, sessions: Iterable | None = None) -> list[ScheduleWarning]:
    """Double-booked rooms and people, sessions outside the dates, rooms too small.

    `sessions` should have room and faculty prefetched; by default all of the
    activity's sessions are loaded so, in three queries.
    """
    if sessions is None:
        sessions = activity.sessions.select_related("room").prefetch_related("faculty__person")
    sessions = [s for s in sessions if s.start is not None]
    tz = activity.tz
    warnings: list[ScheduleWarning] = []

    first, last = activity.local_bounds()
    for s in sessions:
        if s.start < first or s.end > last:
            warnings.append(
                ScheduleWarning(
                    "dates",
                    (s.pk,),
                    _("“%(title)s” is outside the activity's dates.") % {"title": s.title},
                )
            )
        if s.room_id and s.room.capacity and s.capacity and s.capacity > s.room.capacity:
            warnings.append(
                ScheduleWarning(
                    "capacity",
                    (s.pk,),
                    _("“%(title)s” offers %(seats)s seats but %(room)s holds %(cap)s.")
                    % {
                        "title": s.title,
                        "seats": s.capacity,
                        "room": s.room.name,
                        "cap": s.room.capacity,
                    },
                )
            )

    by_room: dict[int, list] = defaultdict(list)
    by_person: dict[int, list] = defaultdict(list)
    for s in sessions:
        if s.room_id:
            by_room[s.room_id].append((s.start, s.end, s))
        for f in s.faculty.all():
            by_person[f.person_id].append((s.start, s.end, (s, f.person)))

    for items in by_room.values():
        for (_s1, _e1, a), (_s2, _e2, b) in overlaps(items):
            warnings.append(
                ScheduleWarning(
                    "room",
                    (a.pk, b.pk),
                    _("%(room)s is double-booked at %(time)s: “%(a)s” and “%(b)s”.")
                    % {
                        "room": a.room.name,
                        "time": time_format(b.start.astimezone(tz)),
                        "a": a.title,
                        "b": b.title,
                    },
                )
            )
    for items in by_room.values():
        warnings.extend(_ancillary_warnings([s for _start, _end, s in items], tz))
    for items in by_person.values():
        for (_s1, _e1, (a, person)), (_s2, _e2, (b, _p)) in overlaps(items):
            warnings.append(
                ScheduleWarning(
                    "person",
                    (a.pk, b.pk),
                    _("%(person)s is in two places at %(time)s: “%(a)s” and “%(b)s”.")
                    % {
                        "person": person.full_name,
                        "time": time_format(b.start.astimezone(tz)),
                        "a": a.title,
                        "b": b.title,
                    },
                )
            )
    return warnings


def _ancillary_warnings(room_sessions: list, tz) -> list[ScheduleWarning]:
    """Ancillary items too close to accredited education in the same room [A12]."""
    ancillary = [s for s in room_sessions if s.format in ANCILLARY_FORMATS]
    education = [s for s in room_sessions if s.credit_eligible]
    found = []
    for a in ancillary:
        for e in education:
            if a.start < e.end + ANCILLARY_GAP and a.end > e.start - ANCILLARY_GAP:
                found.append(
                    ScheduleWarning(
                        "ancillary",
                        (a.pk, e.pk),
                        (
                            _(
                                "“%(a)s” (%(format)s) is on the virtual stage %(room)s within "
                                "30 minutes of accredited “%(e)s” at %(time)s: ancillary "
                                "activities stay off the stage 30 minutes before and after "
                                "(ACCME Standard 5)."
                            )
                            if a.room.kind == RoomKind.VIRTUAL_STAGE
                            else _(
                                "“%(a)s” (%(format)s) is in %(room)s within 30 minutes of "
                                "accredited “%(e)s” at %(time)s: ancillary activities stay out "
                                "of the educational space 30 minutes before and after (ACCME "
                                "Standard 5)."
                            )
                        )
                        % {
                            "a": a.title,
                            "format": a.get_format_display().lower(),
                            "room": a.room.name,
                            "e": e.title,
                            "time": time_format(e.start.astimezone(tz)),
                        },
                    )
                )
    return found
