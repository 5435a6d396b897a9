"""Reminders before a disclosure expires, so that nobody's role is blocked by surprise."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from cmeconf.common import audit
from cmeconf.common.mail import send_templated_email
from cmeconf.integrity.choices import DisclosureState
from cmeconf.integrity.models import Disclosure, DisclosureReminder


def due(today: dt.date, lead_times: tuple[int, ...]) -> list[tuple[Disclosure, int]]:
    """Current submitted disclosures expiring within a lead time not yet reminded of.

    Each disclosure gets the reminder of the shortest lead time it has reached; a
    job that did not run for a few days still sends it (late rather than never).
    """
    if not lead_times:
        return []
    latest = (
        Disclosure.objects.filter(person=OuterRef("person"))
        .order_by("-submitted_at", "-id")
        .values("id")[:1]
    )
    horizon = today + dt.timedelta(days=max(lead_times))
    current = (
        Disclosure.objects.filter(
            id=Subquery(latest),
            state=DisclosureState.SUBMITTED,
            valid_until__gte=today,
            valid_until__lte=horizon,
        )
        .select_related("person")
        .prefetch_related("reminders")
    )
    found = []
    for d in current:
        days_left = (d.valid_until - today).days
        reached = [lt for lt in lead_times if days_left <= lt]
        lead = min(reached)
        if lead not in {r.days_before for r in d.reminders.all()}:
            found.append((d, lead))
    return found


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """E-mail each due reminder once; returns how many were sent.

    Side effects: e-mail, a DisclosureReminder row and audit "disclosure.reminded" each.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for disclosure, lead in due(today, settings.DISCLOSURE_REMINDER_DAYS):
        try:
            with transaction.atomic():
                DisclosureReminder.objects.create(
                    disclosure=disclosure, days_before=lead, sent_at=now
                )
                audit.record(
                    "disclosure.reminded",
                    actor=None,
                    obj=disclosure,
                    after={"person": disclosure.person_id, "valid_until": disclosure.valid_until},
                )
        except IntegrityError:
            continue  # another worker sent this one already
        send_templated_email(
            disclosure.person.email,
            "integrity/email/reminder_subject.txt",
            "integrity/email/reminder.txt",
            {
                "person": disclosure.person,
                "valid_until": disclosure.valid_until,
                "url": settings.SITE_URL + reverse("integrity:disclosure_new"),
            },
        )
        sent += 1
    return sent
