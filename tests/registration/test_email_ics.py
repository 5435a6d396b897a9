"""The confirmation e-mail carries an iCalendar file of the activity and the learner's workshops."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from ical.calendar_stream import IcsCalendarStream

from cmeconf.common.mail import send_templated_email
from cmeconf.common.tasks import send_email
from cmeconf.registration import services
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.ics import registration_ics
from tests.factories import SessionFactory, UserFactory, at
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

S = RegistrationStatus


@pytest.fixture
def setup(activity):
    activity.venue_address = "1 Main Street\nColumbus, OH 43215"
    activity.save()
    return RegistrationSetupFactory(activity=activity)


@pytest.fixture
def free(activity, setup):
    return RegistrationTypeFactory(activity=activity, code="free", name="Resident")


def parse(text: str):
    """Strict parsing: raises on a missing required property or a bad value."""
    return IcsCalendarStream.calendar_from_ics(text)


def register_and_mail(activity, reg_type, person, capture):
    with capture(execute=True):
        return services.register(activity, person, registration_type=reg_type, by=person)


def test_confirmation_mail_has_a_valid_ics_of_the_activity(
    activity, free, learner, django_capture_on_commit_callbacks
):
    reg = register_and_mail(activity, free, learner, django_capture_on_commit_callbacks)
    assert reg.status == S.CONFIRMED
    (message,) = mail.outbox
    assert "Your registration is confirmed." in message.body
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == ("registration.ics", "text/calendar")
    assert "\r\n" in content and "\n" not in content.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in content.split("\r\n"))
    calendar = parse(content)
    assert calendar.prodid == "-//cmeconf//Continuing education program//EN"
    (event,) = calendar.events
    assert event.summary == activity.title
    # All day, from the first day to the day after the last.
    assert (event.dtstart, event.dtend) == (dt.date(2027, 4, 14), dt.date(2027, 4, 17))
    assert event.location == "Convention Center, 1 Main Street Columbus, OH 43215"
    assert event.uid.startswith(f"registration-{reg.pk}@")
    assert f"/{activity.provider.slug}/{activity.slug}/my-registration/" in event.description


def test_a_held_seat_awaiting_payment_gets_the_calendar_too(
    activity, setup, learner, django_capture_on_commit_callbacks
):
    paid = RegistrationTypeFactory(activity=activity)
    PriceTierFactory(registration_type=paid, amount=Decimal("100.00"))
    reg = register_and_mail(activity, paid, learner, django_capture_on_commit_callbacks)
    assert reg.status == S.PENDING_PAYMENT
    (message,) = mail.outbox
    assert [a[0] for a in message.attachments] == ["registration.ics"]


def test_the_waiting_list_mail_has_no_calendar(
    activity, setup, learner, django_capture_on_commit_callbacks
):
    full = RegistrationTypeFactory(activity=activity, capacity=0)
    reg = register_and_mail(activity, full, learner, django_capture_on_commit_callbacks)
    assert reg.status == S.WAITLISTED
    (message,) = mail.outbox
    assert "waiting list" in message.body
    assert message.attachments == []


def test_the_calendar_has_the_workshops_the_learner_holds_a_seat_in(
    activity, free, learner, django_capture_on_commit_callbacks
):
    reg = register_and_mail(activity, free, learner, django_capture_on_commit_callbacks)
    workshop = SessionFactory(
        activity=activity,
        title="Ultrasound Workshop",
        capacity=10,
        start=at(dt.date(2027, 4, 15), 14),
        end=at(dt.date(2027, 4, 15), 16),
    )
    full = SessionFactory(activity=activity, title="Full Workshop", capacity=0)
    services.sign_up(reg, workshop, by=learner)
    assert services.sign_up(reg, full, by=learner).status == "waitlisted"
    calendar = parse(registration_ics(reg))
    assert [e.summary for e in calendar.events] == [activity.title, "Ultrasound Workshop"]
    session_event = calendar.events[1]
    assert session_event.dtstart == workshop.start
    assert session_event.dtend == workshop.end
    assert str(session_event.dtstart.tzinfo) == "America/New_York"
    assert session_event.uid.startswith(f"session-{workshop.code}@")
    assert [tz.tz_id for tz in calendar.timezones] == ["America/New_York"]


def test_send_email_attaches_files_and_works_without(settings):
    send_email(
        to=["a@example.org"],
        subject="S",
        body="B",
        attachments=[["x.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"]],
    )
    send_email(to=["b@example.org"], subject="S", body="B")
    first, second = mail.outbox
    assert first.attachments == [("x.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")]
    assert second.attachments == []


def test_send_templated_email_passes_attachments(activity):
    person = UserFactory(email="p@example.org")
    send_templated_email(
        person.email,
        "registration/email/registered_subject.txt",
        "registration/email/registered.txt",
        {"person": person, "activity": activity, "url": "https://x.example/"},
        attachments=[("a.txt", "hello", "text/plain")],
    )
    (message,) = mail.outbox
    assert message.attachments == [("a.txt", "hello", "text/plain")]


def test_paying_the_balance_sends_the_confirmation_with_the_ics(
    activity, setup, learner, admin_user, django_capture_on_commit_callbacks
):
    paid_type = RegistrationTypeFactory(activity=activity, code="paid", name="Physician")
    PriceTierFactory(registration_type=paid_type, amount=Decimal("200.00"))
    reg = register_and_mail(activity, paid_type, learner, django_capture_on_commit_callbacks)
    assert reg.status == S.PENDING_PAYMENT
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_payment(
            reg, by=admin_user, method="invoice", amount=Decimal("100.00"), reference="part"
        )
    assert mail.outbox == []  # half paid: nothing confirmed yet
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_payment(
            reg, by=admin_user, method="invoice", amount=Decimal("100.00"), reference="rest"
        )
    (message,) = mail.outbox
    assert message.subject.startswith("Confirmed:")
    assert "is confirmed" in message.body
    assert "/my-registration/" in message.body
    ((filename, content, _mime),) = message.attachments
    assert filename == "registration.ics"
    parse(content)


def test_accepting_an_offered_seat_sends_the_confirmation(
    activity, setup, django_capture_on_commit_callbacks
):
    full = RegistrationTypeFactory(activity=activity, code="full", name="Resident", capacity=1)
    first, second = UserFactory(), UserFactory()
    services.register(activity, first, registration_type=full, by=first)
    waiting = services.register(activity, second, registration_type=full, by=second)
    services.cancel(services.Registration.objects.get(person=first), by=first)
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_offer(waiting, by=second)
    (message,) = mail.outbox
    assert message.to == [second.email]
    assert "is confirmed" in message.body
