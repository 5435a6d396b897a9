"""Royal College of Physicians and Surgeons of Canada MOC, Section 1 (section 4).

- Accredited group learning: one credit per hour [R2]. Rounding UNCONFIRMED:
  option `rounding`, default nearest quarter hour.
- The statement is [R1], exactly, with "You may claim a maximum of # hours";
  there is no "pending" wording and no retroactive approval [R5].
"""

from __future__ import annotations

from cmeconf.credits.types.base import (
    HourlyCreditRule,
    StatementContext,
    number,
    rounding_option,
)


class RoyalCollegeSection1(HourlyCreditRule):
    code = "RC_SECTION_1"
    label = "Royal College MOC Section 1"
    unit = "hour"
    unit_plural = "hours"
    accreditors = frozenset({"RCPSC"})
    professions = frozenset({"physician"})
    sources = "[R1][R2][R5]"
    # One credit per hour [R2]; the rounding is not in the sources.
    options = (rounding_option("How hours are rounded", "[R2] UNCONFIRMED"),)

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
