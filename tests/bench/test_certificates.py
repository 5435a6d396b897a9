"""The certificate benchmark's set-up and its ReportLab comparison, on a tiny size.

The set-up bulk-creates attendance and claims; these tests hold it to what the
real functions give (a learner's participation, the credit rule's amount), and
run the real batch over it in-process.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from bench import certificates as bench
from cmeconf.credits import certificate_batch, claims, provider_types
from cmeconf.credits.models import BatchStatus, Certificate, Claim, ClaimStatus
from cmeconf.credits.participation import learner_participation
from tests.credits.designation_fixtures import accredit
from tests.factories import SessionFactory, UserFactory, at


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def program(activity):
    """Two days: parallel sessions in the morning, a shorter one beside a longer one after."""
    day1, day2 = activity.start_date, activity.start_date + dt.timedelta(days=1)
    return [
        SessionFactory(activity=activity, start=at(day1, 9), end=at(day1, 10)),
        SessionFactory(activity=activity, start=at(day1, 9), end=at(day1, 10)),
        SessionFactory(activity=activity, start=at(day1, 10, 30), end=at(day1, 12)),
        SessionFactory(activity=activity, start=at(day1, 10, 30), end=at(day1, 11)),
        SessionFactory(activity=activity, start=at(day2, 9), end=at(day2, 10, 30)),
    ]


def test_the_set_up_gives_every_learner_attendance_and_the_claim_it_supports(
    activity, admin_user, program
):
    accredit(activity.provider)
    people = [UserFactory() for _ in range(12)]
    made = bench.prepare(activity, people, by=admin_user, seed=7)
    assert (made["claims"], made["sessions"]) == (12, 5)
    designation = made["designation"]
    assert designation.credit_type == bench.AMA and made["template"].is_default
    assert made["template"].logo and made["template"].signature
    credit_rule = provider_types.rule_of(bench.AMA)
    options = provider_types.options_for(activity.provider, bench.AMA)
    found = Claim.objects.filter(activity=activity, status=ClaimStatus.CLAIMED)
    assert found.count() == 12
    for claim in found.select_related("person"):
        # What the real measurement gives for the attendance the set-up recorded.
        real = learner_participation(activity, claim.person)
        assert claim.measured_minutes == real.minutes.total > 0
        assert claim.sessions == {str(k): v for k, v in real.by_session.items()}
        assert claim.amount == claims.supported_amount(
            credit_rule, designation, real.minutes, options
        )
        assert claim.attestation == claims.attestation_text(activity)
    # Run again: a clean slate, the same designation and template.
    again = bench.prepare(activity, people, by=admin_user, seed=7)
    assert again["designation"] == designation and again["template"] == made["template"]
    assert Claim.objects.filter(activity=activity).count() == 12


def test_the_batch_issues_a_readable_pdf_for_each_claim_of_the_set_up(
    activity, admin_user, program, django_capture_on_commit_callbacks
):
    accredit(activity.provider)
    people = [UserFactory() for _ in range(6)]
    bench.prepare(activity, people, by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch.start_batch(activity, by=admin_user)
    batch.refresh_from_db()
    assert (batch.status, batch.issued) == (BatchStatus.DONE, 6)
    files = bench.pdf_files()
    assert len(files) == Certificate.objects.count() == 6
    assert bench.check_pdfs(files) == 6


def test_the_bare_reportlab_comparison_writes_one_page_files(tmp_path):
    result = bench.baseline(3, tmp_path)
    assert (result["count"], result["files"]) == (3, 3)
    for path in tmp_path.glob("*.pdf"):
        reader = PdfReader(path)
        assert len(reader.pages) == 1
        assert "Certificate of Credit" in reader.pages[0].extract_text()
