"""No approval or publication while anyone in control of content is not cleared.

Standard 3 [A5][A6][A7][A17]: everyone in control of content has a current
disclosure covering the 24 months before their role, owners and employees are
excluded unless an exception is recorded, and every relationship is reviewed,
with each relevant one mitigated, before the activity is approved or published.
Registered with activities.hooks; a handful of queries whatever the program's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.integrity import review, rules, services
from cmeconf.integrity.choices import DisclosureState
from cmeconf.integrity.models import Disclosure, OwnerEmployeeException

GATED_STEPS = frozenset({"approve", "publish"})


@dataclass
class Controller:
    """A person in control of the activity's content, and when their role starts."""

    person: object
    role_start: dt.date
    roles: set[str] = field(default_factory=set)


def content_controllers(activity) -> dict[int, Controller]:
    """Faculty of the activity's sessions and its planners, by person id."""
    from cmeconf.activities.models import PlanningRole, SessionFaculty

    people: dict[int, Controller] = {}
    tz = activity.tz
    # Planners control content from the start of planning: the activity's creation [A6].
    planning_start = timezone.localdate(activity.created, timezone=tz)
    for role in PlanningRole.objects.filter(activity=activity).select_related("person"):
        c = people.setdefault(role.person_id, Controller(role.person, planning_start))
        c.roles.add(role.get_role_display())
    links = SessionFaculty.objects.filter(session__activity=activity).select_related(
        "person", "session"
    )
    for link in links:
        start = link.session.start
        day = start.astimezone(tz).date() if start else activity.start_date
        c = people.setdefault(link.person_id, Controller(link.person, day))
        c.role_start = min(c.role_start, day)
        c.roles.add(link.get_role_display())
    return people


def _latest_disclosures(person_ids) -> dict[int, Disclosure]:
    latest: dict[int, Disclosure] = {}
    disclosures = (
        Disclosure.objects.filter(person_id__in=person_ids)
        .prefetch_related("relationships__company")
        .order_by("person_id", "-submitted_at", "-id")
    )
    for d in disclosures:
        latest.setdefault(d.person_id, d)
    return latest


def clearance_problems(activity) -> list[str]:
    """Everything that keeps the activity's people from being cleared, one line each."""
    people = content_controllers(activity)
    disclosures = _latest_disclosures(people.keys())
    excepted = set(
        OwnerEmployeeException.objects.filter(activity=activity).values_list(
            "relationship_id", flat=True
        )
    )
    in_scope = []
    problems: list[str] = []
    for person_id, c in sorted(people.items(), key=lambda i: i[1].person.last_name):
        name = c.person.full_name or c.person.email
        d = disclosures.get(person_id)
        for p in rules.role_blockers(services.facts(d), c.role_start):
            problems.append(f"{name}: {p}")
        if d is None or d.state != DisclosureState.SUBMITTED:
            continue
        for rel in d.relationships.all():
            fact = rules.Relationship(rel.company.name, rel.nature, rel.start_date, rel.end_date)
            if not rules.in_scope(fact, c.role_start):
                continue
            if rel.pk not in excepted and rules.owner_or_employee([fact], c.role_start):
                problems.append(
                    _("%(name)s: owner or employee of %(company)s, with no exception recorded.")
                    % {"name": name, "company": rel.company.name}
                )
                continue
            in_scope.append((name, rel))
    decisions = review.latest_decisions(activity, [rel for _name, rel in in_scope])
    for name, rel in in_scope:
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
