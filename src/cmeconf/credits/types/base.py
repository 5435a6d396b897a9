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

from cmeconf.credits.arithmetic import Minutes


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
    options: tuple[Option, ...] = ()
    sources: str = ""

    def option(self, options: Mapping[str, Any], key: str) -> Any:
        for opt in self.options:
            if opt.key == key:
                return options.get(key, opt.default)
        raise KeyError(key)

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        """Credit for covered minutes, rounded per the rule (before any cap).

        `evaluation_minutes` is the time the learner spent on the evaluation; only
        rules that count it (ANCC [N1]) use it, and the designation passes 0.
        """
        raise NotImplementedError

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
