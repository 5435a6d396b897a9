"""Changing the program: rooms, tracks, sessions, their faculty and the planners."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cmeconf.activities import rules
from cmeconf.activities.choices import NO_FACULTY_FORMATS, FacultyRole, PlanningRoleKind
from cmeconf.activities.models import (
    Activity,
    PlanningRole,
    Room,
    Session,
    SessionFaculty,
    Topic,
    Track,
)
from cmeconf.activities.services import planning_review
from cmeconf.activities.services.activities import _record, bump_program_version
from cmeconf.common import audit

SESSION_FIELDS = (
    "title",
    "format",
    "abstract",
    "objectives",
    "track",
    "room",
    "start",
    "end",
    "credit_eligible",
    "capacity",
)
ROOM_FIELDS = ("name", "capacity", "description", "kind", "order")
TRACK_FIELDS = ("name", "color", "order")


# After approval every change here is an amendment; these say what it was.
def _summary(action: str, **names: Any) -> str:
    texts = {
        "room.created": _("Room “%(name)s” added"),
        "room.updated": _("Room “%(name)s” changed: %(fields)s"),
        "room.deleted": _("Room “%(name)s” removed"),
        "track.created": _("Track “%(name)s” added"),
        "track.updated": _("Track “%(name)s” changed: %(fields)s"),
        "track.deleted": _("Track “%(name)s” removed"),
        "session.created": _("Session “%(name)s” added"),
        "session.updated": _("Session “%(name)s” changed: %(fields)s"),
        "session.deleted": _("Session “%(name)s” removed"),
        "faculty.added": _("%(person)s added to “%(name)s” as %(role)s"),
        "faculty.removed": _("%(person)s taken off “%(name)s”"),
        "planner.added": _("%(person)s named %(role)s"),
        "planner.removed": _("%(person)s no longer %(role)s"),
    }
    return texts[action] % names


def _amend(activity: Activity, action: str, *, by, reason: str, before, after, **names) -> None:
    if "fields" in names:
        names["fields"] = ", ".join(names["fields"])
    planning_review.amend(
        activity,
        by=by,
        reason=reason,
        summary=_summary(action, **names),
        before=before,
        after=after,
    )


def _check_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _save_simple(
    model, activity: Activity, instance, fields: dict, allowed, action: str, by, reason: str
):
    _check_fields(fields, allowed)
    before = audit.snapshot(instance, fields) if instance.pk else None
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=["activity"])
    if before is None:  # a new one needs the reason; mistakes in the data are said first
        reason = planning_review.require_reason(activity, reason)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError({"name": _("This activity already has one of that name.")}) from exc
    after = audit.snapshot(instance, fields)
    if before is not None and before == after:
        return instance  # nothing changed: nothing to explain
    reason = planning_review.require_reason(activity, reason)
    _record(action, activity, by=by, obj=instance, before=before, after=after, note=reason)
    _amend(
        activity,
        action,
        by=by,
        reason=reason,
        before=before,
        after=after,
        name=instance.name,
        fields=planning_review.changed_fields(before, after),
    )
    bump_program_version(activity)
    return instance


@transaction.atomic
def create_room(activity: Activity, *, by, reason: str = "", **fields: Any) -> Room:
    """Add a room. Side effects: audit "room.created"; program caches invalidated."""
    return _save_simple(
        Room,
        activity,
        Room(activity=activity),
        fields,
        ROOM_FIELDS,
        "room.created",
        by,
        reason,
    )


@transaction.atomic
def update_room(room: Room, *, by, reason: str = "", **fields: Any) -> Room:
    """Change a room. Side effects: audit "room.updated"; program caches invalidated."""
    return _save_simple(Room, room.activity, room, fields, ROOM_FIELDS, "room.updated", by, reason)


@transaction.atomic
def delete_room(room: Room, *, by, reason: str = "") -> None:
    """Remove a room; its sessions become unassigned. Side effects: audit "room.deleted"."""
    activity = room.activity
    reason = planning_review.require_reason(activity, reason)
    before = audit.snapshot(room, ROOM_FIELDS)
    _record("room.deleted", activity, by=by, obj=room, before=before, note=reason)
    _amend(
        activity, "room.deleted", by=by, reason=reason, before=before, after=None, name=room.name
    )
    room.delete()
    bump_program_version(activity)


@transaction.atomic
def create_track(activity: Activity, *, by, reason: str = "", **fields: Any) -> Track:
    """Add a track. Side effects: audit "track.created"; program caches invalidated."""
    return _save_simple(
        Track,
        activity,
        Track(activity=activity),
        fields,
        TRACK_FIELDS,
        "track.created",
        by,
        reason,
    )


@transaction.atomic
def update_track(track: Track, *, by, reason: str = "", **fields: Any) -> Track:
    """Change a track. Side effects: audit "track.updated"; program caches invalidated."""
    return _save_simple(
        Track, track.activity, track, fields, TRACK_FIELDS, "track.updated", by, reason
    )


@transaction.atomic
def delete_track(track: Track, *, by, reason: str = "") -> None:
    """Remove a track; its sessions keep going without one. Side effects: audit "track.deleted"."""
    activity = track.activity
    reason = planning_review.require_reason(activity, reason)
    before = audit.snapshot(track, TRACK_FIELDS)
    _record("track.deleted", activity, by=by, obj=track, before=before, note=reason)
    _amend(
        activity, "track.deleted", by=by, reason=reason, before=before, after=None, name=track.name
    )
    track.delete()
    bump_program_version(activity)


def _validate_session(activity: Activity, session: Session) -> None:
    errors = rules.session_errors(
        activity=activity,
        format=session.format,
        start=session.start,
        end=session.end,
        credit_eligible=session.credit_eligible,
        room=session.room,
        track=session.track,
    )
    try:
        session.full_clean(
            exclude=["activity", "topics", "room", "track"], validate_constraints=False
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(
                m for m in messages if m not in errors.get(field, [])
            )
    if errors:
        raise ValidationError(errors)


def _set_topics(session: Session, topics) -> None:
    if topics is None:
        return
    topics = list(topics)
    foreign = [t for t in topics if t.provider_id not in (None, session.activity.provider_id)]
    if foreign:
        raise ValidationError({"topics": _("That topic belongs to another provider.")})
    session.topics.set(topics)


@transaction.atomic
def create_session(
    activity: Activity, *, by, topics=None, reason: str = "", **fields: Any
) -> Session:
    """Add a session to the program.

    Raises ValidationError (by field) for what would make the program wrong;
    double bookings only warn (see rules.schedule_warnings).
    After approval a `reason` is needed and the addition is kept as an amendment.
    Side effects: audit "session.created"; program caches invalidated.
    """
    _check_fields(fields, SESSION_FIELDS)
    session = Session(activity=activity, **fields)
    _validate_session(activity, session)
    # Mistakes in the data are said first; then the reason an amendment needs.
    reason = planning_review.require_reason(activity, reason)
    session.save()
    _set_topics(session, topics)
    after = audit.snapshot(session, fields) | {"topics": [t.slug for t in session.topics.all()]}
    _record("session.created", activity, by=by, obj=session, after=after, note=reason)
    _amend(
        activity,
        "session.created",
        by=by,
        reason=reason,
        before=None,
        after=after,
        name=session.title,
    )
    bump_program_version(activity)
    return session


@transaction.atomic
def update_session(
    session: Session, *, by, topics=None, reason: str = "", **fields: Any
) -> Session:
    """Change a session (time, room, texts, credit eligibility, topics).

    After approval a change needs a `reason` and is kept as an amendment.
    Side effects: audit "session.updated" with before and after; program caches invalidated.
    """
    _check_fields(fields, SESSION_FIELDS)
    activity = session.activity
    before = audit.snapshot(session, fields)
    old_topics = sorted(session.topics.values_list("slug", flat=True))
    for name, value in fields.items():
        setattr(session, name, value)
    _validate_session(activity, session)
    session.save()
    _set_topics(session, topics)
    after = audit.snapshot(session, fields)
    if topics is not None:
        before["topics"] = old_topics
        after["topics"] = sorted(session.topics.values_list("slug", flat=True))
    if before != after:
        reason = planning_review.require_reason(activity, reason)
        _record(
            "session.updated",
            activity,
            by=by,
            obj=session,
            before=before,
            after=after,
            note=reason,
        )
        _amend(
            activity,
            "session.updated",
            by=by,
            reason=reason,
            before=before,
            after=after,
            name=session.title,
            fields=planning_review.changed_fields(before, after),
        )
        bump_program_version(activity)
    return session


def move_session(session: Session, *, by, start, room, reason: str = "") -> Session:
    """Move a session to another start time and/or room, keeping its length.

    Side effects: as update_session.
    """
    length = (session.end - session.start) if session.start and session.end else None
    if start is not None and length is None:
        raise ValidationError({"end": _("Give the session a length before placing it.")})
    end = start + length if start is not None else None
    return update_session(session, by=by, start=start, end=end, room=room, reason=reason)


@transaction.atomic
def delete_session(session: Session, *, by, reason: str = "") -> None:
    """Remove a session. Side effects: audit "session.deleted"; program caches invalidated."""
    activity = session.activity
    reason = planning_review.require_reason(activity, reason)
    # Attendance and sign-ups are records credit and refunds rest on: never lost silently.
    if session.attendance.exists() or session.scans.exists():
        raise ValidationError(
            _("People's attendance is recorded for this session, so it cannot be deleted.")
        )
    if session.signups.exists():
        raise ValidationError(
            _("People have signed up for this workshop; cancel their sign-ups before deleting it.")
        )
    before = audit.snapshot(session, SESSION_FIELDS)
    _record("session.deleted", activity, by=by, obj=session, before=before, note=reason)
    _amend(
        activity,
        "session.deleted",
        by=by,
        reason=reason,
        before=before,
        after=None,
        name=session.title,
    )
    session.delete()
    bump_program_version(activity)


@transaction.atomic
def add_faculty(
    session: Session, person, *, by, role: str = FacultyRole.SPEAKER, reason: str = ""
) -> SessionFaculty:
    """Give a person a faculty role in a session.

    Side effects: audit "faculty.added"; program caches invalidated.
    """
    if role not in FacultyRole.values:
        raise ValidationError({"role": _("Choose a faculty role from the list.")})
    if session.format in NO_FACULTY_FORMATS:
        raise ValidationError(
            {"person": _("%(format)s has no faculty.") % {"format": session.get_format_display()}}
        )
    if session.faculty.filter(person=person).exists():
        raise ValidationError(
            {"person": _("%(name)s is already on this session.") % {"name": person.full_name}}
        )
    reason = planning_review.require_reason(session.activity, reason)
    order = session.faculty.count()
    link = SessionFaculty.objects.create(session=session, person=person, role=role, order=order)
    after = {"person": person.pk, "name": person.full_name, "role": role}
    _record("faculty.added", session.activity, by=by, obj=session, after=after, note=reason)
    _amend(
        session.activity,
        "faculty.added",
        by=by,
        reason=reason,
        before=None,
        after=after,
        name=session.title,
        person=person.full_name,
        role=FacultyRole(role).label,
    )
    bump_program_version(session.activity)
    return link


@transaction.atomic
def remove_faculty(link: SessionFaculty, *, by, reason: str = "") -> None:
    """Take a person off a session. Side effects: audit "faculty.removed"."""
    session = link.session
    reason = planning_review.require_reason(session.activity, reason)
    before = {"person": link.person_id, "name": link.person.full_name, "role": link.role}
    _record("faculty.removed", session.activity, by=by, obj=session, before=before, note=reason)
    _amend(
        session.activity,
        "faculty.removed",
        by=by,
        reason=reason,
        before=before,
        after=None,
        name=session.title,
        person=link.person.full_name,
    )
    link.delete()
    bump_program_version(session.activity)


@transaction.atomic
def add_planner(
    activity: Activity, person, *, by, role: str = PlanningRoleKind.PLANNER, reason: str = ""
) -> PlanningRole:
    """Name a planner, course director or content reviewer. Side effects: audit "planner.added"."""
    if role not in PlanningRoleKind.values:
        raise ValidationError({"role": _("Choose a planning role from the list.")})
    link, created = PlanningRole.objects.get_or_create(activity=activity, person=person, role=role)
    if created:
        reason = planning_review.require_reason(activity, reason)
        after = {"person": person.pk, "name": person.full_name, "role": role}
        _record("planner.added", activity, by=by, obj=activity, after=after, note=reason)
        _amend(
            activity,
            "planner.added",
            by=by,
            reason=reason,
            before=None,
            after=after,
            person=person.full_name,
            role=PlanningRoleKind(role).label,
        )
    return link


@transaction.atomic
def remove_planner(link: PlanningRole, *, by, reason: str = "") -> None:
    """Remove a planning role. Side effects: audit "planner.removed"."""
    reason = planning_review.require_reason(link.activity, reason)
    before = {"person": link.person_id, "name": link.person.full_name, "role": link.role}
    _record("planner.removed", link.activity, by=by, obj=link.activity, before=before, note=reason)
    _amend(
        link.activity,
        "planner.removed",
        by=by,
        reason=reason,
        before=before,
        after=None,
        person=link.person.full_name,
        role=PlanningRoleKind(link.role).label,
    )
    link.delete()


def topics_for(activity: Activity):
    """The topics a session of this activity may carry: shared ones and the provider's own."""
    from django.db.models import Q

    return Topic.objects.filter(Q(provider=None) | Q(provider_id=activity.provider_id))
