"""AMA PRA Category 1 Credit™ (sources: docs/credits/sources.md).

- Designated only by ACCME or state-accredited providers, in advance [M3].
- Live: 60 minutes are one credit, to the nearest quarter hour, minimum 0.25 [M1][M2].
  Decision: the minimum is the designation's (`designation_amount`); a learner's
  claim (`amount`) is the nearest quarter without it, so 1 to 7 minutes support 0.
- Only physicians (MD, DO) earn it [M11]; others get a certificate of participation.
- The designation statement names the format in its first sentence [M4][M5] and
  carries the full italic trademarked phrase [M11].
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cmeconf.credits.arithmetic import QUARTER, Minutes, nearest_quarter
from cmeconf.credits.types.base import CreditRule, StatementContext, number


def _credits(maximum: Decimal) -> str:
    return "Credit" if maximum == 1 else "Credits"


class AmaPraCategory1(CreditRule):
    code = "AMA_PRA_1"
    label = "AMA PRA Category 1 Credit™"
    unit = "AMA PRA Category 1 Credit™"
    unit_plural = "AMA PRA Category 1 Credits™"
    accreditors = frozenset({"ACCME", "JA", "STATE"})
    professions = frozenset({"physician"})
    sources = "[M1][M2][M3][M4][M5][M6][M11]"

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        # A learner's claim: the nearest quarter [M1] without the 0.25 minimum, which
        # is the designation's [M2] (decision, see CreditRule.amount).
        return nearest_quarter(minutes.total, minimum=None)

    def designation_amount(self, minutes: Minutes, options: Mapping[str, Any]) -> Decimal:
        # The activity's maximum: nearest quarter, at least 0.25 [M1][M2].
        return nearest_quarter(minutes.total)

    def step(self, options: Mapping[str, Any]) -> Decimal:
        return QUARTER  # 0.25 increments [M1]

    def accreditation_statement(self, ctx: StatementContext) -> str:
        return accme_statement(ctx)

    def designation_statement(self, ctx: StatementContext) -> str:
        # [M5], the format in the first sentence since 2011 [M4].
        return (
            f"{ctx.provider_name} designates this {ctx.format_label} for a maximum of "
            f"{number(ctx.maximum)} AMA PRA Category 1 {_credits(ctx.maximum)}™. Physicians "
            "should claim only the credit commensurate with the extent of their participation "
            "in the activity."
        )


def accme_statement(ctx: StatementContext) -> str:
    """The ACCME accreditation statement, direct [C9] or joint providership [C4]."""
    if ctx.joint_provider:
        # Joint providership wording [C4].
        return (
            "This activity has been planned and implemented in accordance with the "
            "accreditation requirements and policies of the Accreditation Council for "
            "Continuing Medical Education (ACCME) through the joint providership of "
            f"{ctx.provider_name} and {ctx.joint_provider}. {ctx.provider_name} is accredited "
            "by the ACCME to provide continuing medical education for physicians."
        )
    # Direct providership wording [C9].
    return (
        f"{ctx.provider_name} is accredited by the Accreditation Council for Continuing "
        "Medical Education (ACCME) to provide continuing medical education for physicians."
    )


RULE = AmaPraCategory1()
