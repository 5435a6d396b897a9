"""The API of ineligible companies, disclosures, their review, consent and the learners' text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from rest_framework.test import APIClient

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import PlanningRole
from cmeconf.common.models import AuditEntry
from cmeconf.integrity import review, services
from cmeconf.integrity.models import (
    Disclosure,
    IneligibleCompany,
    LearnerDisclosureVersion,
    Mitigation,
    OwnerEmployeeException,
    RelevanceDecision,
    SharingConsent,
)
from tests.factories import (
    ActivityFactory,
    IneligibleCompanyFactory,
    ProviderFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


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
def reviewer(provider):
    return member(provider, "review", first_name="Rita", last_name="Reviewer")


@pytest.fixture
def oncopharm(db):
    company = IneligibleCompanyFactory(name="Oncopharm Inc.")
    company.aliases.create(name="Oncopharma Labs", key="oncopharma labs")
    return company


def speaker(activity, first="Ada", last="Lovelace", **kwargs):
    person = UserFactory(first_name=first, last_name=last, **kwargs)
    SessionFacultyFactory(session=SessionFactory(activity=activity), person=person)
    return person


def disclose(person, *rels):
    """Submit (company, nature) relationships since 2024; return them in order."""
    d = services.submit_disclosure(
        person,
        by=person,
        attested=True,
        relationships=[
            {"company": c, "nature": n, "start_date": dt.date(2024, 1, 1), "end_date": None}
            for c, n in rels
        ],
    )
    return list(d.relationships.order_by("id"))


# --- companies ---------------------------------------------------------------------------------


def test_company_search_matches_aliases_and_needs_an_account(learner, oncopharm):
    IneligibleCompanyFactory(name="Cardiodevice GmbH", kind="device")
    response = client_for(learner).get("/api/v1/companies/", {"q": "ONCOPHARMA"})
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": oncopharm.pk,
            "name": "Oncopharm Inc.",
            "kind": "pharmaceutical",
            "website": "",
            "aliases": ["Oncopharma Labs"],
        }
    ]
    assert client_for(None).get("/api/v1/companies/", {"q": "onco"}).status_code == 401
    missing = client_for(learner).get("/api/v1/companies/")
    assert missing.status_code == 400
    assert set(missing.json()) == {"q"}


def test_reviewer_adds_a_company_with_aliases_audited(provider, reviewer):
    response = client_for(reviewer).post(
        "/api/v1/companies/",
        {"name": "Veltrix Biologics", "kind": "pharmaceutical", "aliases": ["Veltrix"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["aliases"] == ["Veltrix"]
    company = IneligibleCompany.objects.get(name="Veltrix Biologics")
    entry = AuditEntry.objects.get(action="integrity.company.added")
    assert (entry.actor, entry.object_id) == (reviewer, str(company.pk))


def test_a_reviewer_limited_to_one_activity_may_add_companies_too(provider, activity):
    person = UserFactory()
    TeamFactory(
        provider=provider,
        all_activities=False,
        activities=[activity],
        permissions=["review"],
        members=[person],
    )
    response = client_for(person).post(
        "/api/v1/companies/", {"name": "Nuvola Rx", "kind": "pbm"}, format="json"
    )
    assert response.status_code == 201


def test_company_matching_one_in_the_registry_is_refused_naming_it(reviewer, oncopharm):
    response = client_for(reviewer).post(
        "/api/v1/companies/", {"name": "ONCOPHARM, LTD", "kind": "pharmaceutical"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "name": ['"ONCOPHARM, LTD" matches Oncopharm Inc., already in the registry.']
    }


def test_only_reviewers_add_companies(provider, learner):
    program = member(provider, "program")
    for person in (program, learner):
        response = client_for(person).post(
            "/api/v1/companies/", {"name": "Nuvola Rx", "kind": "pbm"}, format="json"
        )
        assert response.status_code == 403
    assert not IneligibleCompany.objects.filter(name="Nuvola Rx").exists()


def test_csv_import_is_all_or_nothing_with_rows_and_columns(reviewer):
    bad = "name,kind\nGood Pharma,pharmaceutical\n,device\nBakers,bakery\n"
    response = client_for(reviewer).post("/api/v1/companies/import/", {"csv": bad}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Nothing was imported."
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "name"), (4, "kind")]
    assert not IneligibleCompany.objects.filter(name="Good Pharma").exists()

    good = (
        "name,kind,aliases\nGood Pharma,pharmaceutical,GP Labs|Good Rx\nTessmer Labs,laboratory,\n"
    )
    response = client_for(reviewer).post("/api/v1/companies/import/", {"csv": good}, format="json")
    assert response.json() == {"created": 2, "already_present": 0}
    again = client_for(reviewer).post("/api/v1/companies/import/", {"csv": good}, format="json")
    assert again.json() == {"created": 0, "already_present": 2}


def test_csv_import_needs_the_review_permission(provider):
    program = member(provider, "program")
    response = client_for(program).post(
        "/api/v1/companies/import/", {"csv": "name,kind\nX,pbm\n"}, format="json"
    )
    assert response.status_code == 403


# --- a person's own disclosure -----------------------------------------------------------------


def test_without_a_disclosure_the_roles_say_what_blocks_them(activity):
    ada = speaker(activity)
    body = client_for(ada).get("/api/v1/me/disclosure/").json()
    assert body["current"] is None
    assert body["blockers"] == [
        "No disclosure on file: everyone in control of content must disclose first."
    ]
    assert [(r["activity"], r["roles"], r["role_start"]) for r in body["roles"]] == [
        ("annual-2027", ["Speaker"], "2027-04-14")
    ]
    assert body["roles"][0]["blockers"] == body["blockers"]
    assert body["attestation"].startswith("I have disclosed all financial relationships")


def test_submit_by_company_name_or_id(activity, oncopharm):
    other = IneligibleCompanyFactory(name="Cardiodevice")
    ada = speaker(activity)
    response = client_for(ada).post(
        "/api/v1/me/disclosure/",
        {
            "relationships": [
                {"company": "oncopharma labs", "nature": "consultant", "start_date": "2024-02-01"},
                {
                    "company": other.pk,
                    "nature": "speaker",
                    "start_date": "2023-06-01",
                    "end_date": "2025-06-30",
                },
            ],
            "attested": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    current = response.json()["current"]
    assert current["state"] == "submitted"
    assert [
        (r["company"]["name"], r["nature"], r["end_date"]) for r in current["relationships"]
    ] == [("Cardiodevice", "speaker", "2025-06-30"), ("Oncopharm Inc.", "consultant", None)]
    assert response.json()["roles"][0]["blockers"] == []
    assert AuditEntry.objects.filter(action="disclosure.submitted", actor=ada).count() == 1


def test_no_relationships_is_a_disclosure_too(learner):
    response = client_for(learner).post(
        "/api/v1/me/disclosure/", {"relationships": [], "attested": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["current"]["has_relationships"] is False


def test_a_relationship_ending_before_it_starts_is_refused_with_its_number(learner, oncopharm):
    response = client_for(learner).post(
        "/api/v1/me/disclosure/",
        {
            "relationships": [
                {
                    "company": oncopharm.pk,
                    "nature": "advisor",
                    "start_date": "2025-03-01",
                    "end_date": "2024-03-01",
                }
            ],
            "attested": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "relationships": [
            "Relationship 1: it ends (March 1, 2024) before it starts (March 1, 2025)."
        ]
    }
    assert not Disclosure.objects.exists()


def test_unknown_company_and_missing_attestation_are_refused(learner, oncopharm):
    unknown = client_for(learner).post(
        "/api/v1/me/disclosure/",
        {
            "relationships": [
                {"company": "Mercy Hospital", "nature": "consultant", "start_date": "2024-01-01"}
            ],
            "attested": True,
        },
        format="json",
    )
    assert unknown.status_code == 400
    message = unknown.json()["relationships"]["0"]["company"][0]
    assert message.startswith("“Mercy Hospital” is not an ineligible company in the registry.")
    unattested = client_for(learner).post(
        "/api/v1/me/disclosure/", {"relationships": [], "attested": False}, format="json"
    )
    assert unattested.status_code == 400
    assert unattested.json() == {"attested": ["Please confirm the attestation to submit."]}
    assert not Disclosure.objects.exists()


def test_refusal_needs_confirmation_and_disqualifies(activity):
    ada = speaker(activity)
    unconfirmed = client_for(ada).post(
        "/api/v1/me/disclosure/refuse/", {"confirm": False}, format="json"
    )
    assert unconfirmed.status_code == 400
    assert not Disclosure.objects.exists()
    response = client_for(ada).post(
        "/api/v1/me/disclosure/refuse/", {"confirm": True}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["current"]["state"] == "refused"
    assert body["roles"][0]["blockers"][0].startswith("Refused to disclose")


def test_a_person_only_ever_sees_their_own_disclosure(learner, oncopharm):
    ada = UserFactory()
    disclose(ada, (oncopharm, "consultant"))
    body = client_for(learner).get("/api/v1/me/disclosure/").json()
    assert body["current"] is None
    assert client_for(None).get("/api/v1/me/disclosure/").status_code == 401


# --- consent -----------------------------------------------------------------------------------


def test_consent_is_given_listed_and_withdrawn_with_its_wording(learner, activity):
    url = "/api/v1/me/consents/acp/annual-2027/"
    api = client_for(learner)
    before = api.get(url).json()
    assert before["consent"] is None
    assert "Annual Meeting 2027" in before["wording"]
    given = api.put(url)
    assert given.status_code == 200
    assert given.json()["consent"]["source"] == "api"
    assert api.put(url).status_code == 200  # a second opt-in changes nothing
    assert SharingConsent.objects.filter(person=learner).count() == 1
    assert api.delete(url).status_code == 204
    listed = api.get("/api/v1/me/consents/").json()["results"]
    assert [(c["activity"], c["withdrawn_at"] is not None) for c in listed] == [
        ("annual-2027", True)
    ]
    assert api.get(url).json()["consent"] is None
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        "consent.given",
        "consent.withdrawn",
    ]


def test_consent_to_a_hidden_activity_is_not_found(learner, provider):
    ActivityFactory(provider=provider, slug="draft-2028", state=ActivityState.DRAFT)
    response = client_for(learner).put("/api/v1/me/consents/acp/draft-2028/")
    assert response.status_code == 404
    assert client_for(None).put("/api/v1/me/consents/acp/annual-2027/").status_code == 401
    assert not SharingConsent.objects.exists()


# --- roster ------------------------------------------------------------------------------------


BASE = "/api/v1/providers/acp/activities/annual-2027"


def test_roster_shows_relationships_to_reviewers_only(activity, reviewer, oncopharm):
    ada = speaker(activity, email="ada@example.org")
    speaker(activity, "Bo", "Missing")
    disclose(ada, (oncopharm, "consultant"))
    PlanningRole.objects.create(activity=activity, person=reviewer, role="planner")
    disclose(reviewer)

    rows = client_for(reviewer).get(f"{BASE}/disclosures/").json()
    assert [(r["person"]["name"], r["status"], r["relationship_count"]) for r in rows] == [
        ("Ada Lovelace", "ok", 1),
        ("Bo Missing", "missing", 0),
        ("Rita Reviewer", "ok", 0),
    ]
    assert rows[0]["relationships"][0]["company"]["name"] == "Oncopharm Inc."
    assert rows[0]["relationships"][0]["status"] == "undecided"
    assert rows[1]["needs_invitation"] is True
    assert rows[1]["blockers"] == [
        "No disclosure on file: everyone in control of content must disclose first."
    ]

    program = member(activity.provider, "program")
    rows = client_for(program).get(f"{BASE}/disclosures/").json()
    assert rows[0]["relationship_count"] == 1
    assert rows[0]["relationships"] is None


def test_nobody_outside_the_teams_reads_disclosures_under_review(activity, oncopharm):
    ada = speaker(activity)
    disclose(ada, (oncopharm, "employee"))
    exhibitor = UserFactory(email="booth@oncopharm.example")
    registration = member(activity.provider, "registration")
    for person, expected in ((exhibitor, 403), (registration, 403), (None, 401)):
        for path in ("disclosures/", "review/"):
            response = client_for(person).get(f"{BASE}/{path}")
            assert response.status_code == expected
            assert b"Oncopharm" not in response.content
    rel = Disclosure.objects.get().relationships.get()
    response = client_for(exhibitor).post(
        f"{BASE}/review/relationships/{rel.pk}/decision/",
        {"relevant": False, "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert not RelevanceDecision.objects.exists()


def test_roster_of_another_providers_draft_is_not_found(reviewer, provider):
    other = ProviderFactory(slug="bsoc")
    ActivityFactory(provider=other, slug="hidden", state=ActivityState.DRAFT)
    response = client_for(reviewer).get("/api/v1/providers/bsoc/activities/hidden/disclosures/")
    assert response.status_code == 404


def test_roster_query_count_does_not_grow_with_people(activity, reviewer, oncopharm):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        fresh = type(reviewer).objects.get(pk=reviewer.pk)  # no permissions cached on it
        with CaptureQueriesContext(connection) as ctx:
            response = client_for(fresh).get(f"{BASE}/disclosures/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        person = speaker(activity, f"P{n}", "Person")
        rels = disclose(person, (oncopharm, "consultant"))
        decision = review.decide_relevance(
            activity, rels[0], reviewer=reviewer, relevant=True, reason="Same class."
        )
        review.mitigate(decision, by=reviewer, method="attest")

    add(1)
    one = count()
    add(2)
    add(3)
    assert count() == one


def test_invitations_go_to_those_without_a_valid_disclosure(activity, oncopharm):
    ada = speaker(activity, email="ada@example.org")
    disclose(ada)
    speaker(activity, "Bo", "Missing", email="bo@example.org")
    program = member(activity.provider, "program")
    response = client_for(program).post(f"{BASE}/disclosures/invitations/")
    assert response.status_code == 200
    assert [p["email"] for p in response.json()["invited"]] == ["bo@example.org"]
    assert [m.to for m in mail.outbox] == [["bo@example.org"]]
    assert AuditEntry.objects.filter(action="disclosure.invited").count() == 1
    credit = member(activity.provider, "credit")
    assert client_for(credit).post(f"{BASE}/disclosures/invitations/").status_code == 403


# --- review ------------------------------------------------------------------------------------


def test_decision_mitigation_and_the_learners_line(activity, reviewer, oncopharm, api):
    ada = speaker(activity)
    (rel,) = disclose(ada, (oncopharm, "consultant"))
    url = f"{BASE}/review/relationships/{rel.pk}"
    summary = client_for(reviewer).get(f"{BASE}/review/").json()
    assert summary["open_items"] == 1
    assert summary["problems"] == [
        "Ada Lovelace: the relationship with Oncopharm Inc. has not been reviewed."
    ]

    early = client_for(reviewer).post(f"{url}/mitigations/", {"method": "attest"}, format="json")
    assert early.status_code == 400
    assert early.json() == {"method": ["Decide first whether the relationship is relevant."]}

    decided = client_for(reviewer).post(
        f"{url}/decision/",
        {"relevant": True, "reason": "Talk on the company's drug class."},
        format="json",
    )
    assert decided.status_code == 201
    assert decided.json()["status"] == "unmitigated"
    assert decided.json()["decision"]["reviewer"] == "Rita Reviewer"

    incomplete = client_for(reviewer).post(
        f"{url}/mitigations/", {"method": "peer_review_content"}, format="json"
    )
    assert incomplete.status_code == 400
    assert incomplete.json() == {
        "peer_name": ["Name the peer who reviewed."],
        "peer_review_date": ["Give the date of the peer review."],
    }
    done = client_for(reviewer).post(
        f"{url}/mitigations/",
        {"method": "peer_review_content", "peer_name": "Dr. Lee", "peer_review_date": "2026-10-01"},
        format="json",
    )
    assert done.status_code == 201
    assert done.json()["peer_name"] == "Dr. Lee"
    assert Mitigation.objects.count() == 1
    assert client_for(reviewer).get(f"{BASE}/review/").json() == {"open_items": 0, "problems": []}

    shown = api.get(f"{BASE}/learner-disclosure/").json()
    ada_line = next(p for p in shown["people"] if p["name"].startswith("Ada"))
    assert "Oncopharm Inc. (Consultant)" in ada_line["text"]
    assert ada_line["standing"] == "mitigated"
    assert LearnerDisclosureVersion.objects.filter(activity=activity, scope="api").count() == 1


def test_decision_needs_a_reason(activity, reviewer, oncopharm):
    (rel,) = disclose(speaker(activity), (oncopharm, "consultant"))
    response = client_for(reviewer).post(
        f"{BASE}/review/relationships/{rel.pk}/decision/",
        {"relevant": False, "reason": "  "},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"reason": ["Give the reason for the decision."]}
    assert not RelevanceDecision.objects.exists()


def test_nobody_reviews_their_own_relationships(activity, reviewer, oncopharm):
    PlanningRole.objects.create(activity=activity, person=reviewer, role="planner")
    (rel,) = disclose(reviewer, (oncopharm, "consultant"))
    response = client_for(reviewer).post(
        f"{BASE}/review/relationships/{rel.pk}/decision/",
        {"relevant": False, "reason": "Mine."},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Nobody reviews their own financial relationships."}


def test_review_of_a_relationship_outside_the_activity_is_not_found(activity, reviewer, oncopharm):
    (rel,) = disclose(UserFactory(), (oncopharm, "consultant"))  # controls nothing here
    response = client_for(reviewer).post(
        f"{BASE}/review/relationships/{rel.pk}/decision/",
        {"relevant": False, "reason": "x"},
        format="json",
    )
    assert response.status_code == 404
    program = member(activity.provider, "program")
    (mine,) = disclose(speaker(activity), (oncopharm, "consultant"))
    response = client_for(program).post(
        f"{BASE}/review/relationships/{mine.pk}/decision/",
        {"relevant": False, "reason": "x"},
        format="json",
    )
    assert response.status_code == 403


def test_exception_for_an_employee_lifts_the_blocker(activity, reviewer, oncopharm):
    ada = speaker(activity)
    consultant = IneligibleCompanyFactory(name="Cardiodevice")
    employment, consulting = disclose(ada, (oncopharm, "employee"), (consultant, "consultant"))
    roster = client_for(reviewer).get(f"{BASE}/disclosures/").json()
    assert roster[0]["status"] == "blocked"

    wrong = client_for(reviewer).post(
        f"{BASE}/review/relationships/{consulting.pk}/exception/",
        {"exception": "unrelated", "reason": "Not the same line."},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json() == {"exception": ["Exceptions apply only to owners and employees."]}

    response = client_for(reviewer).post(
        f"{BASE}/review/relationships/{employment.pk}/exception/",
        {"exception": "basic_science", "reason": "Talk on assay methods, no care advice."},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["exception"] == "basic_science"
    assert OwnerEmployeeException.objects.count() == 1
    roster = client_for(reviewer).get(f"{BASE}/disclosures/").json()
    assert roster[0]["status"] == "ok"
    rels = {r["company"]["name"]: r for r in roster[0]["relationships"]}
    assert rels["Oncopharm Inc."]["exceptions"][0]["reviewer"] == "Rita Reviewer"
    assert rels["Cardiodevice"]["exceptions"] == []


# --- what learners are shown ----------------------------------------------------------------


def test_learner_disclosure_is_public_for_a_published_activity_only(provider, activity, api):
    speaker(activity)
    response = api.get(f"{BASE}/learner-disclosure/")
    assert response.status_code == 200
    body = response.json()
    assert [p["text"] for p in body["people"]] == [
        "Ada Lovelace, MD: disclosure not yet available."
    ]
    assert body["supporters"] == []
    assert len(body["digest"]) == 64

    ActivityFactory(provider=provider, slug="draft-2028", state=ActivityState.DRAFT)
    hidden = api.get("/api/v1/providers/acp/activities/draft-2028/learner-disclosure/")
    assert hidden.status_code == 404


# --- the committed schema describes these answers --------------------------------------------


def test_responses_match_the_committed_schema(activity, reviewer, oncopharm, api):
    import yaml

    from tests.api.test_schema import COMMITTED, _check

    openapi = yaml.safe_load(COMMITTED.read_text())
    ada = speaker(activity)
    (rel,) = disclose(ada, (oncopharm, "consultant"))
    p = "/api/v1/providers/{provider}/activities/{activity}"
    r = f"{p}/review/relationships/{{relationship}}"
    url = f"{BASE}/review/relationships/{rel.pk}"
    me = client_for(ada)
    staff = client_for(reviewer)
    checks = [
        (me.get("/api/v1/companies/", {"q": "onco"}), "/api/v1/companies/", "get"),
        (me.get("/api/v1/me/disclosure/"), "/api/v1/me/disclosure/", "get"),
        (me.post("/api/v1/me/disclosure/", {"relationships": [{"company": 0}]}, format="json"),
         "/api/v1/me/disclosure/", "post"),
        (me.put("/api/v1/me/consents/acp/annual-2027/"),
         "/api/v1/me/consents/{provider}/{activity}/", "put"),
        (me.get("/api/v1/me/consents/"), "/api/v1/me/consents/", "get"),
        (staff.get(f"{BASE}/disclosures/"), f"{p}/disclosures/", "get"),
        (staff.post(f"{url}/decision/", {"relevant": True, "reason": "Same class."},
                    format="json"), f"{r}/decision/", "post"),
        (staff.post(f"{url}/mitigations/", {"method": "attest"}, format="json"),
         f"{r}/mitigations/", "post"),
        (staff.get(f"{BASE}/disclosures/"), f"{p}/disclosures/", "get"),
        (staff.get(f"{BASE}/review/"), f"{p}/review/", "get"),
        (api.get(f"{BASE}/learner-disclosure/"), f"{p}/learner-disclosure/", "get"),
        (staff.get(f"{BASE}/checklist/"), f"{p}/checklist/", "get"),
        (staff.post("/api/v1/companies/import/", {"csv": "name\n"}, format="json"),
         "/api/v1/companies/import/", "post"),
        (me.get(f"{BASE}/disclosures/"), f"{p}/disclosures/", "get"),
    ]  # fmt: skip
    for response, path, method in checks:
        _check(openapi, response, path, method)
    assert [r.status_code for r, _p, _m in checks[-3:]] == [200, 400, 403]
    assert checks[2][0].status_code == 400
