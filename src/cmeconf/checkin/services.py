"""Check-in: one function records a badge scan, at the door or at a session.

Every scan is kept (refused ones too) with what it answered. A scan that
carries an idempotency key the same scanner account already used answers
what the first one answered and records nothing: a scanner that lost the
network sends its queue again without double counting. A second scan of the
same person for the same thing is harmless: it is recorded as a repeat and
changes nothing.

Session scans are the attendance record: after each one, the learner's scan
intervals for the session are paired again from all their admitted scans
(check-ins and check-outs from any device, in the order they were taken, see
attendance.intervals.close_open_scans) and written as AttendanceInterval rows
of source "scan". A check-in without a check-out lasts until the session ends.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.activities.models import Session
from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.intervals import close_open_scans
from cmeconf.attendance.models import AttendanceInterval
from cmeconf.checkin import rules
from cmeconf.checkin.choices import ADMITTED, ScanKind, ScanResult
from cmeconf.checkin.models import Scan
from cmeconf.providers.permissions import Permission, permission_set
from cmeconf.registration.badge_tokens import parse_badge_token
from cmeconf.registration.choices import (
    SEAT_STATUSES,
    AttendanceMode,
    RegistrationStatus,
    SignupStatus,
)
from cmeconf.registration.models import Registration, WorkshopSignup
from cmeconf.registration.payments.base import outstanding

METHODS = ("badge", "search", "kiosk")


@dataclass(frozen=True)
class ScanOutcome:
    scan: Scan
    # True when the idempotency key was seen before: this answer is the first one's.
    replayed: bool = False

    @property
    def result(self) -> str:
        return self.scan.result

    @property
    def admitted(self) -> bool:
        return self.scan.result in ADMITTED

    @property
    def message(self) -> str:
        return rules.message(self.scan.result, self.scan.kind)

    @property
    def person_name(self) -> str:
        reg = self.scan.registration
        return reg.person.get_full_name() or reg.person.email if reg else ""

    @property
    def amount_due(self):
        """Money still owed: the desk collects it; the person is admitted all the same.

        What was already paid counts (a deposit by invoice, the rest at the desk).
        """
        reg = self.scan.registration
        if reg is None or reg.status != RegistrationStatus.PENDING_PAYMENT:
            return None
        return outstanding(reg)


def can_check_in(user, activity) -> bool:
    return Permission.REGISTRATION in permission_set(user, activity.provider, activity)


def _check_staff(activity, by) -> None:
    if not can_check_in(by, activity):
        raise PermissionDenied(_("Only the registration team may check people in."))


def _clean_time(activity, scanned_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if scanned_at is None:
        return now
    problem = rules.time_problem(
        scanned_at, start_date=activity.start_date, tz=activity.tz, now=now
    )
    if problem is not None:
        raise ValidationError({"scanned_at": TIME_PROBLEMS[problem]})
    return scanned_at


TIME_PROBLEMS = {
    "naive": gettext_lazy("Give the scan time with its time zone."),
    "future": gettext_lazy("The scan time is in the future."),
    "early": gettext_lazy("The scan time is before the conference."),
}


def _replay(by, idempotency_key: str | None, activity, kind: str, session) -> ScanOutcome | None:
    """The first answer to this key, when the same scanner account already sent it.

    A key sent again with another scan (another conference, kind or session) is
    refused rather than answered with the first scan: the device would believe
    a scan was recorded that never was.
    """
    if not idempotency_key:
        return None
    scan = (
        Scan.objects.select_related(
            "registration__person", "registration__registration_type", "session"
        )
        .filter(recorded_by=by, idempotency_key=idempotency_key)
        .first()
    )
    if scan is None:
        return None
    session_id = session.pk if session is not None else None
    if (scan.activity_id, scan.kind, scan.session_id) != (activity.pk, kind, session_id):
        raise ValidationError(
            {"idempotency_key": _("This key was already used for another scan; give each its own.")}
        )
    return ScanOutcome(scan, replayed=True)


def _find_registration(token: str | None, registration: Registration | None):
    """The locked registration a badge or a pick names, or None when unknown."""
    locked = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("person", "registration_type")
        .order_by()
    )
    if registration is not None:
        return locked.filter(pk=registration.pk).first()
    parsed = parse_badge_token(token or "")
    if parsed is None:
        return None
    pk, key = parsed
    found = locked.filter(pk=pk).first()
    if found is None or not secrets.compare_digest(found.badge_key, key):
        return None
    return found


def _refusal(activity, reg: Registration | None, session: Session | None) -> str | None:
    badge = None
    if reg is not None:
        badge = rules.Badge(reg.activity_id, reg.status, reg.registration_type.mode)
    workshop = session is not None and session.capacity is not None
    signed_up = (
        workshop
        and badge is not None
        and WorkshopSignup.objects.filter(
            registration=reg, session=session, status=SignupStatus.CONFIRMED
        ).exists()
    )
    return rules.refusal(activity.pk, badge, workshop=workshop, signed_up=signed_up)


Event = rules.Event


def _session_events(reg: Registration, session: Session) -> list[Event]:
    """The learner's admitted scans of the session as (time, "in" | "out"), as received so far.

    Repeats too: scans arrive in any order (offline devices), and a check-out
    delivered before the earlier check-in it closes was a repeat when it arrived.
    """
    return list(
        Scan.objects.filter(registration=reg, session=session, result__in=ADMITTED).values_list(
            "scanned_at", "kind"
        )
    )


def _result(reg: Registration, kind: str, when: dt.datetime, events: list[Event]) -> str:
    return rules.result(kind, checked_in_at=reg.checked_in_at, when=when, events=events)


def rebuild_scan_intervals(session: Session, registration: Registration, *, now=None) -> None:
    """Pair the learner's admitted scans of the session into attendance intervals again.

    Intervals a staff member voided stay voided: a pair that matches one is not
    written again.
    """
    _write_intervals(session, registration, _session_events(registration, session), now=now)


def _write_intervals(session: Session, registration: Registration, events, *, now=None) -> None:
    """Make the learner's scan intervals match the pairing of `events`, touching only changes."""
    now = now or timezone.now()
    wanted = set(close_open_scans(events, session.end).intervals)
    current = list(
        AttendanceInterval.objects.filter(
            session=session, person_id=registration.person_id, source=AttendanceSource.SCAN
        ).values_list("pk", "start", "end", "voided_at")
    )
    stale, missing = rules.interval_changes(wanted, current)
    if stale:
        AttendanceInterval.objects.filter(pk__in=stale).delete()
    if missing:
        AttendanceInterval.objects.bulk_create(
            AttendanceInterval(
                session=session,
                person_id=registration.person_id,
                start=start,
                end=end,
                source=AttendanceSource.SCAN,
                recorded_at=now,
            )
            for start, end in missing
        )


def record_scan(
    activity,
    *,
    by,
    kind: str,
    token: str | None = None,
    registration: Registration | None = None,
    session: Session | None = None,
    scanned_at: dt.datetime | None = None,
    device: str = "",
    method: str = "badge",
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> ScanOutcome:
    """Record one scan of a badge `token` (or of a `registration` staff found by search).

    `kind` is "entry" (arriving at the conference; no session) or "in"/"out" of
    `session`. Refusals are outcomes, not errors: the scanner shows them in large
    words. ValidationError only for a malformed request (a session of another
    activity, a kind without its session, a scan time in the future).
    """
    _check_staff(activity, by)
    now = now or timezone.now()
    if kind not in ScanKind.values:
        raise ValidationError({"kind": _("Choose entry, in or out.")})
    if method not in METHODS:
        raise ValidationError({"method": _("Unknown way of finding the person.")})
    if (kind == ScanKind.ENTRY) != (session is None):
        raise ValidationError({"session": _("Session scans need a session; entry scans none.")})
    if session is not None and (session.activity_id != activity.pk or session.start is None):
        raise ValidationError({"session": _("That session is not on this conference's schedule.")})
    if token is None and registration is None:
        raise ValidationError({"token": _("Scan a badge or pick a person.")})
    idempotency_key = (idempotency_key or "").strip()[:100] or None
    when = _clean_time(activity, scanned_at, now)
    # No look-up of the key first: the unique constraint finds a key used before (then the
    # transaction is rolled back and the first answer returned), saving a query on each
    # new scan, which is nearly every scan.
    try:
        with transaction.atomic():
            reg = _find_registration(token, registration)
            refusal = _refusal(activity, reg, session)
            events = _session_events(reg, session) if session and not refusal else []
            result = refusal or _result(reg, kind, when, events)
            scan = Scan.objects.create(
                activity=activity,
                registration=reg if refusal != ScanResult.WRONG_ACTIVITY else None,
                session=session,
                kind=kind,
                result=result,
                scanned_at=when,
                received_at=now,
                device=device[:100],
                method=method,
                recorded_by=by,
                idempotency_key=idempotency_key,
            )
            if result == ScanResult.OK:
                if kind == ScanKind.ENTRY:
                    reg.checked_in_at = when
                    reg.save(update_fields=["checked_in_at"])
                else:
                    _write_intervals(session, reg, [*events, (when, kind)], now=now)
    except IntegrityError:
        # The key was used before (a retry), or at this moment by a second request that
        # waited for the first's lock: answer what the first recorded.
        replay = _replay(by, idempotency_key, activity, kind, session)
        if replay is None:
            raise
        return replay
    return ScanOutcome(scan)


def search_registrants(activity, query: str, *, limit: int = 20) -> list[Registration]:
    """Registrants whose name or e-mail matches, for checking in without a badge.

    Cancelled and wait-listed people are found too, so the desk sees why they
    cannot come in.
    """
    words = query.split()
    if not words:
        return []
    qs = Registration.objects.filter(activity=activity).select_related(
        "person", "registration_type"
    )
    for word in words[:4]:
        qs = qs.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    return list(qs.order_by("person__last_name", "person__first_name", "id")[:limit])


@dataclass(frozen=True)
class SessionCount:
    session: Session
    present: int
    checked_in: int


@dataclass(frozen=True)
class CheckinCounts:
    expected: int
    checked_in: int
    sessions: list[SessionCount]


def checkin_counts(activity, *, sessions=None, now: dt.datetime | None = None) -> CheckinCounts:
    """Live counts: in-person registrants expected and arrived, and who is in each session now.

    `sessions` defaults to every scheduled session; a dashboard passes the
    sessions of the day. Nobody is present in a session that has ended.
    """
    now = now or timezone.now()
    in_person = Registration.objects.filter(
        activity=activity,
        status__in=SEAT_STATUSES,
        registration_type__mode=AttendanceMode.IN_PERSON,
    ).exclude(status=RegistrationStatus.OFFERED)
    expected = in_person.count()
    arrived = in_person.filter(checked_in_at__isnull=False).count()
    if sessions is None:
        sessions = activity.sessions.filter(start__isnull=False).order_by("start", "id")
    sessions = list(sessions)
    # Present: the last admitted scan is a check-in (as in _inside; "in" sorts before "out").
    admitted = Scan.objects.filter(session__in=sessions, result__in=ADMITTED)
    checked: dict[int, set[int]] = {}
    last: dict[tuple[int, int], str] = {}
    for session_id, reg_id, kind in admitted.order_by("scanned_at", "kind", "id").values_list(
        "session_id", "registration_id", "kind"
    ):
        if kind == ScanKind.IN:
            checked.setdefault(session_id, set()).add(reg_id)
        last[(session_id, reg_id)] = kind
    running = {s.pk for s in sessions if s.end > now}
    present: dict[int, int] = {}
    for (session_id, _reg), kind in last.items():
        if kind == ScanKind.IN and session_id in running:
            present[session_id] = present.get(session_id, 0) + 1
    return CheckinCounts(
        expected=expected,
        checked_in=arrived,
        sessions=[
            SessionCount(s, present.get(s.pk, 0), len(checked.get(s.pk, ()))) for s in sessions
        ],
    )
