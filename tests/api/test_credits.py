"""The credit API: provider credit types, designation, the claim window, claims, transcript and
certificates. Every write goes through the same services as the pages; these tests check the
values that come back, the refusals by field, and who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cmeconf.common.models import AuditEntry
from cmeconf.credits import claims
from cmeconf.credits.claims import ClaimChoice
from cmeconf.credits.models import (
    Certificate,
    Claim,
    ClaimCorrection,
    ClaimStatus,
    Designation,
    ProviderCreditType,
)
from cmeconf.credits.types import REGISTRY
from tests.credits.claim_fixtures import (
    DAY,
    attend,
    member,
    past_activity,
    program,
    register,
    window,
)
from tests.credits.claim_fixtures import designate as make_designation
from tests.credits.designation_fixtures import AMA, accredit, day_one, switch_on
from tests.factories import UserFactory, at

ROOT = "/api/v1"


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(activity, rest: str = "") -> str:
    return f"{ROOT}/providers/{activity.provider.slug}/activities/{activity.slug}/{rest}"


# --- the provider's credit types ----------------------------------------------------------------


def test_credit_types_list_every_registered_type_with_what_the_provider_may_do(
    provider, admin_user
):
    api = client_for(admin_user)
    response = api.get(f"{ROOT}/providers/acp/credit-types/")
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.json()}
    assert list(rows) == list(REGISTRY)
    assert rows[AMA]["may_switch_on"] is False and rows[AMA]["enabled"] is False
    assert rows[AMA]["accreditors"]
    # The certificate of participation needs no accreditation.
    assert rows["PARTICIPATION"]["may_switch_on"] is True

    accredit(provider)
    rows = {r["code"]: r for r in api.get(f"{ROOT}/providers/acp/credit-types/").json()}
    assert rows[AMA]["may_switch_on"] is True


def test_switching_a_type_on_needs_the_accreditation_and_is_audited(provider, admin_user):
    api = client_for(admin_user)
    refused = api.put(f"{ROOT}/providers/acp/credit-types/{AMA}/", {"enabled": True}, format="json")
    assert refused.status_code == 400
    assert "accredited by" in refused.json()["non_field_errors"][0]
    assert not ProviderCreditType.objects.exists()

    accredit(provider)
    response = api.put(
        f"{ROOT}/providers/acp/credit-types/{AMA}/", {"enabled": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["enabled"] is True
    assert ProviderCreditType.objects.get(provider=provider, credit_type=AMA).enabled
    entry = AuditEntry.objects.filter(action="credit.type_switched_on").get()
    assert entry.actor_id == admin_user.pk


def test_options_are_checked_by_their_key_and_patch_keeps_the_rest(provider, admin_user):
    accredit(provider, accreditor="ANCC")
    api = client_for(admin_user)
    path = f"{ROOT}/providers/acp/credit-types/ANCC/"
    ok = api.put(
        path, {"enabled": True, "identifier": "N-77", "options": {"rounding": "two_places"}},
        format="json",
    )  # fmt: skip
    assert ok.status_code == 200, ok.content
    options = {o["key"]: o for o in ok.json()["options"]}
    assert options["rounding"]["value"] == "two_places"
    assert options["rounding"]["kind"] == "choice"
    assert {c["value"] for c in options["rounding"]["choices"]} >= {"two_places"}

    bad = api.patch(path, {"options": {"rounding": "upwards"}}, format="json")
    assert bad.status_code == 400
    assert "Choose one of" in bad.json()["rounding"][0]

    changed = api.patch(path, {"identifier": "N-78"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["identifier"] == "N-78"
    stored = ProviderCreditType.objects.get(provider=provider, credit_type="ANCC")
    assert stored.options == {"rounding": "two_places"} and stored.enabled


def test_unknown_credit_type_is_not_found(provider, admin_user):
    response = client_for(admin_user).put(
        f"{ROOT}/providers/acp/credit-types/NOPE/", {"enabled": True}, format="json"
    )
    assert response.status_code == 404


def test_credit_types_need_credit_for_all_activities(provider, activity):
    reports = member(provider, "reports")
    limited = member(provider, "credit", activities=[activity])
    assert client_for(reports).get(f"{ROOT}/providers/acp/credit-types/").status_code == 403
    assert client_for(limited).get(f"{ROOT}/providers/acp/credit-types/").status_code == 403
    assert client_for(UserFactory()).get(f"{ROOT}/providers/acp/credit-types/").status_code == 404
    assert client_for(None).get(f"{ROOT}/providers/acp/credit-types/").status_code == 401


# --- an activity's credit -----------------------------------------------------------------------


@pytest.fixture
def planned(provider, activity):
    """Worked example 6 on the first day: 420 credit minutes, 7.00 AMA [M1][A12]."""
    accredit(provider)
    switch_on(provider)
    return day_one(activity)


def test_credit_shows_the_computation_and_a_preview(activity, planned, admin_user):
    response = client_for(admin_user).get(url(activity, "credit/"))
    assert response.status_code == 200
    body = response.json()
    assert body["started"] is False
    assert body["minutes"]["covered"] == 420
    assert body["minutes"]["breaks"] == 15 + 60 + 30 + 15
    (row,) = body["types"]
    assert (row["credit_type"], row["computed_maximum"], row["minutes"]) == (AMA, "7.00", 420)
    assert row["designations"] == []
    assert any("7.00" in p and "AMA PRA Category 1 Credit" in p for p in row["preview"])
    # The claim window defaults to the end of the last credit session.
    assert body["claim_window"]["claims_open_at"] == "2027-04-14T17:00:00-04:00"


def test_designate_then_lower_with_a_reason_then_withdraw(activity, planned, admin_user):
    api = client_for(admin_user)
    made = api.post(url(activity, "designations/"), {"credit_type": AMA}, format="json")
    assert made.status_code == 201, made.content
    d = made.json()
    assert (d["maximum"], d["computed_maximum"], d["computed_minutes"]) == ("7.00", "7.00", 420)
    assert "designates this live activity for a maximum of 7.00" in d["statements"][1]
    assert AuditEntry.objects.filter(action="credit.designate").count() == 1

    again = api.post(url(activity, "designations/"), {"credit_type": AMA}, format="json")
    assert again.status_code == 400 and "credit_type" in again.json()

    path = url(activity, f"designations/{d['id']}/")
    no_reason = api.patch(path, {"maximum": "6.00"}, format="json")
    assert no_reason.status_code == 400
    assert "Say why the maximum is lower" in no_reason.json()["lowered_reason"][0]
    higher = api.patch(path, {"maximum": "7.25", "lowered_reason": "x"}, format="json")
    assert higher.status_code == 400
    assert "cannot be more than the 7.00" in higher.json()["maximum"][0]
    off_step = api.patch(path, {"maximum": "6.10", "lowered_reason": "Shorter"}, format="json")
    assert off_step.status_code == 400 and "steps of 0.25" in off_step.json()["maximum"][0]

    lowered = api.patch(
        path, {"maximum": "6.00", "lowered_reason": "The last lecture is optional."}, format="json"
    )
    assert lowered.status_code == 200
    assert (lowered.json()["maximum"], lowered.json()["supports_more"]) == ("6.00", True)
    assert Designation.objects.get().lowered_reason == "The last lecture is optional."

    assert api.delete(path).status_code == 400  # no reason
    gone = api.delete(f"{path}?reason=Cancelled")
    assert gone.status_code == 204
    assert not Designation.objects.exists()
    assert AuditEntry.objects.filter(action="credit.withdraw").get().note == "Cancelled"


def test_designation_above_the_program_is_refused_by_field(activity, planned, admin_user):
    response = client_for(admin_user).post(
        url(activity, "designations/"), {"credit_type": AMA, "maximum": "8"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["maximum"] == [
        "The maximum cannot be more than the 7.00 the program supports (420 minutes of credit "
        "sessions, parallel sessions counted once)."
    ]


@pytest.mark.skipif("ACPE" not in REGISTRY, reason="no ACPE rule in this version")
def test_a_malformed_uan_is_refused_by_field(provider, activity, planned, admin_user):
    accredit(provider, accreditor="ACPE", identifier="0798")
    switch_on(provider, "ACPE", identifier="0798")
    response = client_for(admin_user).post(
        url(activity, "designations/"),
        {"credit_type": "ACPE", "uan": "0798-9999-18-246-H04-X"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["uan"]
    ok = client_for(admin_user).post(
        url(activity, "designations/"),
        {"credit_type": "ACPE", "uan": "0798-0000-27-246-L04-P"},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["uan"] == "0798-0000-27-246-L04-P"


def test_recompute_lowers_what_the_program_no_longer_supports(activity, planned, admin_user):
    api = client_for(admin_user)
    made = api.post(url(activity, "designations/"), {"credit_type": AMA}, format="json").json()
    planned["closing"].delete()  # 105 minutes fewer
    response = api.post(url(activity, "designations/recompute/"))
    assert response.status_code == 200
    (changed,) = response.json()
    assert changed["designation"]["id"] == made["id"]
    assert (changed["before"], changed["computed"], changed["lowered"]) == ("7.00", "5.25", True)
    assert Designation.objects.get().maximum == Decimal("5.25")
    assert api.post(url(activity, "designations/recompute/")).json() == []


def test_claim_window(activity, planned, admin_user):
    api = client_for(admin_user)
    early = api.put(
        url(activity, "credit/window/"), {"claims_open_at": "2027-04-13T09:00"}, format="json"
    )
    assert early.status_code == 400
    assert "before the activity starts" in early.json()["claims_open_at"][0]
    response = api.put(
        url(activity, "credit/window/"),
        {"claims_open_at": "2027-04-16T18:00", "claims_close_at": "2027-06-01T00:00",
         "evaluation_required": False},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["claims_open_at"] == "2027-04-16T18:00:00-04:00"
    assert body["claims_close_at"] == "2027-06-01T00:00:00-04:00"
    assert body["evaluation_required"] is False
    assert AuditEntry.objects.filter(action="credit.claim_window").count() == 1


def test_reports_read_but_do_not_change(provider, activity, planned):
    reports = member(provider, "reports")
    api = client_for(reports)
    assert api.get(url(activity, "credit/")).status_code == 200
    refused = api.post(url(activity, "designations/"), {"credit_type": AMA}, format="json")
    assert refused.status_code == 403
    assert not Designation.objects.exists()


# --- the learner's claim ------------------------------------------------------------------------


@pytest.fixture
def course(provider):
    activity = past_activity(provider)
    window(activity, evaluation_required=False)
    return activity


@pytest.fixture
def sessions(course):
    return program(course)


@pytest.fixture
def ama(course, admin_user):
    return make_designation(course, admin_user)


@pytest.fixture
def physician(course, sessions):
    """95 minutes: the plenary (90) and five minutes of a breakout: 1.50 AMA [M1]."""
    person = UserFactory(email="doc@example.org", first_name="Ada", last_name="Osler")
    register(course, person)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    attend(sessions["room_a"], person, at(DAY, 11), at(DAY, 11, 5))
    return person


def test_claim_options(course, sessions, ama, physician):
    response = client_for(physician).get(url(course, "me/claim/"))
    assert response.status_code == 200
    body = response.json()
    assert body["can_claim"] is True and body["blockers"] == []
    assert body["total_minutes"] == 95
    assert [(s["title"], s["minutes"]) for s in body["sessions"]] == [
        ("Plenary", 90),
        ("Breakout A", 5),
    ]
    (offer,) = body["offers"]
    assert (offer["key"], offer["maximum"], offer["supported"]) == (AMA, "3.00", "1.50")
    assert (offer["step"], offer["least"], offer["claimable"]) == ("0.25", "0.25", True)
    assert body["attestation"] == claims.attestation_text(course)


def test_claim_and_withdraw(course, sessions, ama, physician):
    api = client_for(physician)
    made = api.post(
        url(course, "me/claim/"),
        {"choices": [{"credit_type": AMA, "amount": "1.25"}], "attest": True},
        format="json",
    )
    assert made.status_code == 201, made.content
    (claim,) = made.json()
    assert (claim["credit_type"], claim["amount"], claim["status"]) == (AMA, "1.25", "claimed")
    assert claim["measured_minutes"] == 95
    stored = Claim.objects.get()
    assert stored.attestation == claims.attestation_text(course)
    assert api.get(url(course, "me/claim/")).json()["offers"][0]["claim"] == stored.pk

    # Another learner cannot withdraw it: not found, as if it did not exist.
    other = client_for(UserFactory())
    assert other.post(url(course, f"me/claims/{stored.pk}/withdraw/")).status_code == 404
    withdrawn = api.post(url(course, f"me/claims/{stored.pk}/withdraw/"))
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert Claim.objects.get().status == ClaimStatus.WITHDRAWN


def test_a_claim_above_attendance_is_refused_under_its_key(course, sessions, ama, physician):
    response = client_for(physician).post(
        url(course, "me/claim/"),
        {"choices": [{"credit_type": AMA, "amount": "2.00"}], "attest": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        AMA: ["You attended 95 minutes, which supports at most 1.50 AMA PRA Category 1 Credits™."]
    }
    assert not Claim.objects.exists()


def test_no_claim_before_the_evaluation(course, sessions, ama, physician):
    window(course, evaluation_required=True)
    api = client_for(physician)
    blockers = api.get(url(course, "me/claim/")).json()["blockers"]
    assert [b["code"] for b in blockers] == ["evaluation"]
    response = api.post(
        url(course, "me/claim/"),
        {"choices": [{"credit_type": AMA, "amount": "1.50"}], "attest": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Complete the evaluation first: credit waits for it."]
    }
    evaluate(course, physician)
    done = api.post(
        url(course, "me/claim/"),
        {"choices": [{"credit_type": AMA, "amount": "1.50"}], "attest": True},
        format="json",
    )
    assert done.status_code == 201, done.content


def evaluate(course, person) -> None:
    """The learner submits every evaluation form required for credit."""
    from cmeconf.evaluations.gate import required_forms
    from cmeconf.evaluations.models import EvaluationResponse
    from cmeconf.evaluations.standard import ensure_activity_form

    ensure_activity_form(course)
    for form in required_forms(course):
        EvaluationResponse.objects.create(form=form, person=person, submitted_at=timezone.now())


def test_attestation_and_choices_are_required(course, sessions, ama, physician):
    response = client_for(physician).post(
        url(course, "me/claim/"), {"choices": [], "attest": False}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"attest", "choices"}


@pytest.mark.skipif("ABMS_MOC" not in REGISTRY, reason="no MOC rule in this version")
def test_a_malformed_board_id_is_refused_by_field(course, sessions, admin_user):
    make_designation(course, admin_user, "ABMS_MOC", board="ABIM")
    person = UserFactory()
    register(course, person)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    evaluate(course, person)  # MOC points wait for the evaluation [B3]
    response = client_for(person).post(
        url(course, "me/claim/"),
        {"choices": [{"credit_type": "ABMS_MOC", "board": "ABIM", "amount": "1.50"}],
         "attest": True, "board_id": "12ab", "birth_month": 2, "birth_day": 28,
         "consent_to_report": True},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"board_id": ["An ABIM ID has 6 digits."]}
    ok = client_for(person).post(
        url(course, "me/claim/"),
        {"choices": [{"credit_type": "ABMS_MOC", "board": "ABIM", "amount": "1.50"}],
         "attest": True, "board_id": "123456", "birth_month": 2, "birth_day": 28,
         "consent_to_report": True},
        format="json",
    )  # fmt: skip
    assert ok.status_code == 201, ok.content
    assert Claim.objects.get().board_id == "123456"


def test_a_draft_has_no_claim_page(provider, admin_user):
    from cmeconf.activities.choices import ActivityState

    draft = past_activity(provider, slug="draft", state=ActivityState.DRAFT)
    assert client_for(admin_user).get(url(draft, "me/claim/")).status_code == 404
    assert client_for(UserFactory()).get(url(draft, "me/claim/")).status_code == 404
    assert client_for(None).get(url(draft, "me/claim/")).status_code == 401


# --- staff: claims ------------------------------------------------------------------------------


def claim_for(course, person, amount="1.50", credit_type=AMA) -> Claim:
    (claim,) = claims.submit_claim(
        course, person, choices=[ClaimChoice(credit_type, "", amount)], attest=True
    )
    return claim


def test_claims_list_filters_and_searches(course, sessions, ama, physician, admin_user):
    make_designation(course, admin_user, "PARTICIPATION")
    claim_for(course, physician, "1.50")
    claim_for(course, physician, "1.50", "PARTICIPATION")
    other = UserFactory(first_name="Grace", last_name="Hopper")
    register(course, other)
    attend(sessions["plenary"], other, at(DAY, 9), at(DAY, 10))
    claim_for(course, other, "1.00")
    api = client_for(admin_user)
    body = api.get(url(course, "claims/")).json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["person"] == {"id": other.pk, "name": "Grace Hopper", "email": other.email}
    assert (first["amount"], first["designated_maximum"], first["corrections"]) == (
        "1.00",
        "3.00",
        0,
    )
    only_ama = api.get(url(course, f"claims/?credit_type={AMA}")).json()
    assert [r["credit_type"] for r in only_ama["results"]] == [AMA, AMA]
    found = api.get(url(course, "claims/?q=osler")).json()
    assert {r["person"]["id"] for r in found["results"]} == {physician.pk}


def test_claims_list_has_no_n_plus_one(
    course, sessions, ama, admin_user, django_assert_max_num_queries
):
    api = client_for(admin_user)

    def add():
        person = UserFactory()
        register(course, person)
        attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10))
        claim_for(course, person, "1.00")

    add()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert api.get(url(course, "claims/")).json()["count"] == 1
    add()
    add()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert api.get(url(course, "claims/")).json()["count"] == 3


def test_claim_detail_correct_recompute_withdraw(course, sessions, ama, physician, admin_user):
    claim = claim_for(course, physician, "1.50")
    api = client_for(admin_user)
    detail = api.get(url(course, f"claims/{claim.pk}/")).json()
    assert [(r["title"], r["at_claim"], r["now"]) for r in detail["session_rows"]] == [
        ("Plenary", 90, 90),
        ("Breakout A", 5, 5),
    ]
    assert detail["measured"]["supported"] == "1.50"
    assert detail["correction_list"] == []

    too_much = api.post(
        url(course, f"claims/{claim.pk}/correct/"), {"amount": "2.00", "reason": "x"},
        format="json",
    )  # fmt: skip
    assert too_much.status_code == 400
    assert "supports at most 1.50" in too_much.json()["amount"][0]
    corrected = api.post(
        url(course, f"claims/{claim.pk}/correct/"),
        {"amount": "1.00", "reason": "Left early, by the learner's own account."},
        format="json",
    )
    assert corrected.status_code == 200, corrected.content
    body = corrected.json()
    assert body["amount"] == "1.00" and body["corrections"] == 1
    (correction,) = body["correction_list"]
    assert (correction["before_amount"], correction["after_amount"]) == ("1.50", "1.00")
    assert correction["corrected_by"] in (admin_user.full_name, admin_user.email)

    no_reason = api.post(url(course, f"claims/{claim.pk}/recompute/"), {"reason": ""},
                         format="json")  # fmt: skip
    assert no_reason.status_code == 400 and "reason" in no_reason.json()

    withdrawn = api.post(
        url(course, f"claims/{claim.pk}/withdraw/"), {"reason": "Duplicate."}, format="json"
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert ClaimCorrection.objects.count() == 1


def test_claim_recompute_follows_new_attendance(course, sessions, ama, physician, admin_user):
    claim = claim_for(course, physician, "1.50")
    attend(sessions["room_a"], physician, at(DAY, 11, 5), at(DAY, 12, 30))  # adjustment found
    response = client_for(admin_user).post(
        url(course, f"claims/{claim.pk}/recompute/"), {"reason": "Zoom report came late."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "3.00"
    assert Claim.objects.get().measured_minutes == 180


def test_reports_staff_read_claims_but_do_not_correct(course, sessions, ama, physician, provider):
    claim = claim_for(course, physician)
    api = client_for(member(provider, "reports"))
    assert api.get(url(course, f"claims/{claim.pk}/")).status_code == 200
    refused = api.post(
        url(course, f"claims/{claim.pk}/correct/"), {"amount": "1.00", "reason": "x"},
        format="json",
    )  # fmt: skip
    assert refused.status_code == 403
    assert Claim.objects.get().amount == Decimal("1.50")
    # Another activity's claim is not found through this one.
    other = past_activity(provider, slug="other")
    assert (
        client_for(member(provider, "credit")).get(url(other, f"claims/{claim.pk}/")).status_code
        == 404
    )


# --- your transcript and certificates -----------------------------------------------------------


def test_transcript_rows_totals_and_links(course, sessions, ama, physician):
    claim_for(course, physician, "1.50")
    api = client_for(physician)
    body = api.get(f"{ROOT}/me/transcript/").json()
    (row,) = body["rows"]
    assert (row["source"], row["verified"], row["title"]) == ("platform", True, "Spring Course")
    assert row["completed_on"] == DAY.isoformat()
    assert [(a["credit_type"], a["amount"]) for a in row["amounts"]] == [(AMA, "1.50")]
    (total,) = body["totals"]
    assert (total["amount"], total["verified"], total["self_reported"]) == ("1.50", "1.50", "0.00")
    assert body["cpe_monitor_note"] == ""
    assert body["links"]["pdf"] == "http://testserver/transcript/transcript.pdf"

    start = (DAY - dt.timedelta(days=1)).isoformat()
    filtered = api.get(f"{ROOT}/me/transcript/?start={start}&credit_type={AMA}").json()
    assert len(filtered["rows"]) == 1
    assert filtered["links"]["csv"] == (
        f"http://testserver/transcript/transcript.csv?start={start}&type={AMA}"
    )
    after = api.get(f"{ROOT}/me/transcript/?start={(DAY + dt.timedelta(days=1)).isoformat()}")
    assert after.json()["rows"] == []
    # Only your own: another learner's transcript is empty.
    assert client_for(UserFactory()).get(f"{ROOT}/me/transcript/").json()["rows"] == []


def test_transcript_filters_are_checked(physician):
    api = client_for(physician)
    wrong = api.get(f"{ROOT}/me/transcript/?start=2027-05-01&end=2027-04-01")
    assert wrong.status_code == 400 and "end" in wrong.json()
    assert api.get(f"{ROOT}/me/transcript/?start=yesterday").status_code == 400
    assert api.get(f"{ROOT}/me/transcript/?credit_type=NOPE").status_code == 400
    assert client_for(None).get(f"{ROOT}/me/transcript/").status_code == 401


def test_my_certificates_current_and_revoked_not_replaced(course, sessions, ama, physician):
    claim = claim_for(course, physician, "1.50")
    now = timezone.now()
    old = Certificate.objects.create(
        claim=claim, number="CME-2026-OLD0-0000", key="a", issued_at=now - dt.timedelta(days=2),
        superseded_at=now - dt.timedelta(days=1),
    )  # fmt: skip
    revoked = Certificate.objects.create(
        claim=claim, number="CME-2026-REV0-0000", key="b", issued_at=now - dt.timedelta(days=1),
        revoked_at=now, revoked_reason="Issued in error.",
    )  # fmt: skip
    current = Certificate.objects.create(
        claim=claim, number="CME-2026-CUR0-0000", key="c", issued_at=now,
        content={"credit": {"awarded": "1.50"}},
    )  # fmt: skip
    someone = UserFactory()
    register(course, someone)
    attend(sessions["plenary"], someone, at(DAY, 9), at(DAY, 10))
    Certificate.objects.create(
        claim=claim_for(course, someone, "1.00"), number="CME-2026-NOTM-0000", key="d",
        issued_at=now,
    )  # fmt: skip

    body = client_for(physician).get(f"{ROOT}/me/certificates/").json()
    assert [c["number"] for c in body["results"]] == [current.number, revoked.number]
    mine, gone = body["results"]
    assert (mine["status"], mine["amount"], mine["credit_type"]) == ("valid", "1.50", AMA)
    assert mine["activity"] == {"provider": "acp", "slug": course.slug, "title": "Spring Course"}
    assert mine["pdf_url"] == f"http://testserver/certificates/{current.number}.pdf"
    assert mine["credential_jwt_url"].endswith(f"/{current.number}/credential.jwt")
    assert mine["credential_json_url"].endswith(f"/{current.number}/credential.json")
    assert "/certificates/" in mine["verification_url"]
    assert (gone["status"], gone["revoked_reason"], gone["pdf_url"]) == (
        "revoked",
        "Issued in error.",
        None,
    )
    assert gone["credential_jwt_url"] is None and gone["verification_url"]
    assert old.number not in str(body)
    assert client_for(None).get(f"{ROOT}/me/certificates/").status_code == 401
