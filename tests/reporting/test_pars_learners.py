"""Learner completion data: consent, identifiers, deadlines, schemas, marking reported."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from lxml import etree

from cmeconf.common.models import AuditEntry
from cmeconf.credits.models import Claim
from cmeconf.reporting import pars_learners
from tests.factories import TeamFactory, UserFactory
from tests.reporting import validation
from tests.reporting.conftest import EVENT_DAY

pytestmark = pytest.mark.django_db

ACCME_ID = "202712345"
AR = {
    "ar": pars_learners.AR_NS,
    "m": pars_learners.MEMBER_NS,
    "n": pars_learners.NAME_NS,
    "hx": pars_learners.HX_NS,
}


@pytest.fixture
def soon_after(world, fixed_today):
    fixed_today(EVENT_DAY + dt.timedelta(days=5))
    return world


def test_only_consenting_learners_with_identifiers_are_in_the_file(soon_after):
    selection = pars_learners.select(soon_after.activity)
    rows = {(r.claim.person.first_name, r.claim.credit_type) for r in selection.rows}
    # Bob did not consent [B1]; Cat's ANCC and Dan's ACPE go elsewhere; Eve withdrew.
    assert rows == {("Ann", "AMA_PRA_1"), ("Ann", "ABMS_MOC")}
    left_out = {(c.person.first_name, c.credit_type): reason for c, reason in selection.left_out}
    assert left_out == {
        ("Bob", "AMA_PRA_1"): "the learner did not consent to reporting",
        ("Bob", "ABMS_MOC"): "the learner did not consent to reporting",
    }
    by_type = {r.claim.credit_type: r for r in selection.rows}
    assert (by_type["ABMS_MOC"].id_domain, by_type["ABMS_MOC"].id_value) == ("ABIM", "123456")
    assert (by_type["AMA_PRA_1"].id_domain, by_type["AMA_PRA_1"].id_value) == ("MA", "MD12345")


def test_json_validates_and_leaves_out_non_consenting(soon_after):
    activity = soon_after.activity
    selection = pars_learners.select(activity)
    data = json.loads(pars_learners.learners_json(activity, selection, accme_activity_id=ACCME_ID))
    validation.assert_valid_json(validation.LEARNER_SCHEMA, data)
    reports = data["ACCMELearnerReports"]["ActivityReports"]["ActivityReport"]
    assert [r["Member"]["Name"]["FamilyName"] for r in reports] == ["Able"]
    assert "Baker" not in json.dumps(data)
    [ann] = reports
    assert ann["Member"]["PersonalInfo"] == {"BirthDate": "2000-03-15"}
    module = ann["Activity"]["Module"]
    assert ann["Activity"]["ProviderOrganization"] == "0001234"
    assert module["ModuleName"] == {"value": "Annual Meeting 2027", "moduleID": ACCME_ID}
    certificates = {c["UniqueID"]["domain"]: c for c in module["CreditCertificate"]}
    assert certificates["ABIM"]["UniqueID"]["value"] == "123456"
    assert certificates["ABIM"]["CreditReceived"]["numberOfCredits"] == 15.5
    assert certificates["MA"]["CreditReceived"]["activityCertification"] == "AMA PRA Category 1"


def test_xml_validates_against_activity_report_v2(soon_after):
    activity = soon_after.activity
    selection = pars_learners.select(activity)
    content = pars_learners.learners_xml(activity, selection, accme_activity_id=ACCME_ID)
    root = etree.fromstring(content)
    validation.assert_valid_xml(validation.activity_report_schema(), root)
    assert root.xpath("count(//ar:ActivityReport)", namespaces=AR) == 1
    assert root.xpath("string(//m:BirthDate/@accuracy)", namespaces=AR) == "DayMonth"
    assert sorted(root.xpath("//m:UniqueID/text()", namespaces=AR)) == ["123456", "MD12345"]
    assert root.xpath("string(//n:FamilyName)", namespaces=AR) == "Able"
    assert b"Baker" not in content


def test_characters_xml_forbids_are_dropped_not_fatal(soon_after):
    """A name pasted with a control character must not break the whole activity's file."""
    ann = soon_after.people["ann"]
    ann.first_name = "An\x01n"
    ann.save()
    activity = soon_after.activity
    selection = pars_learners.select(activity)
    content = pars_learners.learners_xml(activity, selection, accme_activity_id=ACCME_ID)
    root = etree.fromstring(content)
    validation.assert_valid_xml(validation.activity_report_schema(), root)
    assert "Ann" in root.xpath("//n:GivenName/text()", namespaces=AR)


def test_birthday_on_29_february_is_a_valid_date(soon_after):
    ann = soon_after.claims[("ann@example.org", "ABMS_MOC", "ABIM")]
    Claim.objects.filter(person=ann.person).update(birth_month=2, birth_day=29)
    activity = soon_after.activity
    selection = pars_learners.select(activity)
    data = json.loads(pars_learners.learners_json(activity, selection, accme_activity_id=ACCME_ID))
    validation.assert_valid_json(validation.LEARNER_SCHEMA, data)
    validation.assert_valid_xml(
        validation.activity_report_schema(),
        etree.fromstring(
            pars_learners.learners_xml(activity, selection, accme_activity_id=ACCME_ID)
        ),
    )


def test_missing_board_id_or_birthday_leaves_the_claim_out(soon_after):
    moc = soon_after.claims[("ann@example.org", "ABMS_MOC", "ABIM")]
    Claim.objects.filter(pk=moc.pk).update(board_id="")
    ama = soon_after.claims[("ann@example.org", "AMA_PRA_1", "")]
    Claim.objects.filter(pk=ama.pk).update(birth_day=None)
    selection = pars_learners.select(soon_after.activity)
    assert selection.rows == []
    reasons = {c.credit_type: r for c, r in selection.left_out if c.person.first_name == "Ann"}
    assert reasons == {
        "ABMS_MOC": "board ID missing",
        "AMA_PRA_1": "birth month and day missing or invalid",
    }
    problems = pars_learners.check(soon_after.activity, selection, accme_activity_id=ACCME_ID)
    assert any(p.blocks and "No claim" in p.message for p in problems)


def test_the_accme_activity_id_is_required(soon_after):
    problems = pars_learners.check(soon_after.activity, accme_activity_id="")
    assert any(p.blocks and "9-digit ACCME activity ID" in p.message for p in problems)
    problems = pars_learners.check(soon_after.activity, accme_activity_id=ACCME_ID)
    assert not [p for p in problems if p.blocks]


def test_warns_30_days_after_the_evaluation(world, fixed_today):
    from cmeconf.evaluations.models import EvaluationForm, EvaluationResponse

    activity = world.activity
    form = EvaluationForm.objects.create(activity=activity, kind="activity", title="Evaluation")
    EvaluationResponse.objects.create(
        form=form,
        person=world.people["ann"],
        submitted_at=dt.datetime(2027, 4, 16, 14, tzinfo=dt.UTC),
    )
    fixed_today(dt.date(2027, 5, 16))  # 30 days after: still in time [B1]
    late = [
        p
        for p in pars_learners.check(activity, accme_activity_id=ACCME_ID)
        if "days ago" in p.message
    ]
    assert late == []
    fixed_today(dt.date(2027, 5, 17))
    late = [
        p
        for p in pars_learners.check(activity, accme_activity_id=ACCME_ID)
        if "days ago" in p.message
    ]
    assert len(late) == 2  # Ann's two claims
    assert "evaluated 31 days ago" in late[0].message
    assert not late[0].blocks


def test_year_end_deadlines(soon_after, fixed_today):
    activity = soon_after.activity
    fixed_today(dt.date(2027, 12, 20))
    assert any(
        "report by 31 December" in p.message
        for p in pars_learners.check(activity, accme_activity_id=ACCME_ID)
    )
    fixed_today(dt.date(2028, 2, 1))
    problems = pars_learners.check(activity, accme_activity_id=ACCME_ID)
    assert any("after 31 December" in p.message and not p.blocks for p in problems)
    fixed_today(dt.date(2028, 4, 1))
    problems = pars_learners.check(activity, accme_activity_id=ACCME_ID)
    assert any("only until 31 March 2028" in p.message and p.blocks for p in problems)


def test_mark_reported_sets_the_date_and_audits(soon_after, admin_user):
    activity = soon_after.activity
    ids = pars_learners.select(activity).claim_ids
    assert len(ids) == 2
    count = pars_learners.mark_reported(activity, ids, by=admin_user)
    assert count == 2
    reported = Claim.objects.filter(pk__in=ids)
    assert all(c.reported_at is not None for c in reported)
    entries = AuditEntry.objects.filter(action="claim.reported", activity_id=activity.pk)
    assert sorted(int(e.object_id) for e in entries) == sorted(ids)
    assert all(e.actor == admin_user and e.before == {"reported_at": None} for e in entries)
    # Reported rows leave the next file and cannot be marked twice.
    selection = pars_learners.select(activity)
    assert selection.rows == [] and selection.already_reported == 2
    with pytest.raises(ValidationError):
        pars_learners.mark_reported(activity, ids, by=admin_user)
    assert AuditEntry.objects.filter(action="claim.reported").count() == 2


def test_mark_reported_refuses_claims_without_consent_or_of_others(soon_after, admin_user):
    activity = soon_after.activity
    bob = soon_after.claims[("bob@example.org", "AMA_PRA_1", "")]
    with pytest.raises(ValidationError):
        pars_learners.mark_reported(activity, [bob.pk], by=admin_user)
    assert Claim.objects.get(pk=bob.pk).reported_at is None
    with pytest.raises(ValidationError):
        pars_learners.mark_reported(activity, [], by=admin_user)


def test_mark_reported_needs_reports_or_credit(soon_after):
    activity = soon_after.activity
    clerk = UserFactory()
    TeamFactory(provider=activity.provider, members=[clerk], permissions=["registration"])
    ids = pars_learners.select(activity).claim_ids
    with pytest.raises(PermissionDenied):
        pars_learners.mark_reported(activity, ids, by=clerk)
    assert not Claim.objects.filter(pk__in=ids, reported_at__isnull=False).exists()
