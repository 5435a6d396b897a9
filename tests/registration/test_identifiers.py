"""Clinician identifiers: asked only for the credit types chosen, with the reason, validated."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cmeconf.common.models import AuditEntry
from cmeconf.registration import services, setup
from cmeconf.registration.identifiers import asked, clean_identifiers, identifier_problems
from cmeconf.registration.models import Registration
from tests.factories import TeamFactory, UserFactory
from tests.registration.factories import RegistrationSetupFactory, RegistrationTypeFactory

OFFERED = ["AMA_PRA_1", "ABMS_MOC", "ACPE", "ANCC"]
MOC = {"abms_board": "ABIM", "abms_id": "123456", "birth_month": "3", "birth_day": "14"}


@pytest.fixture
def reg_type(activity):
    RegistrationSetupFactory(activity=activity, credit_types=OFFERED)
    return RegistrationTypeFactory(activity=activity, code="physician", name="Physician")


def url(name: str, activity) -> str:
    return reverse(f"learner_registration:{name}", args=[activity.provider.slug, activity.slug])


# -- the rules ------------------------------------------------------------------------------


def test_nothing_is_asked_for_credit_types_that_need_nothing():
    assert asked(["ANCC"]) == (set(), set())
    assert identifier_problems(OFFERED, ["ANCC"], {}) == {}


def test_moc_needs_board_id_and_birth_month_and_day():
    problems = identifier_problems(OFFERED, ["ABMS_MOC"], {})
    assert set(problems) == {"abms_board", "abms_id", "birth_month", "birth_day"}
    assert identifier_problems(OFFERED, ["ABMS_MOC"], MOC) == {}


def test_pharmacy_needs_nabp_eprofile_id_of_six_or_seven_digits():
    base = {"birth_month": 7, "birth_day": 1}
    assert "nabp_eprofile_id" in identifier_problems(OFFERED, ["ACPE"], base)
    bad = identifier_problems(OFFERED, ["ACPE"], {**base, "nabp_eprofile_id": "12ab"})
    assert "6 or 7 digits" in bad["nabp_eprofile_id"]
    assert identifier_problems(OFFERED, ["ACPE"], {**base, "nabp_eprofile_id": "1234567"}) == {}


def test_identifiers_not_needed_are_refused():
    problems = identifier_problems(OFFERED, ["ANCC"], {"nabp_eprofile_id": "123456"})
    assert "Not needed" in problems["nabp_eprofile_id"]


def test_credit_types_not_offered_are_refused():
    problems = identifier_problems(["ANCC"], ["ACPE"], {})
    assert "ACPE" in problems["credit_types"]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"birth_month": "2", "birth_day": "30"}, "birth_day"),
        ({"birth_month": "13", "birth_day": "1"}, "birth_month"),
        ({"birth_month": "4"}, "birth_day"),
        ({"licence_state": "XX"}, "licence_state"),
        ({"licence_number": "A123"}, "licence_state"),
        ({"npi": "1234567890"}, "npi"),
    ],
)
def test_bad_values_are_explained(given, field):
    assert field in identifier_problems(OFFERED, ["AMA_PRA_1"], given)


def test_a_leap_day_birthday_and_a_valid_npi_pass():
    given = {"birth_month": "2", "birth_day": "29", "npi": "1234567893", "licence_state": "ny"}
    assert identifier_problems(OFFERED, ["AMA_PRA_1"], given) == {}
    cleaned = clean_identifiers(given)
    assert cleaned == {
        "birth_month": 2,
        "birth_day": 29,
        "npi": "1234567893",
        "licence_state": "NY",
    }


# -- registering ----------------------------------------------------------------------------


def test_register_keeps_the_identifiers_and_audits_only_their_names(activity, reg_type, learner):
    reg = services.register(
        activity,
        learner,
        registration_type=reg_type,
        by=learner,
        credit_types=["ABMS_MOC", "ANCC"],
        identifiers=MOC,
    )
    reg.refresh_from_db()
    assert reg.credit_types == ["ABMS_MOC", "ANCC"]
    assert reg.identifiers == {
        "abms_board": "ABIM",
        "abms_id": "123456",
        "birth_month": 3,
        "birth_day": 14,
    }
    entry = AuditEntry.objects.get(action="registration.created")
    assert "123456" not in str(entry.after)
    assert entry.after["identifiers"] == ["abms_board", "abms_id", "birth_day", "birth_month"]


def test_register_refuses_missing_identifiers_and_saves_nothing(activity, reg_type, learner):
    with pytest.raises(ValidationError) as e:
        services.register(
            activity, learner, registration_type=reg_type, by=learner, credit_types=["ACPE"]
        )
    assert "nabp_eprofile_id" in e.value.message_dict
    assert not Registration.objects.exists()


def test_update_identifiers_by_the_learner_and_not_by_another(activity, reg_type, learner):
    reg = services.register(activity, learner, registration_type=reg_type, by=learner)
    services.update_identifiers(reg, by=learner, credit_types=["ABMS_MOC"], identifiers=MOC)
    reg.refresh_from_db()
    assert reg.identifiers["abms_id"] == "123456"
    with pytest.raises(Exception, match="registration team"):
        services.update_identifiers(reg, by=UserFactory(), credit_types=[], identifiers={})


def test_staff_offer_credit_types_in_the_setup(activity, provider):
    staff = UserFactory()
    TeamFactory(provider=provider, members=[staff], permissions=["registration"])
    saved = setup.save_setup(activity, by=staff, credit_types=["ACPE", "ACPE", "ANCC"])
    assert saved.credit_types == ["ACPE", "ANCC"]
    with pytest.raises(ValidationError) as e:
        setup.save_setup(activity, by=staff, credit_types=["NOPE"])
    assert "credit_types" in e.value.message_dict


# -- the pages ------------------------------------------------------------------------------


def test_form_shows_the_reason_beside_the_identifiers(client, activity, reg_type, learner):
    client.force_login(learner)
    page = client.get(url("register", activity)).content.decode()
    assert "Credit you will claim" in page
    assert "board ID and birth month and day" in page
    assert "CPE Monitor" in page
    assert 'data-asked-by="ABMS_MOC"' in page
    assert "NABP e-Profile ID" in page


def test_form_without_credit_types_asks_nothing(client, activity, learner):
    RegistrationSetupFactory(activity=activity)
    RegistrationTypeFactory(activity=activity)
    client.force_login(learner)
    page = client.get(url("register", activity)).content.decode()
    assert "Credit you will claim" not in page
    assert "NABP" not in page


def test_identifiers_of_unticked_credit_types_are_ignored(client, activity, reg_type, learner):
    client.force_login(learner)
    response = client.post(
        url("register", activity),
        {
            "registration_type": reg_type.pk,
            "credit_types": ["ABMS_MOC"],
            **MOC,
            # Typed, then the pharmacy box unticked: hidden on the page, ignored here.
            "nabp_eprofile_id": "123456",
        },
    )
    assert response.status_code == 302
    reg = Registration.objects.get(person=learner)
    assert "nabp_eprofile_id" not in reg.identifiers
    assert reg.identifiers["abms_id"] == "123456"


def test_missing_identifier_error_is_shown_next_to_the_field(client, activity, reg_type, learner):
    client.force_login(learner)
    response = client.post(
        url("register", activity), {"registration_type": reg_type.pk, "credit_types": ["ACPE"]}
    )
    assert response.status_code == 200
    assert "Needed for the credit you chose." in response.content.decode()
    assert not Registration.objects.exists()


def test_learner_changes_credit_details_after_registering(client, activity, reg_type, learner):
    services.register(activity, learner, registration_type=reg_type, by=learner)
    client.force_login(learner)
    assert "Change credit details" in client.get(url("mine", activity)).content.decode()
    response = client.post(
        url("credit", activity),
        {"credit_types": ["ACPE"], "nabp_eprofile_id": "7654321", **MOC},
    )
    # Board fields are not asked for pharmacy credit: ignored, not refused.
    assert response.status_code == 302
    reg = Registration.objects.get(person=learner)
    assert reg.identifiers == {"nabp_eprofile_id": "7654321", "birth_month": 3, "birth_day": 14}


def test_credit_page_needs_a_registration(client, activity, reg_type, learner):
    client.force_login(learner)
    assert client.get(url("credit", activity)).status_code == 404
