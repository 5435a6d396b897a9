"""The commercial support pages: agreements, supporters, signatures, ledger, report, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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


def past(days: int = 30) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def activity(provider):
    start = timezone.localdate() + dt.timedelta(days=60)
    return ActivityFactory(
        provider=provider,
        slug="annual",
        title="Annual Meeting",
        start_date=start,
        end_date=start + dt.timedelta(days=2),
    )


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def pharma(provider, admin_user):
    return support.add_supporter(
        provider, company=IneligibleCompanyFactory(name="Acme Pharma"), by=admin_user
    )


@pytest.fixture
def agreement(activity, pharma, admin_user):
    return support.create_agreement(
        activity,
        by=admin_user,
        supporter=pharma,
        kind="cash",
        purpose="Educational grant",
        terms="The provider decides on content and spending.",
        amount="10000",
        reference="GR-1",
    )


def url(name: str, activity, *args) -> str:
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


def text(response) -> str:
    return response.content.decode()


def test_the_support_tab_lists_agreements_and_flags_late_signatures(
    staff, activity, agreement, admin_user
):
    activity.start_date, activity.end_date = past(10), past(8)
    activity.save()
    support.sign_agreement(
        agreement, by=admin_user, party="provider", signatory="Pat", signed_on=past(20)
    )
    support.sign_agreement(
        agreement, by=admin_user, party="supporter", signatory="Sam", signed_on=past(9)
    )
    response = staff.get(url("support", activity))
    assert response.status_code == 200
    page = text(response)
    assert 'aria-current="page">Support</a>' in page
    assert "Acme Pharma" in page and "GR-1" in page
    assert "Signed late" in page
    assert "after the activity started" in page  # in the problems list
    assert "USD 10,000.00" in page


def test_an_unsigned_agreement_shows_what_it_waits_for(staff, activity, agreement):
    page = text(staff.get(url("support", activity)))
    assert "Not signed" in page
    assert "Acme Pharma: Not signed by the supporter." in page


def test_adding_a_supporter_shows_the_definition_and_refuses_an_unknown_company(
    staff, activity, provider
):
    IneligibleCompanyFactory(name="Zeta Devices")
    page = text(staff.get(url("support_supporter_add", activity)))
    assert "primary business is producing, marketing, selling" in page
    response = staff.post(
        url("support_supporter_add", activity),
        {"company": "Zeta Dev", "contact_name": "Zoe", "contact_email": "zoe@zeta.example"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "is not in the registry of ineligible companies" in page
    assert "Did you mean: Zeta Devices?" in page
    assert 'value="zoe@zeta.example"' in page  # nothing typed is lost
    assert not CommercialSupporter.objects.exists()

    response = staff.post(
        url("support_supporter_add", activity),
        {"company": "zeta devices inc.", "contact_name": "Zoe", "contact_email": ""},
    )
    assert response.status_code == 302
    supporter = CommercialSupporter.objects.get()
    assert (supporter.provider, supporter.company.name, supporter.contact_name) == (
        provider,
        "Zeta Devices",
        "Zoe",
    )


def test_creating_an_agreement_with_bad_input_shows_the_errors_and_keeps_the_input(
    staff, activity, pharma
):
    data = {
        "supporter": pharma.pk,
        "kind": "cash",
        "amount": "0",
        "currency": "USD",
        "purpose": "Grant for the workshop",
        "terms": "",
        "in_kind_description": "",
    }
    response = staff.post(url("support_agreement_create", activity), data)
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was saved." in page
    assert '<ul class="errorlist" id="id_terms_errors"><li>This field is required.' in page
    assert "Grant for the workshop" in page
    data["terms"] = "Provider decides."
    response = staff.post(url("support_agreement_create", activity), data)
    assert response.status_code == 400
    assert "The amount must be more than zero." in text(response)
    assert not SupportAgreement.objects.exists()

    data["amount"] = "7500.25"
    response = staff.post(url("support_agreement_create", activity), data)
    assert response.status_code == 302
    created = SupportAgreement.objects.get()
    assert response["Location"] == url("support_agreement", activity, created.pk)
    assert (created.amount, created.terms, created.created_by_id) == (
        Decimal("7500.25"),
        "Provider decides.",
        response.wsgi_request.user.pk,
    )


def test_editing_a_signed_agreement_refuses_new_terms(staff, activity, agreement, admin_user):
    for party in ("provider", "supporter"):
        support.sign_agreement(
            agreement, by=admin_user, party=party, signatory="X", signed_on=past()
        )
    edit = url("support_agreement_edit", activity, agreement.pk)
    page = text(staff.get(edit))
    assert "terms cannot change any more" in page
    data = {
        "supporter": agreement.supporter_id,
        "kind": "cash",
        "amount": "20000",
        "currency": "USD",
        "purpose": agreement.purpose,
        "terms": agreement.terms,
        "reference": "GR-1",
    }
    response = staff.post(edit, data)
    assert response.status_code == 400
    assert "Both parties have signed this agreement" in text(response)
    agreement.refresh_from_db()
    assert agreement.amount == Decimal("10000.00")


def test_signing_for_each_party(staff, activity, agreement):
    sign = url("support_agreement_sign", activity, agreement.pk, "supporter")
    tomorrow = timezone.localdate(timezone=activity.tz) + dt.timedelta(days=1)
    response = staff.post(
        sign, {"supporter-signatory": "Sam", "supporter-signed_on": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    page = text(response)
    assert "cannot be in the future" in page
    assert 'value="Sam"' in page
    response = staff.post(
        sign, {"supporter-signatory": "Sam Supporter", "supporter-signed_on": past().isoformat()}
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.supporter_signatory, agreement.supporter_signed_on) == (
        "Sam Supporter",
        past(),
    )
    page = text(staff.get(url("support_agreement", activity, agreement.pk)))
    assert "Awaiting the provider&#x27;s signature" in page
    assert "Signed by Sam Supporter" in page
    assert (
        staff.post(url("support_agreement_sign", activity, agreement.pk, "witness"), {}).status_code
        == 404
    )


def test_the_ledger_refuses_learner_travel_and_records_a_receipt(staff, activity, agreement):
    ledger = url("support_ledger", activity)
    response = staff.post(
        ledger,
        {
            "kind": "expense",
            "date": "2027-03-01",
            "amount": "900",
            "agreement": agreement.pk,
            "category": "learner_travel",
            "payee": "Airline",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "may not pay for learners&#x27; travel" in page
    assert 'value="Airline"' in page
    assert not LedgerEntry.objects.exists()

    response = staff.post(
        ledger,
        {"kind": "receipt", "date": "2027-02-01", "amount": "10000", "agreement": agreement.pk},
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.agreement) == (
        "receipt",
        Decimal("10000.00"),
        agreement,
    )
    page = text(staff.get(ledger))
    assert f'id="entry-{entry.pk}"' in page
    assert "10,000.00" in page


def test_voiding_needs_a_reason_and_keeps_the_entry(staff, activity, agreement, admin_user):
    entry = support.record_entry(
        activity,
        by=admin_user,
        kind="receipt",
        date=past(),
        amount="300",
        agreement=agreement,
    )
    void = url("support_entry_void", activity, entry.pk)
    response = staff.post(void, {"reason": ""})
    assert response.status_code == 400
    assert "Say why the entry is voided." in text(response)
    response = staff.post(void, {"reason": "Entered twice"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.void_reason == "Entered twice"
    page = text(staff.get(url("support_ledger", activity)))
    assert "Voided" in page and "Entered twice" in page
    assert "Received USD 0.00" in page


def test_the_accounting_report_and_its_csv(staff, activity, agreement, admin_user):
    for party in ("provider", "supporter"):
        support.sign_agreement(
            agreement, by=admin_user, party=party, signatory="X", signed_on=past()
        )
    support.record_entry(
        activity, by=admin_user, kind="receipt", date=past(), amount="10000", agreement=agreement
    )
    support.record_entry(
        activity,
        by=admin_user,
        kind="expense",
        date=past(),
        amount="2500.75",
        agreement=agreement,
        category="venue",
    )
    page = text(staff.get(url("support_report", activity)))
    assert "Venue and rooms: 2,500.75" in page
    assert "7,499.25" in page  # the balance

    response = staff.get(url("support_report_csv", activity))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["supporter"] for r in rows] == ["Acme Pharma", "Total"]
    assert (rows[0]["committed"], rows[0]["received"], rows[0]["spent"]) == (
        "10000.00",
        "10000.00",
        "2500.75",
    )
    assert rows[0]["spent_venue"] == "2500.75"
    assert rows[1]["balance"] == "7499.25"


# --- permissions ---------------------------------------------------------------------------


def member(provider, *perms):
    person = UserFactory()
    TeamFactory(provider=provider, permissions=list(perms), members=[person])
    return person


def test_a_reviewer_of_another_provider_gets_404(client, activity, agreement):
    client.force_login(member(ProviderFactory(), "review", "program"))
    for address in (
        url("support", activity),
        url("support_agreement", activity, agreement.pk),
        url("support_report_csv", activity),
    ):
        assert client.get(address).status_code == 404
    assert client.post(url("support_ledger", activity), {}).status_code == 404


@pytest.mark.parametrize("perm", ["review", "reports"])
def test_viewers_without_program_see_but_change_nothing(
    client, provider, activity, agreement, perm
):
    client.force_login(member(provider, perm))
    page = text(client.get(url("support", activity)))
    assert "Acme Pharma" in page
    assert "New agreement" not in page
    assert "Record signature" not in text(
        client.get(url("support_agreement", activity, agreement.pk))
    )
    assert client.get(url("support_report_csv", activity)).status_code == 200
    assert client.get(url("support_agreement_create", activity)).status_code == 403
    assert client.get(url("support_supporter_add", activity)).status_code == 403
    sign = url("support_agreement_sign", activity, agreement.pk, "provider")
    assert (
        client.post(sign, {"provider-signatory": "X", "provider-signed_on": past().isoformat()})
    ).status_code == 403
    response = client.post(
        url("support_ledger", activity),
        {"kind": "receipt", "date": "2027-02-01", "amount": "1", "agreement": agreement.pk},
    )
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.provider_signed_on is None
    assert not LedgerEntry.objects.exists()


def test_a_team_without_program_review_or_reports_gets_403(client, provider, activity):
    client.force_login(member(provider, "registration"))
    assert client.get(url("support", activity)).status_code == 403
    assert client.get(url("support_report", activity)).status_code == 403
    # Nor is the tab offered.
    assert url("support", activity) not in text(client.get(url("activity", activity)))


def test_an_agreement_of_another_activity_is_not_found_here(
    staff, provider, activity, admin_user, pharma
):
    sibling = ActivityFactory(provider=provider)
    theirs = support.create_agreement(
        sibling,
        by=admin_user,
        supporter=pharma,
        kind="cash",
        purpose="Grant",
        terms="Terms",
        amount="5",
    )
    assert staff.get(url("support_agreement", activity, theirs.pk)).status_code == 404
    assert staff.get(url("support_agreement_edit", activity, theirs.pk)).status_code == 404


@pytest.mark.parametrize("name", ["support", "support_ledger", "support_report"])
def test_list_pages_take_the_same_queries_for_one_or_three_agreements(
    staff, activity, admin_user, name
):
    counts = []
    for n in range(3):
        supporter = support.add_supporter(
            activity.provider, company=IneligibleCompanyFactory(), by=admin_user
        )
        a = support.create_agreement(
            activity,
            by=admin_user,
            supporter=supporter,
            kind="cash",
            purpose="Grant",
            terms="Terms",
            amount="100",
        )
        support.record_entry(
            activity, by=admin_user, kind="receipt", date=past(), amount="50", agreement=a
        )
        support.record_entry(
            activity,
            by=admin_user,
            kind="expense",
            date=past(),
            amount="20",
            agreement=a,
            category="venue",
        )
        if n in (0, 2):
            with CaptureQueriesContext(connection) as queries:
                response = staff.get(url(name, activity))
            assert response.status_code == 200
            assert supporter.company.name in text(response)
            counts.append(len(queries))
    assert counts[0] == counts[1]
