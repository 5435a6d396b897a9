"""Renewal reminders: an e-mail 90, 30 and 7 days before a licence is due, while gaps remain.

Run daily by the task queue's beat. Each reminder is sent once per licence, due
date and lead time: the LicenceReminder row is claimed first (its unique
constraint decides between two workers) and the mail queued after commit. A run
that was missed catches up with the nearest lead time only, so nobody gets three
mails on one day.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cmeconf.common import audit
from cmeconf.common.mail import send_templated_email
from cmeconf.licensure import services, vocabulary
from cmeconf.licensure.display import requirement_label
from cmeconf.licensure.models import Licence, LicenceReminder

# Days before the due date, from the first reminder to the last.
LEAD_DAYS = (90, 30, 7)


def lead_time(days_left: int) -> int | None:
    """The reminder due with this many days left: the nearest lead time not yet passed."""
    if days_left < 0:
        return None
    due = [lead for lead in LEAD_DAYS if days_left <= lead]
    return min(due) if due else None


def send_licence_reminders(today: dt.date | None = None) -> int:
    """E-mail everyone whose licence is due within a lead time and still has a gap.

    Returns how many reminders were queued. Side effects per reminder: a
    LicenceReminder row, audit "licensure.reminder_sent", the e-mail after commit.
    Compliant licences, licences without a worked-out due date and those past due
    get nothing.
    """
    today = today or timezone.localdate()
    sent = 0
    people = (
        get_user_model()
        .objects.filter(is_active=True, pk__in=Licence.objects.values("person_id"))
        .order_by("pk")
    )
    for person in people:
        for report in services.reports(person, today=today):
            status = report.status
            if status is None or status.compliant:
                continue
            lead = lead_time((status.due - today).days)
            if lead is None:
                continue
            if _claim(report, lead, today):
                sent += 1
    return sent


def _claim(report: services.LicenceReport, lead: int, today: dt.date) -> bool:
    licence, status = report.licence, report.status
    try:
        with transaction.atomic():
            reminder = LicenceReminder.objects.create(
                licence=licence, due=status.due, days_before=lead
            )
            audit.record(
                "licensure.reminder_sent",
                actor=None,
                obj=reminder,
                after={"licence": licence.pk, "due": status.due, "days_before": lead},
            )
            _queue_mail(report, today)
    except IntegrityError:
        return False  # sent before, or by another worker just now
    return True


def _queue_mail(report: services.LicenceReport, today: dt.date) -> None:
    licence, status = report.licence, report.status
    unit = vocabulary.UNITS.get(report.requirement_set.total.unit, "")
    context = {
        "person": licence.person,
        "label": services.set_label(report.requirement_set),
        "licence": licence,
        "due": status.due,
        "days_left": (status.due - today).days,
        "gaps": [(requirement_label(g), g) for g in report.open_gaps],
        "unit": unit,
        "checked_on": report.requirement_set.version,
        "dashboard_url": settings.SITE_URL + reverse("licensure:dashboard"),
        "fill_url": settings.SITE_URL + reverse("licensure:fill", args=[licence.pk]),
    }
    to = licence.person.email

    def send() -> None:
        send_templated_email(
            to,
            "licensure/email/reminder_subject.txt",
            "licensure/email/reminder.txt",
            context,
        )

    transaction.on_commit(send)
