import pytest
from django.urls import reverse

from cmeconf.accounts import services
from cmeconf.accounts.models import User
from cmeconf.accounts.signals import profile_changed
from cmeconf.common.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = reverse("accounts:profile")
VALID_NPI = "1234567893"  # the CMS example number


def profile_form(user, **changes):
    data = {
        name: getattr(user, name)
        for name in (
            "first_name", "last_name", "credentials", "profession", "specialty", "institution",
            "npi", "country", "region", "bio",
        )
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def received():
    calls = []

    def handler(sender, **kwargs):
        calls.append((sender, kwargs["user"].pk, kwargs["fields"]))

    profile_changed.connect(handler)
    yield calls
    profile_changed.disconnect(handler)


def test_profile_needs_login(client):
    response = client.get(URL)
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_shows_current_values(client, learner):
    learner.institution = "General Hospital"
    learner.save()
    client.force_login(learner)
    html = client.get(URL).content.decode()
    assert 'value="General Hospital"' in html
    assert '<label for="id_npi">NPI (US National Provider Identifier)' in html


def test_bad_npi_shows_the_error_and_saves_nothing(client, learner, received):
    client.force_login(learner)
    response = client.post(
        URL, profile_form(learner, npi="1234567890", institution="Somewhere Else")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "An NPI has 10 digits and a valid check digit" in html
    assert 'aria-invalid="true"' in html
    stored = User.objects.get(pk=learner.pk)
    assert (stored.npi, stored.institution) == ("", "")
    assert not AuditEntry.objects.filter(action="person.updated").exists()
    assert received == []


def test_profile_edit_is_audited_and_signalled(client, learner, received):
    client.force_login(learner)
    response = client.post(
        URL,
        profile_form(
            learner,
            credentials="MD, FACP",
            npi=VALID_NPI,
            institution="General Hospital",
            country="ca",
            bio="Internist.",
        ),
    )
    assert response["Location"] == URL
    stored = User.objects.get(pk=learner.pk)
    assert (stored.credentials, stored.npi, stored.country) == ("MD, FACP", VALID_NPI, "CA")
    entry = AuditEntry.objects.get(action="person.updated")
    assert entry.actor_id == learner.pk and entry.object_id == str(learner.pk)
    assert sorted(name for name, _b, _a in entry.changed_fields) == [
        "bio", "country", "credentials", "institution", "npi",
    ]  # fmt: skip
    assert entry.before["credentials"] == "MD" and entry.after["credentials"] == "MD, FACP"
    assert received == [(User, learner.pk, ["credentials", "institution", "npi", "country", "bio"])]
    page = client.get(URL).content.decode()
    assert "Your profile is saved." in page


def test_saving_unchanged_profile_writes_nothing(client, learner, received):
    client.force_login(learner)
    client.post(URL, profile_form(learner))
    assert not AuditEntry.objects.filter(action="person.updated").exists()
    assert received == []


def test_service_validates_and_reports_changed_fields(learner, admin_user, received):
    with pytest.raises(services.ValidationError):
        services.update_profile(learner, by=admin_user, npi="123")
    assert User.objects.get(pk=learner.pk).npi == ""
    changed = services.update_profile(learner, by=admin_user, specialty=" Cardiology ")
    assert changed == ["specialty"]
    assert learner.specialty == "Cardiology"
    assert AuditEntry.objects.get(action="person.updated").actor_id == admin_user.pk
    with pytest.raises(TypeError):
        services.update_profile(learner, by=admin_user, is_superuser=True)
