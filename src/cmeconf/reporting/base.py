"""What every report shares: problems, identifiers, vocabularies, counts.

The vocabularies map cmeconf's codes onto the words of ACCME's PARS (the draft JSON
schemas of ACCME's web services and the MedBiquitous MEMS XML they mirror), with the
reference keys of docs/credits/sources.md beside each rule.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from cmeconf.activities.choices import ActivityKind, Delivery
from cmeconf.activities.models import Activity
from cmeconf.credits.models import Claim, ClaimStatus, Designation
from cmeconf.providers.models import Accreditation, Accreditor
from cmeconf.registration.identifiers import US_STATES

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """Something a check found: an error blocks the file, a warning asks for a look."""

    level: str
    message: str

    @property
    def blocks(self) -> bool:
        return self.level == ERROR


def error(message: str) -> Problem:
    return Problem(ERROR, message)


def warning(message: str) -> Problem:
    return Problem(WARNING, message)


def blocking(problems: list[Problem]) -> bool:
    return any(p.blocks for p in problems)


# --- identifiers ---------------------------------------------------------------------------


def provider_activity_id(activity: Activity) -> str:
    """The Provider Activity ID: unique per activity and stable, so that a second upload
    updates the record PARS already has instead of adding another [PA5]."""
    return f"cmeconf-{activity.pk}"


def accreditor_id(activity: Activity, *accreditors: str) -> str:
    """The provider's ID with the first of `accreditors` it holds (PARS provider ID)."""
    rows = {
        a.accreditor: a.identifier
        for a in Accreditation.objects.filter(provider_id=activity.provider_id)
    }
    for code in accreditors:
        if rows.get(code, "").strip():
            return rows[code].strip()
    return ""


def pars_provider_id(activity: Activity) -> str:
    return accreditor_id(activity, Accreditor.ACCME, Accreditor.JA, Accreditor.STATE)


def is_jointly_accredited(activity: Activity) -> bool:
    return Accreditation.objects.filter(
        provider_id=activity.provider_id, accreditor=Accreditor.JA
    ).exists()


# --- vocabularies ----------------------------------------------------------------------------

# cmeconf credit type -> PARS activityCertification and MEMS creditUnit ([PA1]; the JSON
# schema's enumeration; JA credit types [J5]).
CERTIFICATION: dict[str, tuple[str, str]] = {
    "AMA_PRA_1": ("AMA PRA Category 1", "Credit"),
    "IPCE": ("IPCE", "Credit"),
    "ANCC": ("Nursing", "Contact Hour"),
    "ACPE": ("Pharmacy", "Contact Hour"),
    "ACPE_TECH": ("Pharmacy", "Contact Hour"),
    "AAPA_1": ("AAPA Category 1", "Credit"),
}

# ABMS boards that take MOC through PARS [B5], as PARS spells them.
MOC_BOARDS: dict[str, str] = {
    "ABA": "ABA",
    "ABIM": "ABIM",
    "ABOHNS": "ABOHNS",
    "ABOS": "ABOS",
    "ABP": "ABP",
    "ABPath": "ABPATH",
    "ABPATH": "ABPATH",
    "ABS": "ABS",
    "ABTS": "ABTS",
}
MOC_TYPE = "ABMS_MOC"

# Activity kind -> PARS activity type: an annual meeting is one Course, a webinar an
# Internet Live Course, a series one RSS [PA3][PA10].
ACTIVITY_FORMAT: dict[str, str] = {
    ActivityKind.CONFERENCE: "Course",
    ActivityKind.COURSE: "Course",
    ActivityKind.INTERNET_LIVE: "Internet Live Course",
    ActivityKind.RSS: "Regularly Scheduled Series",
}

# Delivery -> PARS delivery methods (the JSON schema's examples); a real-time hybrid is
# one activity delivered both ways [PA10].
DELIVERY_METHODS: dict[str, tuple[str, ...]] = {
    Delivery.IN_PERSON: ("In-Person",),
    Delivery.VIRTUAL: ("Live-Streamed",),
    Delivery.HYBRID: ("In-Person", "Live-Streamed"),
}

# Planning record's intended change -> PARS measured outcome [PA1][C2][C3].
OUTCOMES: dict[str, str] = {
    "competence": "Learner Competence",
    "performance": "Learner Performance",
    "patient_outcomes": "Patient Health",
}

# accounts profession -> PARS participant category (the activity schema's enumeration).
PROFESSION_CATEGORY: dict[str, str] = {
    "physician": "physician",
    "nurse": "nurse",
    "pharmacist": "pharmacist",
    "pharmacy_technician": "pharmacy technician",
    "physician_assistant": "physician assistant",
    "psychologist": "psychologist",
    "social_worker": "social worker",
}
# ... and the target-audience words of the same schema.
PROFESSION_AUDIENCE: dict[str, str] = {
    "physician": "Physician",
    "nurse": "Nurse",
    "pharmacist": "Pharmacist",
    "pharmacy_technician": "Pharmacy Technician",
    "physician_assistant": "Physician Assistant",
    "psychologist": "Psychologist",
    "social_worker": "Social Worker",
}

_CITY_STATE = re.compile(r"^\s*(?P<city>[^,\d]+?)\s*,\s*(?P<state>[A-Z]{2})\b")


@dataclass(frozen=True)
class Location:
    city: str
    state: str
    country: str


def location(activity: Activity) -> Location | None:
    """City, state and country of an in-person activity, read from its venue address.

    PARS wants city/state/country [PA1]; the activity keeps a free-text address, so
    the last line of the form "City, ST ..." with a US state is read; anything else
    is left to staff (the check says so).
    """
    lines = [line.strip() for line in activity.venue_address.splitlines() if line.strip()]
    for line in reversed(lines):
        match = _CITY_STATE.match(line)
        if match and match["state"] in US_STATES:
            return Location(match["city"].strip(), match["state"], "USA")
    return None


# --- numbers and dates -------------------------------------------------------------------


def whole(amount: Decimal | None) -> int:
    """PARS takes support amounts as whole numbers."""
    return int((amount or Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def local_date(activity: Activity, moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, activity.tz).date()


def local_iso(activity: Activity, moment: dt.datetime) -> str:
    """RFC 3339 date-time in the activity's zone, with its offset."""
    return timezone.localtime(moment, activity.tz).isoformat(timespec="seconds")


def day_start_iso(activity: Activity, day: dt.date) -> str:
    """Midnight of `day` in the activity's zone: PARS reads the date and ignores the time."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=activity.tz).isoformat(timespec="seconds")


def today(activity: Activity) -> dt.date:
    return timezone.localtime(timezone.now(), activity.tz).date()


def amount_text(value: Decimal) -> str:
    return f"{value:.2f}"


# --- records -----------------------------------------------------------------------------


def designations(activity: Activity) -> list[Designation]:
    return list(Designation.objects.filter(activity=activity).order_by("credit_type", "board"))


def live_claims(activity: Activity, credit_types: tuple[str, ...] | None = None):
    qs = Claim.objects.filter(activity=activity, status=ClaimStatus.CLAIMED).select_related(
        "person"
    )
    if credit_types is not None:
        qs = qs.filter(credit_type__in=credit_types)
    return qs.order_by("person__last_name", "person__first_name", "person_id", "credit_type")


def registrants(activity: Activity) -> list:
    """People with a confirmed registration: the learners of a Course [PA3]."""
    from cmeconf.registration.choices import RegistrationStatus
    from cmeconf.registration.models import Registration

    return list(
        Registration.objects.filter(activity=activity, status=RegistrationStatus.CONFIRMED)
        .select_related("person")
        .order_by("person_id")
    )


def learner_professions(activity: Activity) -> Counter:
    """Learners by profession (accounts codes; "" when not given).

    A Course counts its registrants [PA3]; a regularly scheduled series counts learners
    per session [PA3], from attendance; people who claimed credit without a confirmed
    registration (walk-ins recorded by staff) count too.
    """
    counts: Counter = Counter()
    if activity.kind == ActivityKind.RSS:
        from cmeconf.attendance.models import AttendanceInterval

        pairs = (
            AttendanceInterval.objects.filter(session__activity=activity, voided_at__isnull=True)
            .values_list("session_id", "person_id", "person__profession")
            .distinct()
        )
        for _session, _person, profession in pairs:
            counts[profession or ""] += 1
        return counts
    seen: set[int] = set()
    for reg in registrants(activity):
        seen.add(reg.person_id)
        counts[reg.person.profession or ""] += 1
    for claim in live_claims(activity):
        if claim.person_id not in seen:
            seen.add(claim.person_id)
            counts[claim.person.profession or ""] += 1
    return counts


# Characters XML 1.0 does not allow; a name typed with one must not break a whole file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(value: object) -> str:
    """`value` as text an XML document may hold: the characters XML forbids dropped."""
    return _NOT_XML.sub("", str(value))
