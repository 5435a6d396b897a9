import pytest
from django.core import mail

from cmeconf.common import tasks
from cmeconf.common.mail import send_templated_email
from tests.common.flaky_mail_backend import FlakyBackend

TEMPLATES = {
    "mail/subject.txt": "Your certificate\nfor {{ activity }} ",
    "mail/body.txt": "Hello {{ name }},\nyour certificate for {{ activity }} is ready.",
    "mail/body.html": "<p>Hello {{ name }}, your certificate for <b>{{ activity }}</b>.</p>",
}


@pytest.fixture
def templates(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]


def test_templated_email_is_rendered_and_sent_through_the_backend(templates, settings):
    settings.DEFAULT_FROM_EMAIL = "ACP CME <cme@acp.example>"
    send_templated_email(
        "lee@example.org",
        "mail/subject.txt",
        "mail/body.txt",
        {"name": "Lee", "activity": "Annual <Meeting>"},
        html_template="mail/body.html",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lee@example.org"]
    assert message.from_email == "ACP CME <cme@acp.example>"
    # One line, whatever the template's line breaks.
    assert message.subject == "Your certificate for Annual <Meeting>"
    assert message.body == "Hello Lee,\nyour certificate for Annual <Meeting> is ready."
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert html == "<p>Hello Lee, your certificate for <b>Annual &lt;Meeting&gt;</b>.</p>"


def test_several_recipients_and_reply_to(templates):
    send_templated_email(
        ["a@example.org", "b@example.org"],
        "mail/subject.txt",
        "mail/body.txt",
        {"name": "all", "activity": "X"},
        reply_to=["office@acp.example"],
    )
    [message] = mail.outbox
    assert message.to == ["a@example.org", "b@example.org"]
    assert message.reply_to == ["office@acp.example"]
    assert message.alternatives == []


def test_no_recipient_sends_nothing(templates):
    send_templated_email([], "mail/subject.txt", "mail/body.txt", {})
    assert mail.outbox == []


def test_task_takes_plain_data_and_is_registered_by_name():
    from cmeconf.celery import app

    assert app.tasks["cmeconf.common.send_email"].name == tasks.send_email.name
    sent = tasks.send_email.apply(
        kwargs={"to": ["x@example.org"], "subject": "S", "body": "B"}
    ).get()
    assert sent == 1
    assert [m.subject for m in mail.outbox if m.to == ["x@example.org"]] == ["S"]


def test_a_refused_connection_is_retried(settings):
    settings.EMAIL_BACKEND = "tests.common.flaky_mail_backend.FlakyBackend"
    FlakyBackend.failures_left = 1
    # throw=False: run as a worker does, where a retry is scheduled instead of raised.
    tasks.send_email.apply(kwargs={"to": ["x@example.org"], "subject": "Retried", "body": "B"},
                           throw=False)  # fmt: skip
    assert FlakyBackend.failures_left == 0
    assert [m.subject for m in mail.outbox] == ["Retried"]
