"""Designation services: the computed maximum, designating, lowering, recomputing, withdrawing.

Sources (docs/credits/sources.md): [M1] quarter hours, concurrent sessions
once, breaks and non-CME time excluded; [M2] at least 0.25; [M3] in advance;
[A12] industry sessions are not accredited education; [B5] MOC boards; [P1][P3] UAN.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cmeconf.activities.models import Activity
from cmeconf.common.models import AuditEntry
from cmeconf.credits import designation as services
from cmeconf.credits import setup
from cmeconf.credits.models import Claim, ClaimStatus, CreditSetup, Designation
from cmeconf.credits.types import REGISTRY
from tests.credits.designation_fixtures import (
    AMA,
    accredit,
    breakouts,
    day_one,
    switch_on,
)
from tests.factories import ActivityFactory, SessionFactory, at

AMA_STATEMENT = (
    "American College of Practitioners designates this live activity for a maximum of "
    "{n} AMA PRA Category 1 Credits™. Physicians should claim only the credit commensurate "
    "with the extent of their participation in the activity."
)
ACCME_STATEMENT = (
    "American College of Practitioners is accredited by the Accreditation Council for "
    "Continuing Medical Education (ACCME) to provide continuing medical education for "
    "physicians."
)


@pytest.fixture
def accredited(provider):
    accredit(provider)
    switch_on(provider)
    return provider


@pytest.fixture
def staff(admin_user):
    return admin_user


def version(activity) -> int:
    return Activity.objects.values_list("program_version", flat=True).get(pk=activity.pk)


def errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


# --- the computation ------------------------------------------------------------------------


def test_worked_example_6_breaks_lunch_and_industry_are_left_out(accredited, activity):
    day_one(activity)
    assert services.compute(activity, AMA) == (Decimal("7.00"), 420)
    found = services.breakdown(activity)
    assert found.covered == 420
    assert found.breaks == 15 + 60 + 30 + 15
    assert found.concurrent == 0


def test_concurrent_sessions_count_once_in_the_maximum(accredited, activity):
    breakouts(activity)
    assert services.compute(activity, AMA) == (Decimal("1.50"), 90)
    found = services.breakdown(activity)
    assert (found.scheduled, found.covered, found.concurrent) == (180, 90, 90)


def test_sessions_marked_not_for_credit_are_left_out(accredited, activity):
    day_one(activity)
    SessionFactory(
        activity=activity,
        title="Business meeting",
        credit_eligible=False,
        start=at(activity.start_date, 17),
        end=at(activity.start_date, 18),
    )
    assert services.compute(activity, AMA) == (Decimal("7.00"), 420)
    assert services.breakdown(activity).not_eligible == 60


def test_ten_minutes_give_the_minimum_quarter_credit(accredited, activity):
    SessionFactory(
        activity=activity, start=at(activity.start_date, 9), end=at(activity.start_date, 9, 10)
    )
    assert services.compute(activity, AMA) == (Decimal("0.25"), 10)


# --- designating ----------------------------------------------------------------------------


def test_designation_defaults_to_the_computation_and_is_audited(accredited, activity, staff):
    day_one(activity)
    breakouts(activity)
    before = version(activity)
    d = services.designate(activity, AMA, by=staff)
    assert (d.maximum, d.computed_maximum, d.computed_minutes) == (
        Decimal("8.50"),
        Decimal("8.50"),
        510,
    )
    assert d.designated_by == staff
    entry = AuditEntry.objects.get(action="credit.designate")
    assert entry.actor == staff
    assert entry.activity_id == activity.pk
    assert entry.after["maximum"] == "8.50"
    assert version(activity) == before + 1


def test_never_above_the_computation(accredited, activity, staff):
    day_one(activity)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, AMA, by=staff, maximum="7.25")
    assert "cannot be more than the 7.00 the program supports" in errors(exc.value)["maximum"][0]
    assert not Designation.objects.exists()


def test_lowering_needs_a_reason(accredited, activity, staff):
    day_one(activity)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, AMA, by=staff, maximum="6.00")
    assert "Say why" in errors(exc.value)["lowered_reason"][0]
    d = services.designate(
        activity, AMA, by=staff, maximum="6.00", lowered_reason="Q&A time is not education."
    )
    assert (d.maximum, d.computed_maximum) == (Decimal("6.00"), Decimal("7.00"))
    assert d.lowered_reason == "Q&A time is not education."
    assert AuditEntry.objects.get(action="credit.designate").note == "Q&A time is not education."


def test_a_lowered_maximum_comes_in_the_types_steps(accredited, activity, staff):
    day_one(activity)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, AMA, by=staff, maximum="6.10", lowered_reason="Shorter.")
    message = errors(exc.value)["maximum"][0]
    assert "steps of 0.25" in message and "6.00 and 6.25" in message


def test_designating_the_computation_again_clears_the_reason(accredited, activity, staff):
    day_one(activity)
    services.designate(activity, AMA, by=staff, maximum="6.00", lowered_reason="Shorter.")
    d = services.designate(activity, AMA, by=staff)
    assert (d.maximum, d.lowered_reason) == (Decimal("7.00"), "")
    assert AuditEntry.objects.filter(action="credit.designation_changed").count() == 1


def test_type_not_switched_on_is_refused(provider, activity, staff):
    accredit(provider)
    day_one(activity)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, AMA, by=staff)
    assert "is not switched on" in exc.value.messages[0]


def test_type_switched_on_without_a_current_accreditation_is_refused(provider, activity, staff):
    accredit(provider, valid_until=timezone.localdate() - dt.timedelta(days=1))
    switch_on(provider)
    day_one(activity)
    with pytest.raises(ValidationError):
        services.designate(activity, AMA, by=staff)


def test_an_empty_program_cannot_be_designated(accredited, activity, staff):
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, AMA, by=staff)
    assert "no time that carries credit" in exc.value.messages[0]


# --- in advance only [M3] -------------------------------------------------------------------


@pytest.fixture
def started(accredited):
    # Started yesterday (in any time zone), ends tomorrow.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    activity = ActivityFactory(
        provider=accredited,
        slug="running",
        start_date=yesterday,
        end_date=yesterday + dt.timedelta(days=2),
    )
    day_one(activity, day=yesterday)
    return activity


def test_no_new_designation_once_the_activity_has_started(started, staff):
    with pytest.raises(ValidationError) as exc:
        services.designate(started, AMA, by=staff)
    assert "designated in advance" in exc.value.messages[0]


def test_after_the_start_a_designation_is_lowered_but_never_raised(started, staff):
    d = Designation.objects.create(
        activity=started,
        credit_type=AMA,
        computed_maximum=Decimal("7.00"),
        computed_minutes=420,
        maximum=Decimal("6.00"),
        lowered_reason="Shorter.",
        designated_by=staff,
        designated_at=timezone.now() - dt.timedelta(days=30),
    )
    with pytest.raises(ValidationError) as exc:
        services.designate(started, AMA, by=staff)
    assert "only up to the 6.00 designated in advance" in errors(exc.value)["maximum"][0]
    lowered = services.designate(
        started, AMA, by=staff, maximum="5.00", lowered_reason="A session was cancelled."
    )
    assert lowered.pk == d.pk and lowered.maximum == Decimal("5.00")
    # The designation keeps the time it was made, in advance.
    assert lowered.designated_at == d.designated_at


# --- recompute ------------------------------------------------------------------------------


def test_recompute_lowers_a_maximum_the_program_no_longer_supports(accredited, activity, staff):
    sessions = day_one(activity)
    services.designate(activity, AMA, by=staff)
    sessions["closing"].delete()  # 105 minutes fewer: 315 minutes, 5.25
    before = version(activity)
    changed = services.recompute(activity)
    d = Designation.objects.get()
    assert (d.maximum, d.computed_maximum, d.computed_minutes) == (
        Decimal("5.25"),
        Decimal("5.25"),
        315,
    )
    assert [c.lowered for c in changed] == [True]
    entry = AuditEntry.objects.get(action="credit.recompute")
    assert entry.actor is None and entry.actor_repr == "system"
    assert "now supports 5.25" in entry.note and "instead of 7.00" in entry.note
    assert version(activity) == before + 1
    assert services.designations_for_page(activity)[0][1][1] == AMA_STATEMENT.format(n="5.25")


def test_recompute_keeps_the_maximum_when_the_program_grows(accredited, activity, staff):
    day_one(activity)
    services.designate(activity, AMA, by=staff)
    breakouts(activity)
    before = version(activity)
    services.recompute(activity)
    d = Designation.objects.get()
    assert (d.maximum, d.computed_maximum) == (Decimal("7.00"), Decimal("8.50"))
    # Nothing learners see changed.
    assert version(activity) == before


def test_a_program_change_recomputes_once_committed(
    accredited, activity, staff, django_capture_on_commit_callbacks
):
    sessions = day_one(activity)
    services.designate(activity, AMA, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        session = sessions["closing"]
        session.end = session.start + dt.timedelta(minutes=45)  # 60 minutes fewer: 360, 6.00
        session.save()
    assert Designation.objects.get().maximum == Decimal("6.00")


# --- withdraw -------------------------------------------------------------------------------


def test_withdraw_needs_a_reason_and_no_claims(accredited, activity, staff, learner):
    day_one(activity)
    d = services.designate(activity, AMA, by=staff)
    with pytest.raises(ValidationError):
        services.withdraw(d, by=staff, reason=" ")
    claim = Claim.objects.create(
        activity=activity,
        person=learner,
        designation=d,
        credit_type=AMA,
        status=ClaimStatus.WITHDRAWN,
        measured_minutes=60,
        amount=Decimal("1.00"),
        attested_at=timezone.now(),
        attestation="I attended.",
        created=timezone.now(),
    )
    with pytest.raises(ValidationError) as exc:
        services.withdraw(d, by=staff, reason="Not offered after all.")
    assert "Learners have claimed" in exc.value.messages[0]
    claim.delete()
    services.withdraw(d, by=staff, reason="Not offered after all.")
    assert not Designation.objects.exists()
    entry = AuditEntry.objects.get(action="credit.withdraw")
    assert entry.before["maximum"] == "7.00" and entry.note == "Not offered after all."


# --- statements -----------------------------------------------------------------------------


def test_statements_use_the_exact_ama_wording(accredited, activity, staff):
    day_one(activity)
    services.designate(activity, AMA, by=staff)
    [(_designation, said)] = services.designations_for_page(activity)
    assert said == [ACCME_STATEMENT, AMA_STATEMENT.format(n="7.00")]
    [block] = services.statement_blocks(activity)
    assert block.heading == "AMA PRA Category 1 Credit™"
    accreditation, designated = block.paragraphs
    assert [p.text for p in accreditation] == [ACCME_STATEMENT]
    assert [p.text for p in designated] == [
        "American College of Practitioners designates this live activity for a maximum of 7.00 ",
        "AMA PRA Category 1 Credits™",
        ". Physicians should claim only the credit commensurate with the extent of their "
        "participation in the activity.",
    ]
    assert [p.em for p in designated] == [False, True, False]


# --- other credit types, where their rules are registered -----------------------------------


def _rule_where(test):
    found = next((r for r in REGISTRY.values() if test(r)), None)
    if found is None:
        pytest.skip("no such credit type is registered yet")
    return found


def test_moc_needs_a_board_from_the_abms_list(provider, activity, staff):
    moc = _rule_where(lambda r: r.per_board)
    for accreditor in sorted(moc.accreditors)[:1]:
        accredit(provider, accreditor)
    switch_on(provider, moc.code)
    day_one(activity)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, moc.code, by=staff)
    assert "board" in errors(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, moc.code, by=staff, board="ABXYZ")
    assert "board" in errors(exc.value)
    d = services.designate(activity, moc.code, by=staff, board="ABIM")
    assert d.board == "ABIM"


def test_a_board_is_refused_for_a_type_not_designated_per_board(accredited, activity, staff):
    day_one(activity)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, AMA, by=staff, board="ABIM")
    assert "board" in errors(exc.value)


def test_a_malformed_uan_is_refused(provider, activity, staff):
    acpe = _rule_where(services.needs_uan)
    accredit(provider, "ACPE", identifier="0798")
    switch_on(provider, acpe.code, identifier="0798")
    day_one(activity)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, acpe.code, by=staff)
    assert "uan" in errors(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, acpe.code, by=staff, uan="0798-0000-27-001-L04-X")
    assert "uan" in errors(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, acpe.code, by=staff, uan="0123-0000-27-001-L04-P")
    assert "0798" in " ".join(errors(exc.value)["uan"])


# --- the claim window -----------------------------------------------------------------------


def test_claims_open_by_default_when_the_last_credit_session_ends(activity, staff):
    sessions = day_one(activity)
    made = setup.get_setup(activity)
    assert made.claims_open_at == sessions["closing"].end
    assert made.evaluation_required is True


def test_the_claim_window_closes_after_it_opens_and_is_audited(activity, staff):
    day_one(activity)
    opens = at(activity.end_date, 18)
    with pytest.raises(ValidationError) as exc:
        setup.set_claim_window(
            activity, by=staff, claims_open_at=opens, claims_close_at=opens - dt.timedelta(hours=1)
        )
    assert "claims_close_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        setup.set_claim_window(
            activity,
            by=staff,
            claims_open_at=at(activity.start_date - dt.timedelta(days=1), 7),
            claims_close_at=None,
        )
    assert "claims_open_at" in exc.value.message_dict
    closes = opens + dt.timedelta(days=60)
    saved = setup.set_claim_window(
        activity, by=staff, claims_open_at=opens, claims_close_at=closes, evaluation_required=False
    )
    assert (saved.claims_open_at, saved.claims_close_at, saved.evaluation_required) == (
        opens,
        closes,
        False,
    )
    assert CreditSetup.objects.get(activity=activity).pk == saved.pk
    entry = AuditEntry.objects.get(action="credit.claim_window")
    assert entry.after["evaluation_required"] is False
    assert setup.window(activity) == (opens, closes)


def test_a_claim_window_saved_by_the_system_is_recorded_as_such(activity):
    day_one(activity)
    setup.set_claim_window(activity, by=None, claims_open_at=None, claims_close_at=None)
    assert AuditEntry.objects.get(action="credit.claim_window").actor_repr == "system"


def test_an_accreditation_statement_shared_by_two_types_is_printed_once(
    accredited, activity, staff
):
    moc = _rule_where(lambda r: r.per_board and "ACCME" in r.accreditors)
    switch_on(activity.provider, moc.code)
    day_one(activity)
    services.designate(activity, AMA, by=staff)
    services.designate(activity, moc.code, by=staff, board="ABIM")
    ama_block, moc_block = services.statement_blocks(activity)
    assert [p.text for p in ama_block.paragraphs[0]] == [ACCME_STATEMENT]
    assert len(moc_block.paragraphs) == 1
    assert "ABIM" in moc_block.heading


def test_a_jointly_accredited_provider_shows_the_joint_accreditation_statement(db):
    """JA providers print the JA statement for the credit JA covers [J3][J1]."""
    import datetime as dt

    from cmeconf.credits import statements
    from cmeconf.credits.models import Designation
    from cmeconf.providers.models import Accreditation
    from tests.factories import ActivityFactory, ProviderFactory, UserFactory

    provider = ProviderFactory(name="Lakeside Health")
    activity = ActivityFactory(
        provider=provider, start_date=dt.date(2030, 1, 5), end_date=dt.date(2030, 1, 5)
    )
    designation = Designation.objects.create(
        activity=activity,
        credit_type="AMA_PRA_1",
        computed_maximum=2,
        maximum=2,
        designated_by=UserFactory(),
        designated_at=dt.datetime(2029, 12, 1, tzinfo=dt.UTC),
    )
    plain = statements.statements(designation)
    assert plain[0].startswith("Lakeside Health is accredited by the Accreditation Council")
    Accreditation.objects.create(provider=provider, accreditor="JA", identifier="JA0001")
    joint = statements.statements(designation)
    assert joint[0] == (
        "In support of improving patient care, Lakeside Health is jointly accredited by the "
        "ACCME, ACPE, and ANCC, to provide continuing education for the healthcare team."
    )
    assert joint[1] == plain[1]


# --- review fixes: the maximum in advance, claims above a lowered maximum, huge numbers ------


def _claim(activity, designation, person, amount: str, minutes: int = 420) -> Claim:
    return Claim.objects.create(
        activity=activity,
        person=person,
        designation=designation,
        credit_type=designation.credit_type,
        status=ClaimStatus.CLAIMED,
        measured_minutes=minutes,
        amount=Decimal(amount),
        attested_at=timezone.now(),
        attestation="I attended.",
        created=timezone.now(),
    )


def test_designating_in_advance_records_the_highest_maximum(accredited, activity, staff):
    day_one(activity)
    d = services.designate(activity, AMA, by=staff)
    assert d.advance_maximum == Decimal("7.00")
    # Lowered in advance: the highest maximum designated before the start stays [M3].
    d = services.designate(activity, AMA, by=staff, maximum="6.00", lowered_reason="Shorter.")
    assert (d.maximum, d.advance_maximum) == (Decimal("6.00"), Decimal("7.00"))


@pytest.mark.parametrize("maximum", ["1e30", "9" * 40, Decimal("1E+50"), "Infinity", "-1e30"])
def test_a_huge_or_infinite_maximum_is_a_validation_error(accredited, activity, staff, maximum):
    day_one(activity)
    with pytest.raises(ValidationError) as exc:
        services.designate(activity, AMA, by=staff, maximum=maximum, lowered_reason="x")
    assert errors(exc.value)["maximum"]
    assert not Designation.objects.exists()


def test_lowering_below_live_claims_is_refused_with_the_count(started, staff, learner):
    d = services.Designation.objects.create(
        activity=started,
        credit_type=AMA,
        computed_maximum=Decimal("7.00"),
        computed_minutes=420,
        maximum=Decimal("7.00"),
        advance_maximum=Decimal("7.00"),
        designated_by=staff,
        designated_at=timezone.now() - dt.timedelta(days=30),
    )
    from tests.factories import UserFactory

    _claim(started, d, learner, "6.50")
    _claim(started, d, UserFactory(), "6.00")
    _claim(started, d, UserFactory(), "4.00")
    withdrawn = _claim(started, d, UserFactory(), "7.00")
    withdrawn.status = ClaimStatus.WITHDRAWN
    withdrawn.save()
    with pytest.raises(ValidationError) as exc:
        services.designate(started, AMA, by=staff, maximum="5.00", lowered_reason="Cancelled.")
    message = errors(exc.value)["maximum"][0]
    assert "2 learners' claims are above 5.00" in message
    assert "Claims page" in message
    d.refresh_from_db()
    assert d.maximum == Decimal("7.00")
    # Down to the highest live claim is allowed.
    services.designate(started, AMA, by=staff, maximum="6.50", lowered_reason="Cancelled.")
    d.refresh_from_db()
    assert d.maximum == Decimal("6.50")


def test_a_program_change_lowers_claims_above_the_new_maximum(
    accredited, activity, staff, learner, settings, tmp_path
):
    """A claim never exceeds the designated maximum [M3][M6]: the system corrects it."""
    from cmeconf.credits import certificates
    from cmeconf.credits.models import ClaimCorrection

    settings.MEDIA_ROOT = tmp_path
    sessions = day_one(activity)
    d = services.designate(activity, AMA, by=staff)
    high = _claim(activity, d, learner, "7.00")
    high.sessions = {str(sessions["opening"].pk): 120}
    high.save()
    first = certificates.issue_certificate(high, by=None)
    from tests.factories import UserFactory

    low = _claim(activity, d, UserFactory(), "2.00", minutes=120)
    sessions["closing"].delete()  # 315 minutes: 5.25
    services.recompute(activity)
    d.refresh_from_db()
    high.refresh_from_db()
    low.refresh_from_db()
    assert d.maximum == Decimal("5.25")
    assert high.amount == Decimal("5.25")
    assert high.sessions == {str(sessions["opening"].pk): 120}  # the minutes stay as claimed
    assert low.amount == Decimal("2.00")
    correction = ClaimCorrection.objects.get(claim=high)
    assert (correction.before_amount, correction.after_amount) == (
        Decimal("7.00"),
        Decimal("5.25"),
    )
    assert "The program changed: the designated maximum is now 5.25." in correction.reason
    assert correction.corrected_by is None  # the platform, not a person
    entry = AuditEntry.objects.get(action="credit.claim_corrected")
    assert entry.actor is None and entry.actor_repr == "system"
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert certificates.current_certificate(high).pk != first.pk
    assert not ClaimCorrection.objects.filter(claim=low).exists()


def test_a_lowering_by_a_program_edit_after_the_start_can_be_undone(started, staff):
    sessions = Activity.objects.get(pk=started.pk).sessions.all()
    closing = sessions.get(title="Closing lectures")
    d = services.Designation.objects.create(
        activity=started,
        credit_type=AMA,
        computed_maximum=Decimal("7.00"),
        computed_minutes=420,
        maximum=Decimal("7.00"),
        designated_by=staff,
        designated_at=timezone.now() - dt.timedelta(days=30),
    )  # made before advance_maximum was kept: the maximum stands for it
    closing.credit_eligible = False
    closing.save()
    services.recompute(started)
    d.refresh_from_db()
    assert (d.maximum, d.advance_maximum) == (Decimal("5.25"), Decimal("7.00"))
    closing.credit_eligible = True  # the mistake is put right
    closing.save()
    services.recompute(started)
    d.refresh_from_db()
    assert (d.maximum, d.computed_maximum) == (Decimal("5.25"), Decimal("7.00"))
    services.designate(started, AMA, by=staff)
    d.refresh_from_db()
    assert (d.maximum, d.advance_maximum) == (Decimal("7.00"), Decimal("7.00"))
    entry = AuditEntry.objects.filter(action="credit.designation_changed").latest("pk")
    assert entry.after["maximum"] == "7.00"


def test_after_the_start_never_above_what_was_designated_in_advance(started, staff):
    d = services.Designation.objects.create(
        activity=started,
        credit_type=AMA,
        computed_maximum=Decimal("5.25"),
        computed_minutes=315,
        maximum=Decimal("5.25"),
        advance_maximum=Decimal("6.00"),
        designated_by=staff,
        designated_at=timezone.now() - dt.timedelta(days=30),
    )
    # The program supports 7.00 now, but 6.00 was designated in advance [M3].
    with pytest.raises(ValidationError) as exc:
        services.designate(started, AMA, by=staff)
    assert "only up to the 6.00 designated in advance" in errors(exc.value)["maximum"][0]
    services.designate(started, AMA, by=staff, maximum="6.00", lowered_reason="As announced.")
    d.refresh_from_db()
    assert (d.maximum, d.advance_maximum) == (Decimal("6.00"), Decimal("6.00"))


def test_a_designation_keeps_the_0_25_minimum(accredited, activity, staff):
    """Worked example 4 belongs to the designation: 10 minutes -> 0.25 [M1][M2]."""
    SessionFactory(
        activity=activity,
        start=at(activity.start_date, 9),
        end=at(activity.start_date, 9, 5),
    )
    assert services.compute(activity, AMA) == (Decimal("0.25"), 5)
