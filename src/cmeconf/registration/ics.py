"""The learner's own calendar file, attached to the confirmation and reminder e-mails.

One all-day event spanning the activity's days at its venue, and one timed event
for each workshop the learner holds a seat in (the same UIDs as the program's
iCalendar export, so a calendar that has both keeps one copy of each session).
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities.exports import ical
from cmeconf.registration.choices import SignupStatus
from cmeconf.registration.models import Registration

FILENAME = "registration.ics"
MIMETYPE = "text/calendar"


def my_registration_url(activity) -> str:
    return ical.absolute(
        reverse("learner_registration:mine", args=[activity.provider.slug, activity.slug])
    )


def _activity_event(registration: Registration, stamp: dt.datetime) -> icalendar.Event:
    activity = registration.activity
    event = icalendar.Event()
    event.add("uid", f"registration-{registration.pk}@{ical._host()}")
    event.add("dtstamp", stamp)
    # All day, first day to the day after the last (DTEND of a date is exclusive).
    event.add("dtstart", activity.start_date)
    event.add("dtend", activity.end_date + dt.timedelta(days=1))
    event.add("summary", activity.title)
    location = ", ".join(
        p for p in (activity.venue_name, " ".join(activity.venue_address.split())) if p
    )
    if location:
        event.add("location", location)
    lines = [
        _("Registration type: %(type)s") % {"type": registration.registration_type.name},
        _("Your registration and badge: %(url)s") % {"url": my_registration_url(activity)},
        _("Program: %(url)s") % {"url": ical.absolute(activity.get_absolute_url())},
    ]
    event.add("description", "\n\n".join(lines))
    event.add("url", ical.absolute(activity.get_absolute_url()))
    event.add("status", "CONFIRMED")
    # All day: it should not block the learner's calendar as busy from midnight.
    event.add("transp", "TRANSPARENT")
    return event


def registration_ics(registration: Registration) -> str:
    """The iCalendar file (RFC 5545) of the learner's activity and workshops."""
    activity = registration.activity
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", ical.PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", activity.title)
    cal.add_component(_activity_event(registration, stamp))
    signups = (
        registration.workshop_signups.filter(
            status=SignupStatus.CONFIRMED, session__start__isnull=False
        )
        .select_related("session__room", "session__track")
        .prefetch_related("session__faculty__person")
        .order_by("session__start")
    )
    for signup in signups:
        cal.add_component(ical._event(activity, signup.session, stamp))
    cal.add_missing_timezones(
        first_date=activity.start_date - dt.timedelta(days=366),
        last_date=activity.end_date + dt.timedelta(days=366),
    )
    return cal.to_ical().decode("utf-8")


def ics_attachment(registration: Registration) -> tuple[str, str, str]:
    return (FILENAME, registration_ics(registration), MIMETYPE)
