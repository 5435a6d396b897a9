"""Checks that later steps of the flow add to the activity lifecycle.

Activities come before integrity, credit and the rest in the flow and import
none of them; a later app that must be able to block a lifecycle step (for
example: no approval while a disclosure is missing) registers a check here
from its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable

# (activity, transition name) -> reasons the step cannot happen; empty when it can.
TransitionCheck = Callable[[object, str], list[str]]

_checks: list[TransitionCheck] = []


def register_transition_check(check: TransitionCheck) -> TransitionCheck:
    if check not in _checks:
        _checks.append(check)
    return check


def transition_blockers(activity, transition_name: str) -> list[str]:
    problems: list[str] = []
    for check in _checks:
        problems += check(activity, transition_name)
    return problems


# (activity, person ids) -> {person id: what learners are told about that person's
# financial relationships}. Integrity provides it; the public pages show it.
LearnerDisclosure = Callable[[object, str, list[int]], dict[int, str]]

_learner_disclosures: list[LearnerDisclosure] = []


def register_learner_disclosure(provider: LearnerDisclosure) -> LearnerDisclosure:
    if provider not in _learner_disclosures:
        _learner_disclosures.append(provider)
    return provider


def learner_disclosures(activity, scope: str, person_ids: list[int]) -> dict[int, str]:
    """What learners are told about each person, where something provides it.

    `scope` names the page it is shown on (e.g. "session:ABC123"), so that each
    version shown can be kept.
    """
    lines: dict[int, str] = {}
    for provider in _learner_disclosures:
        lines.update(provider(activity, scope, person_ids))
    return lines


# activity -> items of the planning checklist that a later app answers for
# (disclosures cleared, commercial support agreements signed, ...).
ChecklistProvider = Callable[[object], list]

_checklist_providers: list[ChecklistProvider] = []


def register_checklist(provider: ChecklistProvider) -> ChecklistProvider:
    if provider not in _checklist_providers:
        _checklist_providers.append(provider)
    return provider


def checklist_items(activity) -> list:
    items: list = []
    for provider in _checklist_providers:
        items += provider(activity)
    return items


# activity -> the disclosure section of the activity page (planners, faculty and
# commercial supporters), or None where nothing provides it.
ActivityDisclosure = Callable[[object], object]

_activity_disclosures: list[ActivityDisclosure] = []


def register_activity_disclosure(provider: ActivityDisclosure) -> ActivityDisclosure:
    if provider not in _activity_disclosures:
        _activity_disclosures.append(provider)
    return provider


def activity_disclosure(activity):
    for provider in _activity_disclosures:
        found = provider(activity)
        if found is not None:
            return found
    return None


# activity -> blocks of statements for the activity page (accreditation and credit
# designation statements). Each block has `heading` and `paragraphs`; a paragraph is
# a sequence of parts with `text` and `em` (set in italics). Credit provides them.
ActivityStatements = Callable[[object], list]

_activity_statements: list[ActivityStatements] = []


def register_activity_statements(provider: ActivityStatements) -> ActivityStatements:
    if provider not in _activity_statements:
        _activity_statements.append(provider)
    return provider


def activity_statements(activity) -> list:
    blocks: list = []
    for provider in _activity_statements:
        blocks += provider(activity)
    return blocks
