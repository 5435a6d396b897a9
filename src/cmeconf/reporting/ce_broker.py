"""A roster for CE Broker (nurses and other professions whose boards use it).

No public column specification of CE Broker's roster upload was saved, so this is
our own, documented layout of the fields such a roster carries; check it against
the layout CE Broker gives the provider before uploading.

Columns: `licence_number`, `licence_state`, `first_name`, `last_name`,
`completion_date` (YYYY-MM-DD, in the activity's time zone), `hours` (two decimals),
`credit_type`. Only claims with the learner's consent to report are listed [A4].
The licence comes from what the learner gave at registration, else from a licence
in their licensure profile.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity
from cmeconf.common.spreadsheet import safe_cell
from cmeconf.credits.models import Claim
from cmeconf.reporting import base
from cmeconf.reporting.base import Problem, error, warning

COLUMNS = [
    "licence_number",
    "licence_state",
    "first_name",
    "last_name",
    "completion_date",
    "hours",
    "credit_type",
]
# Credit types of professions that report through CE Broker; physicians' AMA credit
# goes through PARS, pharmacy through CPE Monitor, MOC through PARS.
DEFAULT_TYPES = ("ANCC", "AAPA_1", "IPCE")


@dataclass
class Row:
    claim: Claim
    licence_number: str
    licence_state: str


@dataclass
class Selection:
    rows: list[Row] = field(default_factory=list)
    left_out: list[tuple[Claim, str]] = field(default_factory=list)


def _licences(activity: Activity, person_ids: set[int]) -> dict[int, tuple[str, str]]:
    from cmeconf.licensure.models import Licence
    from cmeconf.registration.models import Registration

    found: dict[int, tuple[str, str]] = {}
    for person_id, requirement_set, number in (
        Licence.objects.filter(person_id__in=person_ids)
        .exclude(number="")
        .values_list("person_id", "requirement_set", "number")
    ):
        # Requirement sets are named like "US-FL-RN": the state is the second part.
        parts = requirement_set.split("-")
        found.setdefault(person_id, (number.strip(), parts[1] if len(parts) > 1 else ""))
    for person_id, ids in Registration.objects.filter(
        activity=activity, person_id__in=person_ids
    ).values_list("person_id", "identifiers"):
        ids = ids or {}
        number = str(ids.get("licence_number", "")).strip()
        if number:
            found[person_id] = (number, str(ids.get("licence_state", "")).strip().upper())
    return found


def select(activity: Activity, credit_types: tuple[str, ...] = DEFAULT_TYPES) -> Selection:
    claims = list(base.live_claims(activity, credit_types))
    licences = _licences(activity, {c.person_id for c in claims})
    selection = Selection()
    for claim in claims:
        if not claim.consent_to_report:
            selection.left_out.append((claim, _("the learner did not consent to reporting")))
            continue
        number, state = licences.get(claim.person_id, ("", ""))
        if not number:
            selection.left_out.append((claim, _("no licence number")))
            continue
        selection.rows.append(Row(claim, number, state))
    return selection


def check(activity: Activity, selection: Selection | None = None) -> list[Problem]:
    selection = selection or select(activity)
    problems: list[Problem] = []
    if not selection.rows:
        problems.append(error(_("No claim is ready for the CE Broker roster.")))
    for claim, reason in selection.left_out:
        name = f"{claim.person.first_name} {claim.person.last_name}".strip()
        problems.append(
            warning(
                _("Not in the roster: %(who)s (%(type)s): %(reason)s.")
                % {"who": name, "type": claim.credit_type, "reason": reason}
            )
        )
    for row in selection.rows:
        if not row.licence_state:
            name = f"{row.claim.person.first_name} {row.claim.person.last_name}".strip()
            problems.append(
                warning(_("%(who)s: the licence's state is not known.") % {"who": name})
            )
    return problems


def csv_text(activity: Activity, selection: Selection) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in selection.rows:
        person = row.claim.person
        writer.writerow(
            [
                safe_cell(row.licence_number),
                safe_cell(row.licence_state),
                safe_cell(person.first_name),
                safe_cell(person.last_name),
                base.local_date(activity, row.claim.attested_at).isoformat(),
                base.amount_text(row.claim.amount),
                row.claim.credit_type,
            ]
        )
    return out.getvalue()


def roster_csv(activity: Activity) -> str:
    return csv_text(activity, select(activity))
