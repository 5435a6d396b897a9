"""Review of the planning record: comments, and amendments once the activity is approved.

After approval the planning file is what the accreditor was shown as approved; a
later change to it or to the program is an amendment, kept with its reason, who
made it, when, and the state before and after (records of the planning file
[C5]).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import Activity, Amendment, ReviewComment
from cmeconf.common import audit

# From approval on, the approved planning file may change only by amendment.
AMENDMENT_STATES = frozenset(
    {ActivityState.APPROVED, ActivityState.PUBLISHED, ActivityState.COMPLETED}
)
# Comments belong to planning and review, and stay possible after approval.
COMMENT_STATES = frozenset(
    {
        ActivityState.PLANNING,
        ActivityState.IN_REVIEW,
        ActivityState.APPROVED,
        ActivityState.PUBLISHED,
        ActivityState.COMPLETED,
        ActivityState.CLOSED,
    }
)
SUMMARY_LENGTH = 300  # Amendment.summary's max_length
REASON_REQUIRED = _(
    "This activity is approved: give the reason for this change; it is kept as an amendment."
)


def _record(action: str, activity: Activity, obj, *, by, after: dict, before=None) -> None:
    audit.record(
        action,
        actor=by,
        obj=obj,
        before=before,
        after=after,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
    )


@transaction.atomic
def add_comment(activity: Activity, *, by, body: str) -> ReviewComment:
    """Add a comment to the planning record's review thread.

    Allowed from planning on; the state at the time is kept with the comment.
    Side effects: audit "review.comment_added".
    """
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the comment first.")})
    if activity.state not in COMMENT_STATES:
        raise ValidationError(
            {"body": _("Comments open when planning starts; this activity is still a draft.")}
        )
    comment = ReviewComment.objects.create(
        activity=activity,
        author=by,
        body=body,
        activity_state=activity.state,
        created=timezone.now(),
    )
    _record("review.comment_added", activity, comment, by=by, after={"body": body})
    return comment


@transaction.atomic
def resolve_comment(comment: ReviewComment, *, by) -> ReviewComment:
    """Mark a comment as dealt with; it stays in the thread.

    Side effects: audit "review.comment_resolved".
    """
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if comment.resolved_at is not None:
        raise ValidationError(_("This comment is already resolved."))
    comment.resolved_at = timezone.now()
    comment.resolved_by = by
    comment.save(update_fields=["resolved_at", "resolved_by"])
    _record(
        "review.comment_resolved",
        comment.activity,
        comment,
        by=by,
        before={"resolved_at": None},
        after={"resolved_at": comment.resolved_at},
    )
    return comment


def amendment_required(activity: Activity) -> bool:
    """Whether a change to the planning record or program is now an amendment."""
    return activity.state in AMENDMENT_STATES


def require_reason(activity: Activity, reason: str | None) -> str:
    """The cleaned reason; refuses a blank one once changes are amendments.

    Services call it before changing anything; a reason is optional before approval.
    """
    reason = (reason or "").strip()
    if not reason and amendment_required(activity):
        raise ValidationError({"reason": REASON_REQUIRED})
    return reason


@transaction.atomic
def record_amendment(activity: Activity, *, by, summary: str, reason: str, changes) -> Amendment:
    """Keep a change made after approval: what, why, who, when, before and after.

    Refused before approval (changes then are the planning itself) and without a
    reason. Side effects: audit "amendment.recorded".
    """
    if not amendment_required(activity):
        raise ValidationError(_("Changes before approval are not amendments."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Say what changed.")})
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 1] + "…"
    amendment = Amendment.objects.create(
        activity=activity,
        summary=summary,
        reason=reason,
        # Dates and decimals as text, like the audit trail's snapshots.
        changes=json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder)),
        made_by=by,
        made_at=timezone.now(),
        activity_state=activity.state,
    )
    _record(
        "amendment.recorded",
        activity,
        amendment,
        by=by,
        after={"summary": summary, "reason": reason},
    )
    return amendment


def amend(
    activity: Activity,
    *,
    by,
    reason: str,
    summary: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> Amendment | None:
    """Record the amendment for a change a service just made, if the activity is approved.

    `reason` has passed require_reason. The before/after snapshots are those the
    service wrote to the audit trail.
    """
    if not amendment_required(activity):
        return None
    return record_amendment(
        activity, by=by, summary=summary, reason=reason, changes={"before": before, "after": after}
    )


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    """Names of the fields that differ, in the order of `after` (for a generated summary)."""
    before, after = before or {}, after or {}
    return [name for name in after if before.get(name) != after.get(name)]
