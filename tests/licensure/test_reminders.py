"""Renewal reminders: 90, 30 and 7 days before the due date, while a gap remains, each once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from cmeconf.common.models import AuditEntry
from cmeconf.licensure import reminders, services, tasks
from cmeconf.licensure.models import Licence, LicenceReminder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DUE = TODAY + dt.timedelta(days=120)


@pytest.fixture
def person(db):
    return UserFactory(email="doc@example.org", first_name="Dana")


@pytest.fixture
def licence(person):
    return Licence.objects.create(
        person=person,
        requirement_set="US-TX-MD-DO",
        license_type="MD",
        number="T7788",
        issued_on=dt.date(2012, 3, 1),
        expires_on=DUE,
    )


def run(capture, days_before: int) -> int:
    with capture(execute=True):
        return reminders.send_licence_reminders(today=DUE - dt.timedelta(days=days_before))


@pytest.mark.parametrize(
    ("days_left", "lead"),
    [(120, None), (91, None), (90, 90), (31, 90), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_lead_time(days_left, lead):
    assert reminders.lead_time(days_left) == lead


def test_reminds_at_90_30_and_7_days_once_each(licence, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    assert run(capture, 91) == 0
    assert run(capture, 90) == 1
    assert run(capture, 89) == 0
    assert run(capture, 30) == 1
    assert run(capture, 30) == 0
    assert run(capture, 7) == 1
    assert run(capture, 3) == 0
    assert [m.to for m in mail.outbox] == [["doc@example.org"]] * 3
    assert sorted(
        LicenceReminder.objects.filter(licence=licence).values_list("days_before", flat=True)
    ) == [7, 30, 90]
    assert AuditEntry.objects.filter(action="licensure.reminder_sent").count() == 3


def test_a_missed_day_catches_up_with_the_nearest_lead_only(
    licence, django_capture_on_commit_callbacks
):
    assert run(django_capture_on_commit_callbacks, 20) == 1
    assert list(LicenceReminder.objects.values_list("days_before", flat=True)) == [30]
    assert len(mail.outbox) == 1


def test_the_mail_names_the_gaps_and_links(licence, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks, 30)
    message = mail.outbox[0]
    assert "Texas: physician (DO, MD)" in message.subject
    assert "Dear Dana" in message.body
    assert "in 30 days" in message.body
    assert "Total CME: 48 still needed" in message.body
    assert "Minimum: Formal: 24 still needed" in message.body
    assert "Medical ethics and/or professional responsibility (formal): 2 still needed" in (
        message.body
    )
    assert f"/licensure/licences/{licence.pk}/fill/" in message.body
    assert "verify them with your board" in message.body


def test_unconfirmed_gaps_are_marked_in_the_mail(licence, django_capture_on_commit_callbacks):
    Licence.objects.filter(pk=licence.pk).update(conditions=["direct_patient_care"])
    run(django_capture_on_commit_callbacks, 30)
    body = mail.outbox[0].body
    line = next(x for x in body.splitlines() if "Safe and effective pain management" in x)
    assert "not verified: check with your board" in line


def test_no_reminder_without_a_gap(person, licence, django_capture_on_commit_callbacks):
    services.add_credit(
        person,
        title="Everything course",
        completed_on=TODAY - dt.timedelta(days=10),
        amounts={"AMA_PRA_1": "50"},
        topics=["ethics"],
    )
    report = services.reports(person, today=DUE - dt.timedelta(days=30))[0]
    assert report.status.compliant
    assert run(django_capture_on_commit_callbacks, 30) == 0
    assert mail.outbox == []


def test_no_reminder_for_a_licence_without_a_due_date(licence, django_capture_on_commit_callbacks):
    Licence.objects.filter(pk=licence.pk).update(expires_on=None)
    assert run(django_capture_on_commit_callbacks, 30) == 0


def test_inactive_people_get_nothing(person, licence, django_capture_on_commit_callbacks):
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert run(django_capture_on_commit_callbacks, 30) == 0


def test_a_new_due_date_starts_over(licence, django_capture_on_commit_callbacks):
    assert run(django_capture_on_commit_callbacks, 30) == 1
    # Renewed: the next due date is two years on; its reminders are new ones.
    new_due = DUE + dt.timedelta(days=730)
    Licence.objects.filter(pk=licence.pk).update(expires_on=new_due)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_licence_reminders(today=new_due - dt.timedelta(days=90)) == 1
    assert LicenceReminder.objects.count() == 2


def test_the_task_is_scheduled_daily(django_capture_on_commit_callbacks):
    entry = settings.CELERY_BEAT_SCHEDULE["licensure-reminders"]
    assert entry == {"task": "cmeconf.licensure.send_reminders", "schedule": 86400}
    assert tasks.send_reminders.name == entry["task"]
    assert tasks.send_reminders() == 0
