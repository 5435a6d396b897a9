"""What every credit type provides: its arithmetic, its statements, who may claim it.

Each credit type is one small module in this package with one `CreditRule`
instance named `RULE`; `credits.types.REGISTRY` collects them. Views, the
claim service and the certificate never branch on a credit type's code: they
ask its rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cmeconf.credits.arithmetic import (
    HUNDREDTH,
    QUARTER,
    Minutes,
    capped,
    nearest_quarter,
    two_places,
)


@dataclass(frozen=True)
class StatementContext:
    """What the statements of a designation mention."""

    provider_name: str
    activity_title: str
    # The learning format in the statement's words: "live activity", "enduring material" [M4].
    format_label: str
    maximum: Decimal
    joint_provider: str = ""
    board: str = ""
    uan: str = ""
    approval_pending: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Option:
    """A choice the sources leave open; the provider sets it, the default is documented."""

    key: str
    label: str
    default: Any
    source: str  # the reference key(s) that leave it open, e.g. "[N1] UNCONFIRMED"
    # Allowed values with their labels, for options that are a choice ("two_places", ...);
    # empty for a number (the default's type says which).
    choices: tuple[tuple[str, str], ...] = ()
    # Bounds of a number option (inclusive); None leaves that side to the general bound
    # (provider_types: never negative, never absurdly large).
    minimum: Decimal | None = None
    maximum: Decimal | None = None


# Roundings a provider may choose where the sources do not fix one.
NEAREST_QUARTER = "nearest_quarter"
TWO_PLACES = "two_places"
ROUNDING_CHOICES: tuple[tuple[str, str], ...] = (
    (NEAREST_QUARTER, "Hours to the nearest quarter hour"),
    (TWO_PLACES, "Hours to two decimal places"),
)


def rounded(minutes: int, rounding: str, *, minimum: Decimal | None = None) -> Decimal:
    """minutes/60 by the chosen rounding: nearest quarter [M1] or two places [N1]."""
    if rounding == NEAREST_QUARTER:
        return nearest_quarter(minutes, minimum=minimum)
    if rounding == TWO_PLACES:
        return two_places(minutes)
    raise ValueError(f"unknown rounding {rounding!r}")


def rounding_step(rounding: str) -> Decimal:
    return QUARTER if rounding == NEAREST_QUARTER else HUNDREDTH


def number(value: Decimal) -> str:
    """An amount as statements print it: two places ("7.00", "1.50"), as AMA's do [M5]."""
    return f"{Decimal(value):.2f}"


class CreditRule:
    """One credit type. Subclasses set the attributes and override what differs."""

    code: str = ""
    label: str = ""
    # The unit on certificates and pages, singular and plural.
    unit: str = "credit"
    unit_plural: str = "credits"
    # Provider accreditations (providers.models.Accreditor codes) that allow switching it on.
    accreditors: frozenset[str] = frozenset()
    # Professions (accounts.rules.Profession) who may claim it; empty means everyone.
    professions: frozenset[str] = frozenset()
    # Identifiers a claim asks for: "board_id", "nabp_eprofile_id", "birth_month_day".
    claim_needs: tuple[str, ...] = ()
    # One designation per ABMS board (MOC).
    per_board: bool = False
    # A consent to report the credit to a third party is part of the claim [B1].
    reports_to_third_party: bool = False
    # Credit of this type needs the evaluation whatever the activity's setup says
    # (MOC [B3], ECMEC [E3]); the claim service makes the learner complete it first.
    requires_evaluation: bool = False
    options: tuple[Option, ...] = ()
    sources: str = ""

    def option(self, options: Mapping[str, Any], key: str) -> Any:
        """The provider's value of an option, or its documented default.

        An empty value, or a value that is none of the option's choices, gives the
        default: a stored setting can never make the arithmetic fail.
        """
        for opt in self.options:
            if opt.key == key:
                value = options.get(key, opt.default)
                if value is None or value == "":
                    return opt.default
                if opt.choices and not (isinstance(value, str) and value in dict(opt.choices)):
                    return opt.default
                return value
        raise KeyError(key)

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        """A learner's credit for covered minutes, rounded per the rule (before any cap).

        `evaluation_minutes` is the time the learner spent on the evaluation; only
        rules that count it (ANCC [N1]) use it, within the allowance the designated
        maximum includes. Decision (open question of [M2]): the 0.25 minimum of AMA
        credit is the designation's; a learner's claim is the nearest quarter without
        it, so 1 to 7 measured minutes support nothing.
        """
        raise NotImplementedError

    def designation_amount(self, minutes: Minutes, options: Mapping[str, Any]) -> Decimal:
        """The maximum a designation computes from the activity's credit minutes.

        The same arithmetic as a claim; rules that count time outside the sessions
        (ANCC's evaluation time [N1]) add the provider's estimate of it here, and
        rules with a designation minimum (AMA 0.25 [M2]) apply it here only.
        """
        return self.amount(minutes, options, evaluation_minutes=0)

    def step(self, options: Mapping[str, Any]) -> Decimal:
        """The smallest increment a claim of this type moves in (AMA: a quarter [M1])."""
        return HUNDREDTH

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
        """The most a learner may claim: the rule's amount for their minutes, capped by
        the designated maximum [M3][M6]. `designated_minutes` (the minutes the designation
        rests on) and `board` matter only to rules that need them (ABP: all or nothing [B4]).
        """
        earned = self.amount(minutes, options, evaluation_minutes=evaluation_minutes)
        return capped(earned, maximum)

    def accreditation_statement(self, ctx: StatementContext) -> str:
        raise NotImplementedError

    def designation_statement(self, ctx: StatementContext) -> str:
        raise NotImplementedError

    def designation_problems(self, ctx: StatementContext) -> list[str]:
        """Why a designation of this type cannot stand as given (a malformed UAN ...)."""
        return []

    def may_claim(self, profession: str) -> bool:
        return not self.professions or profession in self.professions

    def __repr__(self) -> str:
        return f"<CreditRule {self.code}>"


def rounding_option(label: str, source: str) -> Option:
    """The provider's choice of rounding, for rules whose sources leave it open."""
    return Option(
        key="rounding",
        label=label,
        default=NEAREST_QUARTER,
        source=source,
        choices=ROUNDING_CHOICES,
    )


class HourlyCreditRule(CreditRule):
    """One credit per hour attended, rounded as the provider's "rounding" option says."""

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        return rounded(minutes.total, self.option(options, "rounding"))

    def step(self, options: Mapping[str, Any]) -> Decimal:
        return rounding_step(self.option(options, "rounding"))
