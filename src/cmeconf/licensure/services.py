"""Licences and credits in, compliance out: the glue between the database and the engine.

Plain functions. Views and the API call these; the engine (``engine.evaluate``)
knows nothing of the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.licensure import engine, platform, vocabulary, windows
from cmeconf.licensure.loader import load_shipped
from cmeconf.licensure.models import CreditImport, ExternalCredit, Licence
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
    cycle_start: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, str]:
    """What is wrong with a licence's fields, by field; empty when nothing.

    The set must exist and cover the licence type; conditions must be known; a
    birth day needs its month and must exist; and the fields must place the
    board's cycle: where the engine cannot work out the renewal date, the field it
    lacks (expiry date, birth month or cycle start) is named. Given the `person`
    (and the `licence_id` being edited), a second licence of the same board and
    type is refused: its credits would be counted twice.
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
    if cycle_start and expires_on and cycle_start >= expires_on:
        problems["cycle_start"] = _("The cycle must start before the expiry date.")
    if (
        rs.cycle.anchor.startswith("birthday")
        and expires_on is None
        and birth_month is not None
        and birth_day is None
    ):
        # Renewal falls on the birthday itself: the month alone leaves it a month adrift.
        problems["birth_day"] = _(
            "This board renews on your birthday: give the day too (or the expiry date "
            "printed on the licence)."
        )
    if expires_on is None and rs.cycle.anchor in windows.EXPIRY_REQUIRED_ANCHORS:
        problems["expires_on"] = _expiry_needed()
    elif not problems.keys() & {"birth_month", "birth_day", "expires_on", "cycle_start"}:
        licence = engine.Licence(
            requirement_set=rs,
            license_type=license_type,
            expires_on=expires_on,
            issued_on=issued_on,
            birth_date=_birth_date(birth_month, birth_day),
            cycle_start=cycle_start,
        )
        if missing := missing_date(licence, today=today or timezone.localdate()):
            problems[missing[0]] = missing[1]
    if person is not None and not problems:
        twins = Licence.objects.filter(
            person=person, requirement_set=requirement_set, license_type=license_type
        ).exclude(pk=licence_id)
        if twins.exists():
            problems["license_type"] = duplicate_licence_message()
    return problems


def duplicate_licence_message() -> str:
    return _("You already have this licence. Edit it instead of adding it.")


def _expiry_needed() -> str:
    return _(
        "The board sets each licence's renewal date: give the expiry date printed on the licence."
    )


def missing_date(licence: engine.Licence, *, today: dt.date) -> tuple[str, str] | None:
    """(field, what to give) when the engine cannot place the licence's cycle; else None.

    The engine's error does not say which field would help, so each candidate is
    tried in turn: a birth date, then a cycle start; the expiry date (which always
    places the cycle) otherwise. Evaluating without credits is cheap.
    """
    if _places_cycle(licence, today):
        return None
    if licence.birth_date is None and _places_cycle(
        dataclasses.replace(licence, birth_date=dt.date(2000, 1, 1)), today
    ):
        return "birth_month", _(
            "This board renews on a date set by your birth date: give your birth month "
            "(or the expiry date printed on the licence)."
        )
    if licence.cycle_start is None and _places_cycle(
        dataclasses.replace(licence, cycle_start=today.replace(month=1, day=1)), today
    ):
        return "cycle_start", _(
            "This board counts each licence's own cycle: give the date your current cycle "
            "started (or the expiry date printed on the licence)."
        )
    return "expires_on", _expiry_needed()


def _places_cycle(licence: engine.Licence, today: dt.date) -> bool:
    try:
        engine.evaluate(licence, [], today=today)
    except windows.ExpiryRequiredError:
        return False
    return True


def certification_problems(
    *, certified_on: dt.date | None, expires_on: dt.date | None
) -> dict[str, str]:
    """What is wrong with a board certification's dates, by field; empty when nothing."""
    if certified_on and expires_on and expires_on <= certified_on:
        return {"expires_on": _("The expiry date must come after the certification date.")}
    return {}


def save_licence(licence: Licence) -> Licence:
    """Save a checked licence; ValidationError when the same one was saved meanwhile.

    licence_problems refuses a second copy, but two saves at the same moment both pass
    that check: the database constraint decides, and the loser hears why.
    """
    try:
        with transaction.atomic():
            licence.save()
    except IntegrityError:
        raise ValidationError({"license_type": duplicate_licence_message()}) from None
    return licence


def birth_date(licence: Licence) -> dt.date | None:
    return _birth_date(licence.birth_month, licence.birth_day)


def _birth_date(month: int | None, day: int | None) -> dt.date | None:
    if month is None:
        return None
    # The year does not matter to any cycle; 2000 is a leap year, so 29 February exists.
    return dt.date(2000, month, day or 1)


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
    """The ExternalCredit behind an engine credit id; None for carried-over or claimed credit."""
    if not engine_id.startswith("x"):
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
    """Every credit the person has, as the engine takes them: what they recorded
    themselves and what they claimed on this platform (see platform.py)."""
    person_id = getattr(person, "pk", person)
    external = [engine_credit(c) for c in ExternalCredit.objects.filter(person_id=person_id)]
    claimed, _lines = platform.platform_credits(person_id)
    return external + claimed


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
    found = (_report(licence, credits, today) for licence in Licence.objects.filter(person=person))
    return [r for r in found if r is not None]


def report(licence: Licence, *, today: dt.date | None = None) -> LicenceReport | None:
    """The state of one licence on `today`; None when its set is no longer shipped."""
    return _report(licence, credits_of(licence.person_id), today or timezone.localdate())


def _report(licence: Licence, credits: list[engine.Credit], today: dt.date) -> LicenceReport | None:
    rs = requirement_sets().get(licence.requirement_set)
    if rs is None:
        return None  # a set withdrawn from the data; the licence stays, unreported
    subject = engine_licence(licence)
    try:
        status = engine.evaluate(subject, credits, today=today)
    except windows.ExpiryRequiredError:
        missing = missing_date(subject, today=today)
        problem = missing[1] if missing else _expiry_needed()
        return LicenceReport(licence, rs, None, problem)
    return LicenceReport(licence, rs, status)


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


def credit_key(title: str, completed_on: dt.date, amounts: dict) -> tuple:
    """What makes two credits the same: title (any case and spacing), date, every designation."""
    return (
        " ".join(title.split()).casefold(),
        completed_on,
        frozenset((code, Decimal(str(value))) for code, value in amounts.items()),
    )


def recorded_keys(person, *, on: dt.date | None = None) -> set[tuple]:
    """credit_key of every credit the person recorded (only those of day `on`, if given)."""
    credits = ExternalCredit.objects.filter(person=person)
    if on is not None:
        credits = credits.filter(completed_on=on)
    return {
        credit_key(title, day, amounts)
        for title, day, amounts in credits.values_list("title", "completed_on", "amounts")
    }


def already_recorded_message() -> str:
    return _(
        "This credit is already recorded (same title, date and credit); it would be counted twice."
    )


@transaction.atomic
def add_credit(person, **fields) -> ExternalCredit:
    """Record one external credit; ValidationError (by field) when something is wrong.

    The same credit twice (credit_key) is refused: it would make the learner look
    further along than they are.
    """
    amounts = parse_amounts(fields.pop("amounts", None))
    problems = credit_problems(
        topics=fields.get("topics", []),
        approvals=fields.get("approvals", []),
        format=fields.get("format", ""),
    )
    day = fields.get("completed_on")
    if day and day > timezone.localdate():
        problems["completed_on"] = _("The completion date is in the future.")
    if day and not problems:
        key = credit_key(fields.get("title", ""), day, amounts)
        if key in recorded_keys(person, on=day):
            problems["title"] = already_recorded_message()
    if problems:
        raise ValidationError(problems)
    return ExternalCredit.objects.create(person=person, amounts=amounts, **fields)


@transaction.atomic
def delete_credit(credit: ExternalCredit) -> None:
    """Remove one credit; with the last credit of a CSV import, the import goes too.

    The import record only exists to refuse the same file twice: once none of its
    credits is left, importing the file again counts nothing twice.
    """
    import_id = credit.source_import_id
    if import_id is not None:
        # Locked, so that two removals at once cannot both leave the other's credit behind.
        CreditImport.objects.select_for_update().filter(pk=import_id).first()
    name, storage = credit.certificate.name, credit.certificate.storage
    credit.delete()
    if name:
        # Only once the row is gone for good: a rolled-back delete keeps its file.
        transaction.on_commit(lambda: storage.delete(name))
    if (
        import_id is not None
        and not ExternalCredit.objects.filter(source_import_id=import_id).exists()
    ):
        CreditImport.objects.filter(pk=import_id).delete()
