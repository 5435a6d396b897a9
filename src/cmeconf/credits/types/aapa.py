"""AAPA Category 1 CME for physician assistants (section 4).

- Clock hours rounded to the nearest quarter hour [AA1]; no minimum is stated.
- Approval by the AAPA Review Panel is valid for a year from the start; never
  retroactive [AA1]. Until it is approved (`approval_pending`), the activity may
  only say the exact "not yet approved" wording of [AA1].
- The designation wording once approved is UNCONFIRMED: a sober statement is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cmeconf.credits.arithmetic import QUARTER, Minutes, nearest_quarter
from cmeconf.credits.types.base import CreditRule, StatementContext, number


def _credits(maximum: Decimal) -> str:
    return "credit" if maximum == 1 else "credits"


class AapaCategory1(CreditRule):
    code = "AAPA_1"
    label = "AAPA Category 1 CME"
    unit = "AAPA Category 1 CME credit"
    unit_plural = "AAPA Category 1 CME credits"
    accreditors = frozenset({"AAPA", "JA"})
    professions = frozenset({"physician_assistant"})
    sources = "[AA1][AA2][AA3]"

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        return nearest_quarter(minutes.total, minimum=None)  # [AA1]

    def step(self, options: Mapping[str, Any]) -> Decimal:
        return QUARTER

    def accreditation_statement(self, ctx: StatementContext) -> str:
        if ctx.approval_pending:
            # Exact wording before approval [AA1].
            return (
                "This program is not yet approved for CME credit. Conference organizers plan "
                f"to request {number(ctx.maximum)} AAPA Category 1 CME credits from the "
                "Physician Assistant Review Panel. Total number of approved credits yet to be "
                "determined."
            )
        # UNCONFIRMED wording.
        return (
            "This activity has been reviewed by the AAPA Review Panel and is compliant with "
            "AAPA CME Criteria."
        )

    def designation_statement(self, ctx: StatementContext) -> str:
        if ctx.approval_pending:
            # Nothing may be designated before approval [AA1]; only the reminder stays.
            return (
                "PAs should claim only the credit commensurate with the extent of their "
                "participation."
            )
        # UNCONFIRMED wording.
        return (
            f"This {ctx.format_label} is designated for a maximum of {number(ctx.maximum)} AAPA "
            f"Category 1 CME {_credits(ctx.maximum)}. PAs should claim only the credit "
            "commensurate with the extent of their participation."
        )


RULE = AapaCategory1()
