"""The PARS activity file: MedBiquitous MEMS XML and PARS JSON.

What PARS asks of an activity [PA1][PA2]: title, format (an annual meeting is one
Course; a webinar an Internet Live Course; a series one RSS [PA3][PA10]), start and
end dates, delivery method, location (city, state, country if in person), the AMA
credit amount, MOC data per board (credit type, points, claim date), joint
providership, at least one outcome measure, commercial support yes/no with the
monetary amount per source or in-kind by nature without a dollar figure [A22], the
physician learner count and the other learner count (0 allowed; learners of a
Course are its registrants [PA3]).

XML: `<ACCMEActivities>` wraps one MEMS `MedicalEducationMetrics` per activity
[PA6]; each of those is valid against the MEMS v1 XSD. ACCME's own fields that MEMS
has no element for (delivery methods, outcome measures, MOC registrations) go into
MEMS's `XtensibleInfo`, which admits only elements of another namespace: they are
written in `EXTENSION_NS` with the names of ACCME's JSON schema. JSON: the shape of
ACCME's draft PARS activity JSON schema (v0.1.2).

The Provider Activity ID is `cmeconf-<activity id>`: stable, so a second upload
updates the PARS record [PA5].
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from lxml import etree

from cmeconf.activities.models import Activity, PlanningRecord
from cmeconf.credits.models import CreditSetup
from cmeconf.reporting import base
from cmeconf.reporting.base import Problem, error, warning

MEMS_NS = "http://ns.medbiq.org/metrics/v1/"
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
HX_NS = "http://ns.medbiq.org/lom/extend/v1/"
ADDRESS_NS = "http://ns.medbiq.org/address/v1/"
# Namespace of the ACCME fields carried in MEMS XtensibleInfo (see the module docstring).
EXTENSION_NS = "urn:cmeconf:pars-xtensible:v1"
NSMAP = {None: MEMS_NS, "lom": LOM_NS, "hx": HX_NS, "a": ADDRESS_NS, "x": EXTENSION_NS}

AMA = "AMA_PRA_1"


@dataclass
class Credit:
    credit_type: str
    certification: str
    unit: str
    amount: Decimal


@dataclass
class Support:
    source: str
    in_kind: bool
    amount: int
    currency: str
    nature: str


@dataclass
class MocBoard:
    board: str
    points: Decimal
    claim_date: str


@dataclass
class ActivityRecord:
    """One activity, in PARS's terms; `build` fills it, the writers only format it."""

    provider_activity_id: str
    provider_id: str
    provider_name: str
    title: str
    description: str
    activity_format: str
    start: str
    end: str
    start_time: str
    end_time: str
    delivery_methods: tuple[str, ...]
    live: bool
    location: base.Location | None
    joint_provider: str
    credits: list[Credit]
    moc: list[MocBoard]
    supports: list[Support]
    outcomes: list[str]
    designed_to_change: dict[str, bool]
    professions: Counter
    registered: int
    receiving_credit: int
    interprofessional: bool = False
    audience: list[str] = field(default_factory=list)

    @property
    def physicians(self) -> int:
        return self.professions.get("physician", 0)

    @property
    def others(self) -> int:
        return sum(n for code, n in self.professions.items() if code != "physician")


def build(activity: Activity, *, joint_accreditation: bool = False) -> ActivityRecord:
    """Gather what PARS (or JA-PARS, with all JA credit types [J5]) asks of `activity`."""
    from cmeconf.integrity.models import SupportAgreement

    designations = base.designations(activity)
    credits = []
    for d in designations:
        if d.credit_type not in base.CERTIFICATION:
            continue
        if not joint_accreditation and d.credit_type != AMA:
            continue
        certification, unit = base.CERTIFICATION[d.credit_type]
        credits.append(Credit(d.credit_type, certification, unit, d.maximum))
    setup = CreditSetup.objects.filter(activity=activity).first()
    claim_date = (
        base.local_date(activity, setup.claims_close_at).isoformat()
        if setup is not None and setup.claims_close_at
        else ""
    )
    moc = [
        MocBoard(base.MOC_BOARDS[d.board], d.maximum, claim_date)
        for d in designations
        if d.credit_type == base.MOC_TYPE and d.board in base.MOC_BOARDS
    ]
    supports = []
    for agreement in (
        SupportAgreement.objects.filter(activity=activity)
        .select_related("supporter__company")
        .order_by("supporter__company__name", "id")
    ):
        in_kind = agreement.kind == "in_kind"
        supports.append(
            Support(
                source=agreement.supporter.company.name,
                in_kind=in_kind,
                amount=0 if in_kind else base.whole(agreement.amount),
                currency=agreement.currency,
                nature=agreement.in_kind_description if in_kind else "",
            )
        )
    planning = PlanningRecord.objects.filter(activity=activity).first()
    intended = list(planning.intended_change) if planning else []
    outcomes = [base.OUTCOMES[c] for c in intended if c in base.OUTCOMES]
    professions = base.learner_professions(activity)
    receiving = base.live_claims(activity).values("person_id").distinct().count()
    audience = [
        base.PROFESSION_AUDIENCE[p]
        for p in (activity.target_professions or [])
        if p in base.PROFESSION_AUDIENCE
    ]
    return ActivityRecord(
        provider_activity_id=base.provider_activity_id(activity),
        provider_id=base.pars_provider_id(activity),
        provider_name=activity.provider.name,
        title=activity.title,
        description=(activity.description or activity.title)[:2500],
        activity_format=base.ACTIVITY_FORMAT.get(activity.kind, "Course"),
        start=activity.start_date.isoformat(),
        end=activity.end_date.isoformat(),
        start_time=base.day_start_iso(activity, activity.start_date),
        end_time=base.day_start_iso(activity, activity.end_date),
        delivery_methods=base.DELIVERY_METHODS.get(activity.delivery, ("In-Person",)),
        live=True,
        location=base.location(activity) if activity.delivery != "virtual" else None,
        joint_provider=activity.joint_provider.strip(),
        credits=credits,
        moc=moc,
        supports=supports,
        outcomes=outcomes,
        designed_to_change={c: c in intended for c in base.OUTCOMES},
        professions=professions,
        registered=len(base.registrants(activity)),
        receiving_credit=receiving,
        interprofessional=joint_accreditation,
        audience=audience,
    )


# --- checks ----------------------------------------------------------------------------------


def check(
    activity: Activity, record: ActivityRecord | None = None, *, require_ama: bool = True
) -> list[Problem]:
    """What blocks the PARS activity file, and what deserves a look [PA1].

    `require_ama`: PARS needs the AMA credit amount; JA-PARS takes any JA credit type.
    """
    record = record or build(activity)
    problems: list[Problem] = []
    if not record.provider_id:
        problems.append(
            error(
                _(
                    "The provider has no ACCME (or Joint Accreditation) provider ID in its "
                    "accreditations: PARS needs it."
                )
            )
        )
    if require_ama and not any(c.credit_type == AMA for c in record.credits):
        problems.append(
            error(_("No AMA PRA Category 1 Credit™ is designated: PARS needs the credit amount."))
        )
    if activity.delivery != "virtual" and record.location is None:
        problems.append(
            warning(
                _(
                    "The city, state and country could not be read from the venue address "
                    "(write its last line as “City, ST 12345”); enter the location in PARS "
                    "by hand."
                )
            )
        )
    if not record.outcomes:
        problems.append(
            warning(
                _(
                    "No outcome measure: PARS needs at least one to close the activity. Tick "
                    "the intended change (competence, performance, patient outcomes) in the "
                    "planning record."
                )
            )
        )
    for support in record.supports:
        if not support.in_kind and support.amount <= 0:
            problems.append(
                error(
                    _("The cash support of %(source)s has no amount.") % {"source": support.source}
                )
            )
        if support.currency != "USD":
            problems.append(
                warning(
                    _("The support of %(source)s is in %(currency)s, not USD.")
                    % {"source": support.source, "currency": support.currency}
                )
            )
    for board in record.moc:
        problems.append(
            warning(
                _(
                    "MOC for %(board)s: choose the board's MOC credit type in PARS; the file "
                    "leaves it open."
                )
                % {"board": board.board}
            )
        )
        if not board.claim_date:
            problems.append(
                warning(
                    _(
                        "MOC for %(board)s: no claim deadline (set when claims close in the "
                        "credit setup)."
                    )
                    % {"board": board.board}
                )
            )
    if base.today(activity) < activity.end_date:
        problems.append(
            warning(_("The activity has not ended: the learner counts are not final yet."))
        )
    return problems


# --- XML -------------------------------------------------------------------------------------


def _sub(parent, ns: str, tag: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: base.xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        el.text = base.xml_safe(text)
    return el


def _lang(parent, ns: str, tag: str, text: str) -> None:
    holder = _sub(parent, ns, tag)
    _sub(holder, LOM_NS, "string", text, language="en")


def mems_element(record: ActivityRecord) -> etree._Element:
    """One MEMS `MedicalEducationMetrics` element (valid against the MEMS v1 XSD)."""
    root = etree.Element(f"{{{MEMS_NS}}}MedicalEducationMetrics", nsmap=NSMAP)
    report = _sub(root, MEMS_NS, "ReportDescription")
    _sub(report, MEMS_NS, "ReportingStartDate", record.start)
    _sub(report, MEMS_NS, "ReportingEndDate", record.end)

    description = _sub(root, MEMS_NS, "ActivityDescription")
    lom = _sub(description, LOM_NS, "lom")
    general = _sub(lom, LOM_NS, "general")
    ident = _sub(general, LOM_NS, "identifier")
    _sub(ident, LOM_NS, "catalog", "Provider Activity ID")
    _sub(ident, LOM_NS, "entry", record.provider_activity_id)
    _lang(general, LOM_NS, "title", record.title)
    _lang(general, LOM_NS, "description", record.description)
    education = _sub(_sub(lom, HX_NS, "healthcareMetadata"), HX_NS, "healthcareEducation")
    _sub(education, HX_NS, "creditsAvailable", "yes" if record.credits else "no")
    for credit in record.credits:
        credits = _sub(education, HX_NS, "credits")
        _sub(credits, HX_NS, "activityCertification", credit.certification)
        _sub(credits, HX_NS, "creditUnit", credit.unit)
        _sub(credits, HX_NS, "pacing", "provider paced")
        _sub(credits, HX_NS, "accreditedProvider", record.provider_name)
        if record.joint_provider:
            _sub(credits, HX_NS, "nonAccreditedProvider", record.joint_provider)
        _sub(credits, HX_NS, "numberOfCredits", base.amount_text(credit.amount))
    if record.audience:
        audience = _sub(education, HX_NS, "targetAudience")
        for profession in record.audience:
            _lang(audience, HX_NS, "profession", profession)
    if record.location is not None:
        place = _sub(education, HX_NS, "activityLocation")
        _sub(place, ADDRESS_NS, "City", record.location.city)
        _sub(place, ADDRESS_NS, "StateOrProvince", record.location.state)
        _sub(_sub(place, ADDRESS_NS, "Country"), ADDRESS_NS, "CountryCode", record.location.country)
    _sub(education, HX_NS, "startDateTime", record.start_time)
    _sub(education, HX_NS, "endDateTime", record.end_time)
    _sub(education, HX_NS, "activitySponsorship", "joint" if record.joint_provider else "direct")
    _sub(education, HX_NS, "activityDelivery", "live" if record.live else "not live")
    _lang(education, HX_NS, "activityFormat", record.activity_format)
    _sub(education, HX_NS, "commercialSupport", "yes" if record.supports else "no")

    for support in record.supports:
        if not support.in_kind:
            _sub(
                description,
                MEMS_NS,
                "CommercialSupportAmount",
                str(support.amount),
                currency=support.currency,
                supportSource=support.source,
            )
    for code, element in (
        ("competence", "DesignedToChangeCompetence"),
        ("performance", "DesignedToChangePerformance"),
        ("patient_outcomes", "DesignedToChangePatientOutcomes"),
    ):
        _sub(description, MEMS_NS, element, "true" if record.designed_to_change[code] else "false")

    metrics = _sub(root, MEMS_NS, "ParticipationMetrics")
    _sub(metrics, MEMS_NS, "RegisteredParticipants", str(record.registered))
    _sub(metrics, MEMS_NS, "NumberOfParticipantsReceivingCredit", str(record.receiving_credit))
    for category, count in _categories(record):
        _sub(metrics, MEMS_NS, "ParticipantsByCategory", str(count), category=category)
    if record.interprofessional:
        for profession, count in _by_profession(record):
            _sub(metrics, MEMS_NS, "ParticipantsByProfession", str(count), profession=profession)

    extra = _sub(root, MEMS_NS, "XtensibleInfo")
    if record.provider_id:
        _sub(extra, EXTENSION_NS, "ProviderID", record.provider_id)
    if record.interprofessional:
        _sub(extra, EXTENSION_NS, "isInterprofessional", "true")
    methods = _sub(extra, EXTENSION_NS, "DeliveryMethods")
    for method in record.delivery_methods:
        _sub(methods, EXTENSION_NS, "DeliveryMethod", method)
    if record.outcomes:
        outcomes = _sub(extra, EXTENSION_NS, "MeasuredOutcomes")
        for outcome in record.outcomes:
            _sub(outcomes, EXTENSION_NS, "MeasuredOutcome", outcome)
    in_kind = [s for s in record.supports if s.in_kind]
    if in_kind:
        holder = _sub(extra, EXTENSION_NS, "InKindSupports")
        for support in in_kind:
            item = _sub(holder, EXTENSION_NS, "InKindSupport")
            _sub(item, EXTENSION_NS, "source", support.source)
            if support.nature:
                _sub(item, EXTENSION_NS, "nature", support.nature)
    if record.moc:
        holder = _sub(extra, EXTENSION_NS, "MOCRegistrations")
        for board in record.moc:
            item = _sub(holder, EXTENSION_NS, "MOCRegistration")
            _sub(item, EXTENSION_NS, "boardName", board.board)
            _sub(item, EXTENSION_NS, "mocPoints", base.amount_text(board.points))
            if board.claim_date:
                _sub(item, EXTENSION_NS, "CreditClaimDate", board.claim_date)
    _sub(extra, EXTENSION_NS, "activityRecordAction", "Add")
    return root


def _categories(record: ActivityRecord) -> list[tuple[str, int]]:
    """Physician and other learner counts [PA1] (both given, 0 allowed)."""
    return [("physician", record.physicians), ("other", record.others)]


def _by_profession(record: ActivityRecord) -> list[tuple[str, int]]:
    """Learners per profession, in the categories of the PARS schema; the rest as "other"."""
    counts: Counter = Counter()
    for code, n in record.professions.items():
        counts[base.PROFESSION_CATEGORY.get(code, "other")] += n
    return sorted(counts.items())


def xml_bytes(records: list[ActivityRecord]) -> bytes:
    """`<ACCMEActivities>` with one MEMS record per activity [PA6]."""
    root = etree.Element("ACCMEActivities")
    for record in records:
        root.append(mems_element(record))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- JSON ------------------------------------------------------------------------------------


def json_record(record: ActivityRecord) -> dict:
    """One `MedicalEducationMetrics` object of ACCME's draft PARS activity JSON schema."""
    primary = record.credits[0] if record.credits else None
    credits: dict = {}
    if primary is not None:
        credits = {
            "activityCertification": primary.certification,
            "numberOfCredits": float(primary.amount),
        }
    if record.joint_provider:
        credits["nonAccreditedProvider"] = [record.joint_provider]
    education: dict = {
        "credits": credits,
        "startDateTime": record.start_time,
        "endDateTime": record.end_time,
        "activitySponsorship": "joint" if record.joint_provider else "direct",
        "activityFormat": record.activity_format,
        "commercialSupport": bool(record.supports),
    }
    if record.location is not None:
        education["activityLocation"] = {
            "city": record.location.city,
            "stateOrProvince": record.location.state,
            "country": record.location.country,
        }
    if record.audience:
        education["targetAudience"] = {"profession": list(record.audience)}
    categories = _categories(record)
    if record.interprofessional:
        categories = _by_profession(record)
    xtensible: dict = {
        "DeliveryMethods": {"DeliveryMethod": list(record.delivery_methods)},
        "activityRecordAction": "Add",
    }
    if record.provider_id:
        xtensible["ProviderID"] = record.provider_id
    if record.interprofessional:
        # The schema's property name ends with a space; written as the schema has it.
        xtensible["isInterprofessional "] = True
    if record.outcomes:
        xtensible["MeasuredOutcomes"] = [{"MeasuredOutcome": o} for o in record.outcomes]
    in_kind = [s for s in record.supports if s.in_kind]
    if in_kind:
        xtensible["InKindSupports"] = {"InKindSupport": [{"source": s.source} for s in in_kind]}
    if record.moc:
        xtensible["MOCRegistrations"] = {
            "MOCRegistration": [
                {
                    "boardName": board.board,
                    "mocPoints": float(board.points),
                    "MOCCreditType": [],
                    **({"CreditClaimDate": board.claim_date} if board.claim_date else {}),
                }
                for board in record.moc
            ]
        }
    if record.interprofessional and len(record.credits) > 1:
        # Our layout: the draft schema carries one credit type per record; the others
        # of a JA activity are listed here (see the user documentation).
        xtensible["JACredits"] = [
            {"activityCertification": c.certification, "numberOfCredits": float(c.amount)}
            for c in record.credits
        ]
    return {
        "ReportDescription": {"ReportingStartDate": record.start, "ReportingEndDate": record.end},
        "ActivityDescription": {
            "commercialSupportAmount": [
                {"currency": s.currency, "supportSource": s.source, "value": s.amount}
                for s in record.supports
                if not s.in_kind
            ]
        },
        "Lom": {
            "general": {
                "identifier": [
                    {"catalog": "Provider Activity ID", "entry": record.provider_activity_id}
                ],
                "title": record.title,
                "description": record.description,
            }
        },
        "healthcareMetadata": {"healthcareEducation": education},
        "ParticipationMetrics": {
            "participantsByCategory": [
                {"category": category, "numberOfParticipants": count}
                for category, count in categories
            ]
        },
        "XtensibleInfo": xtensible,
    }


def json_text(records: list[ActivityRecord]) -> str:
    data = {"ACCMEActivities": {"MedicalEducationMetrics": [json_record(r) for r in records]}}
    return json.dumps(data, ensure_ascii=False, indent=2)


# --- entry points ---------------------------------------------------------------------------


def activity_xml(activity: Activity) -> bytes:
    return xml_bytes([build(activity)])


def activity_json(activity: Activity) -> str:
    return json_text([build(activity)])
