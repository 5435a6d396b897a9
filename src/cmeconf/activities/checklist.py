"""The planning checklist: what the activity's file must show, item by item, with its source.

The activity's own items come from its planning record and program (ACCME
Criteria, accreditation.md section 2); later apps add theirs through
activities.hooks (disclosures, commercial support, ...). The lifecycle refuses a
step while one of the activity's own items required for it is not done
(lifecycle.planning_gaps and lifecycle.blockers read them from here).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cmeconf.activities import hooks
from cmeconf.activities.choices import EducationalNeed, IntendedChange, SessionFormat
from cmeconf.activities.models import PlanningRecord
from cmeconf.providers.models import Accreditor

# The transitions an item can be required for (names of lifecycle.TRANSITIONS).
SUBMIT = "submit_for_review"
APPROVE = "approve"
PUBLISH = "publish"
ORDER = (SUBMIT, APPROVE, PUBLISH)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    source: str  # citation key(s) of docs/credits/sources.md, e.g. "C1" or "Std 3 [A6]"
    done: bool
    detail: str  # what to do while not done; what was found once done
    required_for: str  # the lifecycle transition it must be done for


def joint_providership_statement(activity) -> str | None:
    """The joint providership statement learners are shown [C4], or None if it cannot be made.

    It names the accredited provider as accredited by the ACCME, so the provider's
    ACCME accreditation must be on file. The Joint Accreditation wording for joint
    providership is UNCONFIRMED and not generated here.
    """
    if not activity.joint_provider.strip():
        return None
    accredited = activity.provider.accreditations.filter(accreditor=Accreditor.ACCME).exists()
    if not accredited:
        return None
    provider, joint = activity.provider.name, activity.joint_provider.strip()
    return _(
        "This activity has been planned and implemented in accordance with the accreditation "
        "requirements and policies of the Accreditation Council for Continuing Medical Education "
        "(ACCME) through the joint providership of %(provider)s and %(joint)s. The %(provider)s "
        "is accredited by the ACCME to provide continuing medical education for physicians."
    ) % {"provider": provider, "joint": joint}


def _labels(values: list[str], choices) -> str:
    found = dict(choices)
    return ", ".join(str(found.get(v, v)) for v in values)


def activity_items(activity) -> list[ChecklistItem]:
    """The items the activity answers for itself: planning record, planners, program."""
    # Read afresh: a record cached on the activity may predate the last change.
    planning = PlanningRecord.objects.filter(activity=activity).first()
    gap = planning.practice_gap.strip() if planning else ""
    sources = planning.gap_sources if planning else []
    needs = planning.educational_needs if planning else []
    change = planning.intended_change if planning else []
    evaluation = planning.evaluation_plan.strip() if planning else ""
    objectives = activity.objectives.count()
    formats = list(activity.sessions.values_list("format", flat=True))
    scheduled = activity.sessions.filter(start__isnull=False).count()
    planners = activity.planners.count()

    def item(key, label, source, done, todo, found, required_for) -> ChecklistItem:
        return ChecklistItem(key, label, source, done, found if done else todo, required_for)

    items = [
        # Criterion 2: the professional practice gap, the common non-compliance [C1].
        item(
            "practice_gap",
            _("Professional practice gap"),
            "C1",
            bool(gap),
            _("Describe the professional practice gap."),
            _("Described."),
            SUBMIT,
        ),
        item(
            "gap_sources",
            _("Sources of the gap"),
            "C1",
            bool(sources),
            _("Name at least one source of the practice gap."),
            _("%(n)s named.") % {"n": len(sources)},
            SUBMIT,
        ),
        # The knowledge, competence or performance needs behind the gap [C1].
        item(
            "educational_needs",
            _("Educational needs"),
            "C1",
            bool(needs),
            _("Say which educational need underlies the gap."),
            _labels(needs, EducationalNeed.choices),
            SUBMIT,
        ),
        # Designed to change competence, performance or patient outcomes [C2][C3].
        item(
            "intended_change",
            _("Designed to change"),
            "C2, C3",
            bool(change),
            _("Say what the activity is designed to change."),
            _labels(change, IntendedChange.choices),
            SUBMIT,
        ),
        item(
            "objectives",
            _("Learning objectives"),
            _("§2 planning file"),
            objectives > 0,
            _("Add at least one learning objective."),
            _("%(n)s objectives.") % {"n": objectives},
            SUBMIT,
        ),
        # Criterion 11: the activity analyses the change it was designed for [C8].
        item(
            "evaluation_plan",
            _("How change will be analysed"),
            "C8",
            bool(evaluation),
            _("Say how the activity will analyse the change it was designed for."),
            _("Described."),
            SUBMIT,
        ),
        # The format of each session is kept in the file; the criterion's exact text on
        # appropriate formats is UNCONFIRMED, so only their presence is checked.
        item(
            "formats",
            _("Sessions and their formats"),
            _("§2 planning file"),
            bool(formats),
            _("Add the program's sessions before review."),
            _labels(sorted(set(formats)), SessionFormat.choices),
            SUBMIT,
        ),
        # Planners control content: they disclose and are reviewed like faculty [A8].
        item(
            "planners",
            _("Planners named"),
            "Std 3 [A8]",
            planners > 0,
            _("Name at least one planner or course director."),
            _("%(n)s named.") % {"n": planners},
            SUBMIT,
        ),
        item(
            "scheduled",
            _("Program scheduled"),
            _("§2 planning file"),
            scheduled > 0,
            _("Schedule at least one session before publishing."),
            _("%(n)s of %(total)s sessions scheduled.") % {"n": scheduled, "total": len(formats)},
            PUBLISH,
        ),
    ]
    if activity.joint_provider.strip():
        statement = joint_providership_statement(activity)
        items.append(
            item(
                "joint_statement",
                _("Joint providership statement"),
                "C4",
                statement is not None,
                _(
                    "Record the provider's ACCME accreditation: the joint providership "
                    "statement learners see names it."
                ),
                statement or "",
                PUBLISH,
            )
        )
    return items


def checklist(activity) -> list[ChecklistItem]:
    """Every item of the activity's planning checklist: its own, then the later apps'."""
    return activity_items(activity) + list(hooks.checklist_items(activity))


def open_items(items: list[ChecklistItem], transition: str) -> list[ChecklistItem]:
    return [i for i in items if not i.done and i.required_for == transition]
