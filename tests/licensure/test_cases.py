"""The compliance cases of the licensure research, on the shipped requirement sets.

Each test is named after its case and asserts the case's exact figures: what is
counted, the gaps, compliance and the least additional credit.
"""

import datetime as dt
from decimal import Decimal

import pytest

from cmeconf.licensure.engine import Credit, Licence, Reason, evaluate
from cmeconf.licensure.loader import load_shipped

D = dt.date.fromisoformat
AMA1 = "AMA_PRA_1"
AMA2 = "AMA_PRA_2"


@pytest.fixture(scope="module")
def sets():
    return load_shipped()


def credit(cid, day, kind, amount, topics=(), **kw):
    return Credit(cid, D(day), {kind: Decimal(str(amount))}, frozenset(topics), **kw)


def dec(value) -> Decimal:
    return Decimal(str(value))


def reasons(status, credit_id):
    return {why for cid, why in status.not_counted if cid == credit_id}


def tc01_licence(sets):
    return Licence(
        sets["US-CA-MD"],
        "MD",
        expires_on=D("2026-07-31"),
        issued_on=D("2012-03-02"),
        birth_date=D("1970-07-04"),
        specialties=frozenset({"cardiology"}),
    )


def test_tc01_california_md_straightforward_compliance(sets):
    credits = [
        credit("2013", "2013-10-05", AMA1, 12, ["pain_management", "end_of_life"]),
        credit("a", "2024-09-14", AMA1, 20),
        credit("b", "2025-03-08", AMA1, 18),
        credit("c", "2026-05-20", AMA1, 12, ["pain_management"]),
    ]
    status = evaluate(tc01_licence(sets), credits, today=D("2026-07-01"))
    assert (status.window_start, status.window_end) == (D("2024-08-01"), D("2026-07-31"))
    total = status.requirement("total")
    assert (total.counted, total.gap) == (dec(50), dec(0))
    assert reasons(total, "2013") == {Reason.OUTSIDE_WINDOW}
    pain = status.requirement("CA-PAIN-EOL-12")
    # Met by the 2013 course, before its deadline four years after licensure.
    assert pain.met and pain.counted == dec(12)
    assert pain.counted_from == (("2013", dec(12)),)
    assert pain.deadline == D("2016-03-02")
    # The geriatrics mandate does not apply to this specialty.
    assert "CA-GERIATRICS-20PCT" not in {r.id for r in status.requirements}
    assert status.compliant
    assert status.min_additional == 0


def tc02_credits():
    return [
        # The one-time pain mandate was met long ago (the case leaves it aside).
        credit("pain", "2013-10-05", AMA1, 12, ["pain_management"]),
        credit("leap", "2024-02-29", AMA1, 6),
        credit("a", "2024-03-01", AMA1, 4),
        credit("b", "2025-06-01", AMA1, 30),
        credit("pm", "2025-11-10", "PRACTICE_MANAGEMENT_OR_TEACHING_METHODS", 16),
        credit("late", "2026-03-01", AMA1, 5),
    ]


def test_tc02_california_md_leap_day_after_expiry_and_practice_management_cap(sets):
    licence = Licence(sets["US-CA-MD"], "MD", expires_on=D("2026-02-28"))
    status = evaluate(licence, tc02_credits(), today=D("2026-02-01"))
    assert (status.window_start, status.window_end) == (D("2024-03-01"), D("2026-02-28"))
    total = status.requirement("total")
    assert total.counted == dec(49)
    assert total.gap == dec(1)
    assert reasons(total, "leap") == {Reason.OUTSIDE_WINDOW}
    assert reasons(total, "late") == {Reason.AFTER_DUE}
    assert reasons(total, "pm") == {Reason.OVER_CAP}
    assert ("pm", dec(15)) in total.counted_from
    assert not status.compliant
    assert status.min_additional == dec(1)


def test_tc02_variant_leap_year_expiry(sets):
    licence = Licence(sets["US-CA-MD"], "MD", expires_on=D("2028-02-29"))
    status = evaluate(licence, tc02_credits(), today=D("2028-01-01"))
    assert (status.window_start, status.window_end) == (D("2026-03-01"), D("2028-02-29"))
    # Now only the credit of 2026-03-01 is inside.
    assert status.requirement("total").counted == dec(5)


def tc04_credits():
    return [
        credit("a", "2024-10-12", AMA1, 14),
        credit("ethics", "2025-04-03", AMA1, 2, ["ethics"]),
        credit("b", "2025-09-22", AMA1, 8),
        credit("rounds", "2026-01-15", "INFORMAL", 8),
    ]


def tc04_licence(sets, carried):
    # No direct patient care: the opioid and trafficking mandates do not apply.
    return Licence(
        sets["US-TX-MD-DO"], "MD", expires_on=D("2026-08-31"), carried_in=Decimal(carried)
    )


def test_tc04_texas_carry_forward_no_direct_patient_care(sets):
    status = evaluate(tc04_licence(sets, 16), tc04_credits(), today=D("2026-08-01"))
    assert (status.window_start, status.window_end) == (D("2024-09-01"), D("2026-08-31"))
    formal = status.requirement("formal-min")
    assert (formal.counted, formal.gap) == (dec(24), dec(0))
    assert status.requirement("TX-ETHICS-2").counted == dec(2)
    total = status.requirement("total")
    assert total.counted == dec(48)
    assert ("carried_in", dec(16)) in total.counted_from
    assert {r.id for r in status.requirements if r.kind == "topic"} == {"TX-ETHICS-2"}
    assert status.compliant
    assert status.min_additional == 0


def test_tc04_without_carry_forward_total_gap_16(sets):
    status = evaluate(tc04_licence(sets, 0), tc04_credits(), today=D("2026-08-01"))
    assert status.requirement("total").gap == dec(16)
    assert not status.compliant
    assert status.min_additional == dec(16)


def test_tc04_variant_60_excess_carries_only_48(sets):
    status = evaluate(tc04_licence(sets, 60), tc04_credits(), today=D("2026-08-01"))
    total = status.requirement("total")
    assert ("carried_in", dec(48)) in total.counted_from
    assert total.counted == dec(32 + 48)


def test_tc06_pennsylvania_md_overlap_forbidden(sets):
    licence = Licence(
        sets["US-PA-MD"],
        "MD",
        expires_on=D("2026-12-31"),
        conditions=frozenset({"prescriber_or_dispenser"}),
    )
    credits = [
        credit("a", "2025-02-10", AMA1, 20),
        credit("mm", "2025-05-15", AMA2, 10, ["patient_safety"]),
        credit(
            "child",
            "2025-08-01",
            AMA1,
            2,
            ["child_abuse_reporting", "patient_safety"],
            approvals=frozenset({"PA_DHS_APPROVED"}),
        ),
        credit("opioid", "2025-10-20", AMA1, 2, ["opioid_prescribing", "patient_safety"]),
        credit("b", "2026-03-03", AMA2, 66),
    ]
    status = evaluate(licence, credits, today=D("2026-12-01"))
    assert (status.window_start, status.window_end) == (D("2025-01-01"), D("2026-12-31"))
    assert status.requirement("total").counted == dec(100)
    assert status.requirement("total").gap == 0
    cat1 = next(r for r in status.requirements if r.kind == "credit_type_min")
    assert (cat1.counted, cat1.gap) == (dec(24), dec(0))
    assert status.requirement("PA-CHILDABUSE-2").counted == dec(2)
    assert status.requirement("PA-OPIOID-2").counted == dec(2)
    psrm = status.requirement("PA-PSRM-12")
    assert (psrm.counted, psrm.gap) == (dec(10), dec(2))
    assert reasons(psrm, "child") == {Reason.SHARED_NOT_ALLOWED}
    assert reasons(psrm, "opioid") == {Reason.SHARED_NOT_ALLOWED}
    assert not status.compliant
    assert status.min_additional == dec(2)


def tc08_status(sets, *, shared=True):
    licence = Licence(
        sets["US-MA-MD-DO"],
        "MD",
        expires_on=D("2026-03-15"),
        birth_date=D("1980-03-15"),
        conditions=frozenset({"prescribes_controlled_substances", "treats_adults"}),
    )
    credits = [
        # One-time items done earlier.
        credit("eol", "2012-05-01", AMA1, 2, ["end_of_life"]),
        credit("ehr", "2015-05-01", AMA1, 3, ["ehr_proficiency"]),
        credit("alz", "2019-05-01", AMA1, 1, ["dementia"]),
        credit("dvsv", "2016-05-01", AMA1, 1, ["domestic_violence", "sexual_violence"]),
        credit("child", "2016-06-01", AMA1, 1, ["child_abuse_reporting"]),
        # The cycle.
        credit("bias", "2024-04-02", AMA1, 2, ["implicit_bias", "risk_management"]),
        credit("risk", "2024-06-10", AMA1, 8, ["risk_management"]),
        credit("opioid", "2024-09-01", AMA1, 3, ["opioid_prescribing", "pain_management"]),
        credit("regs", "2025-01-12", AMA2, 2, ["board_regulations"]),
        credit("a", "2025-05-05", AMA1, 35),
    ]
    return evaluate(licence, credits, today=D("2026-03-01"))


def test_tc08_massachusetts_overlap_allowed_birthday_cycle(sets):
    status = tc08_status(sets)
    assert (status.window_start, status.window_end) == (D("2024-03-16"), D("2026-03-15"))
    assert status.requirement("total").counted == dec(50)
    risk = status.requirement("MA-RISK-10")
    # 8 + the 2 implicit-bias credits, which may be shared.
    assert (risk.counted, risk.gap) == (dec(10), dec(0))
    assert ("bias", dec(2)) in risk.counted_from
    assert status.requirement("MA-IMPLICITBIAS-2").counted == dec(2)
    assert status.requirement("MA-OPIOID-3").counted == dec(3)
    assert status.requirement("MA-REGS-2").counted == dec(2)
    assert all(r.met for r in status.requirements)
    assert status.compliant
    assert status.min_additional == 0


def test_tc12_new_york_three_independent_clocks(sets):
    licence = Licence(
        sets["US-NY-MD-DO"],
        "MD",
        issued_on=D("2005-06-01"),
        conditions=frozenset({"dea_registration"}),
    )
    pain_topics = ["pain_management", "palliative_care", "addiction", "opioid_prescribing"]
    credits = [
        credit("infection", "2024-03-01", AMA1, 2, ["infection_control"]),
        credit("pain", "2023-05-10", AMA1, 3, pain_topics),
        credit("child", "2005-06-01", AMA1, 2, ["child_abuse_reporting"]),
        credit("update", "2025-02-15", AMA1, 1, ["child_abuse_reporting"]),
    ]
    status = evaluate(licence, credits, today=D("2026-11-26"))
    assert status.window_start is None  # no general total
    assert "total" not in {r.id for r in status.requirements}
    pain = status.requirement("NY-PAIN-PALLIATIVE-ADDICTION-3")
    assert (pain.counted, pain.gap, pain.met) == (dec(0), dec(3), False)
    # Overdue under both readings: fixed block ending 2026-07-01, rolling 2026-05-10.
    assert pain.deadline == D("2026-05-10")
    assert any("fixed reading: not met, due 2026-07-01" in n for n in pain.notes)
    assert any("rolling reading: not met, due 2026-05-10" in n for n in pain.notes)
    assert reasons(pain, "pain") == {Reason.OUTSIDE_WINDOW}
    infection = status.requirement("NY-INFECTION-CONTROL")
    assert infection.met
    assert any("fixed reading: met, due 2030-07-01" in n for n in infection.notes)
    assert any("rolling reading: met, due 2028-03-01" in n for n in infection.notes)
    assert not any("disagree" in w for w in status.warnings)
    assert status.requirement("NY-CHILD-ABUSE-UPDATE-2025").met
    assert status.requirement("NY-CHILD-ABUSE-2").met
    assert not status.compliant
    assert status.min_additional == dec(3)


def test_tc12_readings_disagree_is_flagged(sets):
    # A course on 2023-08-01 lies in the fixed block 2023-07-02..2026-07-01, but the rolling
    # reading wants one within three years of 2026-11-26.
    licence = Licence(sets["US-NY-MD-DO"], "MD", conditions=frozenset({"dea_registration"}))
    credits = [credit("pain", "2023-08-01", AMA1, 3, ["pain_management"])]
    status = evaluate(licence, credits, today=D("2026-11-26"))
    pain = status.requirement("NY-PAIN-PALLIATIVE-ADDICTION-3")
    assert not pain.met
    assert not pain.confirmed
    assert any("NY-PAIN-PALLIATIVE-ADDICTION-3" in w and "disagree" in w for w in status.warnings)


def test_tc14_royal_college_moc_2024_rules(sets):
    licence = Licence(
        sets["CA-RCPSC-MOC"], "FRCPC", cycle_start=D("2024-01-01"), expires_on=D("2028-12-31")
    )
    by_year = {2024: (40, 20, 0), 2025: (20, 0, 0), 2026: (30, 30, 10), 2027: (0, 36, 13)}
    by_year[2028] = (60, 0, 0)
    credits = [
        credit(f"{year}-s{n}", f"{year}-06-01", f"RC_SECTION_{n}", amount)
        for year, amounts in by_year.items()
        for n, amount in zip((1, 2, 3), amounts, strict=True)
        if amount
    ]
    credits.append(credit("feedback", "2027-09-01", "RC_SECTION_3", 1, ["feedback_received"]))
    status = evaluate(licence, credits, today=D("2028-12-31"))
    total = status.requirement("total")
    assert (total.counted, total.gap) == (dec(260), dec(0))
    assert status.requirement("RC-FEEDBACK-1").met
    section3 = next(r for r in status.requirements if r.kind == "credit_type_min")
    assert (section3.counted, section3.gap) == (dec(24), dec(1))
    annual = {r.id.rsplit(":", 1)[1]: r for r in status.requirements if r.kind == "annual_min"}
    assert (annual["2025"].counted, annual["2025"].gap) == (dec(20), dec(5))
    assert [y for y, r in annual.items() if r.gap] == ["2025"]
    assert not status.compliant
    # The 2025 shortfall cannot be made up; one Section 3 credit closes the rest.
    assert status.min_additional == dec(1)


def test_tc17_florida_rn_third_renewal_domestic_violence_on_top(sets):
    licence = Licence(
        sets["US-FL-RN"],
        "RN",
        expires_on=D("2026-04-30"),
        cycle_start=D("2024-05-01"),
        renewal_number=3,
    )
    hour = "FL_BON_APPROVED_CONTACT_HOUR"
    credits = [
        credit("errors", "2024-06-01", hour, 2, ["medical_errors"]),
        credit("laws", "2024-07-01", hour, 2, ["laws_and_rules"]),
        credit("trafficking", "2024-08-01", hour, 2, ["human_trafficking"]),
        credit("general", "2025-03-01", hour, 18),
    ]
    status = evaluate(licence, credits, today=D("2026-04-01"))
    assert status.requirement("total").counted == dec(24)
    assert status.requirement("total").gap == 0
    dv = status.requirement("FLRN-DV-2")
    assert (dv.counted, dv.gap) == (dec(0), dec(2))
    for rid in ("FLRN-MEDERR-2", "FLRN-LAWS-2", "FLRN-HT-2"):
        assert status.requirement(rid).met
    due = {r.id for r in status.requirements}
    assert "FLRN-IMPAIR-2" not in due  # done in the previous biennium
    assert "FLRN-HIV-1" not in due
    # The anchor is not confirmed: nothing here may be shown as fact.
    assert not any(r.confirmed for r in status.requirements)
    assert not status.compliant
    assert status.min_additional == dec(2)


def test_tc17_domestic_violence_hours_do_not_count_toward_the_24(sets):
    licence = Licence(
        sets["US-FL-RN"],
        "RN",
        expires_on=D("2026-04-30"),
        cycle_start=D("2024-05-01"),
        renewal_number=3,
    )
    hour = "FL_BON_APPROVED_CONTACT_HOUR"
    credits = [
        credit("errors", "2024-06-01", hour, 2, ["medical_errors"]),
        credit("laws", "2024-07-01", hour, 2, ["laws_and_rules"]),
        credit("trafficking", "2024-08-01", hour, 2, ["human_trafficking"]),
        credit("general", "2025-03-01", hour, 16),
        credit("dv", "2025-09-01", hour, 2, ["domestic_violence"]),
    ]
    status = evaluate(licence, credits, today=D("2026-04-01"))
    assert status.requirement("FLRN-DV-2").met
    total = status.requirement("total")
    assert (total.counted, total.gap) == (dec(22), dec(2))
    assert reasons(total, "dv") == {Reason.SEPARATE_REQUIREMENT}
    assert status.min_additional == dec(2)


def tc19_credits():
    return [
        credit("pain", "2013-10-05", AMA1, 12, ["pain_management"]),  # CA one-time, long ago
        credit("opioid", "2021-06-01", AMA1, 2, ["opioid_prescribing"]),
        credit(
            "trafficking",
            "2023-03-01",
            AMA1,
            1,
            ["human_trafficking"],
            approvals=frozenset({"HHSC_APPROVED"}),
        ),
        credit("a", "2024-12-01", AMA1, 20),
        credit("ethics", "2025-01-10", AMA1, 2, ["ethics"]),
        credit("rounds", "2025-03-03", "INFORMAL", 6),
        credit("conference", "2025-11-15", AMA1, 20),
        credit("b", "2026-06-01", AMA1, 10),
    ]


def test_tc19_one_physician_two_licences_shared_credits(sets):
    credits = tc19_credits()
    ca = Licence(sets["US-CA-MD"], "MD", expires_on=D("2026-10-31"))
    tx = Licence(
        sets["US-TX-MD-DO"],
        "MD",
        expires_on=D("2026-04-30"),
        renewal_number=5,  # opioid every 8 years now; trafficking not due this renewal
        conditions=frozenset({"direct_patient_care"}),
    )
    ca_status = evaluate(ca, credits, today=D("2026-04-01"))
    tx_status = evaluate(tx, credits, today=D("2026-04-01"))
    assert (ca_status.window_start, ca_status.window_end) == (D("2024-11-01"), D("2026-10-31"))
    assert (tx_status.window_start, tx_status.window_end) == (D("2024-05-01"), D("2026-04-30"))
    ca_total = ca_status.requirement("total")
    assert ca_total.counted == dec(52)
    assert reasons(ca_total, "rounds") == {Reason.WRONG_CREDIT_TYPE}
    tx_total = tx_status.requirement("total")
    assert tx_total.counted == dec(48)
    assert reasons(tx_total, "b") == {Reason.AFTER_DUE}
    assert tx_status.requirement("formal-min").counted == dec(42)
    assert tx_status.requirement("TX-ETHICS-2").counted == dec(2)
    assert tx_status.requirement("TX-OPIOID-156055").met
    # The same conference credit counts for both licences.
    assert ("conference", dec(20)) in ca_total.counted_from
    assert ("conference", dec(20)) in tx_total.counted_from
    assert ca_status.compliant and tx_status.compliant
    assert ca_status.min_additional == tx_status.min_additional == 0
