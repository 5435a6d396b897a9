"""The claim pages: the learner's claim page and the staff claims pages, with who may see what."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cmeconf.credits import claims
from cmeconf.credits.claims import ClaimChoice
from cmeconf.credits.models import Certificate, Claim, ClaimCorrection, ClaimStatus
from cmeconf.credits.types import REGISTRY
from cmeconf.evaluations.models import EvaluationForm
from cmeconf.providers.permissions import Permission
from tests.credits.claim_fixtures import (
    DAY,
    attend,
    designate,
    evaluated,
    member,
    past_activity,
    program,
    register,
    window,
)
from tests.factories import ProviderFactory, UserFactory, at


@pytest.fixture
def course(provider):
    # Most tests here are about arithmetic and refusals other than the evaluation; the
    # evaluation gate has its own tests, which ask for it.
    activity = past_activity(provider)
    window(activity, evaluation_required=False)
    return activity


@pytest.fixture
def sessions(course):
    return program(course)


@pytest.fixture
def ama(course, admin_user):
    return designate(course, admin_user)


@pytest.fixture
def physician(course, sessions):
    person = UserFactory(email="doc@example.org", first_name="Ada", last_name="Osler")
    register(course, person)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    attend(sessions["room_a"], person, at(DAY, 11), at(DAY, 11, 5))
    return person


def claim_url(activity) -> str:
    return reverse("credit:claim", args=[activity.provider.slug, activity.slug])


def staff_url(activity, name="claims", *args) -> str:
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


def make_claim(course, person, amount="1.50"):
    (claim,) = claims.submit_claim(
        course, person, choices=[ClaimChoice("AMA_PRA_1", "", amount)], attest=True
    )
    return claim


# --- the learner's page ----------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, course, ama):
    response = client.get(claim_url(course))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_page_shows_sessions_minutes_offer_and_exact_attestation(client, course, ama, physician):
    client.force_login(physician)
    response = client.get(claim_url(course))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Plenary" in html and "Breakout A" in html
    assert '<td class="num" id="claim-total-minutes">95</td>' in html
    assert "AMA PRA Category 1 Credit™" in html
    options = response.context["options"]
    assert options.offers[0].supported == Decimal("1.50")
    assert f'<p id="attestation-text">{claims.attestation_text(course)}</p>' in html
    # AMA needs no identifiers: none asked.
    assert 'name="board_id"' not in html and 'name="nabp_eprofile_id"' not in html


def test_claiming_through_the_page(client, course, ama, physician):
    client.force_login(physician)
    response = client.post(
        claim_url(course), {"claim_AMA_PRA_1": "on", "amount_AMA_PRA_1": "1.50", "attest": "on"}
    )
    assert response.status_code == 302
    claim = Claim.objects.get(person=physician)
    assert claim.amount == Decimal("1.50")
    assert claim.attestation == claims.attestation_text(course)

    Certificate.objects.create(
        claim=claim, number="CME-2027-7KQ4-M9XD", key="k", issued_at=timezone.now()
    )
    Certificate.objects.create(
        claim=claim,
        number="CME-2027-OLD0-0000",
        key="k",
        issued_at=timezone.now(),
        superseded_at=timezone.now(),
    )
    html = client.get(claim_url(course)).content.decode()
    assert "CME-2027-7KQ4-M9XD" in html
    assert "CME-2027-OLD0-0000" not in html  # only the current certificate
    assert "Withdraw this claim" in html


def test_page_refuses_above_attendance_with_the_message(client, course, ama, physician):
    client.force_login(physician)
    response = client.post(
        claim_url(course), {"claim_AMA_PRA_1": "on", "amount_AMA_PRA_1": "1.75", "attest": "on"}
    )
    assert response.status_code == 400
    assert "You attended 95 minutes, which supports at most 1.50" in response.content.decode()
    assert not Claim.objects.exists()


def test_page_without_attestation_claims_nothing(client, course, ama, physician):
    client.force_login(physician)
    response = client.post(claim_url(course), {"claim_AMA_PRA_1": "on", "amount_AMA_PRA_1": "1.50"})
    assert response.status_code == 400
    assert "Confirm the attestation" in response.content.decode()
    assert not Claim.objects.exists()


def test_evaluation_blocker_links_to_the_evaluation_when_there_is_one(
    client, course, ama, physician
):
    window(course, opens=timezone.now() - dt.timedelta(days=1), evaluation_required=True)
    EvaluationForm.objects.create(
        activity=course, kind="activity", title="Evaluation", required_for_credit=True
    )
    client.force_login(physician)
    html = client.get(claim_url(course)).content.decode()
    assert "Complete the evaluation first: credit waits for it." in html
    assert 'id="claim-form"' not in html
    try:
        link = reverse("evaluations:activity_form", args=[course.provider.slug, course.slug])
    except NoReverseMatch:
        return
    assert f'href="{link}"' in html


def test_not_registered_sees_why(client, course, ama):
    client.force_login(UserFactory())
    html = client.get(claim_url(course)).content.decode()
    assert "you have no confirmed registration" in html
    assert 'id="claim-form"' not in html


@pytest.mark.skipif("ABMS_MOC" not in REGISTRY, reason="no MOC rule in this version")
def test_identifier_fields_only_for_types_that_need_them(client, course, sessions, ama, admin_user):
    designate(course, admin_user, "ABMS_MOC", board="ABIM")
    person = UserFactory()
    register(course, person, identifiers={"abms_board": "ABIM", "abms_id": "654321"})
    evaluated(course, person)  # MOC waits for the evaluation [B3]
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    client.force_login(person)
    html = client.get(claim_url(course)).content.decode()
    assert 'name="board_id"' in html and 'value="654321"' in html
    assert 'name="birth_month"' in html
    assert 'name="nabp_eprofile_id"' not in html
    assert "Your board accepts MOC points only with your board ID" in html
    assert 'name="consent_to_report"' in html

    response = client.post(
        claim_url(course),
        {
            "claim_ABMS_MOC__ABIM": "on",
            "amount_ABMS_MOC__ABIM": "1.50",
            "board_id": "654321",
            "birth_month": "7",
            "birth_day": "31",
            "attest": "on",
        },
    )
    assert response.status_code == 400
    assert "Allow us to report it" in response.content.decode()


def test_withdraw_own_claim_only(client, course, ama, physician):
    claim = make_claim(course, physician)
    other = UserFactory()
    client.force_login(other)
    url = reverse("credit:withdraw", args=[course.provider.slug, course.slug, claim.pk])
    assert client.post(url).status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CLAIMED

    client.force_login(physician)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN


def test_draft_activity_has_no_claim_page(client, provider, admin_user):
    draft = past_activity(provider, slug="draft", state="draft")
    client.force_login(admin_user)
    assert client.get(claim_url(draft)).status_code == 404


# --- staff pages: who may see and change -----------------------------------------------------


@pytest.fixture
def a_claim(course, ama, physician):
    return make_claim(course, physician)


def test_staff_permissions_on_every_page(client, provider, course, a_claim):
    other_provider = ProviderFactory()
    outsider = member(other_provider, *[p.value for p in Permission])
    program_only = member(provider, Permission.PROGRAM)
    reports = member(provider, Permission.REPORTS)
    credit = member(provider, Permission.CREDIT)
    learner = a_claim.person
    read_urls = [
        staff_url(course),
        staff_url(course, "claims_csv"),
        staff_url(course, "claim", a_claim.pk),
    ]
    for url in read_urls:
        client.logout()
        assert client.get(url).status_code == 302  # to log in
        for who, status in ((outsider, 404), (learner, 404), (program_only, 403)):
            client.force_login(who)
            assert client.get(url).status_code == status, (url, who)
        for who in (reports, credit):
            client.force_login(who)
            assert client.get(url).status_code == 200, (url, who)

    change = staff_url(course, "claim_correct", a_claim.pk)
    data = {"amount": "1.00", "reason": "Left early"}
    for who, status in ((outsider, 404), (learner, 404), (program_only, 403), (reports, 403)):
        client.force_login(who)
        assert client.post(change, data).status_code == status
    client.logout()
    assert client.post(change, data).status_code == 302
    assert not ClaimCorrection.objects.exists()
    for name in ("claim_recompute", "claim_withdraw"):
        client.force_login(reports)
        assert client.post(staff_url(course, name, a_claim.pk), {"reason": "x"}).status_code == 403
    a_claim.refresh_from_db()
    assert a_claim.amount == Decimal("1.50") and a_claim.status == ClaimStatus.CLAIMED


def test_reports_staff_read_without_forms(client, provider, course, a_claim):
    client.force_login(member(provider, Permission.REPORTS))
    html = client.get(staff_url(course, "claim", a_claim.pk)).content.decode()
    assert "Osler, Ada" in html
    assert 'id="correct-form"' not in html and 'id="recompute-form"' not in html


def test_claim_of_another_activity_is_not_found(client, provider, admin_user, a_claim):
    other = past_activity(provider, slug="other-course")
    client.force_login(admin_user)
    assert client.get(staff_url(other, "claim", a_claim.pk)).status_code == 404
    assert (
        client.post(
            staff_url(other, "claim_correct", a_claim.pk), {"amount": "1", "reason": "x"}
        ).status_code
        == 404
    )


def test_list_totals_and_search(client, admin_user, course, ama, sessions, a_claim):
    second = UserFactory(first_name="Ben", last_name="Okafor", email="ben@example.org")
    register(course, second)
    attend(sessions["plenary"], second, at(DAY, 9), at(DAY, 10))
    make_claim(course, second, "1.00")
    client.force_login(admin_user)
    response = client.get(staff_url(course))
    assert response.status_code == 200
    (total,) = response.context["totals"]
    assert (total["claims"], total["total"]) == (2, Decimal("2.50"))
    html = response.content.decode()
    assert "Osler, Ada" in html and "Okafor, Ben" in html

    response = client.get(staff_url(course), {"q": "okafor"})
    rows = response.context["rows"]
    assert [c.person.last_name for c, _label in rows] == ["Okafor"]


def test_correct_through_the_page_then_history(client, admin_user, course, a_claim):
    client.force_login(admin_user)
    url = staff_url(course, "claim_correct", a_claim.pk)
    response = client.post(url, {"amount": "1.00", "reason": ""})
    assert response.status_code == 400
    assert "Give the reason for the correction." in response.content.decode()
    response = client.post(url, {"amount": "2.00", "reason": "Asked"})
    assert response.status_code == 400
    assert "supports at most 1.50" in response.content.decode()

    response = client.post(url, {"amount": "1.00", "reason": "Left after the first hour"})
    assert response.status_code == 302
    html = client.get(staff_url(course, "claim", a_claim.pk)).content.decode()
    assert "Left after the first hour" in html
    a_claim.refresh_from_db()
    assert a_claim.amount == Decimal("1.00")


def test_withdraw_and_recompute_through_the_page(client, admin_user, course, sessions, a_claim):
    client.force_login(admin_user)
    attend(sessions["room_b"], a_claim.person, at(DAY, 11, 30), at(DAY, 12, 30))
    response = client.post(
        staff_url(course, "claim_recompute", a_claim.pk), {"reason": "Report imported"}
    )
    assert response.status_code == 302
    a_claim.refresh_from_db()
    assert a_claim.measured_minutes == 155  # 90 + 5 + 60
    assert a_claim.amount == Decimal("2.50")
    response = client.post(staff_url(course, "claim_withdraw", a_claim.pk), {"reason": ""})
    assert response.status_code == 400
    response = client.post(staff_url(course, "claim_withdraw", a_claim.pk), {"reason": "Twice"})
    assert response.status_code == 302
    a_claim.refresh_from_db()
    assert a_claim.status == ClaimStatus.WITHDRAWN


def test_csv_export_with_values_and_no_formulas(client, admin_user, course, ama, sessions):
    person = UserFactory(first_name="=HYPERLINK(1)", last_name="Evil", email="evil@example.org")
    register(course, person)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    claim = make_claim(course, person)
    client.force_login(admin_user)
    response = client.get(staff_url(course, "claims_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["claim_id"] == str(claim.pk)
    assert row["first_name"] == "'=HYPERLINK(1)"
    assert (row["credit_type"], row["amount"], row["measured_minutes"]) == (
        "AMA_PRA_1",
        "1.50",
        "90",
    )
    assert row["designated_maximum"] == "3.00"


def test_learner_text_is_escaped_on_staff_pages(client, admin_user, course, ama, sessions):
    person = UserFactory(first_name="<script>alert(1)</script>", last_name="X")
    register(course, person)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    claim = make_claim(course, person)
    client.force_login(admin_user)
    for url in (staff_url(course), staff_url(course, "claim", claim.pk)):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html


def test_list_queries_do_not_grow_with_claims(client, admin_user, course, ama, sessions):
    def add(n):
        for _ in range(n):
            person = UserFactory()
            register(course, person)
            attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
            make_claim(course, person)

    client.force_login(admin_user)
    add(1)
    client.get(staff_url(course))
    with CaptureQueriesContext(connection) as one:
        client.get(staff_url(course))
    add(2)
    with CaptureQueriesContext(connection) as three:
        client.get(staff_url(course))
    assert len(three) == len(one)
