"""The shipped requirement sets: all load, and their values match the research they came from."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from cmeconf.licensure import vocabulary
from cmeconf.licensure.loader import SCHEMA_PATH, load_shipped, shipped_paths
from cmeconf.registration.identifiers import CREDIT_TYPES as REGISTRATION_CREDIT_TYPES

SHIPPED_IDS = {
    *("US-CA-MD", "US-CA-DO", "US-TX-MD-DO", "US-FL-MD", "US-FL-DO", "US-NY-MD-DO", "US-PA-MD"),
    *("US-PA-DO", "US-IL-MD-DO", "US-OH-MD-DO", "US-MI-MD", "US-MI-DO", "US-MA-MD-DO"),
    *("US-GA-MD-DO", "US-WA-MD", "US-NJ-MD-DO", "US-AZ-MD", "US-AZ-DO", "US-NC-MD-DO"),
    *("US-KY-MD-DO", "US-TN-MD", "US-VA-MD-DO", "US-MD-MD-DO", "US-MN-MD-DO", "US-OR-MD-DO"),
    *("US-CO-MD-DO", "US-FL-RN", "US-CA-RN", "US-FL-RPH", "CA-RCPSC-MOC"),
    *("DE-VERTRAGSARZT-95D", "US-FED-DEA-MATE"),
}


@pytest.fixture(scope="module")
def sets():
    return load_shipped()


def topic(requirement_set, topic_id):
    return next(t for t in requirement_set.topic_requirements if t.id == topic_id)


def rule(requirement_set, rule_id):
    return next(r for r in requirement_set.credit_type_rules if r.id == rule_id)


def test_every_shipped_file_loads_under_its_own_name(sets):
    assert set(sets) == SHIPPED_IDS
    assert {p.stem for p in shipped_paths()} == SHIPPED_IDS
    assert all(s.version == "2026-11-26" for s in sets.values())


def test_nothing_of_the_research_was_dropped(sets):
    # Counts in the research: 136 sources, 89 topic mandates, 28 credit-type constraints,
    # 55 open points, 28 exemptions, 4 equivalents.
    values = sets.values()
    assert sum(len(s.sources) for s in values) == 136
    assert sum(len(s.topic_requirements) for s in values) == 89
    assert sum(len(s.credit_type_rules) for s in values) == 28
    assert sum(len(s.unconfirmed) for s in values) == 55
    assert sum(len(s.exemptions) for s in values) == 28
    assert sum(len(s.equivalents) for s in values) == 4


def test_california_md(sets):
    ca = sets["US-CA-MD"]
    assert ca.total.amount == Decimal(50)
    assert ca.total.counted_credit_types == {
        "AMA_PRA_1",
        "AAFP_PRESCRIBED",
        "CMA_IMQ_CAT1",
        "BOARD_ACCEPTED_OTHER",
    }
    assert ca.cycle.length_months == 24
    assert ca.cycle.anchor == "birth_month_end"
    assert ca.cycle.anchor_confirmed
    assert ca.cycle.example == (dt.date(2026, 7, 31), dt.date(2024, 8, 1), dt.date(2026, 7, 31))
    cap = rule(ca, "practice-management-cap")
    assert cap.max_fraction_of_total == Decimal("0.3")
    assert cap.credit_types == {"PRACTICE_MANAGEMENT_OR_TEACHING_METHODS"}
    assert ca.proration.kind == "reduced_hours"
    assert [(s.licensed_less_than_months, s.total) for s in ca.proration.steps] == [(13, 25)]
    pain = topic(ca, "CA-PAIN-EOL-12")
    assert pain.hours == 12
    assert pain.recurrence.kind == "one_time"
    assert pain.recurrence.deadline_years_after_licensure == 4
    assert pain.recurrence.deadline_renewal == 2
    assert pain.applies_if.exclude_specialties == {"pathology", "radiology"}
    geriatrics = topic(ca, "CA-GERIATRICS-20PCT")
    assert geriatrics.hours is None
    assert geriatrics.hours_fraction_of_total == Decimal("0.2")
    assert geriatrics.applies_if.conditions == {"over_25pct_patients_65_plus"}
    assert not geriatrics.confirmed  # dementia-care scope: enactment unconfirmed
    assert ca.carry_over.allowed is None


def test_texas(sets):
    tx = sets["US-TX-MD-DO"]
    assert tx.total.amount == 48
    assert "INFORMAL" in tx.total.counted_credit_types
    assert rule(tx, "formal-min").min == 24
    assert rule(tx, "monitor-duty-cap").max == 12
    assert tx.carry_over.allowed is True
    assert tx.carry_over.max_amount == 48
    assert tx.carry_over.to_periods == 1
    assert tx.carry_over.total_only
    assert tx.late_completion_days == 30
    trafficking = topic(tx, "TX-TRAFFICKING-156060").recurrence
    assert (trafficking.kind, trafficking.n, trafficking.offset) == (
        "first_renewal_then_every_nth_renewal",
        3,
        1,
    )
    opioid = topic(tx, "TX-OPIOID-156055")
    assert (opioid.recurrence.kind, opioid.recurrence.n, opioid.recurrence.years) == (
        "first_n_renewals_then_every_n_years",
        2,
        8,
    )
    assert opioid.applies_if.conditions == {"direct_patient_care"}
    assert not opioid.confirmed  # TMA and statute conflict on the hours
    assert topic(tx, "TX-ETHICS-2").may_share_with == {"TX-OPIOID-156055", "TX-TRAFFICKING-156060"}


def test_pennsylvania_forbids_sharing_patient_safety_hours(sets):
    pa = sets["US-PA-MD"]
    assert pa.total.amount == 100
    assert rule(pa, "category-1-min").min == 20
    assert pa.cycle.fixed_end == dt.date(2026, 12, 31)
    assert pa.cycle.length_months == 24
    assert topic(pa, "PA-PSRM-12").may_not_share_with == {"PA-CHILDABUSE-2", "PA-OPIOID-2"}
    assert topic(pa, "PA-CHILDABUSE-2").may_not_share_with == {"PA-PSRM-12"}
    assert topic(pa, "PA-CHILDABUSE-2").approvals_required == {"PA_DHS_APPROVED"}
    assert topic(pa, "PA-OPIOID-2").applies_if.conditions == {"prescriber_or_dispenser"}


def test_massachusetts_lets_implicit_bias_count_for_risk_management(sets):
    ma = sets["US-MA-MD-DO"]
    assert ma.total.amount == 50
    risk = topic(ma, "MA-RISK-10")
    assert risk.hours == 10
    assert "MA-IMPLICITBIAS-2" in risk.may_share_with
    assert "implicit_bias" in risk.topics_any
    bias = topic(ma, "MA-IMPLICITBIAS-2")
    assert bias.may_share_with == {"MA-RISK-10"}
    assert bias.recurrence.window_years == 2
    assert topic(ma, "MA-OPIOID-3").applies_if.conditions == {"prescribes_controlled_substances"}


def test_florida(sets):
    rn = sets["US-FL-RN"]
    assert rn.total.amount == 24
    dv = topic(rn, "FLRN-DV-2")
    assert dv.counts_toward_total is False
    assert (dv.recurrence.kind, dv.recurrence.n, dv.recurrence.offset) == (
        "every_nth_renewal",
        3,
        0,
    )
    impairment = topic(rn, "FLRN-IMPAIR-2").recurrence
    assert (impairment.n, impairment.offset) == (2, 0)
    assert topic(rn, "FLRN-APRN-CS-3").applies_if.license_types == {"APRN"}
    md = sets["US-FL-MD"]
    assert topic(md, "FL-CS-2").approvals_required == {"FL_STATEWIDE_PHYSICIAN_ASSOCIATION"}
    assert topic(md, "FL-CS-2").applies_if.conditions == {"dea_registration"}
    assert topic(md, "FL-DV-2").recurrence.offset == 0
    assert not topic(md, "FL-DV-2").confirmed  # anchor of every third biennium unconfirmed
    assert topic(md, "FL-HIV-1").recurrence.kind == "first_renewal_only"
    assert md.proration.topics_still_due == {"FL-HIV-1", "FL-MEDERR-2", "FL-CS-2"}
    rph = sets["US-FL-RPH"]
    assert rph.cycle.fixed_end == dt.date(2027, 9, 30)
    assert [(s.licensed_less_than_months, s.total) for s in rph.proration.steps] == [
        (12, 0),
        (None, 15),
    ]
    assert not rule(rph, "live-min").confirmed
    fl_do = sets["US-FL-DO"]
    assert topic(fl_do, "FLDO-MEDERR-2").formats_allowed == {"live", "webinar"}


def test_royal_college_2024_rules(sets):
    rc = sets["CA-RCPSC-MOC"]
    assert rc.total.amount == 250
    assert rc.total.unit == "moc_credit"
    assert rc.cycle.length_months == 60
    assert rule(rc, "section-3-min").min == 25
    assert rule(rc, "section-3-min").credit_types == {"RC_SECTION_3"}
    annual = rule(rc, "annual-min")
    assert annual.min_per_calendar_year == 25
    assert annual.credit_types == {"RC_SECTION_1", "RC_SECTION_2", "RC_SECTION_3"}
    assert not annual.confirmed
    feedback = topic(rc, "RC-FEEDBACK-1")
    assert feedback.topics_any == {"feedback_received"}
    assert feedback.hours is None
    assert feedback.hours_text == "1 activity"
    assert rc.effective_from == dt.date(2024, 1, 1)


def test_new_york_has_no_total_and_two_readings_of_its_clocks(sets):
    ny = sets["US-NY-MD-DO"]
    assert ny.total.amount is None
    assert ny.cycle.length_months is None
    infection = topic(ny, "NY-INFECTION-CONTROL")
    assert infection.hours is None
    assert (infection.recurrence.years, infection.recurrence.anchor) == (4, "fixed")
    assert infection.recurrence.fixed_start == dt.date(1994, 7, 2)
    assert infection.recurrence.alt_anchor == "last_completion"
    pain = topic(ny, "NY-PAIN-PALLIATIVE-ADDICTION-3")
    assert pain.hours == 3
    assert (pain.recurrence.years, pain.recurrence.fixed_start) == (3, dt.date(2017, 7, 2))
    assert pain.applies_if.conditions == {"dea_registration"}
    update = topic(ny, "NY-CHILD-ABUSE-UPDATE-2025").recurrence
    assert update.deadline_date == dt.date(2025, 4, 1)


def test_illinois_and_michigan(sets):
    il = sets["US-IL-MD-DO"]
    assert (il.cycle.length_months, il.cycle.fixed_end) == (36, dt.date(2026, 7, 31))
    assert rule(il, "informal-cap").max == 90
    assert not rule(il, "informal-cap").confirmed
    assert topic(il, "IL-OPIOID").applies_if.conditions == {"il_controlled_substance_licence"}
    assert topic(il, "IL-DEMENTIA-1").applies_if.conditions == {"treats_adults_26_plus"}
    assert il.carry_over.allowed is False
    mi = sets["US-MI-MD"]
    assert topic(mi, "MI-IMPLICITBIAS").hours_per_year == 1
    assert topic(mi, "MI-HUMANTRAFFICKING").counts_toward_total is False
    assert mi.late_completion_days == 60


# Topic mandates whose confidence or timing the research marks UNCONFIRMED or in CONFLICT.
RESEARCH_UNCONFIRMED_TOPICS = {
    *("CA-GERIATRICS-20PCT", "TX-OPIOID-156055", "FL-DV-2", "FL-HT-1", "FLDO-DV-2"),
    *("PADO-PSRM-12", "IL-DEMENTIA-1", "IL-OPIOID", "IL-CULTURAL-1", "VA-OPIOID-2"),
    *("MN-OPIOID-2", "OR-PAIN-EOL-6"),
}
# Sets whose cycle anchor the research marks UNCONFIRMED.
RESEARCH_UNCONFIRMED_ANCHORS = {
    *("US-GA-MD-DO", "US-AZ-DO", "US-NC-MD-DO", "US-KY-MD-DO", "US-TN-MD", "US-MN-MD-DO"),
    *("US-OR-MD-DO", "US-FL-RN"),
}
RESEARCH_UNCONFIRMED_PRORATION = {
    *("US-OH-MD-DO", "US-MI-MD", "US-MI-DO", "US-MA-MD-DO", "US-GA-MD-DO", "US-WA-MD"),
    *("US-AZ-MD", "US-NC-MD-DO", "US-KY-MD-DO", "US-VA-MD-DO", "US-MN-MD-DO", "US-CO-MD-DO"),
    *("US-FL-RN", "US-CA-RN", "DE-VERTRAGSARZT-95D"),
}


def test_what_the_research_left_unconfirmed_is_never_confirmed(sets):
    topics = {t.id: t for s in sets.values() for t in s.topic_requirements}
    assert set(topics) >= RESEARCH_UNCONFIRMED_TOPICS
    assert [t for t in RESEARCH_UNCONFIRMED_TOPICS if topics[t].confirmed] == []
    assert [s for s in RESEARCH_UNCONFIRMED_ANCHORS if sets[s].cycle.anchor_confirmed] == []
    assert all("UNCONFIRMED" not in s.cycle.anchor for s in sets.values())
    for set_id in RESEARCH_UNCONFIRMED_PRORATION:
        assert (sets[set_id].proration.kind, sets[set_id].proration.confirmed) == ("unknown", False)
    # Georgia, Minnesota and Colorado: accepted credit types unverified.
    for set_id in ("US-GA-MD-DO", "US-MN-MD-DO", "US-CO-MD-DO"):
        assert not sets[set_id].total.confirmed


def test_no_confirmed_rule_carries_a_note_of_doubt(sets):
    for s in sets.values():
        rules = [*s.topic_requirements, *s.credit_type_rules]
        for item in rules:
            doubt = f"{item.confidence_note} {getattr(item, 'recurrence', None)}".upper()
            if "UNCONFIRMED" in doubt or "CONFLICT" in doubt:
                assert not item.confirmed, (s.id, item.id)


def test_sources_keep_their_own_dates(sets):
    tx = sets["US-TX-MD-DO"].sources
    dated = [s for s in tx.values() if s.as_of is not None]
    assert dated
    assert all(s.as_of_text.startswith(s.as_of.isoformat()) for s in dated)
    ca = sets["US-CA-MD"].sources["CA-1"]
    assert (ca.as_of, ca.as_of_text) == (None, "UNDATED (consulted 2026-11-26)")


def test_every_schema_property_is_described():
    schema = json.loads(SCHEMA_PATH.read_text())
    undescribed = []

    def walk(node, path):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if "description" not in prop:
                    undescribed.append(f"{path}.{name}")
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(schema, "$")
    assert undescribed == []
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_vocabulary_keeps_the_registration_credit_codes():
    assert set(REGISTRATION_CREDIT_TYPES) <= set(vocabulary.CREDIT_TYPES)
    assert all("UNCONFIRMED" not in anchor for anchor in vocabulary.CYCLE_ANCHORS)
