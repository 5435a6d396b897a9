"""The planning checklist: the activity's own items, integrity's items, and the lifecycle."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cmeconf.activities import checklist, lifecycle
from cmeconf.activities.choices import ActivityState, PlanningRoleKind
from cmeconf.activities.models import PlanningRole
from cmeconf.activities.services import activities as svc
from cmeconf.integrity import review, services
from cmeconf.integrity.models import CommercialSupporter, SupportAgreement
from cmeconf.providers.models import Accreditation
from tests.factories import (
    ActivityFactory,
    IneligibleCompanyFactory,
    RoomFactory,
    SessionFactory,
    SessionFacultyFactory,
    UserFactory,
    at,
)


def by_key(activity) -> dict:
    return {item.key: item for item in checklist.checklist(activity)}


def _plan_fully(activity, user):
    svc.update_planning_record(
        activity,
        by=user,
        practice_gap="Under-use of SGLT2 inhibitors in heart failure.",
        gap_sources=["guidelines"],
        educational_needs=["competence"],
        intended_change=["performance"],
        evaluation_plan="Chart audit of prescriptions three months later.",
    )
    svc.set_objectives(activity, ["Prescribe guideline-directed therapy"], by=user)
    PlanningRole.objects.create(
        activity=activity, person=UserFactory(), role=PlanningRoleKind.COURSE_DIRECTOR
    )
    SessionFactory(activity=activity, start=None, end=None, room=None)


@pytest.fixture
def planning(provider):
    return ActivityFactory(provider=provider, state=ActivityState.PLANNING)


def test_an_empty_planning_record_leaves_every_own_item_to_do(planning):
    items = checklist.activity_items(planning)
    assert [i.key for i in items] == [
        "practice_gap",
        "gap_sources",
        "educational_needs",
        "intended_change",
        "objectives",
        "evaluation_plan",
        "formats",
        "planners",
        "scheduled",
    ]
    assert not any(i.done for i in items)
    sources = {i.key: i.source for i in items}
    assert sources["practice_gap"] == "C1"
    assert sources["intended_change"] == "C2, C3"
    assert sources["evaluation_plan"] == "C8"
    assert {i.key: i.required_for for i in items}["scheduled"] == "publish"


def test_planning_gaps_are_the_open_items_needed_for_review(planning):
    assert lifecycle.planning_gaps(planning) == [
        "Describe the professional practice gap.",
        "Name at least one source of the practice gap.",
        "Say which educational need underlies the gap.",
        "Say what the activity is designed to change.",
        "Add at least one learning objective.",
        "Say how the activity will analyse the change it was designed for.",
        "Add the program's sessions before review.",
        "Name at least one planner or course director.",
    ]


def test_review_now_needs_the_evaluation_plan(planning, admin_user):
    _plan_fully(planning, admin_user)
    svc.update_planning_record(planning, by=admin_user, evaluation_plan="")
    with pytest.raises(ValidationError) as exc:
        svc.transition(planning, "submit_for_review", by=admin_user)
    assert exc.value.messages == [
        "Say how the activity will analyse the change it was designed for."
    ]
    svc.update_planning_record(planning, by=admin_user, evaluation_plan="Follow-up survey.")
    assert svc.transition(planning, "submit_for_review", by=admin_user).state == "in_review"


def test_a_complete_record_shows_what_was_found(planning, admin_user):
    _plan_fully(planning, admin_user)
    items = by_key(planning)
    for key in ("practice_gap", "gap_sources", "intended_change", "evaluation_plan", "formats"):
        assert items[key].done, key
    assert items["intended_change"].detail == "Performance"
    assert items["formats"].detail == "Lecture"
    assert items["planners"].detail == "1 named."
    assert not items["scheduled"].done
    assert items["scheduled"].detail == "Schedule at least one session before publishing."
    assert lifecycle.planning_gaps(planning) == []


def test_joint_providership_statement_needs_the_providers_accme_accreditation(provider):
    activity = ActivityFactory(
        provider=provider, state=ActivityState.APPROVED, joint_provider="Lakeside Foundation"
    )
    SessionFactory(activity=activity)
    item = by_key(activity)["joint_statement"]
    assert (item.done, item.source, item.required_for) == (False, "C4", "publish")
    publish = lifecycle.TRANSITIONS["publish"]
    assert item.detail in lifecycle.rule_blockers(activity, publish, today=dt.date(2027, 1, 1))

    Accreditation.objects.create(provider=provider, accreditor="ACCME", identifier="0001")
    item = by_key(activity)["joint_statement"]
    assert item.done
    assert "through the joint providership of " + provider.name in item.detail
    assert "and Lakeside Foundation" in item.detail
    assert lifecycle.rule_blockers(activity, publish, today=dt.date(2027, 1, 1)) == []


def test_no_joint_provider_no_statement_item(planning):
    assert "joint_statement" not in by_key(planning)


# Integrity's items, through the hook


def _speaker(activity, **names):
    person = UserFactory(**names)
    SessionFacultyFactory(session=SessionFactory(activity=activity), person=person)
    return person


def _disclose(person, company=None, nature="consultant"):
    rels = []
    if company is not None:
        rels = [
            {
                "company": company,
                "nature": nature,
                "start_date": dt.date(2025, 1, 1),
                "end_date": None,
            }
        ]
    d = services.submit_disclosure(person, by=person, attested=True, relationships=rels)
    return d.relationships.first()


def test_integrity_items_follow_the_sources(planning):
    items = by_key(planning)
    assert [items[k].source for k in ("disclosures", "owners_employees", "mitigation")] == [
        "Std 3 [A5][A18]",
        "Std 3 [A7b]",
        "Std 3 [A6]",
    ]
    assert items["learner_disclosure"].source == "Std 3 [A11]"
    assert items["ancillary"].source == "Std 5 [A12]"
    assert items["commercial_support"].source == "Std 4 [A15]"
    # Nobody in control of content yet: nothing cleared, nothing to show learners.
    assert not items["disclosures"].done and not items["learner_disclosure"].done


def test_missing_disclosure_then_none_to_report(planning):
    person = _speaker(planning, first_name="Ada", last_name="Okafor")
    items = by_key(planning)
    assert not items["disclosures"].done
    assert items["disclosures"].detail.startswith("Ada Okafor: No disclosure on file")
    assert not items["learner_disclosure"].done
    assert items["owners_employees"].done and items["mitigation"].done

    _disclose(person)
    items = by_key(planning)
    assert items["disclosures"].done
    assert items["learner_disclosure"].done
    assert items["learner_disclosure"].detail == "Ready for the one person."


def test_relevant_relationship_must_be_mitigated(planning, admin_user):
    company = IneligibleCompanyFactory(name="Cardiopharm")
    rel = _disclose(_speaker(planning, first_name="Ada", last_name="Okafor"), company)
    items = by_key(planning)
    assert items["disclosures"].done
    assert not items["mitigation"].done
    assert items["mitigation"].detail == (
        "Ada Okafor: the relationship with Cardiopharm has not been reviewed."
    )
    assert not items["learner_disclosure"].done  # "under review" until decided
    reviewer = UserFactory()
    from tests.factories import TeamFactory

    TeamFactory(provider=planning.provider, permissions=["review"], members=[reviewer])
    decision = review.decide_relevance(
        planning, rel, reviewer=reviewer, relevant=True, reason="Talk on its drug."
    )
    assert by_key(planning)["mitigation"].detail == (
        "Ada Okafor: the relevant relationship with Cardiopharm is not mitigated."
    )
    review.mitigate(decision, by=reviewer, method="attest")
    items = by_key(planning)
    assert items["mitigation"].done and items["learner_disclosure"].done


def test_employee_is_an_open_item_until_excepted(planning):
    company = IneligibleCompanyFactory(name="Cardiopharm")
    _disclose(_speaker(planning, first_name="Ada", last_name="Okafor"), company, "employee")
    items = by_key(planning)
    assert items["disclosures"].done  # the disclosure itself is valid
    assert not items["owners_employees"].done
    assert "Employee of Cardiopharm" in items["owners_employees"].detail


def test_ancillary_within_30_minutes_is_an_open_item(planning):
    room = RoomFactory(activity=planning)
    day = planning.start_date
    SessionFactory(activity=planning, room=room, start=at(day, 9), end=at(day, 10))
    assert by_key(planning)["ancillary"].done
    SessionFactory(
        activity=planning,
        room=room,
        format="exhibit",
        credit_eligible=False,
        start=at(day, 10, 15),
        end=at(day, 11),
    )
    item = by_key(planning)["ancillary"]
    assert not item.done
    assert "within 30 minutes" in item.detail


def test_unsigned_support_agreement_is_an_open_item(planning, admin_user):
    assert by_key(planning)["commercial_support"].done
    supporter = CommercialSupporter.objects.create(
        provider=planning.provider, company=IneligibleCompanyFactory(name="Cardiopharm")
    )
    agreement = SupportAgreement.objects.create(
        activity=planning,
        supporter=supporter,
        kind="cash",
        amount=5000,
        purpose="Lower registration fees for all learners.",
        terms="Provider decides all content.",
        created_by=admin_user,
    )
    item = by_key(planning)["commercial_support"]
    assert not item.done
    assert "Cardiopharm" in item.detail
    agreement.provider_signatory, agreement.provider_signed_on = "Dana", dt.date(2027, 1, 5)
    agreement.supporter_signatory, agreement.supporter_signed_on = "Sam", dt.date(2027, 1, 6)
    agreement.save()
    assert by_key(planning)["commercial_support"].done


def test_checklist_page_shows_items_with_source_and_state(client, admin_user, planning):
    client.force_login(admin_user)
    url = f"/staff/{planning.provider.slug}/{planning.slug}/planning/"
    response = client.get(url)
    html = response.content.decode()
    groups = response.context["checklist"]
    assert [g["name"] for g in groups] == ["submit_for_review", "approve", "publish"]
    assert response.context["checklist_open"] == sum(
        1 for i in checklist.checklist(planning) if not i.done
    )
    assert "How change will be analysed" in html
    assert "<code>C8</code>" in html
    assert "Say how the activity will analyse the change it was designed for." in html
