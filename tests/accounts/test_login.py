import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def test_login_by_email_in_any_case(client, learner):
    response = client.post(
        LOGIN, {"username": "Learner@Example.org", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert get_user(client).pk == learner.pk


def test_login_page_keeps_its_labels(client):
    html = client.get(LOGIN).content.decode()
    assert '<label for="id_username">E-mail address</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert ">Log in</button>" in html
    assert reverse("accounts:password_reset") in html
    assert reverse("accounts:sign_up") in html


def test_bad_password_says_so_and_keeps_the_address(client, learner):
    response = client.post(LOGIN, {"username": learner.email, "password": "wrong"})
    html = response.content.decode()
    assert "The e-mail address and password do not match an account." in html
    assert f'value="{learner.email}"' in html
    assert not get_user(client).is_authenticated


def test_invited_person_without_password_cannot_log_in(client):
    person = UserFactory(email="invited@example.org")
    person.set_unusable_password()
    person.save()
    response = client.post(LOGIN, {"username": "invited@example.org", "password": ""})
    assert not get_user(client).is_authenticated
    assert "This field is required." in response.content.decode()
    response = client.post(LOGIN, {"username": "invited@example.org", "password": "guess"})
    assert not get_user(client).is_authenticated
    assert "do not match an account" in response.content.decode()


def test_logout_is_a_post(client, learner):
    client.force_login(learner)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert get_user(client).is_authenticated
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("home")
    assert not get_user(client).is_authenticated
