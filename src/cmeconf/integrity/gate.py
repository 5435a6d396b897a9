"""No approval or publication while anyone in control of content is not cleared.

Standard 3 [A5][A6][A7][A17]: everyone in control of content has a current
disclosure covering the 24 months before their role, owners and employees are
excluded unless an exception is recorded, and every relationship is reviewed,
with each relevant one mitigated, before the activity is approved or published.
Registered with activities.hooks; a fixed number of queries whatever the size.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from cmeconf.integrity import review, roster, rules, services
from cmeconf.integrity.models import OwnerEmployeeException

GATED_STEPS = frozenset({"approve", "publish"})


def clearance_problems(activity) -> list[str]:
    """Everything that keeps the activity's people from being cleared, one line each."""
    members = roster.content_controllers(activity)
    blockers = [f"{_name(m)}: {blocker}" for m in members for blocker in m.blockers]
    return blockers + review_findings(activity, members)


def _name(member) -> str:
    return member.person.full_name or member.person.email


def review_findings(activity, members: list[roster.Member]) -> list[str]:
    """Relationships of `members` not yet reviewed, or relevant and not mitigated [A6]."""
    excepted = set(
        OwnerEmployeeException.objects.filter(activity=activity).values_list(
            "relationship_id", flat=True
        )
    )
    problems: list[str] = []
    to_review = []
    for m in members:
        name = _name(m)
        for rel in m.relationships_in_scope():
            fact = services.as_fact(rel)
            if rel.pk not in excepted and rules.owner_or_employee([fact], m.role_start):
                continue  # already a blocker: excluded, not reviewable
            to_review.append((name, rel))
    decisions = review.latest_decisions(activity, [rel for _name, rel in to_review])
    for name, rel in to_review:
        decision = decisions.get(rel.pk)
        state = review.status(decision, list(decision.mitigations.all()) if decision else [])
        if state == review.Status.UNDECIDED:
            problems.append(
                _("%(name)s: the relationship with %(company)s has not been reviewed.")
                % {"name": name, "company": rel.company.name}
            )
        elif state == review.Status.UNMITIGATED:
            problems.append(
                _("%(name)s: the relevant relationship with %(company)s is not mitigated.")
                % {"name": name, "company": rel.company.name}
            )
    return problems


def approval_blockers(activity, transition_name: str) -> list[str]:
    if transition_name not in GATED_STEPS:
        return []
    return clearance_problems(activity)
