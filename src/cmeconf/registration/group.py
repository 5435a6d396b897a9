"""Group registration from a coordinator's list: one person per line, all or nothing.

A line is "e-mail, first name, last name" and optionally ", type" (a
registration type's short name); without one, the type chosen for the group
applies. People without an account get one without a password: they set it
with "Forgot your password?" when they first log in.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cmeconf.accounts.services import find_or_create_person
from cmeconf.registration import services
from cmeconf.registration.models import RegistrationGroup, RegistrationType

MAX_PEOPLE = 200


@dataclass(frozen=True)
class Row:
    line: int
    email: str
    first_name: str
    last_name: str
    registration_type: RegistrationType


def parse_people(
    text: str, activity, default_type: RegistrationType | None
) -> tuple[list[Row], list[str]]:
    """The rows of the list, and a problem per bad line (with its number)."""
    types = {t.code: t for t in RegistrationType.objects.filter(activity=activity, is_active=True)}
    rows: list[Row] = []
    problems: list[str] = []
    seen: set[str] = set()
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        return [], [_("List at least one person.")]
    if len(lines) > MAX_PEOPLE:
        return [], [_("At most %(n)s people per group.") % {"n": MAX_PEOPLE}]
    for n, line in lines:
        cells = [c.strip() for c in next(csv.reader([line], skipinitialspace=True))]
        if len(cells) not in (3, 4) or not all(cells[:3]):
            problems.append(
                _("Line %(n)s: give e-mail, first name and last name, separated by commas.")
                % {"n": n}
            )
            continue
        email = cells[0].lower()
        if email in seen:
            problems.append(_("Line %(n)s: %(email)s is listed twice.") % {"n": n, "email": email})
            continue
        seen.add(email)
        reg_type = default_type
        if len(cells) == 4 and cells[3]:
            reg_type = types.get(cells[3].lower())
            if reg_type is None:
                problems.append(
                    _("Line %(n)s: there is no open registration type “%(code)s”.")
                    % {"n": n, "code": cells[3]}
                )
                continue
        if reg_type is None:
            problems.append(_("Line %(n)s: choose a registration type.") % {"n": n})
            continue
        rows.append(Row(n, email, cells[1], cells[2], reg_type))
    return rows, problems


def register_list(
    activity, *, coordinator, name: str, text: str, default_type: RegistrationType | None, by
) -> RegistrationGroup:
    """Register everyone on the list, or nobody: accounts made for it are undone too.

    Errors: ValidationError {"people": [...]} with a message per bad line or
    person, or {"name": ...}.
    """
    rows, problems = parse_people(text, activity, default_type)
    if problems:
        raise ValidationError({"people": problems})
    with transaction.atomic():
        people = []
        for row in rows:
            try:
                person, _created = find_or_create_person(
                    email=row.email, by=by, first_name=row.first_name, last_name=row.last_name
                )
            except ValidationError as e:
                problems.append(
                    _("Line %(n)s: %(why)s") % {"n": row.line, "why": " ".join(e.messages)}
                )
                continue
            people.append((person, row.registration_type))
        if problems:
            # Leaving the block undoes the accounts made above.
            raise ValidationError({"people": problems})
        return services.register_group(
            activity, coordinator=coordinator, name=name, people=people, by=by
        )
