"""The registry of credit types: who may claim, arithmetic, options and exact statements."""

import datetime as dt
from decimal import Decimal

import pytest

from cmeconf.accounts.rules import Profession
from cmeconf.credits.arithmetic import Minutes
from cmeconf.credits.statements import statement_context
from cmeconf.credits.types import (
    JA_ORDER,
    REGISTRY,
    StatementContext,
    joint_accreditation_statement,
    rule,
)
from cmeconf.credits.types.acpe import ceu
from cmeconf.credits.types.base import ROUNDING_CHOICES
from cmeconf.providers.models import Accreditor
from cmeconf.registration.identifiers import ABMS_BOARDS

PROVIDER = "American College of Practitioners"


def ctx(maximum="7.00", **kwargs) -> StatementContext:
    values = {
        "provider_name": PROVIDER,
        "activity_title": "Annual Meeting 2027",
        "format_label": "live activity",
        "maximum": Decimal(maximum),
    }
    values.update(kwargs)
    return StatementContext(**values)


def m(total: int) -> Minutes:
    return Minutes.of(total)


# The registry ------------------------------------------------------------------------------


def test_registry_lists_every_type_in_order():
    assert list(REGISTRY) == [
        "AMA_PRA_1",
        "AOA_1A",
        "ANCC",
        "ACPE",
        "ACPE_TECH",
        "AAPA_1",
        "IPCE",
        "ABMS_MOC",
        "RC_SECTION_1",
        "ECMEC",
        "PARTICIPATION",
    ]
    assert all(rule(code).code == code for code in REGISTRY)


def test_unknown_code_is_a_key_error():
    with pytest.raises(KeyError):
        rule("NOPE")


@pytest.mark.parametrize("credit_rule", REGISTRY.values(), ids=list(REGISTRY))
def test_every_rule_is_complete(credit_rule):
    assert (
        credit_rule.label and credit_rule.unit and credit_rule.unit_plural and credit_rule.sources
    )
    assert credit_rule.accreditors <= set(Accreditor.values)
    assert credit_rule.professions <= set(Profession.values)
    assert set(credit_rule.claim_needs) <= {"board_id", "nabp_eprofile_id", "birth_month_day"}
    for option in credit_rule.options:
        assert option.source
        if option.choices:
            assert option.default in dict(option.choices)
        assert credit_rule.option({}, option.key) == option.default
    context = ctx(board="ABIM", uan="0798-0000-27-001-L01-P")
    assert credit_rule.accreditation_statement(context)
    assert credit_rule.designation_statement(context)
    assert credit_rule.step({}) > 0


def test_accreditors_allowing_each_type():
    allowed = {code: set(r.accreditors) for code, r in REGISTRY.items()}
    assert allowed["AMA_PRA_1"] == {"ACCME", "JA", "STATE"}
    assert allowed["ANCC"] == {"ANCC", "JA"}
    assert allowed["ACPE"] == allowed["ACPE_TECH"] == {"ACPE", "JA"}
    assert allowed["AAPA_1"] == {"AAPA", "JA"}
    assert allowed["IPCE"] == {"JA"}
    assert allowed["ABMS_MOC"] == {"ACCME", "JA", "STATE"}
    assert allowed["AOA_1A"] == {"AOA"}
    assert allowed["RC_SECTION_1"] == {"RCPSC"}
    assert allowed["ECMEC"] == {"EACCME"}
    assert allowed["PARTICIPATION"] == set(Accreditor.values)
    # Joint Accreditation allows AMA, ANCC, ACPE, AAPA and IPCE [J5].
    assert {c for c, a in allowed.items() if "JA" in a} >= {
        "AMA_PRA_1",
        "ANCC",
        "ACPE",
        "AAPA_1",
        "IPCE",
    }


@pytest.mark.parametrize(
    ("code", "may", "may_not"),
    [
        ("AMA_PRA_1", "physician", "nurse"),
        ("AOA_1A", "physician", "pharmacist"),
        ("ANCC", "nurse", "physician"),
        ("ACPE", "pharmacist", "pharmacy_technician"),
        ("ACPE_TECH", "pharmacy_technician", "pharmacist"),
        ("AAPA_1", "physician_assistant", "physician"),
        ("ABMS_MOC", "physician", "nurse"),
        ("RC_SECTION_1", "physician", "nurse"),
        ("ECMEC", "physician", "social_worker"),
    ],
)
def test_professions(code, may, may_not):
    assert rule(code).may_claim(may)
    assert not rule(code).may_claim(may_not)


@pytest.mark.parametrize("code", ["IPCE", "PARTICIPATION"])
def test_open_to_everyone(code):
    assert all(rule(code).may_claim(p) for p in Profession.values)


def test_claim_needs_and_reporting():
    assert rule("ACPE").claim_needs == ("nabp_eprofile_id", "birth_month_day")
    assert rule("ACPE_TECH").claim_needs == ("nabp_eprofile_id", "birth_month_day")
    assert rule("ABMS_MOC").claim_needs == ("board_id", "birth_month_day")
    reporting = {code for code, r in REGISTRY.items() if r.reports_to_third_party}
    assert reporting == {"ACPE", "ACPE_TECH", "ABMS_MOC"}
    assert [code for code, r in REGISTRY.items() if r.per_board] == ["ABMS_MOC"]


# AMA PRA Category 1 [M1][M2][M5][C4][C9] --------------------------------------------------


def test_ama_arithmetic_and_step():
    assert rule("AMA_PRA_1").amount(m(95), {}) == Decimal("1.50")
    # A learner's claim: the nearest quarter without the minimum (decision on [M2]).
    assert rule("AMA_PRA_1").amount(m(5), {}) == Decimal("0.00")
    assert rule("AMA_PRA_1").amount(m(7), {}) == Decimal("0.00")
    assert rule("AMA_PRA_1").amount(m(8), {}) == Decimal("0.25")
    # The designation keeps the 0.25 minimum [M1][M2].
    assert rule("AMA_PRA_1").designation_amount(m(5), {}) == Decimal("0.25")
    assert rule("AMA_PRA_1").designation_amount(m(95), {}) == Decimal("1.50")
    assert rule("AMA_PRA_1").step({}) == Decimal("0.25")


def test_ama_statements_exact():
    ama = rule("AMA_PRA_1")
    assert ama.accreditation_statement(ctx()) == (
        "American College of Practitioners is accredited by the Accreditation Council for "
        "Continuing Medical Education (ACCME) to provide continuing medical education for "
        "physicians."
    )
    assert ama.designation_statement(ctx("7.00")) == (
        "American College of Practitioners designates this live activity for a maximum of "
        "7.00 AMA PRA Category 1 Credits™. Physicians should claim only the credit commensurate "
        "with the extent of their participation in the activity."
    )
    assert "maximum of 1.00 AMA PRA Category 1 Credit™." in ama.designation_statement(ctx("1"))


def test_ama_joint_providership_statement_exact():
    assert rule("AMA_PRA_1").accreditation_statement(
        ctx(joint_provider="Springfield Heart Clinic")
    ) == (
        "This activity has been planned and implemented in accordance with the accreditation "
        "requirements and policies of the Accreditation Council for Continuing Medical "
        "Education (ACCME) through the joint providership of American College of Practitioners "
        "and Springfield Heart Clinic. American College of Practitioners is accredited by the "
        "ACCME to provide continuing medical education for physicians."
    )


# ANCC [N1][N2] ----------------------------------------------------------------------------


def test_ancc_counts_the_evaluation_time_to_two_places():
    ancc = rule("ANCC")
    allowance = {"evaluation_minutes": 10}
    assert ancc.amount(m(90), allowance, evaluation_minutes=5) == Decimal("1.58")
    assert ancc.amount(m(90), allowance) == Decimal("1.50")
    # Without an allowance (the default 0) the evaluation time counts nothing.
    assert ancc.amount(m(90), {}, evaluation_minutes=5) == Decimal("1.50")
    # No learning time, no contact hours, whatever the evaluation took.
    assert ancc.amount(m(0), {}, evaluation_minutes=30) == Decimal("0.00")
    assert ancc.step({}) == Decimal("0.01")


def test_an_unknown_or_empty_choice_falls_back_to_the_default():
    ancc = rule("ANCC")
    assert ancc.option({"rounding": "up"}, "rounding") == "two_places"
    assert ancc.option({"rounding": ""}, "rounding") == "two_places"
    assert ancc.option({"rounding": ["nearest_quarter"]}, "rounding") == "two_places"
    assert ancc.amount(m(95), {"rounding": "up"}) == Decimal("1.58")
    with pytest.raises(KeyError):
        ancc.option({}, "nothing")


def test_ancc_rounding_option():
    ancc = rule("ANCC")
    assert dict(ROUNDING_CHOICES).keys() == {"nearest_quarter", "two_places"}
    options = {"rounding": "nearest_quarter", "evaluation_minutes": 15}
    assert ancc.amount(m(90), options, evaluation_minutes=5) == Decimal("1.50")
    assert ancc.amount(m(90), options, evaluation_minutes=10) == Decimal("1.75")
    assert ancc.step(options) == Decimal("0.25")


def test_rounded_refuses_an_unknown_rounding():
    from cmeconf.credits.types.base import rounded

    with pytest.raises(ValueError, match="unknown rounding"):
        rounded(90, "up")


def test_ancc_designation_allows_for_the_evaluation():
    ancc = rule("ANCC")
    assert ancc.designation_amount(m(90), {}) == Decimal("1.50")
    assert ancc.designation_amount(m(90), {"evaluation_minutes": 5}) == Decimal("1.58")
    # Other types' designations are their amount.
    assert rule("AMA_PRA_1").designation_amount(m(95), {}) == Decimal("1.50")


def test_ancc_statements_exact():
    ancc = rule("ANCC")
    assert ancc.accreditation_statement(ctx()) == (
        "American College of Practitioners is accredited as a provider of nursing continuing "
        "professional development by the American Nurses Credentialing Center's Commission on "
        "Accreditation."
    )
    assert ancc.designation_statement(ctx("1.58")) == (
        "This live activity provides a maximum of 1.58 nursing contact hours. Nurses should "
        "claim only the contact hours commensurate with the extent of their participation, "
        "including the time spent on the evaluation."
    )


# ACPE [P1]-[P9] ----------------------------------------------------------------------------


def test_acpe_contact_hours_and_ceu():
    assert rule("ACPE").amount(m(90), {}) == Decimal("1.50")
    assert rule("ACPE").amount(m(95), {}) == Decimal("1.58")
    assert ceu(Decimal("1.50")) == Decimal("0.15")
    assert ceu(Decimal("10")) == Decimal("1")
    assert ceu(Decimal("1.58")) == Decimal("0.158")


def test_acpe_statements_exact():
    acpe = rule("ACPE")
    context = ctx("1.50", uan="0798-0000-27-001-l01-p")
    assert acpe.accreditation_statement(context) == (
        "American College of Practitioners is accredited by the Accreditation Council for "
        "Pharmacy Education as a provider of continuing pharmacy education."
    )
    assert acpe.designation_statement(context) == (
        "This live activity is approved for a maximum of 1.50 contact hours (0.15 CEU) of "
        "continuing pharmacy education for pharmacists, UAN 0798-0000-27-001-L01-P. Credit is "
        "recorded in NABP's CPE Monitor; no paper statement of credit is issued."
    )
    assert "for pharmacy technicians, UAN 0798-0000-27-001-L01-T." in rule(
        "ACPE_TECH"
    ).designation_statement(ctx("10", uan="0798-0000-27-001-L01-T"))
    assert "10.00 contact hours (1 CEU)" in acpe.designation_statement(ctx("10"))


def test_acpe_designation_needs_a_matching_uan():
    acpe, tech = rule("ACPE"), rule("ACPE_TECH")
    assert acpe.designation_problems(ctx(uan="0798-0000-27-001-L01-P")) == []
    assert tech.designation_problems(ctx(uan="0798-0000-27-001-L01-T")) == []
    assert acpe.designation_problems(ctx(uan="")) == [
        "ACPE credit needs the activity's Universal Activity Number (UAN)."
    ]
    assert acpe.designation_problems(ctx(uan="0798-0000-27-001-L01-T")) == [
        "This UAN ends in T; pharmacist credit needs P, technician credit T."
    ]
    assert tech.designation_problems(ctx(uan="0798-0000-27-001-L01-P")) == [
        "This UAN ends in P; pharmacist credit needs P, technician credit T."
    ]
    # A live activity needs L; a jointly provided one 9999, a sole one 0000 [P1][P2].
    assert acpe.designation_problems(ctx(uan="0798-9999-18-246-H04-P")) == [
        "A live activity's UAN has L (live) before the topic code.",
        "An activity you provide alone has 0000 as the UAN's second part.",
    ]
    assert (
        acpe.designation_problems(
            ctx(uan="0798-9999-18-246-H04-P", format_label="enduring material", joint_provider="X")
        )
        == []
    )
    assert acpe.designation_problems(ctx(uan="0798-0000-27-001-L01-P", joint_provider="X")) == [
        "A jointly provided activity's UAN has 9999 as its second part."
    ]
    assert acpe.designation_problems(ctx(uan="0798-9999-18-246-H04-X"))[0].startswith(
        "A UAN has the form"
    )


# AAPA [AA1] --------------------------------------------------------------------------------


def test_aapa_nearest_quarter_without_minimum():
    aapa = rule("AAPA_1")
    assert aapa.amount(m(95), {}) == Decimal("1.50")
    assert aapa.amount(m(5), {}) == Decimal("0.00")
    assert aapa.step({}) == Decimal("0.25")


def test_aapa_pending_wording_exact():
    aapa = rule("AAPA_1")
    context = ctx("7.00", approval_pending=True)
    assert aapa.accreditation_statement(context) == (
        "This program is not yet approved for CME credit. Conference organizers plan to request "
        "7.00 AAPA Category 1 CME credits from the Physician Assistant Review Panel. Total "
        "number of approved credits yet to be determined."
    )
    assert aapa.designation_statement(context) == (
        "PAs should claim only the credit commensurate with the extent of their participation."
    )


def test_aapa_approved_wording():
    aapa = rule("AAPA_1")
    assert aapa.accreditation_statement(ctx()) == (
        "This activity has been reviewed by the AAPA Review Panel and is compliant with AAPA "
        "CME Criteria."
    )
    assert aapa.designation_statement(ctx("7.00")) == (
        "This live activity is designated for a maximum of 7.00 AAPA Category 1 CME credits. "
        "PAs should claim only the credit commensurate with the extent of their participation."
    )
    assert "1.00 AAPA Category 1 CME credit." in aapa.designation_statement(ctx("1"))


# ABMS MOC [B1]-[B6] ------------------------------------------------------------------------


def test_moc_points_equal_credits_by_default():
    moc = rule("ABMS_MOC")
    assert moc.amount(m(95), {}) == Decimal("1.50")
    assert moc.amount(m(5), {}) == Decimal("0.00")  # a learner: no minimum
    assert moc.designation_amount(m(5), {}) == Decimal("0.25")  # the designation's [M2]
    assert moc.step({}) == Decimal("0.25")


def test_moc_points_may_be_fewer_never_more():
    moc = rule("ABMS_MOC")
    assert moc.amount(m(100), {"points_per_credit": 0.5}) == Decimal("0.87")
    assert moc.amount(m(100), {"points_per_credit": "0.5"}) == Decimal("0.87")
    assert moc.amount(m(100), {"points_per_credit": 3}) == Decimal("1.75")
    assert moc.step({"points_per_credit": 0.5}) == Decimal("0.01")
    # A setting that is not a number gives the default.
    assert moc.amount(m(100), {"points_per_credit": "half"}) == Decimal("1.75")
    assert rule("ECMEC").amount(by_day(600), {"daily_cap": "many"}) == Decimal("8.00")


def test_moc_claimable_partial_for_most_boards():
    moc = rule("ABMS_MOC")
    assert moc.claimable(
        m(95), {}, maximum=Decimal("7.00"), designated_minutes=420, board="ABIM"
    ) == Decimal("1.50")


def test_abp_gives_all_or_nothing():
    moc = rule("ABMS_MOC")
    maximum = Decimal("7.00")
    assert moc.claimable(
        m(419), {}, maximum=maximum, designated_minutes=420, board="ABP"
    ) == Decimal("0.00")
    assert moc.claimable(m(420), {}, maximum=maximum, designated_minutes=420, board="ABP") == (
        Decimal("7.00")
    )
    # A designation lowered below the computation: still the designated points, no more.
    assert moc.claimable(
        m(420), {}, maximum=Decimal("6.00"), designated_minutes=420, board="ABP"
    ) == Decimal("6.00")
    # Without the designated minutes nothing can be shown to be whole.
    assert moc.claimable(m(420), {}, maximum=maximum, board="ABP") == Decimal("0.00")
    # The option decides which boards: a list, or codes as the settings page stores them.
    assert moc.claimable(
        m(95), {"all_or_nothing_boards": []}, maximum=maximum, designated_minutes=420, board="ABP"
    ) == Decimal("1.50")
    assert moc.claimable(
        m(95),
        {"all_or_nothing_boards": "none"},
        maximum=maximum,
        designated_minutes=420,
        board="ABP",
    ) == Decimal("1.50")
    options = {"all_or_nothing_boards": "aba, ABPath"}
    assert moc.all_or_nothing("ABA", options)
    assert moc.all_or_nothing("ABPath", options)
    assert not moc.all_or_nothing("ABP", options)
    # A board whose code is part of another's is not mistaken for it.
    assert not moc.all_or_nothing("AB", {"all_or_nothing_boards": "ABP"})


def test_default_claimable_caps_the_amount():
    ama = rule("AMA_PRA_1")
    assert ama.claimable(m(600), {}, maximum=Decimal("7.00")) == Decimal("7.00")
    assert ama.claimable(m(95), {}, maximum=Decimal("7.00")) == Decimal("1.50")
    assert rule("ANCC").claimable(
        m(90), {"evaluation_minutes": 5}, maximum=Decimal("7"), evaluation_minutes=5
    ) == Decimal("1.58")


def test_moc_abim_statement():
    moc = rule("ABMS_MOC")
    assert moc.accreditation_statement(ctx(board="ABIM")) == rule(
        "AMA_PRA_1"
    ).accreditation_statement(ctx())
    assert moc.designation_statement(ctx("7.00", board="ABIM")) == (
        "Successful completion of this CME activity, which includes participation in the "
        "evaluation component, enables the participant to earn up to 7.00 MOC points in the "
        "American Board of Internal Medicine's (ABIM) Maintenance of Certification (MOC) "
        "program. It is the CME activity provider's responsibility to submit participant "
        "completion information to ACCME for the purpose of granting ABIM MOC credit."
    )


def test_moc_other_boards_statement():
    moc = rule("ABMS_MOC")
    assert moc.designation_statement(ctx("7.00", board="ABS")) == (
        "Successful completion of this CME activity, which includes participation in the "
        "evaluation component, enables the participant to earn up to 7.00 MOC points in the "
        "American Board of Surgery's (ABS) Maintenance of Certification (MOC) program. "
        "Participant completion information will be submitted to ACCME for the purpose of "
        "granting ABS MOC credit."
    )
    assert moc.designation_statement(ctx("7.00", board="ABP")).endswith(
        " ABP MOC points are awarded only for completing the whole activity."
    )


def test_moc_needs_a_board():
    moc = rule("ABMS_MOC")
    for board in ABMS_BOARDS:
        assert moc.designation_problems(ctx(board=board)) == []
    assert moc.designation_problems(ctx(board="")) == [
        "MOC points are designated per board: choose one of the ABMS boards."
    ]
    assert moc.designation_problems(ctx(board="ABXYZ"))


# IPCE and Joint Accreditation [J1][J3][J6] ---------------------------------------------------


def test_ipce_statement_exact():
    ipce = rule("IPCE")
    assert ipce.designation_statement(ctx("7.00")) == (
        "This activity was planned by and for the healthcare team, and learners will receive "
        "7.00 Interprofessional Continuing Education (IPCE) credit for learning and change."
    )
    assert ipce.accreditation_statement(ctx()) == joint_accreditation_statement(PROVIDER)
    assert ipce.accreditation_statement(
        ctx(options={"ja_order": "ANCC_ACPE_ACCME"})
    ) == joint_accreditation_statement(PROVIDER, "ANCC_ACPE_ACCME")


def test_ipce_nearest_quarter():
    assert rule("IPCE").amount(m(95), {}) == Decimal("1.50")
    assert rule("IPCE").amount(m(5), {}) == Decimal("0.00")


def test_joint_accreditation_statement_exact():
    assert JA_ORDER.default == "ACCME_ACPE_ANCC"
    assert joint_accreditation_statement(PROVIDER) == (
        "In support of improving patient care, American College of Practitioners is jointly "
        "accredited by the ACCME, ACPE, and ANCC, to provide continuing education for the "
        "healthcare team."
    )
    assert joint_accreditation_statement(PROVIDER, "ANCC_ACPE_ACCME") == (
        "In support of improving patient care, American College of Practitioners is jointly "
        "accredited by the ANCC, ACPE, and ACCME, to provide continuing education for the "
        "healthcare team."
    )
    with pytest.raises(ValueError, match="unknown order"):
        joint_accreditation_statement(PROVIDER, "ALPHABETICAL")


# AOA [O3] ------------------------------------------------------------------------------------


def test_aoa_one_credit_per_hour_with_rounding_option():
    aoa = rule("AOA_1A")
    assert aoa.amount(m(95), {}) == Decimal("1.50")
    assert aoa.amount(m(95), {"rounding": "two_places"}) == Decimal("1.58")
    assert aoa.step({"rounding": "two_places"}) == Decimal("0.01")


def test_aoa_statements():
    aoa = rule("AOA_1A")
    assert aoa.accreditation_statement(ctx()) == (
        "American College of Practitioners is accredited by the American Osteopathic "
        "Association to provide osteopathic continuing medical education for physicians."
    )
    assert aoa.designation_statement(ctx("7.00")) == (
        "American College of Practitioners designates this live activity for a maximum of "
        "7.00 AOA Category 1-A credits and will report CME credits commensurate with the extent "
        "of the physician's participation in this activity."
    )


# Royal College [R1][R2] ----------------------------------------------------------------------


def test_royal_college_statement_exact():
    rc = rule("RC_SECTION_1")
    joined = " ".join(
        [rc.accreditation_statement(ctx("7.00")), rc.designation_statement(ctx("7.00"))]
    )
    assert joined == (
        "This event is an Accredited Group Learning Activity (Section 1) as defined by the "
        "Maintenance of Certification Program of the Royal College of Physicians and Surgeons "
        "of Canada, and approved by American College of Practitioners. You may claim a maximum "
        "of 7.00 hours (credits are automatically calculated)."
    )


def test_royal_college_one_credit_per_hour():
    rc = rule("RC_SECTION_1")
    assert rc.amount(m(95), {}) == Decimal("1.50")
    assert rc.amount(m(95), {"rounding": "two_places"}) == Decimal("1.58")


# EACCME [E1][E2][E3] -------------------------------------------------------------------------


def by_day(*minutes: int) -> Minutes:
    days = {dt.date(2027, 4, 14 + i): v for i, v in enumerate(minutes)}
    return Minutes(total=sum(minutes), by_day=days)


def test_ecmec_half_credit_per_full_half_hour():
    ecmec = rule("ECMEC")
    assert ecmec.amount(m(95), {}) == Decimal("1.50")
    assert ecmec.amount(m(29), {}) == Decimal("0.00")
    assert ecmec.amount(m(60), {}) == Decimal("1.00")
    assert ecmec.step({}) == Decimal("0.5")


def test_ecmec_daily_cap_applies_per_day():
    ecmec = rule("ECMEC")
    two_long_days = by_day(600, 600)
    assert ecmec.amount(two_long_days, {}) == Decimal("16.00")  # 8 per day [E2]
    assert ecmec.amount(two_long_days, {"daily_cap": 6}) == Decimal("12.00")  # [E1]
    assert ecmec.amount(two_long_days, {"daily_cap": "10"}) == Decimal("20.00")
    assert ecmec.amount(two_long_days, {"daily_cap": 12}) == Decimal("20.00")
    # An empty setting gives the documented default.
    assert ecmec.amount(two_long_days, {"daily_cap": None}) == Decimal("16.00")
    assert ecmec.amount(two_long_days, {"daily_cap": ""}) == Decimal("16.00")
    # Each day is rounded on its own: 45 + 45 minutes are 0.5 + 0.5, not 1.5.
    assert ecmec.amount(by_day(45, 45), {}) == Decimal("1.00")
    # Without per-day figures all the time is one day: the cap only lowers.
    assert ecmec.amount(m(1200), {}) == Decimal("8.00")


def test_ecmec_statements():
    ecmec = rule("ECMEC")
    assert ecmec.accreditation_statement(ctx("7.00")) == (
        "“Annual Meeting 2027” is accredited by the European Accreditation Council for "
        "Continuing Medical Education (EACCME®) with 7.00 European CME credits (ECMEC®s)."
    )
    assert ecmec.designation_statement(ctx()) == (
        "Each medical specialist should claim only those hours of credit that he/she actually "
        "spent in the educational activity."
    )


# Participation ---------------------------------------------------------------------------------


def test_participation_hours_and_statement():
    participation = rule("PARTICIPATION")
    assert participation.amount(m(95), {}) == Decimal("1.58")
    assert participation.accreditation_statement(ctx()) == (
        "American College of Practitioners certifies participation in this live activity for "
        "the hours shown."
    )
    assert participation.designation_statement(ctx("7.00")) == (
        "The activity offers a maximum of 7.00 hours of participation. This certificate records "
        "attendance only: it is not a designation of continuing education credit by any "
        "accrediting body."
    )


def test_statements_escape_nothing_and_keep_names_as_typed():
    # Statements are plain text; templates escape them. A name with markup stays as typed.
    name = "<b>Smith & Sons</b>"
    assert name in rule("AMA_PRA_1").accreditation_statement(ctx(provider_name=name))


@pytest.mark.parametrize("code", list(REGISTRY))
def test_statements_of_a_stored_designation(code, activity, admin_user):
    """Every type's statements come out of `credits.statements` for a real designation."""
    from django.utils import timezone

    from cmeconf.credits.models import Designation
    from cmeconf.credits.statements import statements

    designation = Designation.objects.create(
        activity=activity,
        credit_type=code,
        board="ABIM" if code == "ABMS_MOC" else "",
        uan={"ACPE": "0798-0000-27-001-L01-P", "ACPE_TECH": "0798-0000-27-001-L01-T"}.get(code, ""),
        computed_maximum=Decimal("7.00"),
        computed_minutes=420,
        maximum=Decimal("7.00"),
        designated_by=admin_user,
        designated_at=timezone.now(),
    )
    accreditation, designated = statements(designation)
    assert accreditation and designated
    assert "7.00" in accreditation + designated
    credit_rule = rule(code)
    assert credit_rule.designation_problems(statement_context(designation)) == []
