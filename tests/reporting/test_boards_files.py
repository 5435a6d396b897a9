"""CPE Monitor data, the CE Broker roster and the JA-PARS activity file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from lxml import etree

from cmeconf.credits.models import Claim
from cmeconf.licensure.models import Licence
from cmeconf.providers.models import Accreditation
from cmeconf.reporting import ce_broker, cpe_monitor, ja_pars, pars_activity
from tests.reporting import validation
from tests.reporting.conftest import EVENT_DAY

pytestmark = pytest.mark.django_db


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# --- CPE Monitor -------------------------------------------------------------------------------


def test_cpe_monitor_csv_has_exactly_the_documented_columns(world, fixed_today):
    fixed_today(EVENT_DAY + dt.timedelta(days=3))
    text = cpe_monitor.batch_csv(world.activity)
    assert text.splitlines()[0] == "epid,birth_mmdd,uan,completion_date,contact_hours"
    assert rows(text) == [
        {
            "epid": "1234567",
            "birth_mmdd": "0229",
            "uan": "0798-0000-27-001-L01-P",
            "completion_date": "2027-04-14",
            "contact_hours": "12.00",
        }
    ]
    assert [p for p in cpe_monitor.check(world.activity) if p.blocks] == []


def test_cpe_monitor_warns_from_day_45_and_blocks_after_60(world, fixed_today):
    activity = world.activity
    fixed_today(EVENT_DAY + dt.timedelta(days=44))
    assert not [p for p in cpe_monitor.check(activity) if "days ago" in p.message]
    fixed_today(EVENT_DAY + dt.timedelta(days=45))
    [warn] = [p for p in cpe_monitor.check(activity) if "days ago" in p.message]
    assert not warn.blocks and "upload within 15 days" in warn.message
    fixed_today(EVENT_DAY + dt.timedelta(days=60))
    [warn] = [p for p in cpe_monitor.check(activity) if "days ago" in p.message]
    assert not warn.blocks
    fixed_today(EVENT_DAY + dt.timedelta(days=61))
    [late] = [p for p in cpe_monitor.check(activity) if "days ago" in p.message]
    assert late.blocks and "only within 60 days" in late.message


def test_cpe_monitor_respects_consent_and_needs_epid_and_uan(world, fixed_today):
    fixed_today(EVENT_DAY + dt.timedelta(days=3))
    dan = world.claims[("dan@example.org", "ACPE", "")]
    Claim.objects.filter(pk=dan.pk).update(consent_to_report=False)
    assert cpe_monitor.select(world.activity).rows == []
    Claim.objects.filter(pk=dan.pk).update(consent_to_report=True, nabp_eprofile_id="abc")
    selection = cpe_monitor.select(world.activity)
    assert [reason for _c, reason in selection.left_out] == [
        "NABP e-Profile ID missing or not a number"
    ]
    Claim.objects.filter(pk=dan.pk).update(nabp_eprofile_id="1234567")
    dan.designation.uan = "0798-0000-27-001-L01-X"
    dan.designation.save()
    assert any(p.blocks and "UAN" in p.message for p in cpe_monitor.check(world.activity))


# --- CE Broker ----------------------------------------------------------------------------------


def test_ce_broker_roster(world, fixed_today):
    fixed_today(EVENT_DAY + dt.timedelta(days=3))
    text = ce_broker.roster_csv(world.activity)
    assert text.splitlines()[0] == (
        "licence_number,licence_state,first_name,last_name,completion_date,hours,credit_type"
    )
    assert rows(text) == [
        {
            "licence_number": "RN998877",
            "licence_state": "FL",
            "first_name": "Cat",
            "last_name": "Cole",
            "completion_date": "2027-04-14",
            "hours": "15.50",
            "credit_type": "ANCC",
        }
    ]


def test_ce_broker_takes_the_licensure_profile_and_escapes_formulas(world):
    cat = world.people["cat"]
    cat.first_name = "=HYPERLINK(1)"
    cat.save()
    from cmeconf.registration.models import Registration

    Registration.objects.filter(person=cat).update(identifiers={})
    Licence.objects.create(person=cat, requirement_set="US-GA-RN", license_type="RN", number="GA55")
    [row] = rows(ce_broker.roster_csv(world.activity))
    assert (row["licence_number"], row["licence_state"]) == ("GA55", "GA")
    assert row["first_name"] == "'=HYPERLINK(1)"


def test_ce_broker_leaves_out_claims_without_consent_or_licence(world):
    cat = world.claims[("cat@example.org", "ANCC", "")]
    Claim.objects.filter(pk=cat.pk).update(consent_to_report=False)
    selection = ce_broker.select(world.activity)
    assert selection.rows == []
    assert [r for _c, r in selection.left_out] == ["the learner did not consent to reporting"]
    assert any(p.blocks for p in ce_broker.check(world.activity, selection))


# --- JA-PARS ------------------------------------------------------------------------------------


@pytest.fixture
def joint(world, fixed_today):
    fixed_today(EVENT_DAY + dt.timedelta(days=6))
    Accreditation.objects.create(
        provider=world.activity.provider, accreditor="JA", identifier="4008888"
    )
    world.designate("IPCE", "15.50")
    return world


def test_ja_pars_xml_lists_every_credit_type_and_professions(joint):
    activity = joint.activity
    [record] = validation.assert_valid_pars_activity_xml(ja_pars.activity_xml(activity))
    ns = {"hx": pars_activity.HX_NS, "m": pars_activity.MEMS_NS, "x": pars_activity.EXTENSION_NS}
    certifications = record.xpath(".//hx:credits/hx:activityCertification/text()", namespaces=ns)
    assert certifications == ["IPCE", "AMA PRA Category 1", "Nursing", "Pharmacy"]
    professions = {
        e.get("profession"): int(e.text)
        for e in record.xpath(".//m:ParticipantsByProfession", namespaces=ns)
    }
    assert professions == {"physician": 2, "nurse": 1, "pharmacist": 1}
    assert record.xpath("string(.//x:ProviderID)", namespaces=ns) == "4008888"
    assert record.xpath("string(.//x:isInterprofessional)", namespaces=ns) == "true"


def test_ja_pars_json_validates(joint):
    data = json.loads(ja_pars.activity_json(joint.activity))
    validation.assert_valid_json(validation.ACTIVITY_SCHEMA, data)
    [record] = data["ACCMEActivities"]["MedicalEducationMetrics"]
    assert (
        record["healthcareMetadata"]["healthcareEducation"]["credits"]["activityCertification"]
        == "IPCE"
    )
    assert record["ParticipationMetrics"]["participantsByCategory"] == [
        {"category": "nurse", "numberOfParticipants": 1},
        {"category": "pharmacist", "numberOfParticipants": 1},
        {"category": "physician", "numberOfParticipants": 2},
    ]
    assert [c["activityCertification"] for c in record["XtensibleInfo"]["JACredits"]] == [
        "IPCE",
        "AMA PRA Category 1",
        "Nursing",
        "Pharmacy",
    ]
    assert record["XtensibleInfo"]["isInterprofessional "] is True
    assert [p for p in ja_pars.check(joint.activity) if p.blocks] == []


def test_ja_pars_needs_joint_accreditation(world):
    assert any(
        p.blocks and "Joint Accreditation" in p.message for p in ja_pars.check(world.activity)
    )
    assert etree.fromstring(ja_pars.activity_xml(world.activity)).tag == "ACCMEActivities"
