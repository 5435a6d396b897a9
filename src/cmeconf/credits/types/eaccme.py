"""European CME credits (ECMEC®) of the EACCME® (section 4).

- 0.5 ECMEC per full 30 minutes of actual participation, after the feedback
  form [E3].
- A daily cap: the sources disagree (6 per day and 3 per half day historically
  [E1]; 8 per day cited by EADV [E2]), so it is the option `daily_cap`, default 8
  (empty gives the default). It applies per local calendar day of the activity
  (`Minutes.by_day`); without per-day figures all the time is taken as one day,
  so the cap can only make the amount smaller, never larger. The half-day cap of
  [E1] is not applied.
- Credit only after the feedback form [E3]: `requires_evaluation`, whatever the
  activity's credit setup says.
- The statement follows the pattern of [E3]; its second sentence is UNCONFIRMED.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from cmeconf.credits.arithmetic import HUNDREDTH, Minutes, down_to
from cmeconf.credits.types.base import CreditRule, Option, StatementContext, number

HALF = Decimal("0.5")


class Ecmec(CreditRule):
    code = "ECMEC"
    label = "European CME credits (ECMEC®)"
    unit = "ECMEC®"
    unit_plural = "ECMEC®s"
    accreditors = frozenset({"EACCME"})
    professions = frozenset({"physician"})
    requires_evaluation = True  # credit only after the feedback form [E3]
    sources = "[E1][E2][E3]"
    options = (
        Option(
            key="daily_cap",
            label="Most ECMEC®s per day (6 in older criteria, 8 in current guidance)",
            default=8,
            source="[E1][E2] disagree",
            minimum=Decimal(0),
            maximum=Decimal(24),
        ),
    )

    def daily_cap(self, options: Mapping[str, Any]) -> Decimal:
        try:
            return Decimal(str(self.option(options, "daily_cap")))
        except InvalidOperation:
            return Decimal(8)  # the documented default [E2]

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        cap = self.daily_cap(options)
        days = list(minutes.by_day.values()) or [minutes.total]
        total = Decimal(0)
        for day_minutes in days:
            earned = down_to(day_minutes, 30, HALF)  # [E3]
            total += min(earned, cap)
        return total.quantize(HUNDREDTH)

    def step(self, options: Mapping[str, Any]) -> Decimal:
        return HALF

    def accreditation_statement(self, ctx: StatementContext) -> str:
        # Pattern of [E3].
        return (
            f"“{ctx.activity_title}” is accredited by the European Accreditation Council for "
            f"Continuing Medical Education (EACCME®) with {number(ctx.maximum)} European CME "
            "credits (ECMEC®s)."
        )

    def designation_statement(self, ctx: StatementContext) -> str:
        # [E3]: specialists claim only the hours actually spent; wording UNCONFIRMED.
        return (
            "Each medical specialist should claim only those hours of credit that he/she "
            "actually spent in the educational activity."
        )


RULE = Ecmec()
