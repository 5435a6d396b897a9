import re

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse

from cmeconf.accounts import services
from cmeconf.common.models import AuditEntry

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")


def reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_email_link(client, learner, settings):
    settings.SITE_URL = "https://cme.example.org"
    response = client.post(RESET, {"email": "LEARNER@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["learner@example.org"]
    assert message.subject == "Set your password"
    assert "https://cme.example.org/accounts/password/reset/" in message.body

    form_page = client.get(reset_link(message), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "violet-harbour-58", "new_password2": "violet-harbour-58"}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    learner.refresh_from_db()
    assert learner.check_password("violet-harbour-58")
    # Setting a password does not log in: a person with two-factor still owes a code.
    assert not get_user(client).is_authenticated
    assert AuditEntry.objects.filter(action="person.password_set", actor=learner).exists()

    # The link works once.
    again = client.get(reset_link(message), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post(RESET, {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_invited_person_sets_a_first_password(client, admin_user):
    invited, _ = services.find_or_create_person(
        email="speaker@hospital.example", by=admin_user, first_name="Sam", last_name="Speaker"
    )
    client.post(RESET, {"email": "speaker@hospital.example"})
    assert len(mail.outbox) == 1
    page = client.get(reset_link(mail.outbox[0]), follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "amber-lecture-77", "new_password2": "amber-lecture-77"},
    )
    invited.refresh_from_db()
    assert invited.check_password("amber-lecture-77")
    entry = AuditEntry.objects.get(action="person.password_set")
    assert entry.note == "reset; first password"


def test_reset_page_prefills_the_address(client):
    html = client.get(RESET + "?email=someone%40example.org").content.decode()
    assert 'value="someone@example.org"' in html


def test_password_change(client, learner):
    client.force_login(learner)
    url = reverse("accounts:password_change")
    response = client.post(
        url,
        {
            "old_password": "wrong",
            "new_password1": "teal-seminar-42",
            "new_password2": "teal-seminar-42",
        },
    )
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(
        url,
        {
            "old_password": "correct horse battery staple",
            "new_password1": "teal-seminar-42",
            "new_password2": "teal-seminar-42",
        },
    )
    assert response["Location"] == reverse("accounts:profile")
    learner.refresh_from_db()
    assert learner.check_password("teal-seminar-42")
    # Still logged in after the change.
    assert get_user(client).pk == learner.pk
    assert AuditEntry.objects.get(action="person.password_set").note == "changed"
