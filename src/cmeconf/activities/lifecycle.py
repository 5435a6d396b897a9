"""The activity lifecycle: which transitions exist and what each requires.

draft -> planning -> in review -> approved -> published -> completed -> closed,
with "in review" able to return to "planning". Plain functions; the services
in activities.services.activities apply them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.activities import hooks
from cmeconf.activities.choices import ActivityState as S
from cmeconf.providers.permissions import Permission


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    label: str
    permission: str


_STEPS = (
    # name, from, to, label, permission
    ("start_planning", S.DRAFT, S.PLANNING, gettext_lazy("Start planning"), Permission.PROGRAM),
    ("submit_for_review", S.PLANNING, S.IN_REVIEW, gettext_lazy("Submit for review"), "program"),
    ("return_to_planning", S.IN_REVIEW, S.PLANNING, gettext_lazy("Return to planning"), "review"),
    ("approve", S.IN_REVIEW, S.APPROVED, gettext_lazy("Approve"), Permission.REVIEW),
    ("publish", S.APPROVED, S.PUBLISHED, gettext_lazy("Publish"), Permission.PROGRAM),
    ("complete", S.PUBLISHED, S.COMPLETED, gettext_lazy("Mark completed"), Permission.PROGRAM),
    ("close", S.COMPLETED, S.CLOSED, gettext_lazy("Close"), Permission.PROGRAM),
)
TRANSITIONS: dict[str, Transition] = {step[0]: Transition(*step) for step in _STEPS}


def planning_gaps(activity) -> list[str]:
    """What the planning record still lacks before review (ACCME Criteria 2 and 3)."""
    problems = []
    planning = getattr(activity, "planning", None)
    if planning is None or not planning.practice_gap.strip():
        problems.append(_("Describe the professional practice gap."))
    if planning is None or not planning.gap_sources:
        problems.append(_("Name at least one source of the practice gap."))
    if planning is None or not planning.educational_needs:
        problems.append(_("Say which educational need underlies the gap."))
    if planning is None or not planning.intended_change:
        problems.append(_("Say what the activity is designed to change."))
    if not activity.objectives.exists():
        problems.append(_("Add at least one learning objective."))
    return problems


def blockers(activity, transition: Transition, *, today: dt.date) -> list[str]:
    """Why `transition` cannot happen now; empty when it can."""
    if activity.state != transition.source:
        return [
            _("The activity is %(state)s; this step needs it to be %(source)s.")
            % {"state": activity.get_state_display(), "source": S(transition.source).label}
        ]
    problems: list[str] = []
    if transition.name == "submit_for_review":
        problems += planning_gaps(activity)
        if not activity.sessions.exists():
            problems.append(_("Add the program's sessions before review."))
    elif transition.name == "publish":
        if not activity.sessions.filter(start__isnull=False).exists():
            problems.append(_("Schedule at least one session before publishing."))
    elif transition.name == "complete" and today < activity.end_date:
        problems.append(_("An activity can be completed only after its last day."))
    return problems + hooks.transition_blockers(activity, transition.name)


def available(activity) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if t.source == activity.state]
