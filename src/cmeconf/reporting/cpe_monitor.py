"""Pharmacy credit for NABP's CPE Monitor (ACPE claims).

What is public about CPE Monitor [P5][P7][P10] (see the user documentation): a
learner is found by the NABP e-Profile ID (ePID) and the birth date as MMDD; the
provider uploads the credit within 60 days of completion, and late or retroactive
reporting is not possible. The column layout of ACPE's "CPE Monitor Technical
Specifications" is not public, so this file is not that format: it is a plain CSV
of exactly the fields the upload needs, to be mapped onto ACPE's specification
(or typed into the provider's CPE Monitor screens).

Columns: `epid`, `birth_mmdd`, `uan`, `completion_date` (YYYY-MM-DD, the day the
learner completed the evaluation and claim, in the activity's time zone),
`contact_hours` (two decimals) [P8].
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity
from cmeconf.common.spreadsheet import safe_cell
from cmeconf.credits.models import Claim
from cmeconf.reporting import base
from cmeconf.reporting.base import Problem, error, warning

ACPE_TYPES = ("ACPE", "ACPE_TECH")  # pharmacists and pharmacy technicians
COLUMNS = ["epid", "birth_mmdd", "uan", "completion_date", "contact_hours"]
LIMIT_DAYS = 60  # [P5]
WARN_FROM_DAYS = 45
# Universal Activity Number, 0000-0000-00-000-L00-P [P1][P2][P3][P4].
UAN = re.compile(r"^\d{4}-(0000|9999)-\d{2}-\d{3}-[LH]\d{2}-[PT]$")


@dataclass
class Row:
    claim: Claim
    epid: str
    birth_mmdd: str
    uan: str
    completed_on: dt.date

    @property
    def contact_hours(self) -> str:
        return base.amount_text(self.claim.amount)


@dataclass
class Selection:
    rows: list[Row] = field(default_factory=list)
    left_out: list[tuple[Claim, str]] = field(default_factory=list)
    already_reported: int = 0


def _mmdd(claim: Claim) -> str:
    if not claim.birth_month or not claim.birth_day:
        return ""
    try:
        dt.date(2000, claim.birth_month, claim.birth_day)
    except ValueError:
        return ""
    return f"{claim.birth_month:02d}{claim.birth_day:02d}"


def select(activity: Activity) -> Selection:
    selection = Selection()
    for claim in base.live_claims(activity, ACPE_TYPES).select_related("designation"):
        if claim.reported_at:
            selection.already_reported += 1
            continue
        if not claim.consent_to_report:
            selection.left_out.append((claim, _("the learner did not consent to reporting")))
            continue
        epid = claim.nabp_eprofile_id.strip()
        if not epid.isdigit():
            selection.left_out.append((claim, _("NABP e-Profile ID missing or not a number")))
            continue
        mmdd = _mmdd(claim)
        if not mmdd:
            selection.left_out.append((claim, _("birth month and day missing or invalid")))
            continue
        selection.rows.append(
            Row(
                claim=claim,
                epid=epid,
                birth_mmdd=mmdd,
                uan=claim.designation.uan.strip(),
                completed_on=base.local_date(activity, claim.attested_at),
            )
        )
    return selection


def check(activity: Activity, selection: Selection | None = None) -> list[Problem]:
    """Missing identifiers, the UAN, and the 60-day limit (warn from day 45) [P5]."""
    selection = selection or select(activity)
    problems: list[Problem] = []
    if not selection.rows:
        problems.append(error(_("No ACPE claim is ready to report.")))
    uans = {row.uan for row in selection.rows}
    for uan in sorted(uans):
        if not UAN.match(uan):
            problems.append(
                error(
                    _(
                        "The ACPE designation's UAN “%(uan)s” is missing or not of the form "
                        "0000-0000-00-000-L00-P."
                    )
                    % {"uan": uan}
                )
            )
    for claim, reason in selection.left_out:
        problems.append(
            warning(
                _("Not in the file: %(who)s: %(reason)s.") % {"who": _who(claim), "reason": reason}
            )
        )
    today = base.today(activity)
    for row in selection.rows:
        days = (today - row.completed_on).days
        if days > LIMIT_DAYS:
            problems.append(
                error(
                    _(
                        "%(who)s: completed %(days)d days ago; CPE Monitor takes credit only "
                        "within %(limit)d days of completion."
                    )
                    % {"who": _who(row.claim), "days": days, "limit": LIMIT_DAYS}
                )
            )
        elif days >= WARN_FROM_DAYS:
            problems.append(
                warning(
                    _("%(who)s: completed %(days)d days ago; upload within %(left)d days.")
                    % {"who": _who(row.claim), "days": days, "left": LIMIT_DAYS - days}
                )
            )
    return problems


def _who(claim: Claim) -> str:
    name = f"{claim.person.first_name} {claim.person.last_name}".strip()
    return name or claim.person.email


def csv_text(selection: Selection) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in selection.rows:
        writer.writerow(
            [
                safe_cell(row.epid),
                row.birth_mmdd,
                safe_cell(row.uan),
                row.completed_on.isoformat(),
                row.contact_hours,
            ]
        )
    return out.getvalue()


def batch_csv(activity: Activity) -> str:
    return csv_text(select(activity))
