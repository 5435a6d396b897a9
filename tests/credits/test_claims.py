"""The claim service: what a learner may claim, claiming, withdrawal, staff corrections."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from cmeconf.attendance import services as attendance
from cmeconf.common.models import AuditEntry
from cmeconf.credits import claims
from cmeconf.credits.claims import ClaimChoice
from cmeconf.credits.models import (
    Certificate,
    Claim,
    ClaimCorrection,
    ClaimStatus,
    ProviderCreditType,
)
from cmeconf.credits.types import REGISTRY
from cmeconf.evaluations.models import EvaluationForm, EvaluationResponse
from cmeconf.providers.permissions import Permission
from cmeconf.registration.choices import RegistrationStatus
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
from tests.factories import UserFactory, at

AMA = "AMA_PRA_1"


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
def physician(course):
    person = UserFactory(email="doc@example.org", first_name="Ada", last_name="Osler")
    register(course, person)
    return person


def ama_claim(course, person, amount, **kwargs) -> list[Claim]:
    return claims.submit_claim(
        course, person, choices=[ClaimChoice(AMA, "", amount)], attest=True, **kwargs
    )


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


# --- what the learner may claim -------------------------------------------------------------


def test_options_list_sessions_minutes_and_what_attendance_supports(
    course, sessions, ama, physician
):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    attend(sessions["room_a"], physician, at(DAY, 11), at(DAY, 11, 5))

    options = claims.claim_options(course, physician)

    assert options.blockers == []
    assert [(s.title, m) for s, m in options.sessions] == [("Plenary", 90), ("Breakout A", 5)]
    assert options.total_minutes == 95
    (offer,) = options.offers
    # Worked example 1: 95 minutes -> 1.50 [M1].
    assert offer.supported == Decimal("1.50")
    assert offer.maximum == Decimal("3.00")
    assert offer.step == Decimal("0.25")
    assert offer.least == Decimal("0.25")
    assert offer.may_claim and offer.claimable
    assert options.can_claim


def test_no_credit_setup_means_open_after_the_last_credit_session_without_deadline(
    provider, admin_user
):
    soon = timezone.localdate() + dt.timedelta(days=3)
    from tests.factories import ActivityFactory, SessionFactory

    future = ActivityFactory(provider=provider, start_date=soon, end_date=soon)
    SessionFactory(activity=future, start=at(soon, 8), end=at(soon, 9))
    last = SessionFactory(activity=future, start=at(soon, 10), end=at(soon, 11))
    designate(future, admin_user)
    person = UserFactory()
    register(future, person)

    options = claims.claim_options(future, person)

    assert options.opens_at == last.end
    assert options.closes_at is None
    assert options.evaluation_required is True
    assert "not_open" in [b.code for b in options.blockers]


def test_blockers_in_plain_words(course, sessions, ama):
    stranger = UserFactory()
    options = claims.claim_options(course, stranger)
    codes = [b.code for b in options.blockers]
    assert codes == ["not_registered", "no_attendance"]
    assert not options.can_claim


# --- claiming --------------------------------------------------------------------------------


def test_claim_stores_minutes_sessions_attestation_and_is_audited(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))

    (claim,) = ama_claim(course, physician, "1.50")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CLAIMED
    assert claim.amount == Decimal("1.50")
    assert claim.measured_minutes == 90
    assert claim.sessions == {str(sessions["plenary"].pk): 90}
    assert claim.attestation == claims.attestation_text(course)
    assert "commensurate with the extent of my participation" in claim.attestation
    assert claim.attested_at is not None
    assert claim.designation == ama
    assert claim.board_id == "" and claim.birth_month is None  # AMA asks for none
    entry = AuditEntry.objects.get(action="credit.claim")
    assert entry.object_id == str(claim.pk)
    assert entry.after["amount"] == "1.50"
    assert entry.after["attestation"] == claim.attestation
    assert entry.actor == physician


def test_claim_above_attendance_is_refused_with_the_minutes(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    attend(sessions["room_a"], physician, at(DAY, 11), at(DAY, 11, 5))

    with pytest.raises(ValidationError) as caught:
        ama_claim(course, physician, "1.75")

    assert errors_of(caught.value)[AMA] == [
        "You attended 95 minutes, which supports at most 1.50 AMA PRA Category 1 Credits™."
    ]
    assert not Claim.objects.exists()


def test_claim_above_designated_maximum_is_refused(course, sessions, admin_user, physician):
    designate(course, admin_user, maximum="1.00", computed="3.00")
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    attend(sessions["room_a"], physician, at(DAY, 11), at(DAY, 12, 30))

    options = claims.claim_options(course, physician)
    assert options.offers[0].supported == Decimal("1.00")
    with pytest.raises(ValidationError) as caught:
        ama_claim(course, physician, "1.25")
    assert "at most 1.00" in errors_of(caught.value)[AMA][0]


def test_learner_may_claim_less_than_attendance_supports(course, sessions, ama, physician):
    """[M5]: claim only the credit commensurate with the extent of participation."""
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    (claim,) = ama_claim(course, physician, "1.00")
    assert claim.amount == Decimal("1.00")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1.30", "steps of 0.25"),
        ("0", "more than 0"),
        ("-0.25", "more than 0"),
        ("0.10", "smallest claim"),
        ("1.255", "two decimal places"),
        ("lots", "as a number"),
    ],
)
def test_amount_off_the_rule_is_refused(course, sessions, ama, physician, amount, words):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    with pytest.raises(ValidationError) as caught:
        ama_claim(course, physician, amount)
    assert words in errors_of(caught.value)[AMA][0]


def test_concurrent_sessions_attended_in_halves_count_once(course, sessions, ama, physician):
    """Worked example 7 from the learner's side: two parallel breakouts give 1.50 at most."""
    attend(sessions["room_a"], physician, at(DAY, 11), at(DAY, 11, 45))
    attend(sessions["room_b"], physician, at(DAY, 11, 45), at(DAY, 12, 30))
    # A second device seen in the other room at the same time adds nothing.
    attend(sessions["room_b"], physician, at(DAY, 11), at(DAY, 11, 30))

    options = claims.claim_options(course, physician)
    assert options.total_minutes == 90
    assert options.offers[0].supported == Decimal("1.50")
    with pytest.raises(ValidationError):
        ama_claim(course, physician, "1.75")
    (claim,) = ama_claim(course, physician, "1.50")
    assert claim.measured_minutes == 90
    assert claim.sessions == {str(sessions["room_a"].pk): 45, str(sessions["room_b"].pk): 75}


def test_a_claim_gets_its_certificate_once_committed(
    course, sessions, ama, physician, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    with django_capture_on_commit_callbacks(execute=True):
        (claim,) = ama_claim(course, physician, Decimal("1.50"))
    (cert,) = Certificate.objects.filter(claim=claim)
    assert cert.content and cert.file.name.endswith(".pdf")
    assert cert.superseded_at is None and cert.revoked_at is None


def test_claim_before_the_evaluation_is_refused(course, sessions, ama, physician):
    window(course, opens=timezone.now() - dt.timedelta(days=1), evaluation_required=True)
    form = EvaluationForm.objects.create(
        activity=course, kind="activity", title="Evaluation", required_for_credit=True
    )
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))

    with pytest.raises(ValidationError) as caught:
        ama_claim(course, physician, "1.50")
    assert "Complete the evaluation first: credit waits for it." in caught.value.messages

    EvaluationResponse.objects.create(form=form, person=physician, submitted_at=timezone.now())
    (claim,) = ama_claim(course, physician, "1.50")
    assert claim.amount == Decimal("1.50")


def test_evaluation_not_required_when_the_setup_says_so(course, sessions, ama, physician):
    window(course, opens=timezone.now() - dt.timedelta(days=1), evaluation_required=False)
    EvaluationForm.objects.create(
        activity=course, kind="activity", title="Evaluation", required_for_credit=True
    )
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    assert ama_claim(course, physician, "1.50")


def test_window_closed_or_not_open_refused(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    window(course, closes=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationError) as caught:
        ama_claim(course, physician, "1.50")
    assert any(m.startswith("Claiming closed on") for m in caught.value.messages)

    window(course, opens=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        ama_claim(course, physician, "1.50")
    assert any(m.startswith("Claiming opens on") for m in caught.value.messages)
    assert not Claim.objects.exists()


def test_nurse_cannot_claim_ama(course, sessions, ama):
    nurse = UserFactory(profession="nurse", credentials="RN")
    register(course, nurse)
    attend(sessions["plenary"], nurse, at(DAY, 9), at(DAY, 10, 30))

    options = claims.claim_options(course, nurse)
    assert not options.offers[0].may_claim
    assert "physician" in options.offers[0].refusal
    with pytest.raises(ValidationError) as caught:
        ama_claim(course, nurse, "1.50")
    assert "Your profile says you are: nurse" in errors_of(caught.value)[AMA][0]


def test_not_registered_or_only_waitlisted_refused(course, sessions, ama):
    person = UserFactory()
    register(course, person, status=RegistrationStatus.WAITLISTED)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    with pytest.raises(ValidationError) as caught:
        ama_claim(course, person, "1.50")
    assert "no confirmed registration" in caught.value.messages[0]


def test_attestation_is_required(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    with pytest.raises(ValidationError) as caught:
        claims.submit_claim(course, physician, choices=[ClaimChoice(AMA, "", "1.50")], attest=False)
    assert "attest" in errors_of(caught.value)


def test_all_or_nothing_when_one_choice_is_wrong(course, sessions, ama, admin_user):
    if "PARTICIPATION" not in REGISTRY:
        pytest.skip("no certificate of participation in this version")
    designate(course, admin_user, "PARTICIPATION")
    person = UserFactory()
    register(course, person)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    with pytest.raises(ValidationError):
        claims.submit_claim(
            course,
            person,
            choices=[ClaimChoice(AMA, "", "1.50"), ClaimChoice("PARTICIPATION", "", "9.00")],
            attest=True,
        )
    assert not Claim.objects.exists()
    made = claims.submit_claim(
        course,
        person,
        choices=[ClaimChoice(AMA, "", "1.50"), ClaimChoice("PARTICIPATION", "", "1.50")],
        attest=True,
    )
    assert sorted(c.credit_type for c in made) == [AMA, "PARTICIPATION"]


# --- MOC and pharmacy: identifiers and consent ------------------------------------------------

moc_only = pytest.mark.skipif("ABMS_MOC" not in REGISTRY, reason="no MOC rule in this version")


@moc_only
def test_moc_needs_a_well_formed_board_id_birthday_and_consent(course, sessions, admin_user):
    designate(course, admin_user, "ABMS_MOC", board="ABIM")
    person = UserFactory()
    register(
        course,
        person,
        identifiers={"abms_board": "ABIM", "abms_id": "123456", "birth_month": 2, "birth_day": 29},
    )
    evaluated(course, person)  # MOC waits for the evaluation [B3]
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))

    options = claims.claim_options(course, person)
    assert options.prefill["board_id"] == "123456"
    assert options.needed == ("board_id", "birth_month", "birth_day")
    assert options.needs_consent
    offer = options.offers[0]
    assert "board ID" in offer.needs_reason

    choice = [ClaimChoice("ABMS_MOC", "ABIM", "1.50")]
    with pytest.raises(ValidationError) as caught:
        claims.submit_claim(
            course,
            person,
            choices=choice,
            attest=True,
            board_id="12ab",
            birth_month=2,
            birth_day=30,
        )
    errors = errors_of(caught.value)
    assert errors["board_id"] == ["An ABIM ID has 6 digits."]
    assert errors["birth_day"] == ["February has no day 30."]
    assert "consent_to_report" in errors

    (claim,) = claims.submit_claim(
        course,
        person,
        choices=choice,
        attest=True,
        board_id="123456",
        birth_month=2,
        birth_day=29,
        consent_to_report=True,
    )
    assert (claim.board, claim.board_id, claim.birth_month, claim.birth_day) == (
        "ABIM",
        "123456",
        2,
        29,
    )
    assert claim.consent_to_report is True


@moc_only
def test_abp_gives_no_partial_points(course, sessions, admin_user):
    """[B4]: ABP takes the whole activity's points or none."""
    designate(course, admin_user, "ABMS_MOC", board="ABP")
    person = UserFactory()
    register(course, person)
    evaluated(course, person)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    attend(sessions["room_a"], person, at(DAY, 11), at(DAY, 12, 30))
    offer = claims.claim_options(course, person).offers[0]
    assert offer.supported == Decimal("3.00")
    assert offer.least == Decimal("3.00")
    with pytest.raises(ValidationError) as caught:
        claims.submit_claim(
            course,
            person,
            choices=[ClaimChoice("ABMS_MOC", "ABP", "1.50")],
            attest=True,
            board_id="1234",
            birth_month=1,
            birth_day=1,
            consent_to_report=True,
        )
    assert "smallest claim" in errors_of(caught.value)["ABMS_MOC__ABP"][0]


@pytest.mark.skipif("ACPE" not in REGISTRY, reason="no ACPE rule in this version")
def test_pharmacist_needs_eprofile_id(course, sessions, admin_user):
    designate(course, admin_user, "ACPE", maximum="3.00")
    person = UserFactory(profession="pharmacist", credentials="PharmD")
    register(course, person)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    with pytest.raises(ValidationError) as caught:
        claims.submit_claim(
            course,
            person,
            choices=[ClaimChoice("ACPE", "", "1.50")],
            attest=True,
            nabp_eprofile_id="12-34",
            birth_month=3,
            birth_day=4,
            consent_to_report=True,
        )
    assert "nabp_eprofile_id" in errors_of(caught.value)
    (claim,) = claims.submit_claim(
        course,
        person,
        choices=[ClaimChoice("ACPE", "", "1.50")],
        attest=True,
        nabp_eprofile_id="1234567",
        birth_month=3,
        birth_day=4,
        consent_to_report=True,
    )
    assert claim.nabp_eprofile_id == "1234567"


@pytest.mark.skipif("ANCC" not in REGISTRY, reason="no ANCC rule in this version")
def test_ancc_adds_the_evaluation_time(course, sessions, admin_user):
    """Worked example 10: 90 minutes + 5 minutes of evaluation -> 1.58 contact hours [N1],
    with the provider allowing 5 minutes for the evaluation (the maximum includes them)."""
    ProviderCreditType.objects.update_or_create(
        provider=course.provider,
        credit_type="ANCC",
        defaults={"enabled": True, "options": {"evaluation_minutes": 5}},
    )
    designate(course, admin_user, "ANCC", maximum="3.08")
    form = EvaluationForm.objects.create(
        activity=course, kind="activity", title="Evaluation", required_for_credit=True
    )
    nurse = UserFactory(profession="nurse", credentials="RN")
    register(course, nurse)
    attend(sessions["plenary"], nurse, at(DAY, 9), at(DAY, 10, 30))
    EvaluationResponse.objects.create(
        form=form, person=nurse, submitted_at=timezone.now(), seconds_spent=5 * 60 + 59
    )
    options = claims.claim_options(course, nurse)
    assert options.evaluation_minutes == 5
    assert options.offers[0].supported == Decimal("1.58")


# --- one live claim per type, withdrawal -----------------------------------------------------


def test_second_claim_refused_then_withdraw_and_claim_again(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    (first,) = ama_claim(course, physician, "1.00")
    with pytest.raises(ValidationError) as caught:
        ama_claim(course, physician, "1.50")
    assert "already claimed" in errors_of(caught.value)[AMA][0]

    claims.withdraw_claim(first, by=physician)
    first.refresh_from_db()
    assert first.status == ClaimStatus.WITHDRAWN
    entry = AuditEntry.objects.get(action="credit.claim_withdrawn")
    assert entry.before["status"] == "claimed" and entry.after["status"] == "withdrawn"

    (second,) = ama_claim(course, physician, "1.50")
    assert second.pk != first.pk
    assert Claim.objects.filter(status=ClaimStatus.CLAIMED).get() == second


def test_withdrawal_revokes_the_certificate(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    (claim,) = ama_claim(course, physician, "1.50")
    cert = Certificate.objects.create(
        claim=claim, number="CME-TEST-0001", key="k", issued_at=timezone.now()
    )
    claims.withdraw_claim(claim, by=physician)
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    assert AuditEntry.objects.filter(action="credits.certificate_revoked").count() == 1


def test_reported_claim_cannot_be_withdrawn(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    (claim,) = ama_claim(course, physician, "1.50")
    Claim.objects.filter(pk=claim.pk).update(reported_at=timezone.now())
    with pytest.raises(ValidationError, match="was reported"):
        claims.withdraw_claim(claim, by=physician)


def test_learner_cannot_withdraw_after_claiming_closed(
    course, sessions, ama, physician, admin_user
):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    (claim,) = ama_claim(course, physician, "1.50")
    window(course, closes=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="Claiming closed"):
        claims.withdraw_claim(claim, by=physician)
    # Staff still can, with a reason.
    claims.withdraw_claim(claim, by=admin_user, reason="Registered twice")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN


def test_service_refuses_amounts_that_are_not_numbers(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    for amount in ("NaN", "Infinity", None, ""):
        with pytest.raises(ValidationError) as caught:
            ama_claim(course, physician, amount)
        assert "as a number" in errors_of(caught.value)[AMA][0]


def test_others_cannot_withdraw(course, sessions, ama, physician, provider, admin_user):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    (claim,) = ama_claim(course, physician, "1.50")
    with pytest.raises(PermissionDenied):
        claims.withdraw_claim(claim, by=UserFactory())
    with pytest.raises(PermissionDenied):
        claims.withdraw_claim(claim, by=member(provider, Permission.REPORTS), reason="no")
    with pytest.raises(ValidationError) as caught:
        claims.withdraw_claim(claim, by=admin_user)
    assert "reason" in errors_of(caught.value)
    claims.withdraw_claim(claim, by=admin_user, reason="Duplicate account")
    assert AuditEntry.objects.get(action="credit.claim_withdrawn").note == "Duplicate account"


# --- staff corrections -----------------------------------------------------------------------


@pytest.fixture
def claimed(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    (claim,) = ama_claim(course, physician, "1.50")
    return claim


def test_correction_needs_a_reason_and_is_audited(claimed, admin_user):
    with pytest.raises(ValidationError) as caught:
        claims.correct_claim(claimed, amount="1.00", reason="  ", by=admin_user)
    assert errors_of(caught.value)["reason"] == ["Give the reason for the correction."]

    correction = claims.correct_claim(
        claimed, amount="1.00", reason="Left after the first hour", by=admin_user
    )
    claimed.refresh_from_db()
    assert claimed.amount == Decimal("1.00")
    assert (correction.before_amount, correction.after_amount) == (Decimal("1.50"), Decimal("1.00"))
    assert (correction.before_minutes, correction.after_minutes) == (90, 90)
    assert correction.corrected_by == admin_user
    entry = AuditEntry.objects.get(action="credit.claim_corrected")
    assert entry.before["amount"] == "1.50" and entry.after["amount"] == "1.00"
    assert entry.note == "Left after the first hour"


def test_correction_never_above_attendance_or_maximum(claimed, admin_user, sessions, physician):
    with pytest.raises(ValidationError) as caught:
        claims.correct_claim(claimed, amount="2.00", reason="Asked by phone", by=admin_user)
    message = errors_of(caught.value)["amount"][0]
    assert "90 minutes, supports at most 1.50" in message
    assert "Correct the attendance first" in message

    # Staff add the missing time on the attendance pages first (audited there) ...
    attendance.add_adjustment(
        sessions["room_a"],
        physician,
        start=at(DAY, 11),
        end=at(DAY, 12, 30),
        reason="Scanner in room A was down",
        by=admin_user,
    )
    correction = claims.correct_claim(claimed, amount="3.00", reason="Scanner", by=admin_user)
    assert correction.after_minutes == 180
    with pytest.raises(ValidationError) as caught:
        claims.correct_claim(claimed, amount="3.25", reason="More", by=admin_user)
    assert "at most 3.00" in errors_of(caught.value)["amount"][0]
    assert ClaimCorrection.objects.count() == 1


def test_only_credit_staff_correct(claimed, provider, physician):
    for person in (physician, member(provider, Permission.REPORTS), UserFactory()):
        with pytest.raises(PermissionDenied):
            claims.correct_claim(claimed, amount="1.00", reason="x", by=person)
    other = past_activity(provider, slug="other")
    outsider = member(provider, Permission.CREDIT, activities=[other])
    with pytest.raises(PermissionDenied):
        claims.correct_claim(claimed, amount="1.00", reason="x", by=outsider)
    assert not ClaimCorrection.objects.exists()


def test_recompute_follows_attendance_up_and_down(claimed, admin_user, sessions, physician):
    with pytest.raises(ValidationError, match="nothing changed"):
        claims.recompute_claim(claimed, by=admin_user, reason="Check")
    interval = attendance.add_adjustment(
        sessions["room_b"],
        physician,
        start=at(DAY, 11),
        end=at(DAY, 12),
        reason="Late report",
        by=admin_user,
    )
    correction = claims.recompute_claim(claimed, by=admin_user, reason="Late report added")
    claimed.refresh_from_db()
    assert claimed.amount == Decimal("2.50")  # 150 minutes
    assert claimed.measured_minutes == 150
    assert claimed.sessions == {str(sessions["plenary"].pk): 90, str(sessions["room_b"].pk): 60}
    assert correction.reason == "Late report added"
    assert AuditEntry.objects.filter(action="credit.claim_recomputed").count() == 1

    attendance.void_interval(interval, reason="Someone else's badge", by=admin_user)
    claims.recompute_claim(claimed, by=admin_user, reason="Badge removed")
    claimed.refresh_from_db()
    assert claimed.amount == Decimal("1.50")


def test_recompute_keeps_a_smaller_claim_unless_attendance_falls_below(
    course, sessions, ama, physician, admin_user
):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    (claim,) = ama_claim(course, physician, "0.50")
    attend(sessions["room_a"], physician, at(DAY, 11), at(DAY, 12, 30))
    claims.recompute_claim(claim, by=admin_user, reason="More time")
    claim.refresh_from_db()
    assert claim.amount == Decimal("0.50")  # the learner claimed less [M5]
    assert claim.measured_minutes == 180


def test_correction_of_a_reported_claim_marks_it_for_reporting_again(claimed, admin_user):
    Claim.objects.filter(pk=claimed.pk).update(reported_at=timezone.now())
    claims.correct_claim(claimed, amount="1.25", reason="Typo", by=admin_user)
    claimed.refresh_from_db()
    assert claimed.reported_at is None


def test_correction_replaces_the_current_certificate(claimed, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from cmeconf.credits import certificates

    first = certificates.issue_certificate(claimed, by=None)
    claims.correct_claim(claimed, amount="1.25", reason="Typo", by=admin_user)
    first.refresh_from_db()
    assert first.superseded_at is not None
    current = certificates.current_certificate(claimed)
    assert current is not None and current.pk != first.pk
    assert current.content["credit"]["awarded"] in (
        "1.25",
        1.25,
        "1.25 AMA PRA Category 1 Credits™",
    )


def test_withdrawn_claim_cannot_be_corrected(claimed, admin_user, physician):
    claims.withdraw_claim(claimed, by=physician)
    with pytest.raises(ValidationError, match="withdrawn"):
        claims.correct_claim(claimed, amount="1.00", reason="x", by=admin_user)


# --- two submissions at once -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_make_one_claim(provider, admin_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    course = past_activity(provider)
    window(course, evaluation_required=False)  # about the lock, not the evaluation
    sessions = program(course)
    designate(course, admin_user)
    person = UserFactory()
    register(course, person)
    attend(sessions["plenary"], person, at(DAY, 9), at(DAY, 10, 30))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait()
            ama_claim(course, person, "1.50")
            outcomes.append("claimed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["claimed", "refused"]
    assert Claim.objects.filter(person=person, status=ClaimStatus.CLAIMED).count() == 1


# --- review fixes ----------------------------------------------------------------------------


def _ancc_allowance(course, minutes: int) -> None:
    ProviderCreditType.objects.update_or_create(
        provider=course.provider,
        credit_type="ANCC",
        defaults={"enabled": True, "options": {"evaluation_minutes": minutes}},
    )


@pytest.mark.parametrize("allowance, supported", [(0, "0.17"), (10, "0.33")])
def test_ancc_evaluation_time_cannot_stand_in_for_attendance(
    course, sessions, admin_user, allowance, supported
):
    """[N1]: the evaluation time counts up to the provider's allowance (the one the
    designated maximum includes), never the hours a form was left open."""
    _ancc_allowance(course, allowance)
    designate(course, admin_user, "ANCC", "3.00")
    nurse = UserFactory(profession="nurse")
    register(course, nurse)
    attend(sessions["plenary"], nurse, at(DAY, 9), at(DAY, 9, 10))  # 10 minutes
    window(course, evaluation_required=True)
    evaluated(course, nurse, seconds=23 * 3600)  # the form was left open 23 hours
    offer = claims.claim_options(course, nurse).offers[0]
    assert offer.supported == Decimal(supported)
    # The smallest claim is never the maximum: a learner may claim less than all.
    assert offer.least == Decimal("0.02")
    assert offer.least < offer.supported


@pytest.mark.parametrize(
    "amount", ["1e30", "9" * 40, Decimal("1E+50"), "Infinity", "-1e30", "1e-30", "10000"]
)
def test_huge_or_odd_amounts_are_refused_in_plain_words(amount):
    problems = claims.amount_problems(
        amount,
        offer_label="AMA",
        unit_plural="credits",
        supported=Decimal("3.00"),
        maximum=Decimal("3.00"),
        step=Decimal("0.25"),
        least=Decimal("0.25"),
        minutes=180,
    )
    assert problems and all(isinstance(p, str) for p in problems)


def test_a_huge_amount_is_a_validation_error_at_submission(course, sessions, ama, physician):
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    with pytest.raises(ValidationError) as caught:
        ama_claim(course, physician, "1e30")
    assert "at most 4 digits" in errors_of(caught.value)[AMA][0]


@moc_only
def test_moc_waits_for_the_evaluation_even_if_the_setup_says_not(course, sessions, admin_user):
    """[B3]: MOC needs the evaluation component, whatever the activity's setup says."""
    designate(course, admin_user, "ABMS_MOC", "3.00", board="ABIM")
    doc = UserFactory()
    register(course, doc)
    attend(sessions["plenary"], doc, at(DAY, 9), at(DAY, 10, 30))
    options = claims.claim_options(course, doc)
    assert any(b.code == "evaluation" for b in options.blockers)
    assert options.evaluation_required
    # The standard form exists, required for credit, so "no form" never lets it past.
    assert EvaluationForm.objects.filter(activity=course, required_for_credit=True).exists()
    with pytest.raises(ValidationError, match="Complete the evaluation"):
        claims.submit_claim(
            course,
            doc,
            choices=[ClaimChoice("ABMS_MOC", "ABIM", "1.50")],
            attest=True,
            board_id="123456",
            birth_month=1,
            birth_day=2,
            consent_to_report=True,
        )
    evaluated(course, doc)
    assert not claims.claim_options(course, doc).blockers


def test_ecmec_waits_for_the_evaluation_even_if_the_setup_says_not(course, sessions, admin_user):
    """[E3]: ECMEC credit only after the feedback form."""
    designate(course, admin_user, "ECMEC", "3.00")
    doc = UserFactory()
    register(course, doc)
    attend(sessions["plenary"], doc, at(DAY, 9), at(DAY, 10, 30))
    assert any(b.code == "evaluation" for b in claims.claim_options(course, doc).blockers)


@moc_only
def test_with_ama_too_only_the_moc_offer_waits_for_the_evaluation(
    course, sessions, ama, admin_user, physician
):
    designate(course, admin_user, "ABMS_MOC", "3.00", board="ABIM")
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    options = claims.claim_options(course, physician)
    assert not options.blockers
    offers = {o.key: o for o in options.offers}
    assert offers[AMA].claimable
    moc = offers["ABMS_MOC__ABIM"]
    assert not moc.claimable and "needs the evaluation" in moc.refusal
    with pytest.raises(ValidationError) as caught:
        claims.submit_claim(
            course,
            physician,
            choices=[ClaimChoice("ABMS_MOC", "ABIM", "1.50")],
            attest=True,
            board_id="123456",
            birth_month=1,
            birth_day=2,
            consent_to_report=True,
        )
    assert "needs the evaluation" in errors_of(caught.value)["ABMS_MOC__ABIM"][0]
    (claim,) = ama_claim(course, physician, "1.50")
    assert claim.amount == Decimal("1.50")


def test_recompute_keeps_a_partial_ecmec_claim_partial(course, admin_user):
    """A claim made for less stays as claimed [M5]; the daily cap [E1][E3] is per day."""
    from tests.factories import SessionFactory

    day2 = DAY + dt.timedelta(days=1)
    first = SessionFactory(activity=course, title="D1", start=at(DAY, 9), end=at(DAY, 14))
    second = SessionFactory(activity=course, title="D2", start=at(day2, 9), end=at(day2, 14))
    designate(course, admin_user, "ECMEC", "10.00")
    doc = UserFactory()
    register(course, doc)
    evaluated(course, doc)
    attend(first, doc, at(DAY, 9), at(DAY, 14))
    attend(second, doc, at(day2, 9), at(day2, 13))  # 5 h + 4 h: supports 9.0
    (claim,) = claims.submit_claim(
        course, doc, choices=[ClaimChoice("ECMEC", "", "8.00")], attest=True
    )
    assert claims.claimed_minutes(claim).by_day == {DAY: 300, day2: 240}
    attend(second, doc, at(day2, 13), at(day2, 13, 30))  # staff add a missed half hour
    claims.recompute_claim(claim, by=admin_user, reason="Scanner gap")
    claim.refresh_from_db()
    assert (claim.amount, claim.measured_minutes) == (Decimal("8.00"), 570)


def test_recompute_follows_a_full_ecmec_claim(course, admin_user):
    from tests.factories import SessionFactory

    day2 = DAY + dt.timedelta(days=1)
    first = SessionFactory(activity=course, title="D1", start=at(DAY, 9), end=at(DAY, 14))
    second = SessionFactory(activity=course, title="D2", start=at(day2, 9), end=at(day2, 14))
    designate(course, admin_user, "ECMEC", "10.00")
    doc = UserFactory()
    register(course, doc)
    evaluated(course, doc)
    attend(first, doc, at(DAY, 9), at(DAY, 14))
    attend(second, doc, at(day2, 9), at(day2, 13))
    (claim,) = claims.submit_claim(
        course, doc, choices=[ClaimChoice("ECMEC", "", "9.00")], attest=True
    )
    attend(second, doc, at(day2, 13), at(day2, 13, 30))
    claims.recompute_claim(claim, by=admin_user, reason="Scanner gap")
    claim.refresh_from_db()
    assert claim.amount == Decimal("9.50")


@pytest.mark.parametrize("minutes, supported", [(1, "0.00"), (7, "0.00"), (8, "0.25")])
def test_a_learners_claim_has_no_quarter_minimum(
    course, sessions, ama, physician, minutes, supported
):
    """Decision on [M2]: the 0.25 minimum is the designation's; a learner's measured
    minutes go to the nearest quarter without it, so 1 to 7 minutes support nothing."""
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 9) + dt.timedelta(minutes=minutes))
    offer = claims.claim_options(course, physician).offers[0]
    assert offer.supported == Decimal(supported)
    assert offer.claimable is (minutes >= 8)
