"""IPCE: Interprofessional Continuing Education credit (section 4).

Optional, for activities planned by and for the healthcare team, offered by
jointly accredited providers only [J1][J2]. The credits are a reasonable estimate
of the time learners engage [J1]: the covered minutes to the nearest quarter hour
(no minimum is stated). The statement is [J1], exactly; the accreditation statement
is the Joint Accreditation statement [J3].
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cmeconf.credits.arithmetic import QUARTER, Minutes, nearest_quarter
from cmeconf.credits.types.base import CreditRule, StatementContext, number
from cmeconf.credits.types.ja import JA_ORDER, joint_accreditation_statement


class Ipce(CreditRule):
    code = "IPCE"
    label = "IPCE interprofessional credit"
    unit = "IPCE credit"
    unit_plural = "IPCE credits"
    accreditors = frozenset({"JA"})
    professions = frozenset()  # the whole healthcare team [J1]
    sources = "[J1][J2][J3][J6]"
    options = (JA_ORDER,)

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        return nearest_quarter(minutes.total, minimum=None)  # estimate of engagement [J1]

    def step(self, options: Mapping[str, Any]) -> Decimal:
        return QUARTER

    def accreditation_statement(self, ctx: StatementContext) -> str:
        return joint_accreditation_statement(
            ctx.provider_name, self.option(ctx.options, JA_ORDER.key)
        )

    def designation_statement(self, ctx: StatementContext) -> str:
        # [J1], exact.
        return (
            "This activity was planned by and for the healthcare team, and learners will "
            f"receive {number(ctx.maximum)} Interprofessional Continuing Education (IPCE) credit "
            "for learning and change."
        )


RULE = Ipce()
