"""AOA Category 1-A credit for osteopathic physicians (section 4).

- Formal live or interactive programs of AOA-accredited Category 1 sponsors [O2];
  one credit per hour attended [O3]; a live simulcast qualifies [O1]; learners
  attest the hours actually attended [O4]; reported within a year [O1].
- Rounding is UNCONFIRMED: option `rounding`, default nearest quarter hour.
- The statements are UNCONFIRMED.
- The platform does not know MD from DO: any physician may claim it.
"""

from __future__ import annotations

from cmeconf.credits.types.base import (
    HourlyCreditRule,
    StatementContext,
    number,
    rounding_option,
)


class AoaCategory1A(HourlyCreditRule):
    code = "AOA_1A"
    label = "AOA Category 1-A"
    unit = "AOA Category 1-A credit"
    unit_plural = "AOA Category 1-A credits"
    accreditors = frozenset({"AOA"})
    professions = frozenset({"physician"})
    sources = "[O1][O2][O3][O4]"
    # One credit per hour [O3]; the rounding is not in the sources.
    options = (rounding_option("How hours attended are rounded", "[O3] UNCONFIRMED"),)

    def accreditation_statement(self, ctx: StatementContext) -> str:
        # UNCONFIRMED wording.
        return (
            f"{ctx.provider_name} is accredited by the American Osteopathic Association to "
            "provide osteopathic continuing medical education for physicians."
        )

    def designation_statement(self, ctx: StatementContext) -> str:
        # UNCONFIRMED wording; one credit per hour attended [O3], attested [O4].
        return (
            f"{ctx.provider_name} designates this {ctx.format_label} for a maximum of "
            f"{number(ctx.maximum)} AOA Category 1-A credits and will report CME credits "
            "commensurate with the extent of the physician's participation in this activity."
        )


RULE = AoaCategory1A()
