"""The clinician identifiers that credit reporting needs, asked only where a credit type needs them.

Each credit type an activity offers may need identifiers to report the learner's
credit to a third party: ABMS boards take MOC points through ACCME's PARS only
with the board ID and birth month and day [B1]; pharmacy credit goes to NABP's
CPE Monitor, which matches the learner by e-Profile ID and birth month and day
[P7]; state medical boards that collaborate with ACCME match physicians by
licence (or NPI) and birth month and day [PA7][PA9]. Learners are asked only for
the identifiers of the credit types they say they will claim, and told why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.accounts.rules import npi_is_valid
from cmeconf.credits.types import REGISTRY
from cmeconf.credits.types.moc import ABMS_BOARDS

# Credit types a provider may offer: the credit registry's, in its order.
CREDIT_TYPES: dict[str, str] = {code: rule.label for code, rule in REGISTRY.items()}

# States, DC and the territories whose boards license physicians.
US_STATES = frozenset(
    {
        *("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL"),
        *("IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE"),
        *("NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "PR", "RI", "SC"),
        *("SD", "TN", "TX", "UT", "VT", "VA", "VI", "WA", "WV", "WI", "WY", "GU"),
    }
)


IDENTIFIER_LABELS: dict[str, str] = {
    "licence_state": gettext_lazy("State of your medical licence"),
    "licence_number": gettext_lazy("Licence number"),
    "npi": gettext_lazy("NPI"),
    "abms_board": gettext_lazy("Certifying board"),
    "abms_id": gettext_lazy("Board ID"),
    "nabp_eprofile_id": gettext_lazy("NABP e-Profile ID"),
    "birth_month": gettext_lazy("Birth month"),
    "birth_day": gettext_lazy("Birth day"),
}
IDENTIFIERS = tuple(IDENTIFIER_LABELS)


@dataclass(frozen=True)
class Need:
    """What one credit type asks for, and why."""

    credit_type: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    reason: str

    @property
    def label(self) -> str:
        return str(CREDIT_TYPES[self.credit_type])

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


NEEDS: dict[str, Need] = {
    "ABMS_MOC": Need(
        "ABMS_MOC",
        required=("abms_board", "abms_id", "birth_month", "birth_day"),
        optional=(),
        reason=gettext_lazy(
            "Your board accepts MOC points only with your board ID and birth month and day. "
            "We report them for you through ACCME, with your permission, within 30 days of "
            "your evaluation."
        ),
    ),
    "ACPE": Need(
        "ACPE",
        required=("nabp_eprofile_id", "birth_month", "birth_day"),
        optional=(),
        reason=gettext_lazy(
            "Pharmacy credit exists only in NABP's CPE Monitor, which finds you by your "
            "e-Profile ID and birth month and day. We must upload it within 60 days; without "
            "them your credit cannot be recorded."
        ),
    ),
    "ACPE_TECH": Need(
        "ACPE_TECH",
        required=("nabp_eprofile_id", "birth_month", "birth_day"),
        optional=(),
        reason=gettext_lazy(
            "Pharmacy technician credit exists only in NABP's CPE Monitor, which finds you by "
            "your e-Profile ID and birth month and day. We must upload it within 60 days; "
            "without them your credit cannot be recorded."
        ),
    ),
    "AMA_PRA_1": Need(
        "AMA_PRA_1",
        required=(),
        optional=("licence_state", "licence_number", "npi", "birth_month", "birth_day"),
        reason=gettext_lazy(
            "Optional. Some state medical boards receive CME reports from ACCME and match you "
            "by licence or NPI and birth month and day; give them if you want your credit "
            "reported to your board."
        ),
    ),
}

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def credit_type_choices(codes: Iterable[str] | None = None) -> list[tuple[str, str]]:
    codes = list(CREDIT_TYPES) if codes is None else [c for c in codes if c in CREDIT_TYPES]
    return [(code, str(CREDIT_TYPES[code])) for code in codes]


def needs_for(credit_types: Iterable[str]) -> list[Need]:
    """The needs of the chosen credit types, in the order given; types needing nothing left out."""
    return [NEEDS[c] for c in credit_types if c in NEEDS]


def asked(credit_types: Iterable[str]) -> tuple[set[str], set[str]]:
    """(required, optional) identifiers for the chosen credit types."""
    required: set[str] = set()
    optional: set[str] = set()
    for need in needs_for(credit_types):
        required.update(need.required)
        optional.update(need.optional)
    return required, optional - required


def _text(value) -> str:
    return str(value).strip() if value is not None else ""


def identifier_problems(
    offered: Iterable[str], credit_types: Iterable[str], identifiers: dict
) -> dict[str, str]:
    """Problems keyed by field ("credit_types" or an identifier name)."""
    offered = list(offered)
    credit_types = list(credit_types)
    problems: dict[str, str] = {}
    strange = [c for c in credit_types if c not in offered]
    if strange:
        problems["credit_types"] = _("This activity does not offer %(types)s.") % {
            "types": ", ".join(strange)
        }
    unknown = [k for k in identifiers if k not in IDENTIFIER_LABELS]
    if unknown:
        problems["identifiers"] = _("Unknown identifiers: %(names)s.") % {
            "names": ", ".join(sorted(unknown))
        }
    required, optional = asked(credit_types)
    values = {k: _text(identifiers.get(k)) for k in IDENTIFIERS}
    for name in sorted(required):
        if not values[name]:
            problems[name] = _("Needed for the credit you chose.")
    for name, value in values.items():
        if value and name not in required | optional:
            problems[name] = _("Not needed for the credit you chose; leave it empty.")
    if values["licence_state"] and values["licence_state"].upper() not in US_STATES:
        problems["licence_state"] = _("Give the two-letter code of a US state or territory.")
    if values["licence_number"] and not values["licence_state"]:
        problems["licence_state"] = _("Say which state issued the licence.")
    if values["npi"] and not npi_is_valid(values["npi"]):
        problems["npi"] = _("An NPI has 10 digits and a valid check digit; please check it.")
    if values["abms_board"] and values["abms_board"] not in ABMS_BOARDS:
        problems["abms_board"] = _("Choose one of the boards listed.")
    if values["abms_id"] and not re.fullmatch(r"[A-Za-z0-9-]{3,20}", values["abms_id"]):
        problems["abms_id"] = _("A board ID has 3 to 20 letters and digits.")
    if values["nabp_eprofile_id"] and not re.fullmatch(r"\d{6,7}", values["nabp_eprofile_id"]):
        problems["nabp_eprofile_id"] = _("An NABP e-Profile ID has 6 or 7 digits.")
    month, day = values["birth_month"], values["birth_day"]
    if bool(month) != bool(day):
        problems["birth_month" if not month else "birth_day"] = _("Give both month and day.")
    elif month:
        if not (month.isdigit() and 1 <= int(month) <= 12):
            problems["birth_month"] = _("Choose a month from 1 to 12.")
        elif not (day.isdigit() and 1 <= int(day) <= _DAYS_IN_MONTH[int(month) - 1]):
            problems["birth_day"] = _("That month has no such day.")
    return problems


def clean_identifiers(identifiers: dict) -> dict:
    """The given identifiers, trimmed, numbers as numbers, empty ones left out."""
    cleaned: dict = {}
    for name in IDENTIFIERS:
        value = _text(identifiers.get(name))
        if not value:
            continue
        if name in ("birth_month", "birth_day"):
            cleaned[name] = int(value)
        elif name == "licence_state":
            cleaned[name] = value.upper()
        else:
            cleaned[name] = value
    return cleaned
