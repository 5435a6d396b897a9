"""Conflict-of-interest review: relevance, mitigation and owner/employee exceptions.

Standard 3 [A6][A7]: a reviewer decides whether each relationship of a person in
control of content is relevant to that content, and documents how each relevant
one was mitigated before the person's role starts; owners and employees control
content only under one of three exceptions, recorded with the reason [A7b].
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities.services.activities import bump_program_version
from cmeconf.common import audit
from cmeconf.integrity.choices import (
    OWNER_EMPLOYEE_NATURES,
    PEER_REVIEW_METHODS,
    ExclusionException,
    MitigationMethod,
)
from cmeconf.integrity.models import (
    FinancialRelationship,
    Mitigation,
    OwnerEmployeeException,
    RelevanceDecision,
)
from cmeconf.providers.permissions import Permission, permission_set


class Status(StrEnum):
    UNDECIDED = "undecided"
    NOT_RELEVANT = "not_relevant"
    UNMITIGATED = "unmitigated"
    MITIGATED = "mitigated"


def status(decision: RelevanceDecision | None, mitigations: list[Mitigation]) -> Status:
    """Where a relationship stands for one activity, from its latest decision."""
    if decision is None:
        return Status.UNDECIDED
    if not decision.relevant:
        return Status.NOT_RELEVANT
    return Status.MITIGATED if mitigations else Status.UNMITIGATED


def _check_reviewer(activity, relationship: FinancialRelationship, reviewer) -> None:
    if Permission.REVIEW not in permission_set(reviewer, activity.provider, activity):
        raise PermissionDenied(_("Only disclosure reviewers of this activity may do this."))
    if relationship.disclosure.person_id == reviewer.pk:
        raise PermissionDenied(_("Nobody reviews their own financial relationships."))


def _record(action: str, activity, obj, *, by, after: dict) -> None:
    # What learners are shown about the person may have changed.
    bump_program_version(activity)
    audit.record(
        action,
        actor=by,
        obj=obj,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        after=after,
    )


@transaction.atomic
def decide_relevance(
    activity,
    relationship: FinancialRelationship,
    *,
    reviewer,
    relevant: bool,
    reason: str,
    now: dt.datetime | None = None,
) -> RelevanceDecision:
    """Record whether the relationship is relevant to the content the person controls here.

    A later decision supersedes an earlier one; both are kept.
    Side effects: audit "coi.relevance_decided".
    """
    _check_reviewer(activity, relationship, reviewer)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    decision = RelevanceDecision.objects.create(
        activity=activity,
        relationship=relationship,
        relevant=relevant,
        reason=reason.strip(),
        reviewer=reviewer,
        decided_at=now or timezone.now(),
    )
    _record(
        "coi.relevance_decided",
        activity,
        decision,
        by=reviewer,
        after={
            "person": relationship.disclosure.person_id,
            "company": relationship.company.name,
            "nature": relationship.nature,
            "relevant": relevant,
            "reason": decision.reason,
        },
    )
    return decision


@transaction.atomic
def mitigate(
    decision: RelevanceDecision,
    *,
    by,
    method: str,
    details: str = "",
    peer_name: str = "",
    peer_review_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Mitigation:
    """Document how a relevant relationship was mitigated [A6][A7].

    Peer review needs the peer's name and the date; "other" needs a description.
    Side effects: audit "coi.mitigated".
    """
    _check_reviewer(decision.activity, decision.relationship, by)
    errors: dict[str, list[str]] = {}
    if not decision.relevant:
        errors["method"] = [_("Only a relevant relationship needs mitigation.")]
    if method not in MitigationMethod.values:
        errors["method"] = [_("Choose a mitigation method from the list.")]
    if method in PEER_REVIEW_METHODS:
        if not peer_name.strip():
            errors["peer_name"] = [_("Name the peer who reviewed.")]
        if peer_review_date is None:
            errors["peer_review_date"] = [_("Give the date of the peer review.")]
    if method == MitigationMethod.OTHER and not details.strip():
        errors["details"] = [_("Describe the method.")]
    if errors:
        raise ValidationError(errors)
    mitigation = Mitigation.objects.create(
        decision=decision,
        method=method,
        details=details.strip(),
        peer_name=peer_name.strip(),
        peer_review_date=peer_review_date,
        recorded_by=by,
        recorded_at=now or timezone.now(),
    )
    _record(
        "coi.mitigated",
        decision.activity,
        mitigation,
        by=by,
        after={
            "decision": decision.pk,
            "method": method,
            "details": mitigation.details,
            "peer_name": mitigation.peer_name,
            "peer_review_date": peer_review_date,
        },
    )
    return mitigation


@transaction.atomic
def record_exception(
    activity,
    relationship: FinancialRelationship,
    *,
    reviewer,
    exception: str,
    reason: str,
    now: dt.datetime | None = None,
) -> OwnerEmployeeException:
    """Allow an owner or employee to control this content under one of the exceptions [A7b].

    Side effects: audit "coi.exception_recorded".
    """
    _check_reviewer(activity, relationship, reviewer)
    errors: dict[str, list[str]] = {}
    if relationship.nature not in OWNER_EMPLOYEE_NATURES:
        errors["exception"] = [_("Exceptions apply only to owners and employees.")]
    if exception not in ExclusionException.values:
        errors["exception"] = [_("Choose one of the three exceptions of the standard.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason the exception applies.")]
    if errors:
        raise ValidationError(errors)
    record = OwnerEmployeeException.objects.create(
        activity=activity,
        relationship=relationship,
        exception=exception,
        reason=reason.strip(),
        reviewer=reviewer,
        recorded_at=now or timezone.now(),
    )
    _record(
        "coi.exception_recorded",
        activity,
        record,
        by=reviewer,
        after={
            "person": relationship.disclosure.person_id,
            "company": relationship.company.name,
            "exception": exception,
            "reason": record.reason,
        },
    )
    return record


def latest_decisions(activity, relationships) -> dict[int, RelevanceDecision]:
    """The latest decision on each relationship for this activity, in one query."""
    latest: dict[int, RelevanceDecision] = {}
    decisions = (
        RelevanceDecision.objects.filter(activity=activity, relationship__in=relationships)
        .select_related("reviewer")
        .prefetch_related("mitigations")
        .order_by("decided_at", "id")
    )
    for decision in decisions:
        latest[decision.relationship_id] = decision
    return latest
