"""Creating and changing activities, their planning record and their lifecycle."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities import lifecycle, page_cache
from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import Activity, LearningObjective, PlanningRecord
from cmeconf.activities.services import planning_review
from cmeconf.common import audit
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import permission_set

ACTIVITY_FIELDS = (
    "slug",
    "title",
    "kind",
    "description",
    "start_date",
    "end_date",
    "time_zone",
    "delivery",
    "venue_name",
    "venue_address",
    "target_professions",
    "target_specialties",
    "joint_provider",
)
PLANNING_FIELDS = (
    "practice_gap",
    "gap_sources",
    "gap_evidence",
    "educational_needs",
    "needs_description",
    "intended_change",
    "evaluation_plan",
)


def bump_program_version(activity: Activity) -> None:
    """Invalidate every cached rendering of the activity's public program."""
    Activity.objects.filter(pk=activity.pk).update(program_version=F("program_version") + 1)
    activity.refresh_from_db(fields=["program_version"])
    page_cache.forget(activity.provider.slug, activity.slug)


def _record(action: str, activity: Activity, *, by, obj=None, before=None, after=None, note=""):
    audit.record(
        action,
        actor=by,
        obj=obj if obj is not None else activity,
        before=before,
        after=after,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        note=note,
    )


def _validate(instance, exclude: tuple[str, ...] = ()) -> None:
    instance.full_clean(exclude=list(exclude))


@transaction.atomic
def create_activity(provider: Provider, *, by, **fields: Any) -> Activity:
    """Create an activity in draft with an empty planning record.

    Side effects: audit entry "activity.created".
    """
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    activity = Activity(provider=provider, **fields)
    _validate(activity)
    activity.save()
    PlanningRecord.objects.create(activity=activity)
    _record("activity.created", activity, by=by, after=audit.snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def update_activity(activity: Activity, *, by, reason: str = "", **fields: Any) -> Activity:
    """Change an activity's descriptive fields.

    Once the activity is approved a change needs a `reason` and is kept as an
    amendment (ValidationError on "reason" without one).
    Side effects: audit entry "activity.updated" with before and after; an
    amendment after approval; the public program's caches are invalidated.
    """
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    before = audit.snapshot(activity, fields)
    old_slug = activity.slug
    for name, value in fields.items():
        setattr(activity, name, value)
    _validate(activity)
    activity.save()
    after = audit.snapshot(activity, fields)
    if before != after:
        reason = planning_review.require_reason(activity, reason)
        _record("activity.updated", activity, by=by, before=before, after=after, note=reason)
        planning_review.amend(
            activity,
            by=by,
            reason=reason,
            summary=_("Activity details changed: %(fields)s")
            % {"fields": ", ".join(planning_review.changed_fields(before, after))},
            before=before,
            after=after,
        )
        bump_program_version(activity)
        # Pages cached under the old address must not outlive the rename.
        page_cache.forget(activity.provider.slug, old_slug)
    return activity


@transaction.atomic
def update_planning_record(
    activity: Activity, *, by, reason: str = "", **fields: Any
) -> PlanningRecord:
    """Change the planning record (gap, needs, intended change, evaluation plan).

    Once the activity is approved a change needs a `reason` (see update_activity).
    Side effects: audit entry "planning.updated"; an amendment after approval.
    """
    unknown = set(fields) - set(PLANNING_FIELDS)
    if unknown:
        raise TypeError(f"unknown planning fields: {sorted(unknown)}")
    planning, _created = PlanningRecord.objects.get_or_create(activity=activity)
    before = audit.snapshot(planning, fields)
    for name, value in fields.items():
        setattr(planning, name, value)
    _validate(planning)
    planning.save()
    after = audit.snapshot(planning, fields)
    if before != after:
        reason = planning_review.require_reason(activity, reason)
        _record(
            "planning.updated",
            activity,
            by=by,
            obj=planning,
            before=before,
            after=after,
            note=reason,
        )
        planning_review.amend(
            activity,
            by=by,
            reason=reason,
            summary=_("Planning record changed: %(fields)s")
            % {"fields": ", ".join(planning_review.changed_fields(before, after))},
            before=before,
            after=after,
        )
    return planning


@transaction.atomic
def set_objectives(
    activity: Activity, objectives: list[str], *, by, reason: str = ""
) -> list[LearningObjective]:
    """Replace the activity's learning objectives, in order.

    Once the activity is approved a change needs a `reason` (see update_activity).
    Side effects: audit entry "objectives.updated"; an amendment after approval.
    """
    cleaned = [o.strip() for o in objectives if o and o.strip()]
    too_long = [o for o in cleaned if len(o) > 500]
    if too_long:
        raise ValidationError({"objectives": _("Keep each objective under 500 characters.")})
    before = list(activity.objectives.values_list("text", flat=True))
    if before == cleaned:
        return list(activity.objectives.all())
    reason = planning_review.require_reason(activity, reason)
    activity.objectives.all().delete()
    created = LearningObjective.objects.bulk_create(
        LearningObjective(activity=activity, text=text, order=i) for i, text in enumerate(cleaned)
    )
    _record(
        "objectives.updated",
        activity,
        by=by,
        before={"objectives": before},
        after={"objectives": cleaned},
        note=reason,
    )
    planning_review.amend(
        activity,
        by=by,
        reason=reason,
        summary=_("Learning objectives changed"),
        before={"objectives": before},
        after={"objectives": cleaned},
    )
    return created


@transaction.atomic
def transition(activity: Activity, name: str, *, by, note: str = "") -> Activity:
    """Move the activity one step along its lifecycle.

    Raises PermissionDenied when `by` lacks the step's permission and
    ValidationError with every reason when the step's rules are not met.
    Side effects: audit entry "activity.<name>"; publishing sets published_at
    and invalidates the public program's caches.
    """
    step = lifecycle.TRANSITIONS.get(name)
    if step is None:
        raise ValueError(f"unknown transition {name!r}")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if by is not None and step.permission not in permission_set(by, activity.provider, activity):
        raise PermissionDenied(_("You may not do this for this activity."))
    problems = lifecycle.blockers(activity, step, today=timezone.localdate(timezone=activity.tz))
    if problems:
        raise ValidationError(problems)
    before = {"state": activity.state}
    activity.state = step.target
    if step.target == ActivityState.PUBLISHED and activity.published_at is None:
        activity.published_at = timezone.now()
    if step.target == ActivityState.PLANNING and activity.planning_started_on is None:
        activity.planning_started_on = timezone.localdate(timezone=activity.tz)
    activity.save(update_fields=["state", "published_at", "planning_started_on", "updated"])
    _record(
        f"activity.{name}",
        activity,
        by=by,
        before=before,
        after={"state": activity.state},
        note=note,
    )
    bump_program_version(activity)
    return activity
