"""Licensure API: public requirement sets, one's own licences and credits, compliance, needs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cmeconf.licensure.models import BoardCertification, ExternalCredit, Licence
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory
from tests.licensure.factories import (
    BoardCertificationFactory,
    ExternalCreditFactory,
    LicenceFactory,
    RegistrationFactory,
    in_days,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def me(db):
    return UserFactory()


@pytest.fixture
def client(me):
    api = APIClient()
    api.force_authenticate(me)
    return api


# --- requirement sets ------------------------------------------------------------------------


def test_requirement_sets_are_public_with_label_cycle_and_dates():
    response = APIClient().get(f"{API}/requirement-sets/")
    assert response.status_code == 200
    sets = {s["id"]: s for s in response.json()}
    texas = sets["US-TX-MD-DO"]
    assert texas["label"] == "Texas: physician (DO, MD)"
    assert texas["license_types"] == ["DO", "MD"]
    assert (texas["total"], texas["unit"], texas["total_confirmed"]) == ("48.00", "credit", True)
    assert texas["cycle"]["length_months"] == 24
    assert texas["as_of"] == "2024-09-20"
    assert "verify with your board" in texas["verify_note"]
    assert sets["US-GA-MD-DO"]["total_confirmed"] is False


def test_requirement_set_detail_has_rules_confirmation_and_sources():
    body = APIClient().get(f"{API}/requirement-sets/US-TX-MD-DO/").json()
    topics = {t["id"]: t for t in body["topic_requirements"]}
    assert topics["TX-ETHICS-2"]["confirmed"] is True
    assert topics["TX-OPIOID-156055"]["confirmed"] is False
    assert topics["TX-OPIOID-156055"]["applies_if"]["conditions"] == ["direct_patient_care"]
    assert topics["TX-ETHICS-2"]["source_refs"]
    rules = {r["id"]: r for r in body["credit_type_rules"]}
    assert rules["formal-min"]["min"] == "24.00"
    source_ids = {s["id"] for s in body["sources"]}
    assert set(topics["TX-ETHICS-2"]["source_refs"]) <= source_ids
    assert APIClient().get(f"{API}/requirement-sets/US-XX-MD/").status_code == 404


# --- licences and board certifications -------------------------------------------------------


def test_me_endpoints_need_credentials():
    anonymous = APIClient()
    for path in ("licences", "board-certifications", "credits", "compliance"):
        assert anonymous.get(f"{API}/me/{path}/").status_code == 401


def test_add_list_change_and_delete_a_licence(client, me):
    response = client.post(
        f"{API}/me/licences/",
        {
            "requirement_set": "US-TX-MD-DO",
            "license_type": "MD",
            "number": "T123",
            "expires_on": in_days(200).isoformat(),
            "conditions": ["direct_patient_care"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    licence = Licence.objects.get(person=me)
    assert response.json()["requirement_set_label"] == "Texas: physician (DO, MD)"
    assert client.get(f"{API}/me/licences/").json()[0]["id"] == licence.pk
    response = client.patch(f"{API}/me/licences/{licence.pk}/", {"number": "T999"}, format="json")
    assert response.status_code == 200
    licence.refresh_from_db()
    assert licence.number == "T999"
    assert client.delete(f"{API}/me/licences/{licence.pk}/").status_code == 204
    assert not Licence.objects.filter(person=me).exists()


def test_licence_problems_come_back_by_field(client, me):
    response = client.post(
        f"{API}/me/licences/",
        {"requirement_set": "US-TX-MD-DO", "license_type": "RN", "conditions": ["juggling"]},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"license_type", "conditions", "expires_on"}
    assert "juggling" in body["conditions"][0]
    LicenceFactory(person=me)
    response = client.post(
        f"{API}/me/licences/",
        {"requirement_set": "US-TX-MD-DO", "license_type": "MD", "expires_on": "2027-01-31"},
        format="json",
    )
    assert response.status_code == 400
    assert "already" in response.json()["license_type"][0]
    # A PATCH is checked against the whole licence: Texas needs the expiry date.
    licence = Licence.objects.get(person=me)
    response = client.patch(f"{API}/me/licences/{licence.pk}/", {"expires_on": None}, format="json")
    assert response.status_code == 400
    assert "expires_on" in response.json()


def test_another_persons_records_are_404(client, me):
    other = UserFactory()
    licence = LicenceFactory(person=other)
    certification = BoardCertificationFactory(person=other)
    credit = ExternalCreditFactory(person=other)
    for path in (
        f"me/licences/{licence.pk}/",
        f"me/board-certifications/{certification.pk}/",
        f"me/credits/{credit.pk}/",
    ):
        assert client.get(f"{API}/{path}").status_code == 404
        assert client.delete(f"{API}/{path}").status_code == 404
    assert (
        client.patch(f"{API}/me/licences/{licence.pk}/", {"number": "X"}, format="json").status_code
        == 404
    )
    assert client.get(f"{API}/me/licences/").json() == []
    assert client.get(f"{API}/me/credits/").json()["results"] == []
    licence.refresh_from_db()
    assert licence.number != "X"
    assert ExternalCredit.objects.filter(pk=credit.pk).exists()


def test_board_certifications(client, me):
    response = client.post(
        f"{API}/me/board-certifications/",
        {"board": "ABIM", "specialty": "Cardiology", "in_moc": True},
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert BoardCertification.objects.get(pk=pk).person == me
    response = client.patch(
        f"{API}/me/board-certifications/{pk}/",
        {"certified_on": "2020-01-01", "expires_on": "2019-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "expires_on" in response.json()
    assert client.get(f"{API}/me/board-certifications/").json()[0]["specialty"] == "Cardiology"


# --- credits ---------------------------------------------------------------------------------


def test_record_list_and_delete_credits(client, me):
    response = client.post(
        f"{API}/me/credits/",
        {
            "title": "Ethics update",
            "completed_on": in_days(-10).isoformat(),
            "amounts": {"AMA_PRA_1": 1.5},
            "topics": ["ethics"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amounts"], body["topics"], body["source_import"]) == (
        {"AMA_PRA_1": "1.50"},
        ["ethics"],
        None,
    )
    listed = client.get(f"{API}/me/credits/").json()
    assert listed["count"] == 1
    assert client.delete(f"{API}/me/credits/{body['id']}/").status_code == 204
    assert not ExternalCredit.objects.filter(person=me).exists()


def test_credit_problems_by_field(client):
    response = client.post(
        f"{API}/me/credits/",
        {
            "title": "Later",
            "completed_on": in_days(3).isoformat(),
            "amounts": {"AMA_PRA_1": "1"},
            "topics": ["astrology"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"topics", "completed_on"}
    response = client.post(
        f"{API}/me/credits/",
        {"title": "X", "completed_on": "2025-01-01", "amounts": {"NOPE": "1"}},
        format="json",
    )
    assert response.status_code == 400
    assert "NOPE" in response.json()["amounts"][0]


def upload(text: str, name: str = "credits.csv") -> dict:
    return {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")}


def test_import_a_csv_file(client, me):
    day = in_days(-20).isoformat()
    text = f"title,completed_on,credits\nOne,{day},AMA_PRA_1=1\nTwo,{day},AMA_PRA_1=2\n"
    response = client.post(f"{API}/me/credits/import/", upload(text), format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rows"], body["filename"]) == (2, "credits.csv")
    assert ExternalCredit.objects.filter(person=me, source_import_id=body["id"]).count() == 2
    again = client.post(f"{API}/me/credits/import/", upload(text), format="multipart")
    assert again.status_code == 400
    assert again.json()["errors"][0]["row"] == 0


def test_import_errors_by_row_and_column(client, me):
    text = "title,completed_on,credits\n,2025-01-01,AMA_PRA_1=1\nOk,2025-01-01,BAD=1\n"
    response = client.post(f"{API}/me/credits/import/", upload(text), format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(1, "title"), (2, "credits")]
    assert not ExternalCredit.objects.filter(person=me).exists()


def test_import_needs_credentials():
    response = APIClient().post(f"{API}/me/credits/import/", upload("x"), format="multipart")
    assert response.status_code == 401


# --- compliance ------------------------------------------------------------------------------


def test_compliance_per_licence_and_requirement(client, me):
    licence = LicenceFactory(person=me, conditions=["direct_patient_care"])
    ethics = ExternalCreditFactory(person=me, amounts={"AMA_PRA_1": "2.00"}, topics=["ethics"])
    old = ExternalCreditFactory(person=me, completed_on=in_days(-3000))
    body = client.get(f"{API}/me/compliance/").json()
    (entry,) = body["licences"]
    assert entry["licence"]["id"] == licence.pk
    assert entry["requirement_set"] == {"id": "US-TX-MD-DO", "label": "Texas: physician (DO, MD)"}
    assert entry["due"] == in_days(200).isoformat()
    assert entry["compliant"] is False
    assert "verify with your board" in entry["verify_note"]
    requirements = {r["id"]: r for r in entry["requirements"]}
    ethics_req = requirements["TX-ETHICS-2"]
    assert (ethics_req["kind"], ethics_req["met"], ethics_req["gap"]) == ("topic", True, "0.00")
    assert ethics_req["counted_from"] == [
        {"credit": ethics.pk, "activity": None, "carried_in": False, "amount": "2.00"}
    ]
    total = requirements["total"]
    assert {"credit": old.pk, "activity": None, "reason": "outside_window"} in total["not_counted"]
    # The opioid mandate is not confirmed: the payload says so, for it and for the licence.
    assert requirements["TX-OPIOID-156055"]["confirmed"] is False
    assert entry["confirmed"] is False


def test_compliance_explains_a_licence_it_cannot_evaluate(client, me):
    # Saved before the expiry rule applied: the board sets the date, so nothing can be worked out.
    Licence.objects.create(person=me, requirement_set="US-TX-MD-DO", license_type="MD")
    (entry,) = client.get(f"{API}/me/compliance/").json()["licences"]
    assert entry["compliant"] is None
    assert entry["requirements"] == []
    assert "expiry" in entry["problem"]
    assert entry["confirmed"] is False


def test_compliance_shows_only_ones_own_licences(client):
    LicenceFactory()  # someone else's
    assert client.get(f"{API}/me/compliance/").json()["licences"] == []


# --- audience needs --------------------------------------------------------------------------


@pytest.fixture
def activity(db):
    return ActivityFactory()


def needs_url(activity) -> str:
    return f"{API}/providers/{activity.provider.slug}/activities/{activity.slug}/licensure-needs/"


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_needs_for_staff_with_counts_only(activity):
    people = []
    for _ in range(6):
        person = UserFactory()
        RegistrationFactory(activity=activity, person=person)
        LicenceFactory(person=person)
        people.append(person)
    staff = UserFactory()
    TeamFactory(provider=activity.provider, members=[staff], permissions=["reports"])
    response = as_user(staff).get(needs_url(activity))
    assert response.status_code == 200
    body = response.json()
    assert (body["registrants"], body["with_licences"]) == (6, "6")
    need = {n["topic"]: n for n in body["needs"]}["ethics"]
    assert (need["learners"], need["hours_missing"], need["unconfirmed"]) == ("6", "12.00", False)
    assert need["sets"][0]["id"] == "US-TX-MD-DO"
    text = response.content.decode()
    for person in people:
        assert person.email not in text


def test_needs_below_five_are_not_counted_exactly(activity):
    person = UserFactory()
    RegistrationFactory(activity=activity, person=person)
    LicenceFactory(person=person)
    staff = UserFactory()
    TeamFactory(provider=activity.provider, members=[staff], permissions=["registration"])
    body = as_user(staff).get(needs_url(activity)).json()
    need = {n["topic"]: n for n in body["needs"]}["ethics"]
    assert (need["learners"], need["hours_missing"]) == ("fewer than 5", None)
    assert (need["sets"], need["unconfirmed"]) == ([], None)
    assert "Texas" not in str(body)
    assert body["with_licences"] == "fewer than 5"


def test_needs_are_refused_to_learners_other_teams_and_anonymous(activity):
    learner = UserFactory()
    RegistrationFactory(activity=activity, person=learner)
    program = UserFactory()
    TeamFactory(provider=activity.provider, members=[program], permissions=["program"])
    other = UserFactory()
    TeamFactory(provider=ProviderFactory(), members=[other], permissions=["reports"])
    assert APIClient().get(needs_url(activity)).status_code == 401
    assert as_user(learner).get(needs_url(activity)).status_code == 403
    assert as_user(program).get(needs_url(activity)).status_code == 403
    assert as_user(other).get(needs_url(activity)).status_code == 403
    # A draft activity is hidden altogether from those outside its teams.
    draft = ActivityFactory(provider=activity.provider, state="draft")
    assert as_user(learner).get(needs_url(draft)).status_code == 404


def test_compliance_names_credit_carried_over_from_the_last_cycle(client, me):
    LicenceFactory(person=me, carried_in=Decimal("16"))
    ExternalCreditFactory(person=me, amounts={"AMA_PRA_1": "2.00"})
    response = client.get(f"{API}/me/compliance/")
    assert response.status_code == 200
    total = {r["id"]: r for r in response.json()["licences"][0]["requirements"]}["total"]
    assert {"credit": None, "activity": None, "carried_in": True, "amount": "16.00"} in total[
        "counted_from"
    ]


def test_a_licence_takes_the_cycle_start_its_board_needs(client, me):
    royal = {"requirement_set": "CA-RCPSC-MOC", "license_type": "FRCPC"}
    response = client.post(f"{API}/me/licences/", royal, format="json")
    assert response.status_code == 400
    assert "current cycle" in response.json()["cycle_start"][0]
    response = client.post(
        f"{API}/me/licences/", royal | {"cycle_start": "2024-01-01"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["cycle_start"] == "2024-01-01"
    response = client.post(
        f"{API}/me/licences/", {"requirement_set": "US-CA-MD", "license_type": "MD"}, format="json"
    )
    assert "birth month" in response.json()["birth_month"][0]


def test_a_licence_saved_twice_at_once_is_a_400_not_a_500(me):
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory

    from cmeconf.api.serializers.licensure import LicenceSerializer

    request = APIRequestFactory().post("/")
    request.user = me
    data = {"requirement_set": "US-TX-MD-DO", "license_type": "MD", "expires_on": "2027-05-31"}
    serializer = LicenceSerializer(data=data, context={"request": request})
    assert serializer.is_valid(), serializer.errors
    LicenceFactory(person=me)  # the other request, between the check and the save
    with pytest.raises(serializers.ValidationError) as e:
        serializer.save(person=me)
    assert "already have this licence" in str(e.value.detail["license_type"])
    assert Licence.objects.filter(person=me).count() == 1


def test_the_same_credit_twice_is_refused(client, me):
    body = {"title": "Ethics update", "completed_on": in_days(-10).isoformat(),
            "amounts": {"AMA_PRA_1": "1.5"}}  # fmt: skip
    assert client.post(f"{API}/me/credits/", body, format="json").status_code == 201
    response = client.post(f"{API}/me/credits/", body, format="json")
    assert response.status_code == 400
    assert "already recorded" in response.json()["title"][0]
    assert ExternalCredit.objects.filter(person=me).count() == 1


def test_deleting_an_imported_files_credits_lets_it_be_imported_again(client, me):
    data = f"title,completed_on,credit_type,amount\nSepsis,{in_days(-5).isoformat()},AMA_PRA_1,2\n"

    def upload():
        file = SimpleUploadedFile("credits.csv", data.encode(), content_type="text/csv")
        return client.post(f"{API}/me/credits/import/", {"file": file}, format="multipart")

    assert upload().status_code == 201
    assert upload().status_code == 400
    [credit] = ExternalCredit.objects.filter(person=me)
    assert client.delete(f"{API}/me/credits/{credit.pk}/").status_code == 204
    assert upload().status_code == 201
