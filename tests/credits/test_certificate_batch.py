"""The certificate batch: issues every missing certificate, in chunks, with progress, once."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from cmeconf.common.models import AuditEntry
from cmeconf.credits import certificate_batch, certificates
from cmeconf.credits.models import BatchStatus, Certificate, CertificateBatch, ClaimStatus
from tests.credits.certificate_fixtures import designate, make_claim
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def designation(activity, admin_user):
    return designate(activity, admin_user)


@pytest.fixture
def claims(designation):
    return [make_claim(designation) for _ in range(5)]


def run(activity, by, capture) -> CertificateBatch:
    with capture(execute=True):
        batch = certificate_batch.start_batch(activity, by=by)
    batch.refresh_from_db()
    return batch


def test_the_batch_issues_a_certificate_for_every_live_claim(
    activity, admin_user, claims, designation, django_capture_on_commit_callbacks
):
    withdrawn = make_claim(designation, status=ClaimStatus.WITHDRAWN)
    batch = run(activity, admin_user, django_capture_on_commit_callbacks)
    assert batch.status == BatchStatus.DONE and batch.finished_at
    assert (batch.total, batch.done, batch.issued) == (5, 5, 5)
    assert {c.claim_id for c in Certificate.objects.all()} == {c.pk for c in claims}
    assert not Certificate.objects.filter(claim=withdrawn).exists()
    assert all(certificates.current_certificate(c) for c in claims)
    assert all(c.file.name.endswith(".pdf") for c in Certificate.objects.all())
    actions = list(
        AuditEntry.objects.filter(action__startswith="credits.certificate_batch").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "credits.certificate_batch_done",
        "credits.certificate_batch_started",
    ]
    assert AuditEntry.objects.filter(action="credits.certificate_issued").count() == 5


def test_running_again_issues_nothing_twice(
    activity, admin_user, claims, designation, django_capture_on_commit_callbacks
):
    run(activity, admin_user, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="has its certificate already"):
        certificate_batch.start_batch(activity, by=admin_user)
    # A later claim, and a revoked certificate: only the new claim gets one.
    revoked = Certificate.objects.first()
    certificates.revoke_certificate(revoked, reason="Not attended", by=admin_user)
    late = make_claim(designation)
    batch = run(activity, admin_user, django_capture_on_commit_callbacks)
    assert (batch.total, batch.issued) == (1, 1)
    assert Certificate.objects.count() == 6
    assert Certificate.objects.filter(claim=late).count() == 1
    assert Certificate.objects.filter(claim=revoked.claim).count() == 1


def test_chunks_share_the_work_and_the_last_one_finishes(activity, admin_user, claims):
    batch = CertificateBatch.objects.create(
        activity=activity,
        requested_by=admin_user,
        created=timezone.now(),
        status=BatchStatus.QUEUED,
    )
    chunks = certificate_batch.plan_batch(batch.pk, chunk=2)
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert sorted(i for c in chunks for i in c) == sorted(c.pk for c in claims)
    # Planned once: a second plan (a retried task) finds the batch running and plans nothing.
    assert certificate_batch.plan_batch(batch.pk) == []
    # Chunks finish in any order (two workers); progress adds up.
    assert certificate_batch.run_chunk(batch.pk, chunks[2]) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.issued) == (BatchStatus.RUNNING, 1, 1)
    assert certificate_batch.run_chunk(batch.pk, chunks[0]) == 2
    # The same chunk delivered twice issues nothing more, but its claims still count as done.
    assert certificate_batch.run_chunk(batch.pk, chunks[0]) == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE  # done (5) reached total (5)
    assert certificate_batch.run_chunk(batch.pk, chunks[1]) == 0  # the batch is over
    assert Certificate.objects.count() == 3


def test_progress_is_written_as_the_chunk_goes(activity, admin_user, designation, monkeypatch):
    monkeypatch.setattr(certificate_batch, "PROGRESS_EVERY", 2)
    claims = [make_claim(designation) for _ in range(5)]
    batch = CertificateBatch.objects.create(
        activity=activity,
        requested_by=admin_user,
        created=timezone.now(),
        status=BatchStatus.QUEUED,
    )
    seen = []
    real = certificates.issue_if_missing

    def watch(claim_id, **kwargs):
        seen.append(CertificateBatch.objects.get(pk=batch.pk).done)
        return real(claim_id, **kwargs)

    monkeypatch.setattr(certificate_batch, "issue_if_missing", watch)
    (chunk,) = certificate_batch.plan_batch(batch.pk)
    certificate_batch.run_chunk(batch.pk, chunk)
    assert seen == [0, 0, 2, 2, 4]
    batch.refresh_from_db()
    assert (batch.done, batch.issued, batch.status) == (5, 5, BatchStatus.DONE)
    assert len(claims) == 5


def test_a_failure_marks_the_batch_failed_with_a_plain_message(
    activity, admin_user, claims, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker
    batch = run(activity, admin_user, django_capture_on_commit_callbacks)
    assert batch.status == BatchStatus.FAILED and batch.finished_at
    assert "server log" in batch.error and "start the batch again" in batch.error
    assert str(tmp_path) not in batch.error and "Traceback" not in batch.error
    assert AuditEntry.objects.filter(action="credits.certificate_batch_failed").count() == 1
    # Nothing half-issued stays behind: the failed certificate rolled back.
    assert Certificate.objects.count() == batch.issued == 0
    # Once storage works again a new batch issues them all.
    settings.MEDIA_ROOT = tmp_path / "media"
    batch = run(activity, admin_user, django_capture_on_commit_callbacks)
    assert (batch.status, batch.issued) == (BatchStatus.DONE, 5)


def test_only_the_credit_team_starts_a_batch(activity, provider, claims, learner):
    registration_only = UserFactory()
    TeamFactory(provider=provider, members=[registration_only], permissions=["registration"])
    for who in (learner, registration_only, None):
        with pytest.raises(PermissionDenied):
            certificate_batch.start_batch(activity, by=who)
    assert not CertificateBatch.objects.exists()


def test_one_batch_at_a_time_and_a_stale_one_is_replaced(activity, admin_user, claims):
    first = certificate_batch.start_batch(activity, by=admin_user)  # queued: on_commit not run
    with pytest.raises(ValidationError, match="already being issued"):
        certificate_batch.start_batch(activity, by=admin_user)
    CertificateBatch.objects.filter(pk=first.pk).update(
        created=timezone.now() - dt.timedelta(hours=2)
    )
    second = certificate_batch.start_batch(activity, by=admin_user)
    first.refresh_from_db()
    assert first.status == BatchStatus.FAILED and "replaced" in first.error
    assert second.status == BatchStatus.QUEUED and second.total == 5


def test_the_batch_state_for_the_page(
    activity, admin_user, claims, django_capture_on_commit_callbacks
):
    batch = run(activity, admin_user, django_capture_on_commit_callbacks)
    state = certificate_batch.batch_state(batch)
    assert state["finished"] is True
    assert state["text"] == "Ready: 5 of 5 (5 issued)"


POSTGRES = connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="row locks under real concurrency: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_claims_issue_each_certificate_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    provider = ProviderFactory()
    admin = UserFactory()
    TeamFactory(provider=provider, members=[admin])
    activity = ActivityFactory(provider=provider)
    designation = designate(activity, admin)
    claims = [make_claim(designation) for _ in range(12)]
    batch = CertificateBatch.objects.create(
        activity=activity, requested_by=admin, created=timezone.now(), status=BatchStatus.QUEUED
    )
    (chunk,) = certificate_batch.plan_batch(batch.pk)

    def work(ids):
        try:
            return certificate_batch.run_chunk(batch.pk, ids)
        finally:
            connections.close_all()

    # Two deliveries of the same chunk (a retried task), one of them backwards.
    with ThreadPoolExecutor(max_workers=2) as pool:
        issued = list(pool.map(work, [chunk, list(reversed(chunk))]))
    assert sum(issued) == 12
    assert Certificate.objects.count() == 12
    assert set(Certificate.objects.values_list("claim_id", flat=True)) == {c.pk for c in claims}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.issued == 12
