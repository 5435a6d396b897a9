"""iCalendar (RFC 5545) files of the program: the whole schedule, one session, a learner's agenda.

Written with the `icalendar` package, which folds lines and ends them with CRLF. Times carry
the activity's TZID with a matching VTIMEZONE, so calendar apps show the right local time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities import schedule
from cmeconf.activities.models import Activity, Session

PRODID = "-//cmeconf//Continuing education program//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "cmeconf.invalid"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def session_uid(session: Session) -> str:
    """Stable across exports, so that a subscribed calendar updates an event in place."""
    return f"session-{session.code}@{_host()}"


def _location(activity: Activity, session: Session) -> str:
    parts = [session.room.name if session.room_id else "", activity.venue_name]
    return ", ".join(p for p in parts if p)


def _description(session: Session) -> str:
    lines = []
    faculty = list(session.faculty.all())
    if faculty:
        lines.append(
            "; ".join(
                f"{schedule.faculty_name(f.person)} ({f.get_role_display()})" for f in faculty
            )
        )
    note = schedule.credit_label(session)
    if note:
        lines.append(note)
    if session.abstract:
        lines.append(session.abstract.strip())
    objectives = session.objective_list
    if objectives:
        lines.append(_("Learning objectives:"))
        lines += [f"- {o}" for o in objectives]
    lines.append(absolute(session.get_absolute_url()))
    return "\n\n".join(lines)


def _event(activity: Activity, session: Session, stamp: dt.datetime) -> icalendar.Event:
    tz = activity.tz
    event = icalendar.Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp)
    event.add("dtstart", session.start.astimezone(tz))
    event.add("dtend", session.end.astimezone(tz))
    event.add("summary", session.title)
    location = _location(activity, session)
    if location:
        event.add("location", location)
    event.add("description", _description(session))
    event.add("url", absolute(session.get_absolute_url()))
    categories = [session.get_format_display()]
    if session.track_id:
        categories.insert(0, session.track.name)
    event.add("categories", categories)
    event.add("last-modified", session.updated.astimezone(dt.UTC))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar(activity: Activity, sessions: Iterable[Session], *, name: str) -> bytes:
    """An iCalendar file of the scheduled sessions among `sessions`."""
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", activity.time_zone)
    # Subscribed calendars: ask for a refresh every hour.
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for session in sessions:
        if session.start is not None:
            cal.add_component(_event(activity, session, stamp))
    # Only the years around the activity: a VTIMEZONE for 1970-2038 would dwarf the events.
    cal.add_missing_timezones(
        first_date=activity.start_date - dt.timedelta(days=366),
        last_date=activity.end_date + dt.timedelta(days=366),
    )
    return cal.to_ical()


def schedule_ics(activity: Activity) -> bytes:
    sessions = schedule.with_activity(activity, schedule.sessions_queryset(activity))
    return calendar(activity, sessions, name=activity.title)


def session_ics(activity: Activity, session: Session) -> bytes:
    return calendar(activity, [session], name=f"{session.title} ({activity.title})")


def agenda_ics(activity: Activity, sessions: Iterable[Session]) -> bytes:
    return calendar(activity, sessions, name=_("My agenda: %(title)s") % {"title": activity.title})
