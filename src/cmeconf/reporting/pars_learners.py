"""Learner completion data for ABMS boards (MOC) and state medical boards, through PARS.

Rules [B1][B2][PA7][PA8][PA9]:

- A learner's credit goes to a board only with the learner's permission: claims
  without `consent_to_report` are never in the file.
- MOC: board ID, first and last name, birth month and day, completion date, credit
  type and amount [B1]. State boards: licence (state and number) or NPI, with birth
  month and day [PA7][PA9]. A claim missing one of these is left out and listed.
- Report within 30 days of the learner's evaluation [B1]; by 31 December for the year
  to count, and PARS takes the year's data until 31 March of the next year [B2].
- A row counts as reported (`Claim.reported_at`) only when staff confirm that the
  upload went through ("mark as reported", audited), never when a file is downloaded.

Two renderings of the same rows: ACCME's draft PARS learner JSON (v0.5) and the
MedBiquitous Activity Report v2 XML. PARS knows birth month and day only; both formats
want a date, so the year is written as 2000 (a leap year, so 29 February stays valid)
and the XML marks it `accuracy="DayMonth"`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from cmeconf.activities.models import Activity
from cmeconf.common import audit
from cmeconf.credits.models import Claim
from cmeconf.providers.permissions import Permission, permission_set
from cmeconf.reporting import base
from cmeconf.reporting.base import Problem, error, warning

AMA = "AMA_PRA_1"
REPORTED_TYPES = (base.MOC_TYPE, AMA)
PLACEHOLDER_YEAR = 2000
LATE_AFTER_DAYS = 30  # [B1]
ACCME_ACTIVITY_ID = re.compile(r"^\d{9}$")

AR_NS = "http://ns.medbiq.org/activityreport/v2/"
MEMBER_NS = "http://ns.medbiq.org/member/v2/"
NAME_NS = "http://ns.medbiq.org/name/v2/"
HX_NS = "http://ns.medbiq.org/lom/extend/v1/"
NSMAP = {None: AR_NS, "m": MEMBER_NS, "n": NAME_NS, "hx": HX_NS}


@dataclass
class Row:
    """One claim that can go into the file."""

    claim: Claim
    id_value: str
    id_domain: str  # board code, state code or "NPI"
    certification: str
    evaluated_on: dt.date
    completed: str  # ISO date-time in the activity's zone


@dataclass
class Selection:
    rows: list[Row] = field(default_factory=list)
    left_out: list[tuple[Claim, str]] = field(default_factory=list)
    already_reported: int = 0

    @property
    def claim_ids(self) -> list[int]:
        return [row.claim.pk for row in self.rows]


def _evaluation_dates(activity: Activity, person_ids: Iterable[int]) -> dict[int, dt.datetime]:
    from cmeconf.evaluations.models import EvaluationResponse, FormKind

    rows = EvaluationResponse.objects.filter(
        form__activity=activity,
        form__kind=FormKind.ACTIVITY,
        form__session__isnull=True,
        person_id__in=list(person_ids),
    ).values_list("person_id", "submitted_at")
    return dict(rows)


def _registration_ids(activity: Activity) -> dict[int, dict]:
    from cmeconf.registration.models import Registration

    return {
        person_id: identifiers or {}
        for person_id, identifiers in Registration.objects.filter(activity=activity).values_list(
            "person_id", "identifiers"
        )
    }


def _birth_ok(claim: Claim) -> bool:
    if not claim.birth_month or not claim.birth_day:
        return False
    try:
        dt.date(PLACEHOLDER_YEAR, claim.birth_month, claim.birth_day)
    except ValueError:
        return False
    return True


def select(activity: Activity, *, include_reported: bool = False) -> Selection:
    """The claims that may be reported, and those left out with the reason."""
    claims = list(base.live_claims(activity, REPORTED_TYPES))
    evaluated = _evaluation_dates(activity, {c.person_id for c in claims})
    identifiers = _registration_ids(activity)
    selection = Selection()
    for claim in claims:
        if claim.reported_at and not include_reported:
            selection.already_reported += 1
            continue
        if not claim.consent_to_report:
            # Never shared without the learner's permission [B1][A4].
            selection.left_out.append((claim, _("the learner did not consent to reporting")))
            continue
        if not _birth_ok(claim):
            selection.left_out.append((claim, _("birth month and day missing or invalid")))
            continue
        if claim.credit_type == base.MOC_TYPE:
            board = base.MOC_BOARDS.get(claim.board)
            if not board:
                selection.left_out.append((claim, _("no ABMS board that reports through PARS")))
                continue
            if not claim.board_id.strip():
                selection.left_out.append((claim, _("board ID missing")))
                continue
            id_value, id_domain = claim.board_id.strip(), board
            certification = f"{board} MOC"
        else:
            ids = identifiers.get(claim.person_id, {})
            state = str(ids.get("licence_state", "")).strip().upper()
            number = str(ids.get("licence_number", "")).strip()
            npi = str(ids.get("npi", "") or getattr(claim.person, "npi", "") or "").strip()
            if state and number:
                id_value, id_domain = number, state
            elif npi:
                id_value, id_domain = npi, "NPI"
            else:
                selection.left_out.append((claim, _("no licence (state and number) and no NPI")))
                continue
            certification = base.CERTIFICATION[AMA][0]
        moment = evaluated.get(claim.person_id) or claim.attested_at
        selection.rows.append(
            Row(
                claim=claim,
                id_value=id_value,
                id_domain=id_domain,
                certification=certification,
                evaluated_on=base.local_date(activity, moment),
                completed=base.local_iso(activity, claim.attested_at),
            )
        )
    return selection


def check(
    activity: Activity, selection: Selection | None = None, *, accme_activity_id: str = ""
) -> list[Problem]:
    """What blocks the learner file and what is late or near a deadline [B1][B2]."""
    selection = selection or select(activity)
    problems: list[Problem] = []
    if not base.pars_provider_id(activity):
        problems.append(error(_("The provider has no ACCME provider ID in its accreditations.")))
    if not ACCME_ACTIVITY_ID.match(accme_activity_id or ""):
        problems.append(
            error(
                _(
                    "Give the 9-digit ACCME activity ID that PARS assigned to this activity "
                    "(register the activity in PARS first)."
                )
            )
        )
    if not selection.rows:
        problems.append(error(_("No claim is ready to report.")))
    for claim, reason in selection.left_out:
        problems.append(
            warning(
                _("Not in the file: %(who)s (%(type)s): %(reason)s.")
                % {"who": _who(claim), "type": claim.credit_type, "reason": reason}
            )
        )
    today = base.today(activity)
    for row in selection.rows:
        who = _who(row.claim)
        days = (today - row.evaluated_on).days
        if days > LATE_AFTER_DAYS:
            problems.append(
                warning(
                    _(
                        "%(who)s: evaluated %(days)d days ago; boards expect the report within "
                        "%(limit)d days of the evaluation."
                    )
                    % {"who": who, "days": days, "limit": LATE_AFTER_DAYS}
                )
            )
        year = row.evaluated_on.year
        values = {"who": who, "year": year, "next": year + 1}
        if today > dt.date(year + 1, 3, 31):
            problems.append(
                error(
                    _(
                        "%(who)s: completed in %(year)d; PARS took %(year)d data only until "
                        "31 March %(next)d."
                    )
                    % values
                )
            )
        elif today > dt.date(year, 12, 31):
            problems.append(
                warning(
                    _(
                        "%(who)s: completed in %(year)d and reported after 31 December; it may "
                        "not count toward %(year)d (PARS accepts it until 31 March %(next)d)."
                    )
                    % values
                )
            )
        elif (dt.date(year, 12, 31) - today).days <= 14:
            problems.append(
                warning(
                    _("%(who)s: report by 31 December for it to count toward %(year)d.") % values
                )
            )
    return problems


def _who(claim: Claim) -> str:
    person = claim.person
    name = f"{person.first_name} {person.last_name}".strip()
    return name or person.email


# --- JSON ------------------------------------------------------------------------------------


def _birth(claim: Claim) -> str:
    return dt.date(PLACEHOLDER_YEAR, claim.birth_month, claim.birth_day).isoformat()


def _credit_id(activity: Activity, claim: Claim) -> str:
    return f"ccid:{activity.provider.slug}:claim-{claim.pk}"


def _by_person(rows: list[Row]) -> list[list[Row]]:
    groups: dict[int, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.claim.person_id, []).append(row)
    return list(groups.values())


def learners_json(activity: Activity, selection: Selection, *, accme_activity_id: str) -> str:
    provider_id = base.pars_provider_id(activity)
    reports = []
    for rows in _by_person(selection.rows):
        first = rows[0].claim
        reports.append(
            {
                "ReportingOrganization": activity.provider.name,
                "Member": {
                    "Name": {
                        "GivenName": first.person.first_name,
                        "FamilyName": first.person.last_name,
                    },
                    "PersonalInfo": {"BirthDate": _birth(first)},
                },
                "Activity": {
                    "ProviderOrganization": provider_id,
                    "Module": {
                        "ModuleName": {"value": activity.title, "moduleID": accme_activity_id},
                        "Status": "Completed",
                        "CompletedDateTime": max(row.completed for row in rows),
                        "CreditCertificate": [
                            {
                                "UniqueID": {"value": row.id_value, "domain": row.id_domain},
                                "CreditReceived": {
                                    "activityCertification": row.certification,
                                    "creditUnit": "Point",
                                    "numberOfCredits": float(row.claim.amount),
                                },
                                "CreditID": _credit_id(activity, row.claim),
                            }
                            for row in rows
                        ],
                    },
                },
                "XtensibleInfo": {"ProviderID": provider_id, "LearnerRecordAction": "add"},
            }
        )
    data = {
        "ACCMELearnerReports": {
            "ActivityReports": {
                "DateTimeCreated": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
                "ActivityReport": reports,
            }
        }
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


# --- MedBiquitous Activity Report XML ---------------------------------------------------------


def _sub(parent, ns: str, tag: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: base.xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        el.text = base.xml_safe(text)
    return el


def _domain(code: str) -> str:
    """A MedBiquitous ID domain (`idd:<host>:<kind>`) for a board, a state or the NPI."""
    return f"idd:accme.org:{code.lower()}"


def learners_xml(activity: Activity, selection: Selection, *, accme_activity_id: str) -> bytes:
    root = etree.Element(f"{{{AR_NS}}}ActivityReports", nsmap=NSMAP)
    _sub(
        root,
        AR_NS,
        "DateTimeCreated",
        timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
    )
    dates = [row.evaluated_on for row in selection.rows] or [base.today(activity)]
    _sub(root, AR_NS, "ReportingStartDate", min(dates).isoformat())
    _sub(root, AR_NS, "ReportingEndDate", max(dates).isoformat())
    provider_id = base.pars_provider_id(activity)
    for rows in _by_person(selection.rows):
        first = rows[0].claim
        report = _sub(root, AR_NS, "ActivityReport")
        _sub(report, AR_NS, "ReportingOrganization", activity.provider.name)
        member = _sub(report, AR_NS, "Member")
        seen: set[tuple[str, str]] = set()
        for row in rows:
            key = (row.id_domain, row.id_value)
            if key not in seen:
                seen.add(key)
                _sub(member, MEMBER_NS, "UniqueID", row.id_value, domain=_domain(row.id_domain))
        name = _sub(member, MEMBER_NS, "Name")
        if first.person.first_name:
            _sub(name, NAME_NS, "GivenName", first.person.first_name)
        if first.person.last_name:
            _sub(name, NAME_NS, "FamilyName", first.person.last_name)
        info = _sub(member, MEMBER_NS, "PersonalInfo")
        _sub(info, MEMBER_NS, "BirthDate", _birth(first), accuracy="DayMonth")
        act = _sub(report, AR_NS, "Activity")
        _sub(act, AR_NS, "ProviderOrganization", provider_id or activity.provider.name)
        _sub(act, AR_NS, "ActivityName", activity.title)
        if accme_activity_id:
            _sub(
                act, AR_NS, "ActivityInstanceID", accme_activity_id, domain="idd:accme.org:activity"
            )
        _sub(act, AR_NS, "Status", "Completed")
        module = _sub(act, AR_NS, "Module")
        _sub(module, AR_NS, "ModuleName", activity.title, moduleID=accme_activity_id)
        _sub(module, AR_NS, "Status", "Completed")
        _sub(module, AR_NS, "CompletedDateTime", max(row.completed for row in rows))
        for row in rows:
            cert = _sub(module, AR_NS, "CreditCertificate")
            received = _sub(cert, AR_NS, "CreditReceived")
            _sub(received, HX_NS, "activityCertification", row.certification)
            _sub(received, HX_NS, "creditUnit", "Point")
            _sub(received, HX_NS, "numberOfCredits", base.amount_text(row.claim.amount))
            _sub(cert, AR_NS, "CreditID", _credit_id(activity, row.claim))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- marking rows reported ------------------------------------------------------------------


def mark_reported(activity: Activity, claim_ids: Iterable[int], *, by) -> int:
    """Record that the listed claims were uploaded and accepted.

    Side effects: sets `Claim.reported_at` on each listed claim of `activity` that may
    be reported and was not yet; one audit entry per claim ("claim.reported"). Claims
    of another activity, withdrawn, without consent or already reported are refused or
    skipped; nothing is marked on download.
    """
    perms = permission_set(by, activity.provider, activity)
    if not perms & {Permission.REPORTS, Permission.CREDIT}:
        raise PermissionDenied(_("Your teams do not allow this."))
    wanted = {int(pk) for pk in claim_ids}
    if not wanted:
        raise ValidationError({"claims": _("Choose the rows that were uploaded.")})
    eligible = {row.claim.pk for row in select(activity).rows}
    unknown = wanted - eligible
    if unknown:
        raise ValidationError(
            {"claims": _("Some rows cannot be marked: they are not in this activity's file.")}
        )
    now = timezone.now()
    with transaction.atomic():
        claims = list(
            Claim.objects.select_for_update().filter(
                pk__in=wanted, activity=activity, reported_at__isnull=True
            )
        )
        for claim in claims:
            claim.reported_at = now
            claim.save(update_fields=["reported_at", "updated"])
            audit.record(
                "claim.reported",
                actor=by,
                obj=claim,
                before={"reported_at": None},
                after={"reported_at": now},
                provider_id=activity.provider_id,
                activity_id=activity.pk,
                note="Learner completion data uploaded to PARS",
            )
    return len(claims)
