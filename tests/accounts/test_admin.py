import pytest
from django.urls import reverse

from cmeconf.accounts.models import User
from cmeconf.common import audit
from cmeconf.common.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def change_data(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "credentials": user.credentials,
        "profession": user.profession,
        "specialty": user.specialty,
        "institution": user.institution,
        "npi": user.npi,
        "country": user.country,
        "region": user.region,
        "bio": user.bio,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_people_list_and_change_page_hide_the_password_hash(admin_client, learner):
    html = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "learner@example.org" in html
    page = admin_client.get(reverse("admin:accounts_user_change", args=[learner.pk]))
    html = page.content.decode()
    assert "md5$" not in html and learner.password not in html
    assert "not set" not in html  # the learner has a password
    assert 'name="password"' not in html


def test_admin_changes_go_through_the_services_and_are_audited(admin_client, superuser, learner):
    url = reverse("admin:accounts_user_change", args=[learner.pk])
    response = admin_client.post(
        url, change_data(learner, institution="General Hospital", is_active="", email="LEE@x.org")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    learner.refresh_from_db()
    assert (learner.institution, learner.is_active, learner.email) == (
        "General Hospital",
        False,
        "lee@x.org",
    )
    actions = dict(AuditEntry.objects.filter(actor=superuser).values_list("action", "after"))
    assert actions["person.updated"] == {"institution": "General Hospital"}
    assert actions["person.account_changed"] == {"email": "lee@x.org", "is_active": False}


def test_admin_refuses_an_address_in_use_in_another_case(admin_client, learner):
    UserFactory(email="taken@example.org")
    url = reverse("admin:accounts_user_change", args=[learner.pk])
    response = admin_client.post(url, change_data(learner, email="Taken@Example.org"))
    assert "There is already an account with this e-mail address" in response.content.decode()
    learner.refresh_from_db()
    assert learner.email == "learner@example.org"


def test_admin_adds_people_without_a_password(admin_client, superuser):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "New.Person@Example.org", "first_name": "New", "last_name": "Person"},
    )
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.org")
    assert not person.has_usable_password()
    assert AuditEntry.objects.get(action="person.created").actor_id == superuser.pk


def test_admin_can_neither_delete_people_nor_set_their_password(admin_client, learner):
    assert (
        admin_client.get(reverse("admin:accounts_user_delete", args=[learner.pk])).status_code
        == 403
    )
    url = reverse("admin:auth_user_password_change", args=[learner.pk])
    assert admin_client.get(url).status_code == 403
    assert User.objects.filter(pk=learner.pk).exists()


def test_audit_trail_is_read_only_in_the_admin(admin_client, learner):
    entry = audit.record("thing.changed", actor=learner, obj=learner, after={"a": 1})
    changelist = admin_client.get(reverse("admin:common_auditentry_changelist")).content.decode()
    assert "thing.changed" in changelist
    assert reverse("admin:common_auditentry_add") not in changelist
    assert admin_client.get(reverse("admin:common_auditentry_add")).status_code == 403
    view = admin_client.get(reverse("admin:common_auditentry_change", args=[entry.pk]))
    html = view.content.decode()
    # A view-only page: the entry is shown, nothing can be saved.
    assert "thing.changed" in html and 'name="_save"' not in html
    url = reverse("admin:common_auditentry_delete", args=[entry.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_admin_login_sends_people_with_two_factor_to_the_site_login(client, enrolled):
    user, _device, _codes = enrolled
    user.is_staff = True
    user.save()
    response = client.post(
        reverse("admin:login"), {"username": user.email, "password": "correct horse battery staple"}
    )
    assert "log in on the site&#x27;s login page" in response.content.decode()
    from django.contrib.auth import get_user

    assert not get_user(client).is_authenticated


def test_admin_login_still_works_without_two_factor(client, superuser):
    response = client.post(
        reverse("admin:login"),
        {"username": "Root@Example.org", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302


def test_admin_turns_two_factor_off_for_a_lost_phone(admin_client, superuser, enrolled):
    user, _device, _codes = enrolled
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "turn_off_two_factor", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    from cmeconf.accounts import twofactor

    assert not twofactor.has_two_factor(user)
    assert AuditEntry.objects.get(action="person.two_factor_disabled").actor_id == superuser.pk
