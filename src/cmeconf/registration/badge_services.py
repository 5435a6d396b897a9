"""Badges: the batch of all badges of an activity, and reissuing a lost badge.

A batch renders in the task queue, a chunk at a time, writing its progress to
the BadgeBatch row (the staff page polls it) and the finished PDF to the default
file storage. One batch runs at a time per activity; one that has not finished
after STALE_AFTER is taken for dead (a worker that stopped) and may be replaced.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity
from cmeconf.common import audit
from cmeconf.providers.permissions import Permission, permission_set
from cmeconf.registration import badges
from cmeconf.registration.badge_tokens import reissue_badge_key
from cmeconf.registration.choices import BatchStatus, RegistrationStatus
from cmeconf.registration.models import BadgeBatch, Registration

logger = logging.getLogger(__name__)

CHUNK = 50
STALE_AFTER = dt.timedelta(hours=1)
UNFINISHED = (BatchStatus.QUEUED, BatchStatus.RUNNING)


def _check_staff(activity, by) -> None:
    if Permission.REGISTRATION not in permission_set(by, activity.provider, activity):
        raise PermissionDenied(_("Only the registration team of this activity may do this."))


def _record(action: str, activity, obj, *, by, after: dict, note: str = "") -> None:
    audit.record(
        action,
        actor=by,
        obj=obj,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        after=after,
        note=note,
    )


def _fail(batch: BadgeBatch, message: str, now: dt.datetime) -> None:
    batch.status = BatchStatus.FAILED
    batch.error = message
    batch.finished_at = now
    batch.save(update_fields=["status", "error", "finished_at"])
    _record(
        "badges.batch_failed",
        batch.activity,
        batch,
        by=None,
        after={"status": batch.status, "done": batch.done, "total": batch.total},
        note=message,
    )


def running_batch(activity) -> BadgeBatch | None:
    """The activity's unfinished batch, if one is still alive."""
    cutoff = timezone.now() - STALE_AFTER
    return (
        BadgeBatch.objects.filter(activity=activity, status__in=UNFINISHED, created__gte=cutoff)
        .order_by("-created")
        .first()
    )


def start_badge_batch(activity, *, by, now: dt.datetime | None = None) -> BadgeBatch:
    """Queue the making of every badge of the activity in one PDF.

    Badges go to registrations holding a seat (confirmed or awaiting payment) of an
    in-person type; virtual-only registrants are left out. Refused while another
    batch of the activity is unfinished, and when nobody gets a badge.
    Side effects: a QUEUED BadgeBatch, audit "badges.batch_started", the task after
    commit; stale unfinished batches are marked FAILED (audit "badges.batch_failed").
    """
    _check_staff(activity, by)
    now = now or timezone.now()
    with transaction.atomic():
        # The activity row serialises two "make all badges" clicks.
        Activity.objects.select_for_update().get(pk=activity.pk)
        unfinished = BadgeBatch.objects.select_for_update().filter(
            activity=activity, status__in=UNFINISHED
        )
        for old in unfinished:
            if old.created >= now - STALE_AFTER:
                raise ValidationError(
                    _("Badges are already being made for this activity; wait until they are ready.")
                )
            _fail(old, _("Stopped without finishing; replaced by a new batch."), now)
        total = badges.batch_registrations(activity).count()
        if total == 0:
            raise ValidationError(
                _("Nobody holds a seat to attend in person yet, so there is no badge to make.")
            )
        batch = BadgeBatch.objects.create(
            activity=activity, requested_by=by, created=now, status=BatchStatus.QUEUED, total=total
        )
        _record("badges.batch_started", activity, batch, by=by, after={"total": total})

        def queue() -> None:
            # Imported here: the tasks module imports this one.
            from cmeconf.registration.tasks import make_badge_batch

            make_badge_batch.delay(batch.pk)

        transaction.on_commit(queue)
    return batch


def run_badge_batch(batch_id: int, *, chunk: int = CHUNK) -> BadgeBatch:
    """Render the batch's badges, saving progress after each chunk, then store the PDF.

    Runs in the task queue. Who gets a badge is decided now, not when the batch
    was queued, so a registration cancelled meanwhile is not printed.
    Side effects: status RUNNING, then DONE with the file (audit "badges.batch_done")
    or FAILED with the error (audit "badges.batch_failed").
    """
    with transaction.atomic():
        batch = BadgeBatch.objects.select_for_update().select_related("activity").get(pk=batch_id)
        if batch.status != BatchStatus.QUEUED:
            return batch
        batch.status = BatchStatus.RUNNING
        batch.save(update_fields=["status"])
    activity = batch.activity
    try:
        ids = list(badges.batch_registrations(activity).values_list("pk", flat=True))
        if not ids:
            raise ValueError(_("nobody holds a seat to attend in person any more"))
        BadgeBatch.objects.filter(pk=batch.pk).update(total=len(ids), done=0)
        batch.total, batch.done = len(ids), 0
        sheets = badges.BadgeSheets(_("Badges: %(title)s") % {"title": activity.title})
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            regs = {r.pk: r for r in badges.batch_registrations(activity).filter(pk__in=part)}
            sheets.add(regs[pk] for pk in part if pk in regs)
            batch.done = min(start + chunk, len(ids))
            BadgeBatch.objects.filter(pk=batch.pk).update(done=batch.done)
        content = sheets.finish()
        # A random part: the name alone must not lead to the file.
        name = f"{activity.provider.slug}-{activity.slug}-badges-{secrets.token_hex(8)}.pdf"
        batch.file.save(name, ContentFile(content), save=False)
    except Exception as exc:  # any failure must reach the staff page, not vanish
        logger.exception("badge batch %s failed", batch.pk)
        _fail(batch, _("The badges could not be made: %(error)s") % {"error": exc}, timezone.now())
        return batch
    batch.status = BatchStatus.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "file", "finished_at", "done", "total"])
    _record(
        "badges.batch_done",
        activity,
        batch,
        by=None,
        after={"total": batch.total, "file": batch.file.name},
    )
    return batch


def reissue_badge(registration: Registration, *, by) -> Registration:
    """A new badge for a lost one: every badge printed before stops working at check-in.

    Side effects: a new badge key, audit "registration.badge_reissued" (without the key).
    """
    activity = registration.activity
    _check_staff(activity, by)
    with transaction.atomic():
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        if reg.status == RegistrationStatus.CANCELLED:
            raise ValidationError(_("A cancelled registration has no badge to reissue."))
        had_badge = bool(reg.badge_key)
        reissue_badge_key(reg)
        _record(
            "registration.badge_reissued",
            activity,
            reg,
            by=by,
            after={"had_badge": had_badge},
        )
    registration.badge_key = reg.badge_key
    return registration
