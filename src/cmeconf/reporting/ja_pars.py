"""JA-PARS: the activity file of a Joint Accreditation provider.

Jointly accredited providers report to JA-PARS with the credit types of the team
(IPCE, AMA, ANCC, ACPE, AAPA ... [J5]) and their learners by profession. From the
sources: the MEMS elements (several `credits` in the XML, `ParticipantsByProfession`)
and the draft PARS JSON schema's `isInterprofessional`, `targetAudience.profession`
and profession categories of `participantsByCategory`. Our layout: the JSON schema
holds one credit type per record, so a JA record lists the first in `credits` and
all of them in `XtensibleInfo.JACredits`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity
from cmeconf.reporting import base, pars_activity
from cmeconf.reporting.base import Problem, error, warning

PRIMARY_ORDER = ("IPCE", "AMA_PRA_1", "ANCC", "ACPE", "AAPA_1")


def build(activity: Activity) -> pars_activity.ActivityRecord:
    record = pars_activity.build(activity, joint_accreditation=True)
    record.provider_id = base.accreditor_id(activity, "JA") or record.provider_id
    record.credits.sort(
        key=lambda c: (
            PRIMARY_ORDER.index(c.credit_type)
            if c.credit_type in PRIMARY_ORDER
            else len(PRIMARY_ORDER)
        )
    )
    return record


def check(activity: Activity, record: pars_activity.ActivityRecord | None = None) -> list[Problem]:
    record = record or build(activity)
    problems: list[Problem] = []
    if not base.is_jointly_accredited(activity):
        problems.append(error(_("The provider has no Joint Accreditation: use the PARS file.")))
    if not record.credits:
        problems.append(error(_("No credit type of Joint Accreditation is designated.")))
    if not any(c.credit_type == "IPCE" for c in record.credits):
        problems.append(
            warning(_("No IPCE credit: only activities planned by and for the team offer it."))
        )
    problems.extend(pars_activity.check(activity, record, require_ama=False))
    if record.provider_id and not base.accreditor_id(activity, "JA"):
        problems.append(error(_("The Joint Accreditation provider ID is missing.")))
    return problems


def activity_xml(activity: Activity) -> bytes:
    return pars_activity.xml_bytes([build(activity)])


def activity_json(activity: Activity) -> str:
    return pars_activity.json_text([build(activity)])
