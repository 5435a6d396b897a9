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
