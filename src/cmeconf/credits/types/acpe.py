"""ACPE continuing pharmacy education: pharmacists (ACPE) and technicians (ACPE_TECH).

- 60 minutes are one contact hour, which is 0.1 CEU; breaks are excluded [P8].
  Amounts are contact hours to two decimal places (worked example 11: 90 minutes
  are 1.50 contact hours, 0.15 CEU).
- Provider statement [P9]. The designation wording is UNCONFIRMED; since 1 May
  2014 CPE Monitor, not a provider's statement of credit, is the record [P6].
- Every designation carries a Universal Activity Number [P1][P3]: provider ID,
  `0000` sole or `9999` joint providership [P2], year, sequence, `L` live or `H`
  home study with a topic code, `P` pharmacist or `T` technician [P1][P4]
  (worked example 12). A live activity needs `L`; the providership digits must
  match the activity's.
- Learners give their NABP e-Profile ID and birth month and day; the provider
  reports the credit to CPE Monitor within 60 days [P5][P7].
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from cmeconf.credits.arithmetic import Minutes, two_places
from cmeconf.credits.identifiers import uan_problems
from cmeconf.credits.types.base import CreditRule, StatementContext, number

CEU_PER_CONTACT_HOUR = Decimal("0.1")  # [P8]


def ceu(contact_hours: Decimal) -> Decimal:
    """Contact hours as CEU: one contact hour is 0.1 CEU [P8] (1.50 -> 0.150)."""
    return (Decimal(contact_hours) * CEU_PER_CONTACT_HOUR).quantize(Decimal("0.001"))


def _plain(value: Decimal) -> str:
    """0.150 -> "0.15", 1.000 -> "1", 10.000 -> "10"."""
    return f"{value.normalize():f}"


def is_live(format_label: str) -> bool:
    """Live formats (live activity, internet live course) need an `L` UAN [P1]."""
    return "live" in format_label.lower()


class AcpeContactHours(CreditRule):
    code = "ACPE"
    label = "ACPE pharmacy contact hours (pharmacists)"
    unit = "contact hour"
    unit_plural = "contact hours"
    accreditors = frozenset({"ACPE", "JA"})
    professions = frozenset({"pharmacist"})
    claim_needs = ("nabp_eprofile_id", "birth_month_day")
    reports_to_third_party = True  # CPE Monitor [P5][P7]
    sources = "[P1][P2][P3][P4][P5][P6][P7][P8][P9]"
    # The UAN's last letter [P1][P4] and how the statement names the audience.
    audience = "P"
    audience_label = "pharmacists"

    def amount(
        self, minutes: Minutes, options: Mapping[str, Any], *, evaluation_minutes: int = 0
    ) -> Decimal:
        return two_places(minutes.total)

    def accreditation_statement(self, ctx: StatementContext) -> str:
        # [P9]
        return (
            f"{ctx.provider_name} is accredited by the Accreditation Council for Pharmacy "
            "Education as a provider of continuing pharmacy education."
        )

    def designation_statement(self, ctx: StatementContext) -> str:
        # Wording UNCONFIRMED; the units are [P8], the UAN [P1], CPE Monitor [P6].
        return (
            f"This {ctx.format_label} is approved for a maximum of {number(ctx.maximum)} contact "
            f"hours ({_plain(ceu(ctx.maximum))} CEU) of continuing pharmacy education for "
            f"{self.audience_label}, UAN {ctx.uan.strip().upper()}. Credit is recorded in NABP's "
            "CPE Monitor; no paper statement of credit is issued."
        )

    def designation_problems(self, ctx: StatementContext) -> list[str]:
        if not ctx.uan.strip():
            return [_("ACPE credit needs the activity's Universal Activity Number (UAN).")]
        return uan_problems(
            ctx.uan,
            audience=self.audience,
            live=is_live(ctx.format_label),
            joint=bool(ctx.joint_provider),
        )


class AcpeTechnicianContactHours(AcpeContactHours):
    code = "ACPE_TECH"
    label = "ACPE pharmacy contact hours (pharmacy technicians)"
    professions = frozenset({"pharmacy_technician"})
    audience = "T"
    audience_label = "pharmacy technicians"


RULE = AcpeContactHours()
TECH_RULE = AcpeTechnicianContactHours()
