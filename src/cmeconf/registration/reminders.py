"""The reminder e-mail a few days before an activity starts (RegistrationSetup.reminder_days).

Run periodically by the task queue's beat. Each registration is reminded at most
once: reminder_sent_at is claimed with a conditional update before the mail is
queued, so two workers running at once never send it twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmeconf.common import audit
from cmeconf.common.mail import send_templated_email
from cmeconf.registration.badges import BADGE_STATUSES
from cmeconf.registration.choices import AttendanceMode
from cmeconf.registration.ics import ics_attachment, my_registration_url
from cmeconf.registration.models import Registration, RegistrationSetup

# Seat holders: confirmed, and those whose seat is held until they pay (on site too).
REMINDED = BADGE_STATUSES


def reminder_window(setup: RegistrationSetup) -> tuple[dt.datetime, dt.datetime] | None:
    """(from, until): reminders go out from `reminder_days` before the first day's start
    (midnight in the activity's time zone) until the activity starts; None when off."""
    if not setup.reminder_days:
        return None
    starts, _ends = setup.activity.local_bounds()
    return starts - dt.timedelta(days=setup.reminder_days), starts


def _badge_url(activity) -> str:
    return settings.SITE_URL + reverse(
        "learner_badge:page", args=[activity.provider.slug, activity.slug]
    )


def send_reminders(now: dt.datetime | None = None) -> int:
    """E-mail every seat holder of each activity now in its reminder window, once.

    Waiting-list, offered and cancelled registrations get nothing. Returns how many
    reminders were queued. Side effects per registration: reminder_sent_at, audit
    "registration.reminder_sent", the e-mail (with the .ics) after commit.
    """
    now = now or timezone.now()
    sent = 0
    # Activities not yet begun (a day's slack for time zones); the window decides the rest.
    setups = RegistrationSetup.objects.filter(
        reminder_days__gt=0, activity__start_date__gte=(now - dt.timedelta(days=1)).date()
    ).select_related("activity__provider")
    for setup in setups:
        window = reminder_window(setup)
        if window is None or not (window[0] <= now < window[1]):
            continue
        activity = setup.activity
        due = (
            Registration.objects.filter(
                activity=activity, status__in=REMINDED, reminder_sent_at__isnull=True
            )
            .select_related("person", "registration_type")
            .order_by("id")
        )
        for registration in due:
            with transaction.atomic():
                claimed = Registration.objects.filter(
                    pk=registration.pk, status__in=REMINDED, reminder_sent_at__isnull=True
                ).update(reminder_sent_at=now)
                if not claimed:
                    continue
                registration.activity = activity
                registration.reminder_sent_at = now
                audit.record(
                    "registration.reminder_sent",
                    actor=None,
                    obj=registration,
                    provider_id=activity.provider_id,
                    activity_id=activity.pk,
                    after={"reminder_sent_at": now},
                )
                _queue_mail(registration)
            sent += 1
    return sent


def _queue_mail(registration: Registration) -> None:
    activity = registration.activity
    person = registration.person
    in_person = registration.registration_type.mode != AttendanceMode.VIRTUAL
    context = {
        "person": person,
        "activity": activity,
        "registration": registration,
        "starts": activity.start_date,
        "url": my_registration_url(activity),
        "badge_url": _badge_url(activity) if in_person else "",
        "program_url": settings.SITE_URL + activity.get_absolute_url(),
    }
    attachment = ics_attachment(registration)

    def send() -> None:
        send_templated_email(
            person.email,
            "registration/email/reminder_subject.txt",
            "registration/email/reminder.txt",
            context,
            attachments=[attachment],
        )

    transaction.on_commit(send)
