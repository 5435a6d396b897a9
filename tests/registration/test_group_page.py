"""A coordinator registers colleagues from a list: everyone or nobody, accounts included."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cmeconf.accounts.models import User
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.group import parse_people
from cmeconf.registration.models import Registration, RegistrationGroup
from tests.factories import UserFactory
from tests.registration.factories import RegistrationSetupFactory, RegistrationTypeFactory


@pytest.fixture
def types(activity):
    RegistrationSetupFactory(activity=activity)
    return {
        "nurse": RegistrationTypeFactory(activity=activity, code="nurse", name="Nurse"),
        "md": RegistrationTypeFactory(
            activity=activity, code="md", name="Physician", professions=["physician"]
        ),
    }


def url(activity) -> str:
    return reverse("learner_registration:group", args=[activity.provider.slug, activity.slug])


def test_parse_people_explains_each_bad_line(activity, types):
    rows, problems = parse_people(
        "a@x.org, Ann, Lee\n\nbad line\nb@x.org, Bo, Ray, nope\na@x.org, Ann, Again",
        activity,
        types["nurse"],
    )
    assert [r.email for r in rows] == ["a@x.org"]
    assert problems == [
        "Line 3: give e-mail, first name and last name, separated by commas.",
        "Line 4: there is no open registration type “nope”.",
        "Line 5: a@x.org is listed twice.",
    ]


def test_coordinator_registers_a_group_and_new_people_get_accounts(
    client, activity, types, learner
):
    known = UserFactory(email="known@hospital.org", first_name="Kim")
    client.force_login(learner)
    response = client.post(
        url(activity),
        {
            "name": "Cardiology, St Mary's",
            "registration_type": types["nurse"].pk,
            "people": "known@hospital.org, Kim, Known\nnew@hospital.org, Nia, New",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 people are registered" in page
    assert "new@hospital.org" in page
    group = RegistrationGroup.objects.get()
    assert group.coordinator == learner
    regs = Registration.objects.filter(group=group).order_by("id")
    assert [r.person.email for r in regs] == ["known@hospital.org", "new@hospital.org"]
    assert all(r.status == RegistrationStatus.CONFIRMED for r in regs)
    new = User.objects.get(email="new@hospital.org")
    assert not new.has_usable_password()
    assert regs[0].person == known


def test_one_bad_person_registers_nobody_and_makes_no_account(client, activity, types, learner):
    client.force_login(learner)
    response = client.post(
        url(activity),
        {
            "name": "Ward 4",
            "registration_type": types["nurse"].pk,
            # The physician type is for physicians; a new account has no profession.
            "people": "ok@hospital.org, Oli, Ok\nmd@hospital.org, Max, Doc, md",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nobody is registered yet." in page
    assert "other professions" in page
    assert not Registration.objects.exists()
    assert not RegistrationGroup.objects.exists()
    assert not User.objects.filter(email__endswith="@hospital.org").exists()


def test_group_page_needs_a_login(client, activity, types):
    response = client.get(url(activity))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
