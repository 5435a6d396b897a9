"""E-mail reminders before a disclosure expires."""

import datetime as dt

from django.core import mail
from django.core.management import call_command

from cmeconf.common.models import AuditEntry
from cmeconf.integrity import reminders, services
from tests.factories import UserFactory

SUBMITTED = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)  # valid until 2027-01-10


def _disclosed(email):
    person = UserFactory(email=email, first_name="Ada")
    services.submit_disclosure(person, by=person, attested=True, relationships=[], now=SUBMITTED)
    return person


def test_each_reminder_goes_out_once_at_its_lead_time(db, settings):
    settings.DISCLOSURE_VALID_MONTHS = 12
    settings.DISCLOSURE_REMINDER_DAYS = (7, 30)
    _disclosed("ada@example.org")
    too_early = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)  # 40 days left
    assert reminders.send_due_reminders(now=too_early) == 0
    month_before = dt.datetime(2026, 12, 12, 9, tzinfo=dt.UTC)  # 29 days left
    assert reminders.send_due_reminders(now=month_before) == 1
    assert reminders.send_due_reminders(now=month_before) == 0  # the job ran twice
    week_before = dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC)
    assert reminders.send_due_reminders(now=week_before) == 1
    assert [m.to for m in mail.outbox] == [["ada@example.org"], ["ada@example.org"]]
    assert mail.outbox[0].subject == (
        "Your disclosure of financial relationships expires on Jan. 10, 2027"
    )
    assert "/disclosure/new/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="disclosure.reminded").count() == 2


def test_no_reminder_after_a_new_disclosure_or_for_a_refusal(db, settings):
    settings.DISCLOSURE_REMINDER_DAYS = (30,)
    person = _disclosed("ben@example.org")
    services.submit_disclosure(person, by=person, attested=True, relationships=[])  # today
    refuser = UserFactory(email="cy@example.org")
    services.refuse_disclosure(refuser, by=refuser, now=SUBMITTED)
    assert reminders.send_due_reminders(now=dt.datetime(2026, 12, 20, tzinfo=dt.UTC)) == 0
    assert mail.outbox == []


def test_command_reports_what_it_sent(db, settings, capsys):
    settings.DISCLOSURE_REMINDER_DAYS = (30,)
    call_command("send_disclosure_reminders")
    assert "Sent 0 reminder(s)." in capsys.readouterr().out
