"""Royal College of Physicians and Surgeons of Canada MOC, Section 1 (section 4).

- Accredited group learning: one credit per hour [R2]. Rounding UNCONFIRMED:
  option `rounding`, default nearest quarter hour.
- The statement is [R1], exactly, with "You may claim a maximum of # hours";
  there is no "pending" wording and no retroactive approval [R5].
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cmeconf.credits.arithmetic import Minutes
from cmeconf.credits.types.base import (
    NEAREST_QUARTER,
    ROUNDING_CHOICES,
    CreditRule,
    Option,
    StatementContext,
    number,
    rounded,
    rounding_step,
)


class RoyalCollegeSection1(CreditRule):
    code = "RC_SECTION_1"
    label = "Royal College MOC Section 1"
    unit = "hour"
    unit_plural = "hours"
    accreditors = frozenset({"RCPSC"})
    professions = frozenset({"physician"})
    sources = "[R1][R2][R5]"
    options = (
        Option(
            key="rounding",
            label="How hours are rounded",
            default=NEAREST_QUARTER,
            source="[R2] UNCONFIRMED",
            choices=ROUNDING_CHOICES,
        ),
    )

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        return rounded(minutes.total, self.option(options, "rounding"))  # 1 credit/hour [R2]

    def step(self, options: Mapping[str, Any]) -> Decimal:
        return rounding_step(self.option(options, "rounding"))

    def accreditation_statement(self, ctx: StatementContext) -> str:
        # [R1], first sentence, exact.
        return (
            "This event is an Accredited Group Learning Activity (Section 1) as defined by the "
            "Maintenance of Certification Program of the Royal College of Physicians and "
            f"Surgeons of Canada, and approved by {ctx.provider_name}."
        )

    def designation_statement(self, ctx: StatementContext) -> str:
        # [R1], second sentence, exact.
        return (
            f"You may claim a maximum of {number(ctx.maximum)} hours (credits are automatically "
            "calculated)."
        )


RULE = RoyalCollegeSection1()
