"""Minutes that count for credit: the activity's (designation) and a learner's (claim).

Only credit-eligible, scheduled sessions of an educational format count; breaks,
meals, exhibits and industry sessions never do [M1][A12]. Concurrent sessions
count once [M1]: the activity's time is the union of its credit sessions, and a
learner's time is the union of their attendance clipped to each credit session,
so a learner who drifts between two parallel rooms earns each minute once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from cmeconf.activities.choices import NON_EDUCATIONAL_FORMATS
from cmeconf.activities.models import Activity, Session
from cmeconf.attendance import intervals as spans
from cmeconf.attendance.models import AttendanceInterval
from cmeconf.credits.arithmetic import Minutes, covered


def credit_sessions(activity: Activity) -> QuerySet[Session]:
    """Sessions whose time can carry credit, in time order."""
    return (
        Session.objects.filter(
            activity=activity, credit_eligible=True, start__isnull=False, end__isnull=False
        )
        .exclude(format__in=NON_EDUCATIONAL_FORMATS)
        .order_by("start", "id")
    )


def activity_minutes(activity: Activity, sessions: list[Session] | None = None) -> Minutes:
    """The time covered by the credit sessions, overlapping time once, per local day too."""
    found = list(credit_sessions(activity)) if sessions is None else sessions
    return covered(((s.start, s.end) for s in found if s.end > s.start), activity.time_zone)


@dataclass(frozen=True)
class Participation:
    """A learner's measured time: in all (concurrent once) and per session."""

    minutes: Minutes
    by_session: dict[int, int]  # session id -> minutes in that session (merged, clipped)


def learner_participation(
    activity: Activity, person, sessions: list[Session] | None = None
) -> Participation:
    """What the attendance records support for `person`, every source and device merged."""
    found = list(credit_sessions(activity)) if sessions is None else sessions
    by_id = {s.pk: s for s in found}
    raw: dict[int, list[spans.Interval]] = defaultdict(list)
    for session_id, start, end in AttendanceInterval.objects.filter(
        session_id__in=list(by_id), person=person, voided_at__isnull=True
    ).values_list("session_id", "start", "end"):
        raw[session_id].append((start, end))
    clipped: list[spans.Interval] = []
    by_session: dict[int, int] = {}
    for session_id, intervals in raw.items():
        session = by_id[session_id]
        inside = spans.clip(intervals, session.start, session.end)
        minutes = int(sum((b - a).total_seconds() for a, b in inside) // 60)
        if minutes:
            by_session[session_id] = minutes
        clipped += inside
    return Participation(minutes=covered(clipped, activity.time_zone), by_session=by_session)
