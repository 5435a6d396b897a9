"""Who controls the content of an activity, and where each of them stands on disclosure.

Read-only, in a fixed number of queries whatever the number of people: the staff
page and the invitations both start here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cmeconf.activities.choices import NON_EDUCATIONAL_FORMATS
from cmeconf.activities.models import PlanningRole, SessionFaculty
from cmeconf.integrity import rules, services
from cmeconf.integrity.choices import DisclosureState
from cmeconf.integrity.models import Disclosure, OwnerEmployeeException


@dataclass
class Member:
    """One person in control of content, with their roles and disclosure standing."""

    person: object
    roles: list[str] = field(default_factory=list)
    role_start: dt.date | None = None
    disclosure: Disclosure | None = None
    blockers: list[str] = field(default_factory=list)
    # Missing, expired or not covering the look-back: a new disclosure would fix it.
    needs_invitation: bool = False

    def relationships_in_scope(self) -> list:
        """Relationships of a submitted disclosure active in the look-back of the role [A5][A18]."""
        d = self.disclosure
        if d is None or d.state != DisclosureState.SUBMITTED:
            return []
        return [
            r for r in d.relationships.all() if rules.in_scope(services.as_fact(r), self.role_start)
        ]

    @property
    def status(self) -> str:
        if self.disclosure is None:
            return "missing"
        if self.disclosure.state == DisclosureState.REFUSED:
            return "refused"
        return "blocked" if self.blockers else "ok"


def needs_invitation(disclosure: Disclosure | None, role_start: dt.date) -> bool:
    """A new disclosure would unblock the person: none on file, or one too old or too short.

    A refusal is the person's answer and is not chased; an owner or employee needs a
    reviewer's decision, not another form.
    """
    if disclosure is None:
        return True
    if disclosure.state == DisclosureState.REFUSED:
        return False
    return bool(rules.role_blockers(services.facts(disclosure), role_start))


def latest_disclosures(person_ids: list[int]) -> dict[int, Disclosure]:
    """Each person's current disclosure (see services.current_disclosure), in two queries."""
    if not person_ids:
        return {}
    latest = (
        Disclosure.objects.filter(person=OuterRef("person"))
        .order_by("-submitted_at", "-id")
        .values("id")[:1]
    )
    found = Disclosure.objects.filter(
        person_id__in=person_ids, id=Subquery(latest)
    ).prefetch_related("relationships__company")
    return {d.person_id: d for d in found}


def planner_role_start(activity, planning_role) -> dt.date:
    """The day a planner's role starts: planners disclose before planning starts [A6][A18].

    That is the day planning started, or the day they joined it if later. Before
    planning has started, the day they were named stands in for it; the check is
    made again when planning starts.
    """
    days = [d for d in (activity.planning_started_on, planning_role.added_on) if d]
    return max(days) if days else activity.start_date


def content_controllers(activity, *, only: set[int] | None = None) -> list[Member]:
    """Session faculty and planners of `activity`, sorted by name.

    A faculty member's role starts on the local day of their first session (the
    activity's first day while unscheduled); a planner's when planning starts, or
    on the day they join the planning if later [A5][A18]: see `planner_role_start`.
    Faculty of breaks, meals, exhibits and non-accredited industry sessions do not
    control accredited content and are left out.
    """
    members: dict[int, Member] = {}

    def member(person, role: str, start: dt.date) -> None:
        m = members.setdefault(person.pk, Member(person=person))
        if role not in m.roles:
            m.roles.append(role)
        m.role_start = start if m.role_start is None else min(m.role_start, start)

    faculty = (
        SessionFaculty.objects.filter(session__activity=activity)
        .exclude(session__format__in=NON_EDUCATIONAL_FORMATS)
        .select_related("person", "session")
        .order_by("session__start", "id")
    )
    planners = PlanningRole.objects.filter(activity=activity).select_related("person")
    if only is not None:
        # A page about a few people (one session's faculty) needs only theirs, with all
        # their roles, so that their role still starts at their first session.
        faculty = faculty.filter(person_id__in=only)
        planners = planners.filter(person_id__in=only)
    for f in faculty:
        start = (
            timezone.localdate(f.session.start, timezone=activity.tz)
            if f.session.start
            else activity.start_date
        )
        member(f.person, f.get_role_display(), start)
    for p in planners.order_by("id"):
        member(p.person, p.get_role_display(), planner_role_start(activity, p))

    disclosures = latest_disclosures(list(members))
    excepted = set(
        OwnerEmployeeException.objects.filter(
            activity=activity, relationship__disclosure__in=list(disclosures.values())
        ).values_list("relationship_id", flat=True)
    )
    for pk, m in members.items():
        m.disclosure = disclosures.get(pk)
        m.blockers = services.disclosure_blockers(m.disclosure, m.role_start, excepted=excepted)
        m.needs_invitation = needs_invitation(m.disclosure, m.role_start)
    return sorted(
        members.values(), key=lambda m: (m.person.last_name.lower(), m.person.first_name.lower())
    )
