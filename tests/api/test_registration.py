"""The registration API: options, your own registration and workshops, registrants, set-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cmeconf.activities.choices import ActivityState
from cmeconf.common.models import AuditEntry
from cmeconf.integrity.models import SharingConsent
from cmeconf.registration.models import (
    Payment,
    PriceTier,
    PromoCode,
    Question,
    Registration,
    RegistrationGroup,
    RegistrationType,
    WorkshopSignup,
)
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
    at,
)
from tests.registration.factories import (
    PriceTierFactory,
    PromoCodeFactory,
    QuestionFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/providers/acp/activities/annual-2027"
LATER = timezone.now() + dt.timedelta(days=60)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def member(provider, *perms, **kwargs):
    person = UserFactory(**kwargs)
    TeamFactory(provider=provider, permissions=list(perms), members=[person])
    return person


@pytest.fixture
def desk(provider):
    """Registration staff."""
    return member(provider, "registration", first_name="Rita", last_name="Desk")


@pytest.fixture
def conf(activity):
    """A registration set-up: a paid type with an early-bird price, a small free type, a
    closed type, a promo code, a required question and a workshop."""
    setup = RegistrationSetupFactory(
        activity=activity, currency="USD", credit_types=["AMA_PRA_1", "ACPE"]
    )
    member_type = RegistrationTypeFactory(activity=activity, code="member", name="Member", order=0)
    PriceTierFactory(
        registration_type=member_type, label="Early bird", amount="300", available_until=LATER
    )
    PriceTierFactory(registration_type=member_type, label="Regular", amount="400")
    resident = RegistrationTypeFactory(
        activity=activity, code="resident", name="Resident", capacity=1, order=1
    )
    closed = RegistrationTypeFactory(activity=activity, code="old", name="Old", is_active=False)
    promo = PromoCodeFactory(activity=activity, code="EARLY10", percent_off=10)
    diet = QuestionFactory(
        activity=activity, label="Diet", kind="choice", choices=["None", "Vegetarian"],
        required=True,
    )  # fmt: skip
    workshop = SessionFactory(
        activity=activity, title="Echo workshop", capacity=1,
        start=at(activity.start_date, 14), end=at(activity.start_date, 16),
    )  # fmt: skip
    return {
        "setup": setup,
        "member": member_type,
        "resident": resident,
        "closed": closed,
        "promo": promo,
        "diet": diet,
        "workshop": workshop,
    }


def register(person, conf, type_code="member", **extra):
    body = {"registration_type": type_code, "answers": {str(conf["diet"].pk): "None"}} | extra
    return client_for(person).post(f"{BASE}/registration/", body, format="json")


# --- the options --------------------------------------------------------------------------------


def test_options_show_prices_seats_questions_and_credit_types_to_anyone(conf):
    response = APIClient().get(f"{BASE}/registration/options/")
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "open"
    assert data["currency"] == "USD"
    ama, acpe = data["credit_types"]
    assert (ama["code"], ama["required"]) == ("AMA_PRA_1", [])
    assert [i["name"] for i in ama["optional"]] == [
        "licence_state", "licence_number", "npi", "birth_month", "birth_day",
    ]  # fmt: skip
    assert acpe["code"] == "ACPE"
    assert acpe["label"] == "ACPE pharmacy contact hours (pharmacists)"
    assert [i["name"] for i in acpe["required"]] == ["nabp_eprofile_id", "birth_month", "birth_day"]
    assert "CPE Monitor" in acpe["reason"]
    assert [
        (t["code"], t["price"] and t["price"]["amount"], t["seats_left"]) for t in data["types"]
    ] == [
        ("member", "300.00", None),
        ("resident", None, 1),
    ]  # the closed type is not offered
    assert data["types"][0]["price"]["label"] == "Early bird"
    assert data["types"][0]["on_sale"] is True
    assert data["questions"] == [
        {
            "id": conf["diet"].pk,
            "label": "Diet",
            "help_text": "",
            "kind": "choice",
            "choices": ["None", "Vegetarian"],
            "required": True,
            "purpose": "other",
        }
    ]
    assert [(w["code"], w["seats_left"]) for w in data["workshops"]] == [(conf["workshop"].code, 1)]


def test_options_say_when_registration_is_closed_or_not_set_up(conf, activity):
    conf["setup"].closes_at = timezone.now() - dt.timedelta(hours=1)
    conf["setup"].save()
    assert APIClient().get(f"{BASE}/registration/options/").json()["state"] == "closed"
    ActivityFactory(provider=activity.provider, slug="bare")
    bare = APIClient().get("/api/v1/providers/acp/activities/bare/registration/options/")
    assert bare.status_code == 404
    assert bare.json() == {"detail": "This activity does not take registrations."}


# --- your own registration ----------------------------------------------------------------------


def test_learner_registers_with_promo_code_answers_and_consent(conf, learner, activity):
    response = register(
        learner, conf, promo_code="early10", share_with_companies=True,
        answers={str(conf["diet"].pk): "Vegetarian"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending"
    assert data["registration_type"]["code"] == "member"
    assert (data["price_label"], data["price"], data["discount"]) == (
        "Early bird",
        "300.00",
        "30.00",
    )
    assert (data["amount_due"], data["paid"], data["balance"]) == ("270.00", "0.00", "270.00")
    assert data["promo_code"] == "EARLY10"
    assert data["answers"] == [
        {"question": conf["diet"].pk, "label": "Diet", "answer": "Vegetarian"}
    ]
    reg = Registration.objects.get()
    assert (reg.person, reg.registered_by, reg.discount) == (learner, learner, Decimal("30.00"))
    assert SharingConsent.objects.filter(person=learner, activity=activity).exists()
    assert AuditEntry.objects.filter(action="registration.created", actor=learner).count() == 1
    assert client_for(learner).get(f"{BASE}/registration/").json()["id"] == reg.pk


def test_learner_gives_the_identifiers_their_credit_needs_and_changes_them(conf, learner):
    response = register(
        learner, conf, credit_types=["ACPE"],
        identifiers={"nabp_eprofile_id": "1234567", "birth_month": "2", "birth_day": 29},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["credit_types"] == ["ACPE"]
    assert response.json()["identifiers"] == {
        "nabp_eprofile_id": "1234567", "birth_month": 2, "birth_day": 29,
    }  # fmt: skip
    url = f"{BASE}/registration/identifiers/"
    bad = client_for(learner).put(
        url, {"credit_types": ["AMA_PRA_1"], "identifiers": {"npi": "1234567890"}}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json() == {"npi": ["An NPI has 10 digits and a valid check digit; please check it."]}
    changed = client_for(learner).put(
        url, {"credit_types": ["AMA_PRA_1"], "identifiers": {"licence_state": "ny",
                                                             "licence_number": "A123"}},
        format="json",
    )  # fmt: skip
    assert changed.status_code == 200
    assert changed.json()["identifiers"] == {"licence_state": "NY", "licence_number": "A123"}
    entry = AuditEntry.objects.get(action="registration.identifiers_changed")
    assert entry.after["identifiers"] == ["licence_number", "licence_state"]  # names, no values
    assert (
        client_for(UserFactory()).put(url, {"credit_types": []}, format="json").status_code == 404
    )


def test_registering_without_consent_shares_nothing(conf, learner):
    assert register(learner, conf).status_code == 201
    assert not SharingConsent.objects.exists()


def test_bad_registrations_are_refused_by_field_and_save_nothing(conf, learner):
    unknown = register(learner, conf, type_code="nurse")
    assert unknown.status_code == 400
    assert unknown.json() == {"registration_type": ["There is no registration type “nurse” here."]}
    response = client_for(learner).post(
        f"{BASE}/registration/",
        {"registration_type": "old", "promo_code": "NOPE", "answers": {}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "registration_type": ["This registration type is not open for registration."],
        f"question_{conf['diet'].pk}": ["Please answer this question."],
        "promo_code": ["There is no such promo code."],
    }
    bad_choice = register(learner, conf, answers={str(conf["diet"].pk): "Fish"})
    assert bad_choice.json() == {
        f"question_{conf['diet'].pk}": ["Choose one of the options given."]
    }
    extra = register(learner, conf, badge_name="Dr. Lee")
    assert extra.status_code == 400
    assert extra.json() == {
        "badge_name": ["There is no such field here, or it cannot be changed here."]
    }
    ids = register(learner, conf, credit_types=["ACPE", "ANCC"],
                   identifiers={"nabp_eprofile_id": "12", "birth_month": "2"})  # fmt: skip
    assert ids.status_code == 400
    assert ids.json() == {
        "credit_types": ["This activity does not offer ANCC."],
        "nabp_eprofile_id": ["An NABP e-Profile ID has 6 or 7 digits."],
        "birth_day": ["Give both month and day."],
    }
    assert not Registration.objects.exists()


def test_registering_twice_or_when_closed_is_refused(conf, learner):
    assert register(learner, conf).status_code == 201
    again = register(learner, conf)
    assert again.status_code == 400
    assert list(again.json()) == ["person"]
    conf["setup"].closes_at = timezone.now() - dt.timedelta(minutes=1)
    conf["setup"].save()
    late = register(UserFactory(), conf)
    assert late.json() == {"non_field_errors": ["Registration has closed."]}
    assert Registration.objects.count() == 1


def test_own_registration_needs_credentials_and_is_only_ever_your_own(conf, learner):
    assert APIClient().get(f"{BASE}/registration/").status_code == 401
    assert APIClient().post(f"{BASE}/registration/", {}, format="json").status_code == 401
    register(learner, conf)
    other = UserFactory()
    response = client_for(other).get(f"{BASE}/registration/")
    assert response.status_code == 404
    assert response.json() == {"detail": "You are not registered for this activity."}
    # Nothing in the URL names a registration: another learner can only cancel their own.
    assert client_for(other).post(f"{BASE}/registration/cancel/").status_code == 404
    assert Registration.objects.get().status == "pending"
    # Nor read anyone's through the staff endpoints.
    reg = Registration.objects.get()
    assert client_for(other).get(f"{BASE}/registrants/").status_code == 403
    assert client_for(other).get(f"{BASE}/registrants/{reg.pk}/").status_code == 403
    assert client_for(learner).get(f"{BASE}/registrants/{reg.pk}/").status_code == 403


def test_hidden_activity_is_not_found_for_learners(conf, learner, activity):
    activity.state = ActivityState.DRAFT
    activity.save()
    assert register(learner, conf).status_code == 404
    assert APIClient().get(f"{BASE}/registration/options/").status_code == 404


def test_cancel_frees_the_seat_for_the_waiting_list_who_accept_or_decline(conf, learner):
    first = register(learner, conf, type_code="resident").json()
    assert first["status"] == "confirmed"  # free of charge
    waiting, third = UserFactory(), UserFactory()
    assert register(waiting, conf, type_code="resident").json()["status"] == "waitlisted"
    assert register(third, conf, type_code="resident").json()["status"] == "waitlisted"

    nothing = client_for(waiting).post(f"{BASE}/registration/accept/")
    assert nothing.json() == {
        "non_field_errors": ["There is no seat on offer for this registration."]
    }

    cancelled = client_for(learner).post(f"{BASE}/registration/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    offered = client_for(waiting).get(f"{BASE}/registration/").json()
    assert offered["status"] == "offered"
    assert offered["offer_expires_at"] is not None

    declined = client_for(waiting).post(f"{BASE}/registration/decline/")
    assert declined.json()["status"] == "cancelled"
    assert client_for(third).post(f"{BASE}/registration/accept/").json()["status"] == "confirmed"
    assert client_for(learner).get(f"{BASE}/registration/").status_code == 404
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"registration.cancelled", "registration.offer_declined",
            "registration.offer_accepted"} <= actions  # fmt: skip


def test_workshop_sign_up_waiting_list_and_offers(conf, learner):
    code = conf["workshop"].code
    url = f"{BASE}/registration/workshops/{code}/"
    assert client_for(learner).post(url).status_code == 404  # not registered yet
    register(learner, conf)
    signed = client_for(learner).post(url)
    assert signed.status_code == 201, signed.content
    assert (signed.json()["session"], signed.json()["status"]) == (code, "confirmed")
    twice = client_for(learner).post(url)
    assert twice.json() == {"session": ["You have already signed up for this session."]}

    other = UserFactory()
    register(other, conf)
    assert client_for(other).post(url).json()["status"] == "waitlisted"
    assert client_for(learner).delete(url).status_code == 204
    mine = client_for(other).get(f"{BASE}/registration/").json()["workshops"]
    assert [(w["session"], w["status"]) for w in mine] == [(code, "offered")]
    accepted = client_for(other).post(f"{url}accept/")
    assert accepted.json()["status"] == "confirmed"
    assert client_for(learner).delete(url).status_code == 404  # already left
    assert client_for(learner).post(f"{url}decline/").status_code == 404
    assert client_for(other).post(f"{BASE}/registration/workshops/NOPE00/").status_code == 404
    assert WorkshopSignup.objects.filter(status="confirmed").count() == 1


def test_workshop_offer_can_be_declined(conf, learner):
    url = f"{BASE}/registration/workshops/{conf['workshop'].code}/"
    other = UserFactory()
    for person in (learner, other):
        register(person, conf)
        client_for(person).post(url)
    client_for(learner).delete(url)
    declined = client_for(other).post(f"{url}decline/")
    assert declined.status_code == 200
    assert declined.json()["status"] == "cancelled"


# --- staff: registrants -------------------------------------------------------------------------


@pytest.fixture
def crowd(conf):
    """Three registrations: pending (member), confirmed (resident), waitlisted (resident)."""
    people = [
        UserFactory(first_name="Ann", last_name="Avery", email="ann@hospital.example"),
        UserFactory(first_name="Bob", last_name="Baker", email="bob@clinic.example"),
        UserFactory(first_name="Cy", last_name="Cole", email="cy@clinic.example"),
    ]
    register(people[0], conf)
    register(people[1], conf, type_code="resident")
    register(people[2], conf, type_code="resident")
    return people


def test_registrants_list_searches_filters_and_pages(desk, crowd):
    url = f"{BASE}/registrants/"
    client = client_for(desk)
    data = client.get(url).json()
    assert data["count"] == 3
    assert [r["person"]["name"] for r in data["results"]] == ["Ann Avery", "Bob Baker", "Cy Cole"]
    assert [r["status"] for r in data["results"]] == ["pending", "confirmed", "waitlisted"]
    assert data["results"][0]["balance"] == "300.00"

    def names(query):
        return [r["person"]["email"] for r in client.get(url, query).json()["results"]]

    assert names({"q": "clinic"}) == ["bob@clinic.example", "cy@clinic.example"]
    assert names({"q": "ann avery"}) == ["ann@hospital.example"]
    assert names({"status": "waitlisted"}) == ["cy@clinic.example"]
    assert names({"type": "member"}) == ["ann@hospital.example"]
    assert names({"paid": "false"}) == ["ann@hospital.example"]
    assert names({"paid": "true"}) == ["bob@clinic.example", "cy@clinic.example"]
    page = client.get(url, {"limit": 1, "offset": 1}).json()
    assert (page["count"], [r["person"]["name"] for r in page["results"]]) == (3, ["Bob Baker"])
    bad = client.get(url, {"status": "lost", "type": "nurse", "paid": "maybe"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"status", "type", "paid"}


def test_registrants_list_queries_do_not_grow_with_registrants(
    desk, conf, django_assert_num_queries
):
    client = client_for(desk)
    register(UserFactory(), conf)
    client.get(f"{BASE}/registrants/")  # warm the per-request caches' first use
    with django_assert_num_queries(7):
        client.get(f"{BASE}/registrants/")
    register(UserFactory(), conf)
    register(UserFactory(), conf)
    with django_assert_num_queries(7):
        assert client.get(f"{BASE}/registrants/").json()["count"] == 3


def test_staff_record_payments_until_the_registration_is_confirmed(desk, crowd):
    reg = Registration.objects.get(person=crowd[0])
    url = f"{BASE}/registrants/{reg.pk}/payments/"
    client = client_for(desk)
    part = client.post(url, {"method": "invoice", "amount": "100", "reference": "INV-1"},
                       format="json")  # fmt: skip
    assert part.status_code == 201, part.content
    assert (part.json()["status"], part.json()["paid"], part.json()["balance"]) == (
        "pending", "100.00", "200.00",
    )  # fmt: skip
    too_much = client.post(url, {"method": "on_site", "amount": "250"}, format="json")
    assert too_much.status_code == 400
    assert too_much.json() == {"amount": ["That is more than the 200.00 USD still due."]}
    card = client.post(url, {"method": "stripe", "amount": "1.005"}, format="json")
    assert card.status_code == 400
    assert set(card.json()) == {"method", "amount"}
    rest = client.post(url, {"method": "on_site", "amount": 200}, format="json").json()
    assert (rest["status"], rest["balance"]) == ("confirmed", "0.00")
    assert [(p["method"], p["amount"], p["recorded_by"]) for p in rest["payments"]] == [
        ("invoice", "100.00", "Rita Desk"),
        ("on_site", "200.00", "Rita Desk"),
    ]
    assert Payment.objects.count() == 2
    assert AuditEntry.objects.filter(action="payment.recorded", actor=desk).count() == 2


def test_staff_read_a_registrant_with_answers(desk, crowd, conf):
    reg = Registration.objects.get(person=crowd[0])
    data = client_for(desk).get(f"{BASE}/registrants/{reg.pk}/").json()
    assert data["person"]["email"] == "ann@hospital.example"
    assert data["answers"] == [{"question": conf["diet"].pk, "label": "Diet", "answer": "None"}]
    assert data["registered_by"] == "Ann Avery"
    assert data["payments"] == []


def test_staff_complete_identifiers_of_a_group_member(desk, crowd):
    reg = Registration.objects.get(person=crowd[0])
    url = f"{BASE}/registrants/{reg.pk}/identifiers/"
    body = {"credit_types": ["AMA_PRA_1"], "identifiers": {"npi": "1234567893"}}
    done = client_for(desk).put(url, body, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["credit_types"], done.json()["identifiers"]) == (
        ["AMA_PRA_1"], {"npi": "1234567893"},
    )  # fmt: skip
    assert client_for(crowd[1]).put(url, body, format="json").status_code == 403


def test_staff_cancel_needs_a_reason_and_offers_the_seat(desk, crowd):
    reg = Registration.objects.get(person=crowd[1])
    url = f"{BASE}/registrants/{reg.pk}/cancel/"
    missing = client_for(desk).post(url, {"reason": ""}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()) == ["reason"]
    done = client_for(desk).post(url, {"reason": "Asked by phone."}, format="json")
    assert done.json()["status"] == "cancelled"
    assert Registration.objects.get(person=crowd[2]).status == "offered"
    again = client_for(desk).post(url, {"reason": "Twice."}, format="json")
    assert again.json() == {"non_field_errors": ["This registration is already cancelled."]}
    entry = AuditEntry.objects.get(action="registration.cancelled")
    assert (entry.actor, entry.note) == (desk, "Asked by phone.")


def test_registrants_of_another_activity_are_not_found(desk, crowd, provider):
    other = ActivityFactory(provider=provider, slug="other")
    RegistrationSetupFactory(activity=other)
    reg = Registration.objects.get(person=crowd[0])
    url = f"/api/v1/providers/acp/activities/other/registrants/{reg.pk}/"
    assert client_for(desk).get(url).status_code == 404
    assert client_for(desk).post(f"{url}cancel/", {"reason": "x"}, format="json").status_code == 404
    assert Registration.objects.get(pk=reg.pk).status == "pending"


def test_group_registration_is_all_or_nothing(desk, conf):
    a = UserFactory(email="a@dept.example")
    b = UserFactory(email="b@dept.example")
    body = {
        "name": "Cardiology dept.",
        "people": [
            {"email": "a@dept.example", "registration_type": "member"},
            {"email": "ghost@dept.example", "registration_type": "member"},
            {"email": "B@dept.example", "registration_type": "nurse"},
        ],
    }
    refused = client_for(desk).post(f"{BASE}/groups/", body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "people": [
            "ghost@dept.example: no account has this e-mail address.",
            "B@dept.example: there is no registration type “nurse” here.",
        ]
    }
    body["people"] = [
        {"email": "a@dept.example", "registration_type": "member"},
        {"email": "B@dept.example", "registration_type": "resident"},
    ]
    done = client_for(desk).post(f"{BASE}/groups/", body | {"coordinator": a.email}, format="json")
    assert done.status_code == 201, done.content
    data = done.json()
    assert data["name"] == "Cardiology dept."
    assert data["coordinator"] == a.full_name
    assert sorted((r["person"]["email"], r["status"]) for r in data["registrations"]) == [
        ("a@dept.example", "pending"),
        ("b@dept.example", "confirmed"),
    ]
    assert RegistrationGroup.objects.get().coordinator == a
    # Someone already registered: nobody of the new group is.
    again = client_for(desk).post(
        f"{BASE}/groups/",
        {"name": "Second", "people": [{"email": UserFactory().email, "registration_type": "member"},
                                      {"email": b.email, "registration_type": "member"}]},
        format="json",
    )  # fmt: skip
    assert again.status_code == 400
    assert "already registered" in again.json()["people"][0]
    assert Registration.objects.count() == 2
    assert RegistrationGroup.objects.count() == 1


def test_learners_cannot_register_groups(conf, learner):
    body = {"name": "Mine", "people": [{"email": learner.email, "registration_type": "member"}]}
    assert client_for(learner).post(f"{BASE}/groups/", body, format="json").status_code == 403
    assert APIClient().post(f"{BASE}/groups/", body, format="json").status_code == 401


# --- staff: set-up ------------------------------------------------------------------------------


def test_setup_is_read_and_changed_through_the_service(desk, conf):
    url = f"{BASE}/registration-setup/"
    assert client_for(desk).get(url).json()["credit_types"] == ["AMA_PRA_1", "ACPE"]
    changed = client_for(desk).patch(
        url, {"capacity": 50, "currency": "eur", "credit_types": ["ANCC"]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    data = changed.json()
    assert (data["capacity"], data["currency"], data["credit_types"]) == (50, "EUR", ["ANCC"])
    unknown = client_for(desk).patch(url, {"credit_types": ["CME_MARS"]}, format="json")
    assert list(unknown.json()) == ["credit_types"]
    bad = client_for(desk).patch(url, {"refund_percent": 101, "currency": "E"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"refund_percent"}  # the serializer's bound comes first
    bad = client_for(desk).patch(url, {"currency": "E1"}, format="json")
    assert bad.json() == {"currency": ["Give the three-letter currency code, such as USD or EUR."]}
    assert AuditEntry.objects.filter(action="registration.setup_saved").count() == 1


def test_types_are_created_changed_and_removed(desk, conf, learner):
    url = f"{BASE}/registration-types/"
    client = client_for(desk)
    body = {"code": "Nurse", "name": "Nurse", "mode": "virtual", "professions": ["nurse"],
            "capacity": 20}  # fmt: skip
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.content
    nurse = created.json()
    assert (nurse["code"], nurse["seats_left"], nurse["prices"]) == ("nurse", 20, [])
    duplicate = client.post(url, {"code": "nurse", "name": "Again"}, format="json")
    assert duplicate.json() == {"code": ["Another registration type has this short name."]}
    listed = client.get(url).json()
    assert [t["code"] for t in listed] == ["member", "nurse", "old", "resident"]  # order, name

    type_url = f"{url}{nurse['id']}/"
    priced = client.post(f"{type_url}prices/", {"label": "Regular", "amount": "120"},
                         format="json")  # fmt: skip
    assert priced.status_code == 201
    assert [(p["label"], p["amount"]) for p in priced.json()["prices"]] == [("Regular", "120.00")]
    second = client.post(f"{type_url}prices/", {"label": "Late", "amount": "150"}, format="json")
    assert second.json() == {"available_until": ["This type already has a price without a date."]}
    negative = client.post(f"{type_url}prices/", {"label": "X", "amount": "-1"}, format="json")
    assert list(negative.json()) == ["amount"]
    tier = PriceTier.objects.get(registration_type_id=nurse["id"])
    assert client.delete(f"{type_url}prices/{tier.pk}/").status_code == 204
    assert not PriceTier.objects.filter(pk=tier.pk).exists()

    patched = client.patch(type_url, {"name": "Nurse (online)", "is_active": False}, format="json")
    assert (patched.json()["name"], patched.json()["is_active"]) == ("Nurse (online)", False)
    assert client.patch(type_url, {"capacity": -1}, format="json").status_code == 400
    assert client.delete(type_url).status_code == 204
    assert not RegistrationType.objects.filter(code="nurse").exists()

    register(learner, conf)
    used = client.delete(f"{url}{conf['member'].pk}/")
    assert used.status_code == 400
    assert "close it for registration instead" in used.json()["non_field_errors"][0]
    assert RegistrationType.objects.filter(pk=conf["member"].pk).exists()
    actions = list(AuditEntry.objects.filter(actor=desk).values_list("action", flat=True))
    assert {"registration.type_created", "registration.tier_added", "registration.tier_removed",
            "registration.type_changed", "registration.type_removed"} <= set(actions)  # fmt: skip


def test_promo_codes_are_created_changed_and_removed(desk, conf, learner):
    url = f"{BASE}/promo-codes/"
    client = client_for(desk)
    created = client.post(
        url, {"code": "vip", "amount_off": "50", "registration_types": ["member"], "max_uses": 2},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    vip = created.json()
    assert (vip["code"], vip["amount_off"], vip["registration_types"], vip["used"]) == (
        "VIP", "50.00", ["member"], 0,
    )  # fmt: skip
    nothing_off = client.post(url, {"code": "ZERO"}, format="json")
    assert nothing_off.json() == {"percent_off": ["Give a percentage off, an amount off, or both."]}
    wrong_type = client.post(url, {"code": "X", "percent_off": 5, "registration_types": ["nurse"]},
                             format="json")  # fmt: skip
    assert list(wrong_type.json()) == ["registration_types"]

    promo_url = f"{url}{vip['id']}/"
    patched = client.patch(promo_url, {"is_active": False, "registration_types": []}, format="json")
    assert (patched.json()["is_active"], patched.json()["registration_types"]) == (False, [])
    assert client.delete(promo_url).status_code == 204
    assert not PromoCode.objects.filter(code="VIP").exists()

    register(learner, conf, promo_code="EARLY10")
    listed = client.get(url).json()
    assert [(p["code"], p["used"]) for p in listed] == [("EARLY10", 1)]
    used = client.delete(f"{url}{conf['promo'].pk}/")
    assert used.status_code == 400
    assert "deactivate it instead" in used.json()["non_field_errors"][0]
    assert AuditEntry.objects.filter(action="registration.promo_removed").count() == 1


def test_questions_are_added_and_removed(desk, conf):
    url = f"{BASE}/registration-questions/"
    client = client_for(desk)
    added = client.post(url, {"label": "Wheelchair access?", "kind": "yes_no",
                              "purpose": "accessibility"}, format="json")  # fmt: skip
    assert added.status_code == 201
    assert [q["label"] for q in client.get(url).json()] == ["Diet", "Wheelchair access?"]
    bad = client.post(url, {"label": "", "kind": "choice", "choices": ["Only one"]}, format="json")
    assert bad.json() == {
        "label": ["Give the question."],
        "choices": ["Give at least two choices, one a line."],
    }
    assert client.delete(f"{url}{added.json()['id']}/").status_code == 204
    assert list(Question.objects.values_list("label", flat=True)) == ["Diet"]


def test_staff_endpoints_refuse_members_without_the_permission_and_outsiders(conf, provider):
    program = member(provider, "program")
    outsider = member(ProviderFactory(slug="bsoc"), "registration")
    urls = [
        f"{BASE}/registrants/",
        f"{BASE}/registration-setup/",
        f"{BASE}/registration-types/",
        f"{BASE}/promo-codes/",
        f"{BASE}/registration-questions/",
    ]
    for url in urls:
        assert client_for(program).get(url).status_code == 403, url
        assert client_for(outsider).get(url).status_code == 403, url  # a published activity
        assert APIClient().get(url).status_code == 401, url
    post = client_for(program).post(
        f"{BASE}/promo-codes/", {"code": "HACK", "percent_off": 100}, format="json"
    )
    assert post.status_code == 403
    assert not PromoCode.objects.filter(code="HACK").exists()
    draft = ActivityFactory(provider=provider, slug="draft", state=ActivityState.DRAFT)
    RegistrationSetupFactory(activity=draft)
    hidden = "/api/v1/providers/acp/activities/draft/registrants/"
    assert client_for(outsider).get(hidden).status_code == 404
    assert client_for(UserFactory()).get(hidden).status_code == 404


# --- the answers have the shapes the schema declares ----------------------------------------------


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory):
    """The schema as the code generates it now (the committed one is regenerated on release)."""
    import yaml
    from django.core.management import call_command

    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", file=str(path))
    return yaml.safe_load(path.read_text())


def check_against(schema, response, path: str, method: str) -> None:
    import jsonschema

    from tests.api.test_schema import _json_schema

    declared = schema["paths"][f"{SCHEMA_BASE}{path}"][method]["responses"]
    body = declared[str(response.status_code)]["content"]["application/json"]["schema"]
    document = _json_schema({"components": schema["components"]}) | _json_schema(body)
    jsonschema.validate(response.json(), document)


SCHEMA_BASE = "/api/v1/providers/{provider}/activities/{activity}/"


def test_answers_match_the_schema(fresh_schema, conf, desk, learner):
    mine = client_for(learner)
    staff = client_for(desk)
    registered = register(learner, conf, credit_types=["AMA_PRA_1"], identifiers={"npi": ""})
    reg = Registration.objects.get()
    workshop = f"{BASE}/registration/workshops/{conf['workshop'].code}/"
    checks = [
        (APIClient().get(f"{BASE}/registration/options/"), "registration/options/", "get"),
        (registered, "registration/", "post"),
        (register(learner, conf), "registration/", "post"),  # 400
        (mine.get(f"{BASE}/registration/"), "registration/", "get"),
        (mine.post(workshop), "registration/workshops/{code}/", "post"),
        (staff.get(f"{BASE}/registrants/"), "registrants/", "get"),
        (staff.post(f"{BASE}/registrants/{reg.pk}/payments/",
                    {"method": "invoice", "amount": "10"}, format="json"),
         "registrants/{registration}/payments/", "post"),
        (staff.get(f"{BASE}/registrants/{reg.pk}/"), "registrants/{registration}/", "get"),
        (staff.get(f"{BASE}/registration-setup/"), "registration-setup/", "get"),
        (staff.get(f"{BASE}/registration-types/"), "registration-types/", "get"),
        (staff.get(f"{BASE}/promo-codes/"), "promo-codes/", "get"),
        (staff.get(f"{BASE}/registration-questions/"), "registration-questions/", "get"),
        (staff.post(f"{BASE}/groups/", {"name": "G", "people": [
            {"email": UserFactory().email, "registration_type": "member"}]}, format="json"),
         "groups/", "post"),
        (mine.get(f"{BASE}/registrants/"), "registrants/", "get"),  # 403
    ]  # fmt: skip
    for response, path, method in checks:
        check_against(fresh_schema, response, path, method)
    assert [r.status_code for r, _p, _m in checks] == [
        200, 201, 400, 200, 201, 200, 201, 200, 200, 200, 200, 200, 201, 403,
    ]  # fmt: skip
