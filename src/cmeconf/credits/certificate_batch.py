"""The certificate batch: a certificate for every live claim of an activity that has none.

`start_batch` records a QUEUED CertificateBatch and, after commit, queues the
task `tasks.plan_certificate_batch`. That task decides which claims still need
a certificate, sets the batch's total and queues one task per chunk of claims,
so that several worker processes share the work. Each chunk adds what it did to
the batch's counters (`done`, `issued`) with an atomic update after every few
certificates: the staff page shows progress from those counts. The chunk that
brings `done` to `total` marks the batch DONE.

Idempotent: a claim gets a certificate only if none stands (issue_if_missing),
so a batch run twice, or two chunks racing, never issue twice. A claim whose
certificate was revoked is left alone. An exception marks the batch FAILED with
a plain message (the details go to the server log, not to the page); running a
new batch issues the rest.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity
from cmeconf.common import audit
from cmeconf.credits.certificates import IssueContext, issue_if_missing, may_manage
from cmeconf.credits.models import BatchStatus, Certificate, CertificateBatch, Claim, ClaimStatus

logger = logging.getLogger(__name__)

CHUNK = 250
# Progress is written after this many claims of a chunk.
PROGRESS_EVERY = 25
STALE_AFTER = dt.timedelta(hours=1)
UNFINISHED = (BatchStatus.QUEUED, BatchStatus.RUNNING)


def claims_without_certificate(activity) -> QuerySet[Claim]:
    """Live claims with no certificate standing (a revoked one stands: it is not reissued)."""
    standing = Certificate.objects.filter(claim=OuterRef("pk"), superseded_at__isnull=True)
    return (
        Claim.objects.filter(activity=activity, status=ClaimStatus.CLAIMED)
        .exclude(Exists(standing))
        .order_by("person__last_name", "person__first_name", "id")
    )


def _record(action: str, batch: CertificateBatch, *, by, after: dict, note: str = "") -> None:
    audit.record(
        action,
        actor=by,
        obj=batch,
        provider_id=batch.activity.provider_id,
        activity_id=batch.activity_id,
        after=after,
        note=note,
    )


def _fail(batch: CertificateBatch, message: str) -> None:
    updated = CertificateBatch.objects.filter(pk=batch.pk, status__in=UNFINISHED).update(
        status=BatchStatus.FAILED, error=message, finished_at=timezone.now()
    )
    if updated:
        batch.refresh_from_db()
        _record(
            "credits.certificate_batch_failed",
            batch,
            by=None,
            after={"done": batch.done, "issued": batch.issued, "total": batch.total},
            note=message,
        )


def running_batch(activity) -> CertificateBatch | None:
    """The activity's unfinished batch, if one is still alive."""
    cutoff = timezone.now() - STALE_AFTER
    return (
        CertificateBatch.objects.filter(
            activity=activity, status__in=UNFINISHED, created__gte=cutoff
        )
        .order_by("-created")
        .first()
    )


def start_batch(activity, *, by, now: dt.datetime | None = None) -> CertificateBatch:
    """Queue the issuing of every missing certificate of the activity.

    Staff with the credit permission only. Refused while another batch of the
    activity is unfinished, and when every live claim has its certificate.
    Side effects: a QUEUED CertificateBatch, audit "credits.certificate_batch_started",
    the task after commit; stale unfinished batches are marked FAILED.
    """
    if by is None or not may_manage(by, activity):
        raise PermissionDenied(_("Only the credit team of this activity may issue certificates."))
    now = now or timezone.now()
    with transaction.atomic():
        # The activity row serialises two clicks on "issue certificates".
        Activity.objects.select_for_update().get(pk=activity.pk)
        for old in CertificateBatch.objects.select_for_update().filter(
            activity=activity, status__in=UNFINISHED
        ):
            if old.created >= now - STALE_AFTER:
                raise ValidationError(
                    _("Certificates are already being issued for this activity; wait until done.")
                )
            _fail(old, _("Stopped without finishing; replaced by a new batch."))
        total = claims_without_certificate(activity).count()
        if total == 0:
            raise ValidationError(_("Every claim of this activity has its certificate already."))
        batch = CertificateBatch.objects.create(
            activity=activity, requested_by=by, created=now, status=BatchStatus.QUEUED, total=total
        )
        _record("credits.certificate_batch_started", batch, by=by, after={"total": total})

        def queue() -> None:
            # Imported here: the tasks module imports this one.
            from cmeconf.credits.tasks import plan_certificate_batch

            plan_certificate_batch.delay(batch.pk)

        transaction.on_commit(queue)
    return batch


def plan_batch(batch_id: int, *, chunk: int = CHUNK) -> list[list[int]]:
    """Mark the batch RUNNING, fix its total, and split the claims to do into chunks.

    Who gets a certificate is decided now, not when the batch was queued. Returns
    the chunks (claim ids); the task queues one job per chunk.
    """
    with transaction.atomic():
        batch = (
            CertificateBatch.objects.select_for_update(of=("self",))
            .select_related("activity")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.status != BatchStatus.QUEUED:
            return []
        ids = list(claims_without_certificate(batch.activity).values_list("pk", flat=True))
        batch.status = BatchStatus.RUNNING
        batch.total, batch.done, batch.issued = len(ids), 0, 0
        if not ids:
            batch.status = BatchStatus.DONE
            batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "total", "done", "issued", "finished_at"])
    if not ids:
        _record("credits.certificate_batch_done", batch, by=None, after={"issued": 0, "total": 0})
        return []
    return [ids[i : i + chunk] for i in range(0, len(ids), chunk)]


def _add_progress(batch: CertificateBatch, done: int, issued: int) -> None:
    if done:
        CertificateBatch.objects.filter(pk=batch.pk).update(
            done=F("done") + done, issued=F("issued") + issued
        )


def _finish_if_complete(batch: CertificateBatch) -> None:
    finished = CertificateBatch.objects.filter(
        pk=batch.pk, status=BatchStatus.RUNNING, done__gte=F("total")
    ).update(status=BatchStatus.DONE, finished_at=timezone.now())
    if finished:  # exactly one chunk gets here
        batch.refresh_from_db()
        _record(
            "credits.certificate_batch_done",
            batch,
            by=None,
            after={"issued": batch.issued, "total": batch.total},
        )


def run_chunk(batch_id: int, claim_ids: list[int]) -> int:
    """Issue the certificates of these claims that are still missing; returns how many.

    Runs in the task queue, possibly beside other chunks of the same batch.
    """
    batch = (
        CertificateBatch.objects.select_related("activity__provider").filter(pk=batch_id).first()
    )
    if batch is None or batch.status != BatchStatus.RUNNING:
        return 0
    context = IssueContext.of(batch.activity)
    done = issued = total_issued = 0
    try:
        for claim_id in claim_ids:
            if issue_if_missing(claim_id, context=context) is not None:
                issued += 1
            done += 1
            if done == PROGRESS_EVERY:
                _add_progress(batch, done, issued)
                total_issued += issued
                done = issued = 0
                if CertificateBatch.objects.filter(pk=batch.pk, status=BatchStatus.FAILED).exists():
                    return total_issued
    except Exception:  # the staff page must learn of any failure; the log gets the details
        logger.exception("certificate batch %s failed", batch_id)
        _add_progress(batch, done, issued)
        _fail(
            batch,
            _(
                "An unexpected error stopped the batch; the details are in the server log. "
                "Certificates issued so far are valid: start the batch again to issue the rest."
            ),
        )
        return total_issued + issued
    _add_progress(batch, done, issued)
    _finish_if_complete(batch)
    return total_issued + issued


def batch_state(batch: CertificateBatch) -> dict:
    """What the staff page and its polling script show of a batch."""
    return {
        "id": batch.pk,
        "status": batch.status,
        "label": batch.get_status_display(),
        "text": _("%(status)s: %(done)s of %(total)s (%(issued)s issued)")
        % {
            "status": batch.get_status_display(),
            "done": batch.done,
            "total": batch.total,
            "issued": batch.issued,
        },
        "done": batch.done,
        "total": batch.total,
        "issued": batch.issued,
        "finished": batch.status not in UNFINISHED,
        "error": batch.error,
    }
