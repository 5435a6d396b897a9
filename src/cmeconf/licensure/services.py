"""Licences and credits in, compliance out: the glue between the database and the engine.

Plain functions. Views and the API call these; the engine (``engine.evaluate``)
knows nothing of the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.licensure import engine, vocabulary, windows
from cmeconf.licensure.loader import load_shipped
from cmeconf.licensure.models import ExternalCredit, Licence
from cmeconf.licensure.rules import RequirementSet

# Amounts of credit on one certificate: more than this is a typing error.
MAX_AMOUNT = Decimal("500")


def requirement_sets() -> dict[str, RequirementSet]:
    return load_shipped()


def set_label(rs: RequirementSet) -> str:
    """ "Texas: physician (MD, DO)" """
    types = ", ".join(sorted(rs.license_types))
    profession = vocabulary.PROFESSIONS.get(rs.profession, rs.profession.replace("_", " "))
    return f"{rs.jurisdiction.name}: {profession} ({types})"


def set_choices() -> list[tuple[str, str]]:
    """(id, label) of every shipped requirement set, by label."""
    return sorted(((k, set_label(rs)) for k, rs in requirement_sets().items()), key=lambda c: c[1])


def licence_problems(
    *,
    person=None,
    licence_id: int | None = None,
    requirement_set: str,
    license_type: str,
    conditions: list[str],
    expires_on: dt.date | None,
    birth_month: int | None,
    birth_day: int | None,
    issued_on: dt.date | None,
) -> dict[str, str]:
    """What is wrong with a licence's fields, by field; empty when nothing.

    The set must exist and cover the licence type; conditions must be known; a
    birth day needs its month and must exist; and where the board's cycle cannot
    be worked out (a board-assigned date) the expiry date is needed. Given the
    `person` (and the `licence_id` being edited), a second licence of the same
    board and type is refused: its credits would be counted twice.
    """
    problems: dict[str, str] = {}
    rs = requirement_sets().get(requirement_set)
    if rs is None:
        return {"requirement_set": _("Choose a jurisdiction and profession from the list.")}
    if license_type not in rs.license_types:
        problems["license_type"] = _("%(set)s covers these licence types: %(types)s.") % {
            "set": rs.jurisdiction.name,
            "types": ", ".join(sorted(rs.license_types)),
        }
    unknown = [c for c in conditions if c not in vocabulary.CONDITIONS]
    if unknown:
        problems["conditions"] = _("Unknown practice conditions: %(codes)s.") % {
            "codes": ", ".join(unknown)
        }
    if birth_day is not None and birth_month is None:
        problems["birth_month"] = _("Give the month with the day.")
    elif birth_day is not None and birth_month is not None:
        try:
            dt.date(2000, birth_month, birth_day)  # a leap year: 29 February exists
        except ValueError:
            problems["birth_day"] = _("That day does not exist in that month.")
    if issued_on and expires_on and expires_on <= issued_on:
        problems["expires_on"] = _("The expiry date must come after the issue date.")
    if expires_on is None and rs.cycle.anchor in windows.EXPIRY_REQUIRED_ANCHORS:
        problems["expires_on"] = _(
            "The board sets each licence's renewal date: give the expiry printed on the licence."
        )
    if person is not None and not problems:
        twins = Licence.objects.filter(
            person=person, requirement_set=requirement_set, license_type=license_type
        ).exclude(pk=licence_id)
        if twins.exists():
            problems["license_type"] = _(
                "You already have this licence. Edit it instead of adding it."
            )
    return problems


def birth_date(licence: Licence) -> dt.date | None:
    if licence.birth_month is None:
        return None
    # The year does not matter to any cycle; 2000 is a leap year, so 29 February exists.
    return dt.date(2000, licence.birth_month, licence.birth_day or 1)


def engine_licence(licence: Licence) -> engine.Licence:
    return engine.Licence(
        requirement_set=requirement_sets()[licence.requirement_set],
        license_type=licence.license_type,
        expires_on=licence.expires_on,
        issued_on=licence.issued_on,
        birth_date=birth_date(licence),
        renewal_number=licence.renewal_number,
        specialties=frozenset(licence.specialties),
        conditions=frozenset(licence.conditions),
        carried_in=licence.carried_in,
        cycle_start=licence.cycle_start,
    )


# The engine names credits by these ids; what was carried over from the last cycle has its own.
CARRIED_IN = engine.CARRIED_IN


def engine_credit_id(pk: int) -> str:
    return f"x{pk}"


def credit_pk(engine_id: str) -> int | None:
    """The ExternalCredit id behind an engine credit id; None for carried-over credit."""
    if engine_id == CARRIED_IN:
        return None
    return int(engine_id.removeprefix("x"))


def engine_credit(credit: ExternalCredit) -> engine.Credit:
    return engine.Credit(
        id=engine_credit_id(credit.pk),
        date=credit.completed_on,
        amounts={k: Decimal(v) for k, v in credit.amounts.items()},
        topics=frozenset(credit.topics),
        approvals=frozenset(credit.approvals),
        format=credit.format,
        title=credit.title,
    )


def credits_of(person) -> list[engine.Credit]:
    """Every credit the person has, as the engine takes them.

    Credit earned on this platform joins these once certificates are issued here;
    until then the clinician's own records are what counts.
    """
    return [engine_credit(c) for c in ExternalCredit.objects.filter(person=person)]


@dataclass(frozen=True)
class LicenceReport:
    licence: Licence
    requirement_set: RequirementSet
    status: engine.LicenceStatus | None
    # Why there is no status: the engine needs a date the licence does not give.
    problem: str = ""

    @property
    def open_gaps(self) -> list[engine.RequirementStatus]:
        if self.status is None:
            return []
        return [r for r in self.status.requirements if is_open(r)]


def is_open(requirement: engine.RequirementStatus) -> bool:
    """Still to do: hours missing, or a required course of no stated length not yet taken.

    The gap alone does not tell: such a course has no hours to miss (gap 0) and is
    still not met.
    """
    return not requirement.met


def reports(person, *, today: dt.date | None = None) -> list[LicenceReport]:
    """The state of each of the person's licences on `today`."""
    today = today or timezone.localdate()
    credits = credits_of(person)
    out = []
    for licence in Licence.objects.filter(person=person):
        rs = requirement_sets().get(licence.requirement_set)
        if rs is None:
            continue  # a set withdrawn from the data; the licence stays, unreported
        try:
            status = engine.evaluate(engine_licence(licence), credits, today=today)
        except windows.ExpiryRequiredError:
            out.append(
                LicenceReport(
                    licence,
                    rs,
                    None,
                    _("Give the licence's expiry date to see its renewal cycle."),
                )
            )
            continue
        out.append(LicenceReport(licence, rs, status))
    return out


def parse_amounts(raw: dict) -> dict[str, str]:
    """{credit type: amount} checked: known types, positive amounts of at most 2 decimals."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationError({"amounts": _("Give at least one credit type and its amount.")})
    clean = {}
    for code, value in raw.items():
        if code not in vocabulary.CREDIT_TYPES:
            raise ValidationError({"amounts": _("Unknown credit type %(code)s.") % {"code": code}})
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(
                {"amounts": _("%(code)s: give a number.") % {"code": code}}
            ) from None
        if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
            raise ValidationError(
                {
                    "amounts": _("%(code)s: between 0 and %(max)s.")
                    % {"code": code, "max": MAX_AMOUNT}
                }
            )
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(
                {"amounts": _("%(code)s: at most two decimals.") % {"code": code}}
            )
        clean[code] = str(amount.quantize(Decimal("0.01")))
    return clean


def credit_problems(*, topics: list[str], approvals: list[str], format: str) -> dict[str, str]:
    problems = {}
    if bad := [t for t in topics if t not in vocabulary.TOPICS]:
        problems["topics"] = _("Unknown topics: %(codes)s.") % {"codes": ", ".join(bad)}
    if bad := [a for a in approvals if a not in vocabulary.APPROVALS]:
        problems["approvals"] = _("Unknown approvals: %(codes)s.") % {"codes": ", ".join(bad)}
    if format and format not in vocabulary.FORMATS:
        problems["format"] = _("Unknown format %(code)s.") % {"code": format}
    return problems


@transaction.atomic
def add_credit(person, **fields) -> ExternalCredit:
    """Record one external credit; ValidationError (by field) when something is wrong."""
    amounts = parse_amounts(fields.pop("amounts", None))
    problems = credit_problems(
        topics=fields.get("topics", []),
        approvals=fields.get("approvals", []),
        format=fields.get("format", ""),
    )
    if fields.get("completed_on") and fields["completed_on"] > timezone.localdate():
        problems["completed_on"] = _("The completion date is in the future.")
    if problems:
        raise ValidationError(problems)
    return ExternalCredit.objects.create(person=person, amounts=amounts, **fields)
