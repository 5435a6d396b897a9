"""What the staff attendance pages show: minutes per session and per learner, read only.

The minutes come from the same arithmetic as `services.minutes_by_person` (every
non-voided interval of a learner, from every source, merged and clipped to the
session), computed here for many sessions or learners at once so that a page costs
a fixed number of queries, whatever the number of sessions and learners.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from cmeconf.activities.models import Activity, Session
from cmeconf.attendance import intervals as arithmetic
from cmeconf.attendance import services
from cmeconf.attendance.models import AttendanceImport, AttendanceInterval


@dataclass
class SessionSummary:
    session: Session
    learners: int  # learners with at least one minute in the session
    total_minutes: int
    median_minutes: float | None
    imports: int


@dataclass
class LearnerAttendance:
    person: object
    minutes: int
    intervals: list[AttendanceInterval] = field(default_factory=list)

    @property
    def voided(self) -> int:
        return sum(1 for i in self.intervals if i.voided_at is not None)


def credit_sessions(activity: Activity) -> QuerySet[Session]:
    """The activity's scheduled sessions that are eligible for credit, in time order."""
    return (
        Session.objects.filter(activity=activity, credit_eligible=True, start__isnull=False)
        .select_related("room")
        .order_by("start", "room__order", "title")
    )


def session_summaries(activity: Activity) -> list[SessionSummary]:
    """Per credit-eligible session: learners with attendance, total and median minutes, imports.

    Three queries in all: the sessions (with their import counts) and the intervals.
    """
    sessions = list(
        credit_sessions(activity).annotate(n_imports=Count("attendance_imports", distinct=True))
    )
    spans: dict[int, dict[int, list[arithmetic.Interval]]] = defaultdict(lambda: defaultdict(list))
    for session_id, person_id, start, end in AttendanceInterval.objects.filter(
        session__in=[s.pk for s in sessions], voided_at__isnull=True
    ).values_list("session_id", "person_id", "start", "end"):
        spans[session_id][person_id].append((start, end))
    result = []
    for session in sessions:
        minutes = [
            m
            for found in spans[session.pk].values()
            if (m := arithmetic.minutes(found, session.start, session.end)) > 0
        ]
        result.append(
            SessionSummary(
                session=session,
                learners=len(minutes),
                total_minutes=sum(minutes),
                median_minutes=statistics.median(minutes) if minutes else None,
                imports=session.n_imports,
            )
        )
    return result


def search_people(queryset: QuerySet, text: str, prefix: str = "person__") -> QuerySet:
    """Narrow `queryset` to people whose name or e-mail contains every word of `text`."""
    for word in (text or "").split():
        queryset = queryset.filter(
            Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}email__icontains": word})
        )
    return queryset


def learners(session: Session, search: str = "") -> list[LearnerAttendance]:
    """Everyone with attendance recorded at the session (voided intervals included), by name.

    Each learner carries all their intervals, voided ones too, so that staff see what
    was removed and why; `minutes` counts only the others (services.minutes_by_person).
    """
    minutes = services.minutes_by_person(session)
    found = search_people(
        AttendanceInterval.objects.filter(session=session)
        .select_related("person", "recorded_by", "source_import")
        # Only the file name is shown; the unmatched rows would be repeated on every row.
        .defer("source_import__unmatched"),
        search,
    ).order_by("person__last_name", "person__first_name", "person_id", "start", "id")
    rows: dict[int, LearnerAttendance] = {}
    for interval in found:
        row = rows.get(interval.person_id)
        if row is None:
            row = rows[interval.person_id] = LearnerAttendance(
                person=interval.person, minutes=minutes.get(interval.person_id, 0)
            )
        row.intervals.append(interval)
    return list(rows.values())


def imports(session: Session) -> list[AttendanceImport]:
    """The reports imported for the session, newest first, with who imported them."""
    return list(
        AttendanceImport.objects.filter(session=session)
        .select_related("imported_by")
        .order_by("-imported_at", "-id")
    )
