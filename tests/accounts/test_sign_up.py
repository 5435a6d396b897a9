import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from cmeconf.accounts import services
from cmeconf.accounts.models import User
from cmeconf.common.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:sign_up")


def form(**overrides):
    data = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "Grace.Hopper@Example.org",
        "password1": "lilac-navigator-91",
        "password2": "lilac-navigator-91",
        "profession": "physician",
        "credentials": "MD",
        "specialty": "Cardiology",
        "country": "us",
        "region": "Virginia",
    }
    data.update(overrides)
    return data


def test_sign_up_creates_account_and_logs_in(client):
    response = client.post(URL, form())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get()
    assert user.email == "grace.hopper@example.org"
    assert (user.first_name, user.last_name, user.credentials) == ("Grace", "Hopper", "MD")
    assert (user.profession, user.specialty, user.country, user.region) == (
        "physician",
        "Cardiology",
        "US",
        "Virginia",
    )
    assert user.check_password("lilac-navigator-91")
    assert get_user(client).pk == user.pk
    entry = AuditEntry.objects.get(action="person.created")
    assert entry.actor_id == user.pk and entry.note == "sign-up"
    assert "password" not in str(entry.after)


def test_sign_up_follows_a_safe_next_only(client):
    response = client.post(URL, form(next="/acp/annual/"))
    assert response["Location"] == "/acp/annual/"
    client.logout()
    response = client.post(URL, form(email="other@example.org", next="https://evil.example/"))
    assert response["Location"] == reverse("accounts:profile")


def test_sign_up_page_has_labelled_fields(client):
    html = client.get(URL).content.decode()
    for field in ("first_name", "last_name", "email", "password1", "password2", "profession"):
        assert f'<label for="id_{field}">' in html
    assert '<datalist id="specialty-suggestions">' in html


def test_passwords_must_match_and_be_strong(client):
    response = client.post(URL, form(password2="something-else-42"))
    assert "The two passwords differ." in response.content.decode()
    response = client.post(URL, form(password1="12345678", password2="12345678"))
    assert "This password is too common." in response.content.decode()
    assert not User.objects.exists()


def test_duplicate_email_is_refused_whatever_the_case(client):
    existing = UserFactory(email="grace.hopper@example.org")
    response = client.post(URL, form(email="GRACE.hopper@example.ORG"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is already an account with this e-mail address" in html
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.check_password("correct horse battery staple")
    assert not get_user(client).is_authenticated


def test_invited_person_cannot_be_taken_over_by_signing_up(client, admin_user):
    invited, created = services.find_or_create_person(
        email="dr.faculty@hospital.example", by=admin_user, first_name="Fay", last_name="Culty"
    )
    assert created and not invited.has_usable_password()
    response = client.post(URL, form(email="Dr.Faculty@hospital.example", first_name="Mallory"))
    html = response.content.decode()
    # The same answer as for any known address: no hint that staff prepared the account.
    assert "There is already an account with this e-mail address" in html
    assert "invited" not in html.lower()
    assert reverse("accounts:password_reset") + "?email=dr.faculty%40hospital.example" in html
    invited.refresh_from_db()
    assert not invited.has_usable_password()
    assert invited.first_name == "Fay"
    assert not get_user(client).is_authenticated
    assert not AuditEntry.objects.filter(action="person.created", actor=invited).exists()


def test_service_refuses_a_known_address():
    UserFactory(email="taken@example.org")
    with pytest.raises(services.ValidationError) as exc:
        services.sign_up(
            email="Taken@example.org", password="x-long-password-1", first_name="A", last_name="B"
        )
    assert exc.value.error_dict["email"][0].code == "email_taken"


def test_logged_in_people_are_sent_to_their_profile(client, learner):
    client.force_login(learner)
    assert client.get(URL)["Location"] == reverse("accounts:profile")
