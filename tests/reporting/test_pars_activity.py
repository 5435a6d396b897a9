"""The PARS activity file: MEMS XML valid per record, JSON valid per ACCME's draft schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from lxml import etree

from cmeconf.activities.models import PlanningRecord
from cmeconf.reporting import base, pars_activity
from tests.reporting import validation
from tests.reporting.conftest import EVENT_DAY

pytestmark = pytest.mark.django_db

NS = {
    "m": pars_activity.MEMS_NS,
    "hx": pars_activity.HX_NS,
    "lom": pars_activity.LOM_NS,
    "x": pars_activity.EXTENSION_NS,
    "a": pars_activity.ADDRESS_NS,
}


@pytest.fixture
def after_event(world, fixed_today):
    fixed_today(EVENT_DAY + dt.timedelta(days=6))
    return world


def test_xml_is_valid_mems_and_says_what_pars_asks(after_event):
    activity = after_event.activity
    content = pars_activity.activity_xml(activity)
    [record] = validation.assert_valid_pars_activity_xml(content)

    def one(path):
        return record.xpath(path, namespaces=NS)

    assert one("string(.//lom:identifier/lom:entry)") == f"cmeconf-{activity.pk}"
    assert one("string(.//lom:title/lom:string)") == "Annual Meeting 2027"
    assert one("string(.//hx:activityFormat/lom:string)") == "Course"  # annual meeting [PA3]
    assert one("string(.//hx:credits/hx:activityCertification)") == "AMA PRA Category 1"
    assert one("string(.//hx:credits/hx:numberOfCredits)") == "15.50"
    assert one("string(.//hx:credits/hx:nonAccreditedProvider)") == "Boston Heart Society"
    assert one("string(.//hx:activitySponsorship)") == "joint"
    assert one("string(.//a:City)") == "Boston"
    assert one("string(.//a:StateOrProvince)") == "MA"
    assert one("string(.//hx:startDateTime)") == "2027-04-14T00:00:00-04:00"
    assert one("string(.//hx:commercialSupport)") == "yes"
    [cash] = record.xpath(".//m:CommercialSupportAmount", namespaces=NS)
    assert (cash.get("supportSource"), cash.get("currency"), cash.text) == (
        "Acme Pharma",
        "USD",
        "12500",
    )
    # In-kind support by its nature, without a dollar figure [A22].
    assert one("string(.//x:InKindSupport/x:source)") == "Device Co"
    assert (
        record.xpath(
            "count(.//m:CommercialSupportAmount[@supportSource='Device Co'])", namespaces=NS
        )
        == 0
    )
    # Learners of a Course are its registrants [PA3]: Ann, Bob (physicians), Cat, Dan.
    counts = {
        el.get("category"): int(el.text)
        for el in record.xpath(".//m:ParticipantsByCategory", namespaces=NS)
    }
    assert counts == {"physician": 2, "other": 2}
    assert one("string(.//m:RegisteredParticipants)") == "4"
    assert one("string(.//m:NumberOfParticipantsReceivingCredit)") == "4"
    assert [e.text for e in record.xpath(".//x:MeasuredOutcome", namespaces=NS)] == [
        "Learner Competence",
        "Learner Performance",
    ]
    assert one("string(.//x:MOCRegistration/x:boardName)") == "ABIM"
    assert one("string(.//x:MOCRegistration/x:CreditClaimDate)") == "2027-06-30"
    assert one("string(.//m:DesignedToChangeCompetence)") == "true"
    assert one("string(.//m:DesignedToChangePatientOutcomes)") == "false"


def test_json_is_valid_against_the_draft_schema(after_event):
    activity = after_event.activity
    data = json.loads(pars_activity.activity_json(activity))
    validation.assert_valid_json(validation.ACTIVITY_SCHEMA, data)
    [record] = data["ACCMEActivities"]["MedicalEducationMetrics"]
    education = record["healthcareMetadata"]["healthcareEducation"]
    assert education["credits"] == {
        "activityCertification": "AMA PRA Category 1",
        "numberOfCredits": 15.5,
        "nonAccreditedProvider": ["Boston Heart Society"],
    }
    assert education["activityLocation"] == {
        "city": "Boston",
        "stateOrProvince": "MA",
        "country": "USA",
    }
    assert record["ActivityDescription"]["commercialSupportAmount"] == [
        {"currency": "USD", "supportSource": "Acme Pharma", "value": 12500}
    ]
    assert record["ParticipationMetrics"]["participantsByCategory"] == [
        {"category": "physician", "numberOfParticipants": 2},
        {"category": "other", "numberOfParticipants": 2},
    ]
    assert record["XtensibleInfo"]["DeliveryMethods"] == {"DeliveryMethod": ["In-Person"]}
    assert record["XtensibleInfo"]["ProviderID"] == "0001234"
    assert record["XtensibleInfo"]["MOCRegistrations"]["MOCRegistration"][0]["mocPoints"] == 15.5


def test_the_provider_activity_id_is_stable(after_event):
    activity = after_event.activity
    first = pars_activity.build(activity).provider_activity_id
    activity.title = "Renamed"
    activity.save()
    assert pars_activity.build(activity).provider_activity_id == first


def test_formats_per_kind(after_event):
    activity = after_event.activity
    for kind, expected in [
        ("rss", "Regularly Scheduled Series"),
        ("internet_live", "Internet Live Course"),
        ("course", "Course"),
    ]:
        activity.kind = kind
        activity.delivery = "virtual" if kind == "internet_live" else "in_person"
        activity.save()
        record = pars_activity.build(activity)
        assert record.activity_format == expected
        validation.assert_valid_pars_activity_xml(pars_activity.xml_bytes([record]))
        validation.assert_valid_json(
            validation.ACTIVITY_SCHEMA, json.loads(pars_activity.json_text([record]))
        )


def test_an_activity_without_support_says_no(after_event, activity):
    from cmeconf.integrity.models import SupportAgreement

    SupportAgreement.objects.filter(activity=activity).delete()
    record = etree.fromstring(pars_activity.activity_xml(activity))[0]
    assert record.xpath("string(.//hx:commercialSupport)", namespaces=NS) == "no"
    data = json.loads(pars_activity.activity_json(activity))
    validation.assert_valid_json(validation.ACTIVITY_SCHEMA, data)
    healthcare = data["ACCMEActivities"]["MedicalEducationMetrics"][0]["healthcareMetadata"]
    assert healthcare["healthcareEducation"]["commercialSupport"] is False


def test_checks_block_without_provider_id_or_ama_and_warn_without_outcomes(after_event):
    activity = after_event.activity
    assert [p for p in pars_activity.check(activity) if p.blocks] == []
    activity.provider.accreditations.all().delete()
    after_event.designations[("AMA_PRA_1", "")].claims.all().delete()
    after_event.designations[("AMA_PRA_1", "")].delete()
    PlanningRecord.objects.filter(activity=activity).update(intended_change=[])
    activity.venue_address = "somewhere nice"
    activity.save()
    problems = pars_activity.check(activity)
    errors = [p.message for p in problems if p.blocks]
    warnings = [p.message for p in problems if not p.blocks]
    assert any("provider ID" in m for m in errors)
    assert any("AMA PRA" in m for m in errors)
    assert any("outcome measure" in m for m in warnings)
    assert any("city, state and country" in m for m in warnings)


def test_learner_counts_are_not_final_before_the_end(world, fixed_today):
    fixed_today(EVENT_DAY)
    assert any("not ended" in p.message for p in pars_activity.check(world.activity))


def test_rss_counts_learners_per_session(after_event):
    from cmeconf.attendance.models import AttendanceInterval
    from tests.factories import SessionFactory, at

    activity = after_event.activity
    activity.kind = "rss"
    activity.save()
    first = SessionFactory(activity=activity)
    second = SessionFactory(activity=activity, start=at(EVENT_DAY, 11))
    ann, cat = after_event.people["ann"], after_event.people["cat"]
    for session, person in [(first, ann), (second, ann), (second, cat)]:
        AttendanceInterval.objects.create(
            session=session,
            person=person,
            start=session.start,
            end=session.end,
            source="adjustment",
            recorded_at=session.start,
        )
    counts = base.learner_professions(activity)
    assert counts == {"physician": 2, "nurse": 1}
