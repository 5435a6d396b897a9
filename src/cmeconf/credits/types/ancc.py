"""ANCC nursing continuing professional development: contact hours (section 4).

- One contact hour is 60 minutes of learning plus the time spent on the
  evaluation [N1]; a CEU (ten contact hours) is a different unit ANCC does not use
  [N1]. The calculation must be "logical and defensible" [N2].
- How to round is UNCONFIRMED [N1]: minutes are kept, and the amount is shown to
  two decimal places by default (option `rounding`; worked example 10: 90 minutes
  plus 5 minutes of evaluation are 1.58 contact hours).
- The provider statement follows the pattern of [N2] and is UNCONFIRMED.
- A learner's evaluation time counts up to the provider's allowance (option
  `evaluation_minutes`, default 0), the same allowance the designated maximum
  includes, so time spent on the form cannot replace attendance.
- For nurses.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from cmeconf.credits.arithmetic import Minutes
from cmeconf.credits.types.base import (
    ROUNDING_CHOICES,
    TWO_PLACES,
    CreditRule,
    Option,
    StatementContext,
    number,
    rounded,
    rounding_step,
)


class AnccContactHours(CreditRule):
    code = "ANCC"
    label = "ANCC nursing contact hours"
    unit = "contact hour"
    unit_plural = "contact hours"
    accreditors = frozenset({"ANCC", "JA"})
    professions = frozenset({"nurse"})
    sources = "[N1][N2]"
    options = (
        Option(
            key="rounding",
            label="How contact hours are rounded",
            default=TWO_PLACES,
            source="[N1] UNCONFIRMED",
            choices=ROUNDING_CHOICES,
        ),
        Option(
            key="evaluation_minutes",
            label="Minutes allowed for the evaluation in the designated maximum",
            default=0,
            source="[N1]",
            minimum=Decimal(0),
            maximum=Decimal(240),
        ),
    )

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        # Learning time plus evaluation time [N1]; no minimum is stated for ANCC. The
        # evaluation time counted is at most the provider's allowance (the one the
        # designated maximum includes): time on the form never stands in for learning.
        spent = min(max(evaluation_minutes, 0), self.evaluation_allowance(options))
        counted = minutes.total + spent if minutes.total > 0 else 0
        return rounded(counted, self.option(options, "rounding"))

    def evaluation_allowance(self, options: Mapping[str, Any]) -> int:
        """The minutes allowed for the evaluation (option `evaluation_minutes`) [N1]."""
        try:
            allowed = int(Decimal(str(self.option(options, "evaluation_minutes") or 0)))
        except (InvalidOperation, ValueError, OverflowError):
            return 0
        return min(max(allowed, 0), 240)

    def designation_amount(self, minutes: Minutes, options: Mapping[str, Any]) -> Decimal:
        # The maximum includes the evaluation time the provider allows for [N1]; a
        # learner's claim adds the time they actually spent, up to the same allowance.
        return self.amount(minutes, options, evaluation_minutes=self.evaluation_allowance(options))

    def step(self, options: Mapping[str, Any]) -> Decimal:
        return rounding_step(self.option(options, "rounding"))

    def accreditation_statement(self, ctx: StatementContext) -> str:
        # Pattern from [N2]; UNCONFIRMED.
        return (
            f"{ctx.provider_name} is accredited as a provider of nursing continuing professional "
            "development by the American Nurses Credentialing Center's Commission on "
            "Accreditation."
        )

    def designation_statement(self, ctx: StatementContext) -> str:
        # Wording UNCONFIRMED; the unit and its definition are [N1].
        return (
            f"This {ctx.format_label} provides a maximum of {number(ctx.maximum)} nursing "
            "contact hours. Nurses should claim only the contact hours commensurate with the "
            "extent of their participation, including the time spent on the evaluation."
        )


RULE = AnccContactHours()
