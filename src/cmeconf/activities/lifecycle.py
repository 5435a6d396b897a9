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

from cmeconf.activities import checklist, hooks
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
    """What the planning record and program still lack before review (ACCME Criteria [C1]-[C8]).

    The activity's own checklist items required for submitting it for review.
    """
    items = checklist.activity_items(activity)
    return [i.detail for i in checklist.open_items(items, "submit_for_review")]


def rule_blockers(activity, transition: Transition, *, today: dt.date) -> list[str]:
    """Why the activity's own rules refuse `transition` now (not those of later apps)."""
    if activity.state != transition.source:
        return [
            _("The activity is %(state)s; this step needs it to be %(source)s.")
            % {"state": activity.get_state_display(), "source": S(transition.source).label}
        ]
    problems = [
        i.detail for i in checklist.open_items(checklist.activity_items(activity), transition.name)
    ]
    if transition.name == "complete" and today < activity.end_date:
        problems.append(_("An activity can be completed only after its last day."))
    return problems


def blockers(activity, transition: Transition, *, today: dt.date) -> list[str]:
    """Why `transition` cannot happen now; empty when it can."""
    problems = rule_blockers(activity, transition, today=today)
    if activity.state != transition.source:
        return problems
    return problems + hooks.transition_blockers(activity, transition.name)


def available(activity) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if t.source == activity.state]
