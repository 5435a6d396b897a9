"""The API of commercial support: supporters, agreements, signatures, ledger, accounting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cmeconf.activities.choices import ActivityState
from cmeconf.common.models import AuditEntry
from cmeconf.integrity import support
from cmeconf.integrity.models import CommercialSupporter, LedgerEntry, SupportAgreement
from tests.factories import (
    ActivityFactory,
    IneligibleCompanyFactory,
    ProviderFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/providers/acp/activities/annual-2027"


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
def program(provider):
    return member(provider, "program", first_name="Pat", last_name="Planner")


@pytest.fixture
def supporter(provider, program):
    company = IneligibleCompanyFactory(name="Oncopharm Inc.")
    return support.add_supporter(provider, company=company, by=program)


def cash(activity, supporter, by, amount="10000.00"):
    return support.create_agreement(
        activity,
        by=by,
        supporter=supporter,
        kind="cash",
        purpose="Faculty travel and the venue.",
        terms="The provider decides how the money is spent.",
        amount=amount,
    )


# --- supporters --------------------------------------------------------------------------------


def test_program_adds_a_supporter_by_company_name(provider, program):
    IneligibleCompanyFactory(name="Cardiodevice GmbH", kind="device")
    response = client_for(program).post(
        "/api/v1/providers/acp/supporters/",
        {"company": "cardiodevice", "contact_name": "Sam Rep", "contact_email": "sam@cd.example"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["company"]["name"] == "Cardiodevice GmbH"
    listed = client_for(program).get("/api/v1/providers/acp/supporters/").json()
    assert [(s["company"]["name"], s["contact_name"]) for s in listed["results"]] == [
        ("Cardiodevice GmbH", "Sam Rep")
    ]
    assert AuditEntry.objects.filter(action="support.supporter_added").count() == 1


def test_supporter_contact_is_checked_by_the_service(provider, program):
    IneligibleCompanyFactory(name="Cardiodevice")
    response = client_for(program).post(
        "/api/v1/providers/acp/supporters/",
        {"company": "Cardiodevice", "contact_email": "not an address"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"contact_email": ["Enter a valid e-mail address."]}
    unknown = client_for(program).post(
        "/api/v1/providers/acp/supporters/", {"company": "Mercy Hospital"}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json() == {
        "company": ["“Mercy Hospital” is not an ineligible company in the registry."]
    }
    assert not CommercialSupporter.objects.exists()


def test_supporters_are_read_by_reports_changed_by_program_hidden_from_others(provider, supporter):
    url = "/api/v1/providers/acp/supporters/"
    reports = member(provider, "reports")
    assert client_for(reports).get(url).json()["count"] == 1
    body = {"company": supporter.company.pk}
    assert client_for(reports).post(url, body, format="json").status_code == 403
    assert client_for(member(provider, "credit")).get(url).status_code == 403
    outsider = member(ProviderFactory(slug="bsoc"), "program")
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(UserFactory()).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401


# --- agreements and signatures -----------------------------------------------------------------


def test_agreement_is_recorded_signed_and_then_frozen(activity, program, supporter):
    response = client_for(program).post(
        f"{BASE}/agreements/",
        {
            "supporter": supporter.pk,
            "kind": "cash",
            "purpose": "Faculty travel.",
            "terms": "The provider decides.",
            "amount": "25000.50",
            "reference": "AG-1",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    agreement = response.json()
    assert agreement["amount"] == "25000.50"
    assert agreement["supporter"] == {"id": supporter.pk, "name": "Oncopharm Inc."}
    assert agreement["status"]["label"] == "Not signed"
    url = f"{BASE}/agreements/{agreement['id']}"

    for party, who in (("provider", "Dr. Chair"), ("supporter", "Sam Rep")):
        signed = client_for(program).post(
            f"{url}/sign/",
            {"party": party, "signatory": who, "signed_on": "2026-10-01"},
            format="json",
        )
        assert signed.status_code == 200, signed.content
    status = client_for(program).get(f"{url}/").json()["status"]
    assert status == {"signed": True, "late": False, "problems": [], "label": "Signed"}

    frozen = client_for(program).patch(f"{url}/", {"amount": "30000"}, format="json")
    assert frozen.status_code == 400
    assert frozen.json()["amount"][0].startswith("Both parties have signed this agreement")
    assert (
        client_for(program)
        .patch(f"{url}/", {"reference": "AG-1b"}, format="json")
        .json()["reference"]
        == "AG-1b"
    )
    assert SupportAgreement.objects.get().amount == Decimal("25000.50")


def test_a_signature_after_the_start_is_flagged_late(program, supporter):
    started = ActivityFactory(
        provider=supporter.provider, slug="spring-2026", start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 2), state=ActivityState.COMPLETED,
    )  # fmt: skip
    agreement = cash(started, supporter, program)
    url = f"/api/v1/providers/acp/activities/spring-2026/agreements/{agreement.pk}"
    response = client_for(program).post(
        f"{url}/sign/",
        {"party": "provider", "signatory": "Dr. Chair", "signed_on": "2026-03-05"},
        format="json",
    )
    assert response.status_code == 200
    status = response.json()["status"]
    assert status["late"] is True
    assert any("after the activity started" in p for p in status["problems"])


def test_bad_agreements_and_signatures_are_refused_by_field(activity, program, supporter):
    other = support.add_supporter(
        ProviderFactory(slug="bsoc"), company=IneligibleCompanyFactory(), by=program
    )
    response = client_for(program).post(
        f"{BASE}/agreements/",
        {"supporter": other.pk, "kind": "in_kind", "purpose": "", "terms": "T", "amount": "5"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"supporter"}  # another provider's supporter: not found
    response = client_for(program).post(
        f"{BASE}/agreements/",
        {"supporter": supporter.pk, "kind": "in_kind", "purpose": "", "terms": "T", "amount": "5"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"purpose", "amount", "in_kind_description"}
    agreement = cash(activity, supporter, program)
    future = client_for(program).post(
        f"{BASE}/agreements/{agreement.pk}/sign/",
        {"party": "supporter", "signatory": "Sam", "signed_on": "2099-01-01"},
        format="json",
    )
    assert future.status_code == 400
    assert future.json() == {"signed_on": ["The date of a signature cannot be in the future."]}
    assert not SupportAgreement.objects.get().supporter_signed_on


def test_agreements_are_read_by_review_and_changed_by_program_only(activity, supporter, program):
    agreement = cash(activity, supporter, program)
    reviewer = member(activity.provider, "review")
    assert client_for(reviewer).get(f"{BASE}/agreements/").json()["count"] == 1
    response = client_for(reviewer).patch(
        f"{BASE}/agreements/{agreement.pk}/", {"reference": "X"}, format="json"
    )
    assert response.status_code == 403
    assert (
        client_for(member(activity.provider, "credit")).get(f"{BASE}/agreements/").status_code
        == 403
    )
    assert client_for(UserFactory()).get(f"{BASE}/agreements/").status_code == 403
    other = ActivityFactory(provider=activity.provider, slug="other-2027")
    response = client_for(program).get(
        f"/api/v1/providers/acp/activities/other-2027/agreements/{agreement.pk}/"
    )
    assert response.status_code == 404
    assert other.support_agreements.count() == 0


def test_agreement_list_query_count_does_not_grow(activity, program, supporter):
    def count() -> int:
        fresh = type(program).objects.get(pk=program.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(fresh).get(f"{BASE}/agreements/").status_code == 200
        return len(ctx.captured_queries)

    cash(activity, supporter, program)
    one = count()
    for _n in range(2):
        s = support.add_supporter(activity.provider, company=IneligibleCompanyFactory(), by=program)
        cash(activity, s, program)
    assert count() == one


# --- ledger and the accounting report ----------------------------------------------------------


def test_ledger_refuses_learner_travel_and_keeps_voided_entries(activity, program, supporter):
    agreement = cash(activity, supporter, program)
    receipt = client_for(program).post(
        f"{BASE}/ledger/",
        {"kind": "receipt", "date": "2026-10-02", "amount": "10000", "agreement": agreement.pk},
        format="json",
    )
    assert receipt.status_code == 201, receipt.content
    assert receipt.json()["supporter"] == "Oncopharm Inc."

    travel = client_for(program).post(
        f"{BASE}/ledger/",
        {
            "kind": "expense",
            "date": "2026-10-03",
            "amount": 800,
            "agreement": agreement.pk,
            "category": "learner_travel",
        },
        format="json",
    )
    assert travel.status_code == 400
    assert travel.json()["category"][0].startswith(
        "Commercial support may not pay for learners' travel, lodging, honoraria"
    )
    venue = client_for(program).post(
        f"{BASE}/ledger/",
        {"kind": "expense", "date": "2026-10-03", "amount": "2500.00", "category": "venue",
         "agreement": agreement.pk, "payee": "Convention Center"},
        format="json",
    )  # fmt: skip
    assert venue.status_code == 201
    entry = venue.json()["id"]

    no_reason = client_for(program).post(
        f"{BASE}/ledger/{entry}/void/", {"reason": ""}, format="json"
    )
    assert no_reason.status_code == 400
    assert no_reason.json() == {"reason": ["Say why the entry is voided."]}
    voided = client_for(program).post(
        f"{BASE}/ledger/{entry}/void/", {"reason": "Typed twice."}, format="json"
    )
    assert voided.status_code == 200
    assert voided.json()["voided"] is True
    again = client_for(program).post(
        f"{BASE}/ledger/{entry}/void/", {"reason": "Again."}, format="json"
    )
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This entry was already voided."]}

    ledger = client_for(program).get(f"{BASE}/ledger/").json()["results"]
    assert [(e["kind"], e["amount"], e["voided"]) for e in ledger] == [
        ("receipt", "10000.00", False),
        ("expense", "2500.00", True),
    ]
    assert LedgerEntry.objects.count() == 2


def test_receipt_without_agreement_and_bad_amount_are_refused(activity, program):
    response = client_for(program).post(
        f"{BASE}/ledger/",
        {"kind": "receipt", "date": "2026-10-02", "amount": "-5"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "amount": ["The amount must be more than zero."],
        "agreement": ["Every receipt is money given under a written agreement [A14]: choose it."],
    }


def test_support_report_adds_up_and_lists_problems(activity, program, supporter):
    agreement = cash(activity, supporter, program, amount="10000.00")
    support.record_entry(
        activity, by=program, kind="receipt", date=dt.date(2026, 10, 2), amount="6000",
        agreement=agreement,
    )  # fmt: skip
    support.record_entry(
        activity, by=program, kind="expense", date=dt.date(2026, 10, 3), amount="1500.25",
        agreement=agreement, category="venue",
    )  # fmt: skip
    in_kind = support.add_supporter(
        activity.provider, company=IneligibleCompanyFactory(name="Scopeworks"), by=program
    )
    support.create_agreement(
        activity, by=program, supporter=in_kind, kind="in_kind", purpose="Workshop.",
        terms="Loan.", in_kind_description="Two ultrasound machines",
    )  # fmt: skip
    reports = member(activity.provider, "reports")
    report = client_for(reports).get(f"{BASE}/support-report/").json()
    assert (report["committed"], report["received"], report["spent"], report["balance"]) == (
        "10000.00",
        "6000.00",
        "1500.25",
        "4499.75",
    )
    assert report["spent_by_category"] == [
        {"category": "venue", "label": "Venue and rooms", "amount": "1500.25"}
    ]
    assert [i["description"] for i in report["in_kind"]] == ["Two ultrasound machines"]
    assert (
        "Oncopharm Inc.: money was received before the agreement was signed by both."
        in (report["problems"])
    )
    assert (
        client_for(member(activity.provider, "credit")).get(f"{BASE}/support-report/").status_code
        == 403
    )


def test_responses_match_the_committed_schema(activity, program, supporter):
    import yaml

    from tests.api.test_schema import COMMITTED, _check

    openapi = yaml.safe_load(COMMITTED.read_text())
    agreement = cash(activity, supporter, program)
    support.record_entry(
        activity, by=program, kind="expense", date=dt.date(2026, 10, 3), amount="10",
        category="venue",
    )  # fmt: skip
    p = "/api/v1/providers/{provider}/activities/{activity}"
    api = client_for(program)
    checks = [
        (api.get("/api/v1/providers/acp/supporters/"), "/api/v1/providers/{provider}/supporters/",
         "get"),
        (api.get(f"{BASE}/agreements/"), f"{p}/agreements/", "get"),
        (api.get(f"{BASE}/agreements/{agreement.pk}/"), f"{p}/agreements/{{agreement}}/", "get"),
        (api.get(f"{BASE}/ledger/"), f"{p}/ledger/", "get"),
        (api.get(f"{BASE}/support-report/"), f"{p}/support-report/", "get"),
        (api.post(f"{BASE}/ledger/", {"kind": "expense"}, format="json"), f"{p}/ledger/", "post"),
    ]  # fmt: skip
    for response, path, method in checks:
        _check(openapi, response, path, method)
    assert checks[-1][0].status_code == 400
