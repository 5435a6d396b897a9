"""The provider's staff pages: details, accreditations and teams."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cmeconf.accounts.models import User
from cmeconf.common.models import AuditEntry
from cmeconf.providers.models import Accreditation, Team
from tests.factories import ActivityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def provider_url(name: str, provider, *args) -> str:
    return reverse(f"staff:{name}", args=[provider.slug, *args])


def _details(**over) -> dict:
    data = {
        "form": "details",
        "name": "American College of Practitioners",
        "contact_email": "cme@acp.example",
        "website": "https://acp.example",
        "time_zone": "America/Chicago",
    }
    return data | over


def test_settings_update_details(staff, provider, admin_user):
    response = staff.post(provider_url("provider_settings", provider), _details())
    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.contact_email, provider.time_zone) == ("cme@acp.example", "America/Chicago")
    assert provider.slug == "acp"
    entry = AuditEntry.objects.get(action="provider.updated")
    assert entry.actor == admin_user
    assert entry.after["time_zone"] == "America/Chicago"


def test_settings_errors_shown_and_nothing_saved(staff, provider):
    response = staff.post(
        provider_url("provider_settings", provider),
        _details(name="", contact_email="not-mail", time_zone="Nowhere/Land"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["name"] == ["This field is required."]
    assert errors["contact_email"] == ["Enter a valid email address."]
    assert "time_zone" in errors
    html = response.content.decode()
    assert "Enter a valid email address." in html
    provider.refresh_from_db()
    assert provider.contact_email == ""
    assert not AuditEntry.objects.exists()


def test_set_and_change_accreditation(staff, provider):
    address = provider_url("provider_settings", provider)
    staff.post(
        address,
        {
            "form": "accreditation",
            "accreditor": "ACCME",
            "identifier": "0001234",
            "valid_until": "2030-07-31",
        },
    )
    staff.post(address, {"form": "accreditation", "accreditor": "ACCME", "identifier": "0009999"})
    acc = Accreditation.objects.get(provider=provider)
    assert (acc.identifier, acc.valid_until) == ("0009999", None)
    assert AuditEntry.objects.filter(action="accreditation.set").count() == 2
    html = staff.get(address).content.decode()
    assert "0009999" in html
    assert "ACCME (Accreditation Council for Continuing Medical Education)" in html


def test_remove_accreditation(staff, provider, admin_user):
    from cmeconf.providers import services

    services.set_accreditation(provider, by=admin_user, accreditor="ANCC", identifier="P0123")
    address = provider_url("provider_settings", provider)
    response = staff.post(
        address, {"form": "remove_accreditation", "accreditor": "ANCC"}, follow=True
    )
    assert "The accreditation was removed." in response.content.decode()
    assert not Accreditation.objects.filter(provider=provider).exists()
    entry = AuditEntry.objects.get(action="accreditation.removed")
    assert entry.before["identifier"] == "P0123"
    again = staff.post(address, {"form": "remove_accreditation", "accreditor": "ANCC"}, follow=True)
    assert "no accreditation by that accreditor" in again.content.decode()


def test_accreditation_errors_on_fields(staff, provider):
    response = staff.post(
        provider_url("provider_settings", provider),
        {"form": "accreditation", "accreditor": "NOBODY", "identifier": "", "valid_until": "soon"},
    )
    assert response.status_code == 400
    errors = response.context["acc_form"].errors
    assert set(errors) == {"accreditor", "identifier", "valid_until"}
    assert not Accreditation.objects.exists()


def test_teams_list_shows_permission_labels_and_scope(staff, provider):
    a = ActivityFactory(provider=provider, title="Board Review")
    TeamFactory(
        provider=provider,
        name="Reviewers",
        permissions=["review"],
        all_activities=False,
        activities=[a],
    )
    TeamFactory(name="Elsewhere")
    html = staff.get(provider_url("teams", provider)).content.decode()
    assert "Reviewers" in html
    assert "Disclosure review and approval" in html
    assert "Board Review" in html
    assert "Elsewhere" not in html


def test_create_team_limited_to_activities(staff, provider, activity, admin_user):
    response = staff.post(
        provider_url("team_create", provider),
        {
            "name": "Registration desk",
            "permissions": ["registration"],
            "all_activities": "0",
            "activities": [activity.pk],
        },
    )
    team = Team.objects.get(provider=provider, name="Registration desk")
    assert response["Location"] == provider_url("team", provider, team.pk)
    assert team.permissions == ["registration"]
    assert team.all_activities is False
    assert list(team.activities.all()) == [activity]
    entry = AuditEntry.objects.get(action="team.created")
    assert entry.after["activities"] == [activity.pk]


def test_team_errors_shown_and_nothing_saved(staff, provider, activity):
    response = staff.post(
        provider_url("team_create", provider),
        {"name": "CME office", "permissions": ["root"], "all_activities": "0"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "permissions" in errors
    assert errors["activities"] == [
        "Choose at least one activity, or let the team cover all activities."
    ]
    response = staff.post(
        provider_url("team_create", provider),
        {"name": "CME office", "permissions": ["program"], "all_activities": "1"},
    )
    assert response.context["form"].errors["name"] == [
        "This provider already has a team of that name."
    ]
    assert Team.objects.filter(provider=provider).count() == 1


def test_team_cannot_cover_another_providers_activity(staff, provider):
    foreign = ActivityFactory()
    response = staff.post(
        provider_url("team_create", provider),
        {
            "name": "Sneaky",
            "permissions": ["program"],
            "all_activities": "0",
            "activities": [foreign.pk],
        },
    )
    assert response.status_code == 400
    assert "activities" in response.context["form"].errors
    assert not Team.objects.filter(name="Sneaky").exists()


def test_edit_team(staff, provider, activity):
    team = TeamFactory(provider=provider, name="Program", permissions=["program"])
    page = staff.get(provider_url("team", provider, team.pk))
    assert page.context["form"].initial["all_activities"] == "1"
    response = staff.post(
        provider_url("team", provider, team.pk),
        {"name": "Program team", "permissions": ["program", "credit"], "all_activities": "1"},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.permissions) == ("Program team", ["credit", "program"])
    assert AuditEntry.objects.get(action="team.updated").before["name"] == "Program"


def test_add_existing_member_invite_new_and_remove(staff, provider):
    team = TeamFactory(provider=provider, name="Program", permissions=["program"])
    known = UserFactory(email="known@example.org")
    staff.post(provider_url("team_member_add", provider, team.pk), {"email": "Known@Example.org"})
    response = staff.post(
        provider_url("team_member_add", provider, team.pk),
        {"email": "new.hire@example.org", "first_name": "Nia", "last_name": "Hire"},
        follow=True,
    )
    new = User.objects.get(email="new.hire@example.org")
    assert set(team.members.all()) == {known, new}
    assert not new.has_usable_password()
    assert "which has no password yet" in response.content.decode()

    staff.post(provider_url("team_member_remove", provider, team.pk, known.pk))
    assert list(team.members.all()) == [new]
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "team.member_added",
        "person.created",
        "team.member_added",
        "team.member_removed",
    ]


def test_member_errors_next_to_fields_and_no_account_made(staff, provider):
    team = TeamFactory(provider=provider, name="Program", permissions=["program"])
    response = staff.post(
        provider_url("team_member_add", provider, team.pk), {"email": "stranger@example.org"}
    )
    assert response.status_code == 400
    errors = response.context["member_form"].errors
    assert errors["first_name"] == ["This field cannot be blank."]
    assert "This field cannot be blank." in response.content.decode()
    assert not User.objects.filter(email="stranger@example.org").exists()
    response = staff.post(provider_url("team_member_add", provider, team.pk), {"email": "nope"})
    assert response.context["member_form"].errors["email"] == ["Enter a valid email address."]


def test_team_of_another_provider_is_404(staff, provider):
    foreign = TeamFactory()
    assert staff.get(provider_url("team", provider, foreign.pk)).status_code == 404


def test_teams_page_has_no_n_plus_one(staff, provider, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    address = provider_url("teams", provider)
    with CaptureQueriesContext(connection) as ctx:
        staff.get(address)
    for i in range(2):
        TeamFactory(
            provider=provider,
            all_activities=False,
            activities=[
                ActivityFactory(
                    provider=provider,
                    start_date=dt.date(2028, 1, i + 1),
                    end_date=dt.date(2028, 1, i + 1),
                )
            ],
            members=[UserFactory()],
        )
    with django_assert_num_queries(len(ctx)):
        staff.get(address)


def test_add_service_errors_puts_each_error_where_the_person_can_fix_it():
    from django import forms
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    from cmeconf.providers.forms import add_service_errors

    class F(forms.Form):
        slug = forms.CharField(required=False)
        end_time = forms.CharField(required=False)

    form = F({})
    assert form.is_valid()
    add_service_errors(
        form,
        ValidationError(
            {
                "end": ["The session must end after it starts."],
                "colour": ["Not shown on this form."],
                NON_FIELD_ERRORS: [
                    ValidationError(
                        "Already exists.",
                        code="unique_together",
                        params={"unique_check": ("provider", "slug")},
                    ),
                    "Something general.",
                ],
            }
        ),
        {"end": "end_time"},
    )
    assert form.errors["end_time"] == ["The session must end after it starts."]
    assert form.errors["slug"] == ["Already exists."]
    assert form.errors["__all__"] == ["Not shown on this form.", "Something general."]

    form = F({})
    form.is_valid()
    add_service_errors(form, ValidationError(["First reason.", "Second reason."]))
    assert form.non_field_errors() == ["First reason.", "Second reason."]
