"""Certificate of participation for those no credit type covers (section 3, section 6).

Other professions (and physicians who want a record of attendance) receive a
certificate of the hours they attended, to two decimal places; it claims no
accreditation [M11]. Any provider may offer it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cmeconf.credits.arithmetic import Minutes, two_places
from cmeconf.credits.types.base import CreditRule, StatementContext, number

# Every providers.models.Accreditor code (a test keeps the two lists equal).
ALL_ACCREDITORS = frozenset(
    {"ACCME", "JA", "ANCC", "ACPE", "AAPA", "AOA", "STATE", "RCPSC", "EACCME", "OTHER"}
)


class Participation(CreditRule):
    code = "PARTICIPATION"
    label = "Certificate of participation"
    unit = "hour of participation"
    unit_plural = "hours of participation"
    accreditors = ALL_ACCREDITORS
    professions = frozenset()  # everyone
    sources = "[M11][M6]"

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        return two_places(minutes.total)

    def accreditation_statement(self, ctx: StatementContext) -> str:
        return (
            f"{ctx.provider_name} certifies participation in this {ctx.format_label} for the "
            "hours shown."
        )

    def designation_statement(self, ctx: StatementContext) -> str:
        return (
            f"The activity offers a maximum of {number(ctx.maximum)} hours of participation. "
            "This certificate records attendance only: it is not a designation of continuing "
            "education credit by any accrediting body."
        )


RULE = Participation()
