"""Attendance changes: report imports, staff adjustments, voiding; minutes per learner.

Credit claims rest on these minutes: a learner claims only what matches the
participation measured here [M1][M3], and the provider must be able to verify
participation for six years [C5]. So intervals are never edited or deleted:
an import adds intervals, a staff member adds an adjustment with a reason or
voids an interval with a reason, and each change writes the audit trail.

Attendance is private to each learner and does not change the public program,
so these services do not bump the activity's program version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities.models import Session
from cmeconf.attendance import intervals as arithmetic
from cmeconf.attendance import reports
from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.models import AttendanceImport, AttendanceInterval
from cmeconf.common import audit
from cmeconf.providers.permissions import Permission, permission_set

IMPORT_SOURCES = {
    AttendanceSource.ZOOM: reports.parse_zoom,
    AttendanceSource.TEAMS: reports.parse_teams,
}


def _check_staff(session: Session, by) -> None:
    activity = session.activity
    if Permission.REGISTRATION not in permission_set(by, activity.provider, activity):
        raise PermissionDenied(_("Only registration and check-in staff may change attendance."))


def _check_scheduled(session: Session) -> None:
    if session.start is None or session.end is None:
        raise ValidationError(_("The session has no time yet; schedule it first."))


def _record(action: str, session: Session, obj, *, by, after: dict, before=None) -> None:
    activity = session.activity
    audit.record(
        action,
        actor=by,
        obj=obj,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        before=before,
        after=after,
    )


@transaction.atomic
def import_report(
    session: Session,
    *,
    source: str,
    filename: str,
    content: bytes,
    by,
    tz: dt.tzinfo | None = None,
) -> AttendanceImport:
    """Import a Zoom or Teams participant report for one session, all or nothing.

    Rows are matched to accounts by e-mail, ignoring case. Rows that match no
    account (no e-mail, a guest, a different address) import nothing and are
    listed on the import, with their line, name and e-mail, for staff to
    follow up; `matched` counts the people matched. Intervals are kept as the
    report gives them and clipped to the session only when minutes are
    counted. `tz` is the time zone of the report's times (the Zoom account's,
    or that of whoever downloaded the Teams report); it defaults to the
    activity's.

    Raises ValidationError, importing nothing, when the file is broken (each
    bad row named), when the same file was already imported for this session,
    or when no row of the report overlaps the session (a wrong session or time
    zone). Side effects: one AttendanceImport, its intervals, audit
    "attendance.imported".
    """
    _check_staff(session, by)
    if source not in IMPORT_SOURCES:
        raise ValidationError({"source": _("Choose a Zoom or a Microsoft Teams report.")})
    _check_scheduled(session)
    # Serialises imports for the session, so the same file sent twice at once
    # is still imported once.
    # (order_by() drops the default ordering's join to rooms, which cannot be locked.)
    list(Session.objects.select_for_update().filter(pk=session.pk).order_by().values("pk"))
    sha256 = hashlib.sha256(content).hexdigest()
    earlier = AttendanceImport.objects.filter(session=session, sha256=sha256).first()
    if earlier is not None:
        raise ValidationError(
            _("This file was already imported for this session on %(when)s (%(name)s).")
            % {"when": f"{earlier.imported_at:%Y-%m-%d %H:%M}", "name": earlier.filename}
        )
    activity = session.activity
    zone = tz or activity.tz
    try:
        if source == AttendanceSource.TEAMS:
            rows = reports.parse_teams(content, zone, near=session.start.astimezone(zone).date())
        else:
            rows = reports.parse_zoom(content, zone)
    except reports.ReportError as exc:
        raise ValidationError(exc.problems) from None
    if not rows:
        raise ValidationError(_("The report lists nobody who attended."))
    if not arithmetic.clip([(r.join, r.leave) for r in rows], session.start, session.end):
        raise ValidationError(
            _(
                "No row of this report falls within the session (%(start)s to %(end)s). "
                "Check that it is the report of this session and that its time zone is right."
            )
            % {
                "start": f"{session.start.astimezone(zone):%Y-%m-%d %H:%M}",
                "end": f"{session.end.astimezone(zone):%H:%M %Z}",
            }
        )

    emails = {r.email for r in rows if r.email}
    people = {
        email: pk
        for pk, email in get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("pk", "email_lower")
    }
    unmatched = [
        {"line": r.line, "name": r.name, "email": r.email} for r in rows if r.email not in people
    ]
    now = timezone.now()
    record = AttendanceImport.objects.create(
        activity=activity,
        session=session,
        source=source,
        filename=filename[:255],
        sha256=sha256,
        imported_by=by,
        imported_at=now,
        matched=len({people[r.email] for r in rows if r.email in people}),
        unmatched=unmatched,
    )
    AttendanceInterval.objects.bulk_create(
        [
            AttendanceInterval(
                session=session,
                person_id=people[r.email],
                start=r.join,
                end=r.leave,
                source=source,
                source_import=record,
                recorded_by=by,
                recorded_at=now,
            )
            for r in rows
            if r.email in people
        ]
    )
    _record(
        "attendance.imported",
        session,
        record,
        by=by,
        after={
            "session": session.pk,
            "source": source,
            "filename": record.filename,
            "sha256": sha256,
            "rows": len(rows),
            "matched": record.matched,
            "unmatched": len(unmatched),
        },
    )
    return record


def minutes_by_person(session: Session) -> dict[int, int]:
    """Minutes attended by each person with attendance at the session, in one query.

    All non-voided intervals of a person, from every source and device, are
    merged and clipped to the session (see intervals.minutes).
    """
    if session.start is None or session.end is None:
        return {}
    spans: dict[int, list[arithmetic.Interval]] = defaultdict(list)
    for person_id, start, end in AttendanceInterval.objects.filter(
        session=session, voided_at__isnull=True
    ).values_list("person_id", "start", "end"):
        spans[person_id].append((start, end))
    return {
        person_id: arithmetic.minutes(found, session.start, session.end)
        for person_id, found in spans.items()
    }


def minutes_attended(session: Session, person) -> int:
    """Minutes `person` attended the session: merged, clipped, rounded down."""
    if session.start is None or session.end is None:
        return 0
    found = AttendanceInterval.objects.filter(
        session=session, person=person, voided_at__isnull=True
    ).values_list("start", "end")
    return arithmetic.minutes(list(found), session.start, session.end)


@transaction.atomic
def add_adjustment(
    session: Session,
    person,
    *,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    by,
) -> AttendanceInterval:
    """Add a stretch of presence that no source recorded (a scanner that was down).

    Needs a reason, and an interval that overlaps the session.
    Side effects: audit "attendance.adjusted".
    """
    _check_staff(session, by)
    _check_scheduled(session)
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the adjustment.")]
    if start is None or end is None:
        errors["end"] = [_("Give a start and an end.")]
    elif end <= start:
        errors["end"] = [_("The end must be after the start.")]
    elif not arithmetic.clip([(start, end)], session.start, session.end):
        errors["start"] = [_("The time given lies outside the session.")]
    if errors:
        raise ValidationError(errors)
    interval = AttendanceInterval.objects.create(
        session=session,
        person=person,
        start=start,
        end=end,
        source=AttendanceSource.ADJUSTMENT,
        reason=reason.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _record(
        "attendance.adjusted",
        session,
        interval,
        by=by,
        after={
            "session": session.pk,
            "person": person.pk,
            "start": start,
            "end": end,
            "reason": interval.reason,
        },
    )
    return interval


@transaction.atomic
def void_interval(interval: AttendanceInterval, *, reason: str, by) -> AttendanceInterval:
    """Stop an interval from counting (a badge scanned by someone else), keeping it.

    Side effects: audit "attendance.voided".
    """
    session = interval.session
    _check_staff(session, by)
    interval = AttendanceInterval.objects.select_for_update().get(pk=interval.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for removing this attendance.")]})
    if interval.voided_at is not None:
        raise ValidationError(_("This attendance was already removed."))
    interval.voided_at = timezone.now()
    interval.void_reason = reason.strip()
    interval.save(update_fields=["voided_at", "void_reason"])
    _record(
        "attendance.voided",
        session,
        interval,
        by=by,
        before={"voided_at": None},
        after={
            "person": interval.person_id,
            "source": interval.source,
            "start": interval.start,
            "end": interval.end,
            "voided_at": interval.voided_at,
            "reason": interval.void_reason,
        },
    )
    return interval
