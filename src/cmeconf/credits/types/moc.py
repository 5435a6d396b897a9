"""ABMS board MOC points reported through ACCME (section 4), one designation per board.

- Member boards reporting through ACCME [B5], listed here in `ABMS_BOARDS` (the
  registration form offers the same list).
- Points usually equal the credits and may be fewer [B3]: the credits are the AMA
  arithmetic (nearest quarter hour, minimum 0.25 [M1][M2]) multiplied by the option
  `points_per_credit` (default 1), never rounded up.
- ABP gives no variable or partial credit [B4]: for boards in the option
  `all_or_nothing_boards` (board codes, default "ABP") a learner earns the designated points
  only after attending the whole designated time, otherwise none.
- The evaluation component is required [B3] (`requires_evaluation`: whatever the
  activity's credit setup says, a claim waits for the evaluation); learners give their board ID and
  birth month and day, and their permission to report; the provider reports
  within 30 days of the evaluation [B1], by 31 December to count for the year [B2].
- The ABIM MOC statement is mandatory [B6]; its wording here is UNCONFIRMED, and the
  same pattern serves the other boards (UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from cmeconf.credits.arithmetic import HUNDREDTH, QUARTER, Minutes, capped, nearest_quarter
from cmeconf.credits.types.ama import accme_statement
from cmeconf.credits.types.base import CreditRule, Option, StatementContext, number

# Member boards reporting MOC through ACCME [B5].
ABMS_BOARDS = {
    "ABA": "American Board of Anesthesiology",
    "ABIM": "American Board of Internal Medicine",
    "ABOHNS": "American Board of Otolaryngology - Head and Neck Surgery",
    "ABOS": "American Board of Orthopaedic Surgery",
    "ABP": "American Board of Pediatrics",
    "ABPath": "American Board of Pathology",
    "ABS": "American Board of Surgery",
    "ABTS": "American Board of Thoracic Surgery",
}


def _decimal(value: Any, default: Decimal) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return default


class AbmsMoc(CreditRule):
    code = "ABMS_MOC"
    label = "ABMS board MOC points"
    unit = "MOC point"
    unit_plural = "MOC points"
    accreditors = frozenset({"ACCME", "JA", "STATE"})
    professions = frozenset({"physician"})
    claim_needs = ("board_id", "birth_month_day")
    per_board = True
    reports_to_third_party = True  # through ACCME PARS [B1]
    requires_evaluation = True  # the evaluation component is required [B3]
    sources = "[B1][B2][B3][B4][B5][B6][M1][M2]"
    options = (
        Option(
            key="points_per_credit",
            label="MOC points per credit (at most 1)",
            default=Decimal("1"),
            source="[B3]",
            minimum=Decimal(0),
            maximum=Decimal(1),
        ),
        Option(
            key="all_or_nothing_boards",
            label="Boards giving points only for the whole activity (codes, comma-separated)",
            default="ABP",
            source="[B4]",
        ),
    )

    def points_per_credit(self, options: Mapping[str, Any]) -> Decimal:
        ratio = _decimal(self.option(options, "points_per_credit"), Decimal(1))
        # Points may be fewer than credits, never more [B3].
        return min(max(ratio, Decimal(0)), Decimal(1))

    def all_or_nothing_boards(self, options: Mapping[str, Any]) -> frozenset[str]:
        value = self.option(options, "all_or_nothing_boards")
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        return frozenset(str(code).strip().upper() for code in value)

    def all_or_nothing(self, board: str, options: Mapping[str, Any]) -> bool:
        return bool(board) and board.upper() in self.all_or_nothing_boards(options)

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        # A learner's points: the nearest quarter without the designation's minimum
        # (as AMA credit, see CreditRule.amount) [M1][M2].
        return self._points(nearest_quarter(minutes.total, minimum=None), options)

    def designation_amount(self, minutes: Minutes, options: Mapping[str, Any]) -> Decimal:
        # The designated points keep the AMA minimum of 0.25 [M2].
        return self._points(nearest_quarter(minutes.total), options)

    def _points(self, credits: Decimal, options: Mapping[str, Any]) -> Decimal:
        # Points may be fewer than credits, never rounded up [B3].
        return (credits * self.points_per_credit(options)).quantize(HUNDREDTH, rounding=ROUND_DOWN)

    def step(self, options: Mapping[str, Any]) -> Decimal:
        return QUARTER if self.points_per_credit(options) == 1 else HUNDREDTH

    def claimable(
        self,
        minutes: Minutes,
        options: Mapping[str, Any],
        *,
        maximum: Decimal,
        designated_minutes: int = 0,
        board: str = "",
        evaluation_minutes: int = 0,
    ) -> Decimal:
        if self.all_or_nothing(board, options):
            # ABP: the designated points for the whole activity, or nothing [B4].
            whole = designated_minutes > 0 and minutes.total >= designated_minutes
            return capped(maximum, maximum) if whole else Decimal("0.00")
        return super().claimable(
            minutes, options, maximum=maximum, designated_minutes=designated_minutes, board=board
        )

    def accreditation_statement(self, ctx: StatementContext) -> str:
        # MOC is reported through ACCME: the ACCME statement [C9][C4].
        return accme_statement(ctx)

    def designation_statement(self, ctx: StatementContext) -> str:
        board_name = ABMS_BOARDS.get(ctx.board, ctx.board)
        if ctx.board == "ABIM":
            # ABIM MOC statement, mandatory [B6]; wording UNCONFIRMED.
            return (
                "Successful completion of this CME activity, which includes participation in "
                "the evaluation component, enables the participant to earn up to "
                f"{number(ctx.maximum)} MOC points in the American Board of Internal Medicine's "
                "(ABIM) Maintenance of Certification (MOC) program. It is the CME activity "
                "provider's responsibility to submit participant completion information to "
                "ACCME for the purpose of granting ABIM MOC credit."
            )
        # Other boards: the same pattern [B1][B3]; wording UNCONFIRMED.
        text = (
            "Successful completion of this CME activity, which includes participation in "
            "the evaluation component, enables the participant to earn up to "
            f"{number(ctx.maximum)} MOC points in the {board_name}'s ({ctx.board}) Maintenance "
            "of Certification (MOC) program. Participant completion information will be "
            f"submitted to ACCME for the purpose of granting {ctx.board} MOC credit."
        )
        if self.all_or_nothing(ctx.board, ctx.options):
            # [B4]
            text += f" {ctx.board} MOC points are awarded only for completing the whole activity."
        return text

    def designation_problems(self, ctx: StatementContext) -> list[str]:
        if ctx.board not in ABMS_BOARDS:
            return [_("MOC points are designated per board: choose one of the ABMS boards.")]
        return []


RULE = AbmsMoc()
