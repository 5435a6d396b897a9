"""The reminder e-mail, RegistrationSetup.reminder_days before the activity starts, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from ical.calendar_stream import IcsCalendarStream

from cmeconf.common.models import AuditEntry
from cmeconf.registration import services, tasks
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.models import Registration
from cmeconf.registration.reminders import send_reminders
from tests.factories import UserFactory
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

S = RegistrationStatus
UTC = dt.UTC
# The factories' activity starts on 14 April 2027 in New York (UTC-4 then): three days
# before is 11 April, 00:00 New York time, 04:00 UTC.
WINDOW_OPENS = dt.datetime(2027, 4, 11, 4, tzinfo=UTC)
STARTS = dt.datetime(2027, 4, 14, 4, tzinfo=UTC)


@pytest.fixture
def setup(activity):
    return RegistrationSetupFactory(activity=activity, reminder_days=3)


@pytest.fixture
def free(activity, setup):
    return RegistrationTypeFactory(activity=activity, code="free", name="Resident")


def register(activity, reg_type, **fields):
    person = UserFactory(**fields)
    return services.register(activity, person, registration_type=reg_type, by=person)


@pytest.fixture
def people(activity, setup, free):
    """One registration in each state."""
    paid = RegistrationTypeFactory(activity=activity, code="paid")
    PriceTierFactory(registration_type=paid, amount=Decimal("250.00"))
    full = RegistrationTypeFactory(activity=activity, code="full", capacity=0)
    virtual = RegistrationTypeFactory(activity=activity, code="online", mode="virtual")
    regs = {
        "confirmed": register(activity, free, email="confirmed@example.org"),
        "pending": register(activity, paid, email="pending@example.org"),
        "waitlisted": register(activity, full, email="waitlisted@example.org"),
        "offered": register(activity, full, email="offered@example.org"),
        "cancelled": register(activity, free, email="cancelled@example.org"),
        "virtual": register(activity, virtual, email="virtual@example.org"),
    }
    Registration.objects.filter(pk=regs["offered"].pk).update(status=S.OFFERED)
    services.cancel(regs["cancelled"], by=regs["cancelled"].person)
    mail.outbox.clear()
    return regs


def run(capture, now):
    with capture(execute=True):
        return send_reminders(now=now)


def test_nothing_before_the_window_opens(people, django_capture_on_commit_callbacks):
    assert run(django_capture_on_commit_callbacks, WINDOW_OPENS - dt.timedelta(minutes=1)) == 0
    assert mail.outbox == []


def test_seat_holders_are_reminded_once(people, activity, django_capture_on_commit_callbacks):
    now = WINDOW_OPENS + dt.timedelta(minutes=30)
    assert run(django_capture_on_commit_callbacks, now) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "confirmed@example.org",
        "pending@example.org",
        "virtual@example.org",
    ]
    sent = Registration.objects.filter(reminder_sent_at=now)
    assert {r.person.email for r in sent} == {
        "confirmed@example.org",
        "pending@example.org",
        "virtual@example.org",
    }
    assert AuditEntry.objects.filter(action="registration.reminder_sent").count() == 3
    # The next run, an hour later: nobody twice.
    assert run(django_capture_on_commit_callbacks, now + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 3


def test_the_reminder_has_the_links_and_the_calendar(
    people, activity, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks, WINDOW_OPENS)
    by_to = {m.to[0]: m for m in mail.outbox}
    message = by_to["confirmed@example.org"]
    assert message.subject == f"Reminder: {activity.title} starts April 14, 2027"
    base = f"{settings.SITE_URL}/{activity.provider.slug}/{activity.slug}"
    assert f"{base}/my-registration/\n" in message.body
    assert f"{base}/my-registration/badge/\n" in message.body
    assert "Venue: Convention Center" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == ("registration.ics", "text/calendar")
    (event,) = IcsCalendarStream.calendar_from_ics(content).events
    assert event.summary == activity.title
    assert "250.00 USD are still due" in by_to["pending@example.org"].body
    # Online only: no badge to show.
    assert "/badge/" not in by_to["virtual@example.org"].body


def test_nothing_once_the_activity_has_started(people, django_capture_on_commit_callbacks):
    assert run(django_capture_on_commit_callbacks, STARTS) == 0
    assert run(django_capture_on_commit_callbacks, STARTS + dt.timedelta(days=1)) == 0
    assert mail.outbox == []


def test_a_late_registrant_is_still_reminded_before_the_start(
    people, activity, free, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks, WINDOW_OPENS)
    mail.outbox.clear()
    register(activity, free, email="late@example.org")
    mail.outbox.clear()
    assert run(django_capture_on_commit_callbacks, STARTS - dt.timedelta(hours=1)) == 1
    assert [m.to for m in mail.outbox] == [["late@example.org"]]


def test_no_reminders_when_switched_off(people, setup, django_capture_on_commit_callbacks):
    setup.reminder_days = 0
    setup.save()
    assert run(django_capture_on_commit_callbacks, WINDOW_OPENS + dt.timedelta(days=1)) == 0
    assert mail.outbox == []


def test_the_beat_runs_the_reminder_task_hourly(people):
    entry = settings.CELERY_BEAT_SCHEDULE["registration-reminders"]
    assert entry == {"task": "cmeconf.registration.send_reminders", "schedule": 3600}
    assert tasks.send_reminders.name == entry["task"]
    # Today is long before the factories' activity: nothing is due yet.
    assert tasks.send_reminders() == 0
