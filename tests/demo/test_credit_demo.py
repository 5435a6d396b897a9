"""The demo's credit and evaluation data, built small, through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cmeconf.accounts.models import User
from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.models import AttendanceInterval
from cmeconf.common.models import AuditEntry
from cmeconf.credits import claims as claim_svc
from cmeconf.credits import designation as designation_svc
from cmeconf.credits import setup as credit_setup
from cmeconf.credits.models import Certificate, Claim, ClaimStatus, Designation
from cmeconf.demo import credit as demo_credit
from cmeconf.demo import generator
from cmeconf.demo import vocabulary as v
from cmeconf.evaluations import gate
from cmeconf.evaluations.models import (
    EvaluationAnswer,
    EvaluationForm,
    EvaluationResponse,
    FormKind,
    StandardQuestion,
)

SMALL = generator.Sizes(sessions=40, faculty=30, learners=200)


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    # Certificates are issued when each claim commits, as in `make demo`.
    with django_capture_on_commit_callbacks(execute=True):
        result = generator.generate(sizes=SMALL)
    return result


def past(result):
    return result.provider.activities.get(slug=demo_credit.fall_slug())


def login(key: str) -> User:
    return User.objects.get(email=next(x.email for x in v.LOGINS if x.key == key))


def test_fall_date_is_a_friday_in_the_last_october_that_has_passed():
    assert demo_credit.fall_date(dt.date(2026, 11, 27)) == dt.date(2026, 10, 16)
    assert demo_credit.fall_date(dt.date(2027, 10, 30)) == dt.date(2026, 10, 16)
    assert demo_credit.fall_date(dt.date(2027, 11, 1)) == dt.date(2027, 10, 15)
    assert demo_credit.fall_date(dt.date(2027, 11, 1)).weekday() == 4


def test_provider_switches_on_the_types_its_accreditations_allow(demo):
    provider = demo.provider
    enabled = set(provider.credit_types.filter(enabled=True).values_list("credit_type", flat=True))
    assert enabled == {"AMA_PRA_1", "ABMS_MOC", "ANCC", "ACPE", "AAPA_1", "PARTICIPATION"}
    assert "AAPA" in set(provider.accreditations.values_list("accreditor", flat=True))
    assert provider.credit_types.get(credit_type="ACPE").identifier == "0836"


def test_annual_meeting_designations_are_computed_from_its_program(demo):
    annual = demo.activity
    found = {(d.credit_type, d.board): d for d in Designation.objects.filter(activity=annual)}
    assert {"AMA_PRA_1", "ANCC", "ACPE", "AAPA_1"} <= {code for code, _b in found}
    assert ("ABMS_MOC", "ABIM") in found
    ama = found[("AMA_PRA_1", "")]
    computed, minutes = designation_svc.compute(annual, "AMA_PRA_1")
    assert (ama.maximum, ama.computed_maximum, ama.computed_minutes) == (
        computed,
        computed,
        minutes,
    )
    assert ama.maximum > 0 and ama.designated_at.date() < annual.start_date
    assert found[("ACPE", "")].uan == demo_credit.ANNUAL_UAN
    assert found[("AAPA_1", "")].approval_pending is True
    # The claim window default is written, and the forms are there.
    setup = credit_setup.get_setup(annual)
    assert setup.claims_open_at == credit_setup.default_open_at(annual)
    assert setup.claims_close_at is None and setup.evaluation_required
    kinds = sorted(EvaluationForm.objects.filter(activity=annual).values_list("kind", flat=True))
    assert kinds == sorted([FormKind.ACTIVITY, FormKind.SESSION, FormKind.FOLLOW_UP])


def test_past_meeting_is_worked_example_six(demo):
    """08:00-17:00 less breaks, lunch and the industry slot, breakouts once: 420 min [M1]."""
    fall = past(demo)
    assert fall.end_date < dt.date.today()
    ama = Designation.objects.get(activity=fall, credit_type="AMA_PRA_1")
    assert (ama.computed_minutes, ama.maximum) == (420, Decimal("7.00"))
    # Designated in advance [M3], and the audit trail says so.
    assert ama.designated_at < fall.local_bounds()[0]
    entry = AuditEntry.objects.get(action="credit.designate", object_id=str(ama.pk))
    assert "before the activity" in entry.note
    assert Designation.objects.get(activity=fall, credit_type="ACPE").uan.endswith("-L01-P")


def test_past_claims_never_exceed_attendance_or_the_maximum(demo):
    fall = past(demo)
    claims = list(Claim.objects.filter(activity=fall, status=ClaimStatus.CLAIMED))
    assert len(claims) >= 10
    below = 0
    for claim in claims:
        measured = claim_svc.measure(claim)
        assert claim.amount <= measured.supported <= claim.designation.maximum
        assert claim.amount >= measured.least > 0
        assert claim.measured_minutes == measured.minutes
        below += claim.amount < measured.supported
        # Every claimant evaluated first (the setup requires it) [E3][B3].
        assert gate.evaluation_done(fall, claim.person)
    assert below >= 1  # some claim less than their attendance supports [M5]


def test_attendance_comes_from_scans_and_a_zoom_report(demo):
    fall = past(demo)
    sources = set(
        AttendanceInterval.objects.filter(session__activity=fall).values_list("source", flat=True)
    )
    assert {AttendanceSource.SCAN, AttendanceSource.ZOOM} <= sources
    # Nobody is counted in both breakouts of a pair at once: minutes count once [M1].
    for claim in Claim.objects.filter(activity=fall, credit_type="AMA_PRA_1"):
        assert claim.measured_minutes <= 420


def test_evaluations_vary_and_some_report_bias_with_a_comment(demo):
    fall = past(demo)
    form = EvaluationForm.objects.get(activity=fall, kind=FormKind.ACTIVITY)
    responses = EvaluationResponse.objects.filter(form=form)
    assert responses.count() >= 10
    ratings = set(
        EvaluationAnswer.objects.filter(
            response__form=form, question__standard=StandardQuestion.OBJECTIVES_MET
        ).values_list("value", flat=True)
    )
    assert len(ratings) >= 2
    no = EvaluationAnswer.objects.filter(
        response__form=form, question__standard=StandardQuestion.FREE_OF_BIAS, value="No"
    )
    assert no.exists()
    for answer in no:
        comment = EvaluationAnswer.objects.get(
            response=answer.response, question__standard=StandardQuestion.BIAS_COMMENT
        )
        assert comment.text in demo_credit.NOT_FREE_OF_BIAS
    # Submitted after the meeting, not today.
    assert all(r.submitted_at.date() < dt.date.today() for r in responses)


def test_demo_physician_attended_evaluated_claimed_and_has_certificates(demo):
    fall = past(demo)
    physician = login("physician")
    assert gate.evaluation_done(fall, physician)
    claims = {c.credit_type: c for c in Claim.objects.filter(activity=fall, person=physician)}
    assert set(claims) == {"AMA_PRA_1", "ABMS_MOC"}
    assert claims["AMA_PRA_1"].amount == Decimal("7.00")  # the whole day
    assert claims["ABMS_MOC"].board == "ABIM" and claims["ABMS_MOC"].board_id == "246810"
    for claim in claims.values():
        cert = Certificate.objects.get(claim=claim, superseded_at__isnull=True)
        assert cert.content["credit"]["awarded"] == f"{claim.amount:.2f}"
        assert cert.file.storage.exists(cert.file.name)


def test_demo_nurse_attended_but_has_not_evaluated_so_the_visitor_can(demo):
    fall = past(demo)
    nurse = login("nurse")
    options = claim_svc.claim_options(fall, nurse)
    assert options.total_minutes == 420
    assert [b.code for b in options.blockers] == ["evaluation"]
    ancc = next(o for o in options.offers if o.designation.credit_type == "ANCC")
    assert ancc.may_claim and ancc.supported > 0
    assert not Claim.objects.filter(person=nurse).exists()


def test_reset_removes_the_credit_data_too(demo):
    generator.reset_demo()
    assert not Claim.objects.exists()
    assert not Certificate.objects.exists()
    assert not EvaluationResponse.objects.exists()
    assert not User.objects.filter(email__endswith=v.DEMO_DOMAIN).exists()
