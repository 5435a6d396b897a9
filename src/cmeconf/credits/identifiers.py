"""Checks of the identifiers a claim or a designation carries; each returns the problems found.

- ACPE Universal Activity Number: `XXXX-XXXX-XX-XXX-XXX-X` [P3]: provider ID, `0000`
  sole or `9999` joint providership [P2], two-digit year, three-digit sequence, `L`
  live or `H` home study with a two-digit topic code, `P` pharmacist or `T`
  technician [P1][P4]. Example 12: `0798-9999-18-246-H04-P` is valid, `…-H04-X` not.
- NABP e-Profile ID and birth month and day (MMDD) for CPE Monitor [P7].
- ABMS board IDs for MOC reporting [B1]. The boards' ID formats are not in the
  sources: ABIM's is six digits (printed on every ABIM ID card); for the other
  boards the registration form's check (3 to 20 letters, digits, hyphens) is
  repeated, so what registration accepted a claim accepts (UNCONFIRMED).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_UAN = re.compile(r"^(\d{4})-(\d{4})-(\d{2})-(\d{3})-([LH])(\d{2})-([PT])$")


@dataclass(frozen=True)
class Uan:
    provider: str
    providership: str  # "0000" sole, "9999" joint
    year: int  # two digits, as printed
    sequence: str
    delivery: str  # "L" live, "H" home study
    topic: str
    audience: str  # "P" pharmacist, "T" technician

    @property
    def joint(self) -> bool:
        return self.providership == "9999"


def parse_uan(value: str) -> Uan | None:
    match = _UAN.match(value.strip().upper())
    if not match:
        return None
    provider, ship, year, seq, delivery, topic, audience = match.groups()
    if ship not in ("0000", "9999"):
        return None
    return Uan(provider, ship, int(year), seq, delivery, topic, audience)


def _uan_part_problems(text: str) -> list[str]:
    """Which part of a malformed UAN is wrong, when it has the six parts at all [P1][P3]."""
    parts = text.split("-")
    if len(parts) != 6:
        return []
    provider, ship, year, seq, kind, audience = parts
    problems = []
    if not re.fullmatch(r"\d{4}", provider):
        problems.append(_("The first part of a UAN is the provider's 4-digit ACPE number."))
    if not re.fullmatch(r"\d{4}", ship):
        problems.append(
            _("The second part of a UAN is 0000 (sole providership) or 9999 (joint providership).")
        )
    if not re.fullmatch(r"\d{2}", year):
        problems.append(_("The third part of a UAN is the year, in two digits."))
    if not re.fullmatch(r"\d{3}", seq):
        problems.append(_("The fourth part of a UAN is a 3-digit sequence number."))
    if not re.fullmatch(r"[LH]\d{2}", kind):
        problems.append(
            _(
                "The fifth part of a UAN is L (live) or H (home study) followed by a 2-digit "
                "topic code, for example L04."
            )
        )
    if audience not in ("P", "T"):
        problems.append(
            _(
                "The last part of a UAN is P (pharmacists) or T (pharmacy technicians), "
                "not “%(value)s”."
            )
            % {"value": audience}
        )
    return problems


def uan_problems(
    value: str, *, audience: str | None = None, live: bool | None = None, joint: bool | None = None
) -> list[str]:
    """What is wrong with a UAN, for the audience ("P"/"T"), delivery and providership expected."""
    text = value.strip().upper()
    if not _UAN.match(text):
        general = _(
            "A UAN has the form 0000-0000-00-000-L00-P: provider ID, 0000 or 9999, year, "
            "sequence number, L (live) or H (home study) with a topic code, and P or T; "
            "“%(value)s” does not."
        ) % {"value": value.strip()}
        return [general, *_uan_part_problems(text)]
    uan = parse_uan(text)
    if uan is None:
        return [
            _("The second part of a UAN is 0000 (sole providership) or 9999 (joint providership).")
        ]
    problems = []
    if audience and uan.audience != audience:
        problems.append(
            _("This UAN ends in %(found)s; pharmacist credit needs P, technician credit T.")
            % {"found": uan.audience}
        )
    if live is True and uan.delivery != "L":
        problems.append(_("A live activity's UAN has L (live) before the topic code."))
    if live is False and uan.delivery != "H":
        problems.append(_("Home-study material's UAN has H (home study) before the topic code."))
    if joint is True and not uan.joint:
        problems.append(_("A jointly provided activity's UAN has 9999 as its second part."))
    if joint is False and uan.joint:
        problems.append(_("An activity you provide alone has 0000 as the UAN's second part."))
    return problems


def eprofile_problems(value: str) -> list[str]:
    text = value.strip()
    if not text:
        return [_("Give your NABP e-Profile ID: CPE Monitor finds you by it.")]
    if not text.isdigit() or len(text) > 10:
        return [_("An NABP e-Profile ID is a number of up to 10 digits.")]
    return []


def birth_problems(month: int | None, day: int | None) -> list[str]:
    """Birth month and day, as boards and CPE Monitor match them (MMDD) [B1][P7]."""
    if month is None or day is None:
        return [_("Give your birth month and day: the board matches you by them.")]
    if not 1 <= month <= 12:
        return [_("The birth month is a number from 1 to 12.")]
    # Any year's calendar: a leap year allows 29 February.
    if not 1 <= day <= calendar.monthrange(2024, month)[1]:
        return [
            _("%(month)s has no day %(day)s.") % {"month": calendar.month_name[month], "day": day}
        ]
    return []


def board_id_problems(board: str, value: str) -> list[str]:
    """A board ID as ACCME reports it to the board [B1].

    ABIM IDs have six digits. The other boards' formats are not in the sources
    (UNCONFIRMED): the check is the registration form's, 3 to 20 letters, digits or
    hyphens, so that an ID accepted at registration is accepted with the claim.
    """
    text = value.strip()
    if not text:
        return [_("Give your board ID: the board records MOC points only with it.")]
    if board == "ABIM":
        if not (text.isdigit() and len(text) == 6):
            return [_("An ABIM ID has 6 digits.")]
        return []
    if not re.fullmatch(r"[A-Za-z0-9-]{3,20}", text):
        return [_("A board ID has 3 to 20 letters and digits.")]
    return []
