"""The engine on small hand-built requirement sets: one rule at a time."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from cmeconf.licensure import engine
from cmeconf.licensure.engine import Credit, Licence, Reason, evaluate
from cmeconf.licensure.rules import (
    AppliesIf,
    CarryOver,
    CreditTypeRule,
    Cycle,
    Jurisdiction,
    Proration,
    ProrationStep,
    Recurrence,
    RequirementSet,
    TopicRequirement,
    Total,
)

D = dt.date.fromisoformat
CAT1, CAT2, AOA = "AMA_PRA_1", "AMA_PRA_2", "AOA_2A"
EXPIRY = D("2026-06-30")  # window 2024-07-01..2026-06-30
TODAY = D("2026-06-01")


def make_set(
    *,
    total=50,
    types=(CAT1, CAT2),
    rules=(),
    topics=(),
    proration=None,
    carry=None,
    anchor_confirmed=True,
) -> RequirementSet:
    return RequirementSet(
        id="XX-TEST",
        version="1",
        jurisdiction=Jurisdiction("US", "XX", "Testland"),
        regulator="Test board",
        profession="physician",
        license_types=frozenset({"MD"}),
        confidence="HIGH",
        cycle=Cycle(24, "license_expiration", anchor_confirmed, "", ""),
        total=Total(Decimal(total), "hour", frozenset(types), ("T-1",)),
        credit_type_rules=tuple(rules),
        topic_requirements=tuple(topics),
        proration=proration or Proration("none", ""),
        carry_over=carry or CarryOver(False),
        sources={},
    )


def topic(rid, topics, hours=2, **kw) -> TopicRequirement:
    return TopicRequirement(rid, rid, frozenset(topics), Decimal(hours), **kw)


def credit(cid, day, amount, kind=CAT1, topics=(), **kw) -> Credit:
    amounts = kind if isinstance(kind, dict) else {kind: Decimal(str(amount))}
    return Credit(cid, D(day), amounts, frozenset(topics), **kw)


def licence(rs, **kw) -> Licence:
    kw.setdefault("expires_on", EXPIRY)
    return Licence(rs, "MD", **kw)


def reasons(status, cid):
    return {why for c, why in status.not_counted if c == cid}


def test_window_edges_and_wrong_type():
    rs = make_set(total=10)
    credits = [
        credit("before", "2024-06-30", 3),
        credit("first", "2024-07-01", 3),
        credit("last", "2026-06-30", 3),
        credit("after", "2026-07-01", 3),
        credit("other", "2025-01-01", 3, kind="INFORMAL"),
    ]
    total = evaluate(licence(rs), credits, today=TODAY).requirement("total")
    assert total.counted == Decimal(6)
    assert total.gap == Decimal(4)
    assert reasons(total, "before") == {Reason.OUTSIDE_WINDOW}
    assert reasons(total, "after") == {Reason.AFTER_DUE}
    assert reasons(total, "other") == {Reason.WRONG_CREDIT_TYPE}


def test_several_designations_count_once_by_the_best():
    rs = make_set(total=10, types=(CAT1, AOA))
    both = credit("both", "2025-01-01", 0, kind={CAT1: Decimal("1.5"), AOA: Decimal("2.25")})
    status = evaluate(licence(rs), [both], today=TODAY)
    assert status.requirement("total").counted == Decimal("2.25")
    assert status.requirement("total").counted_from == (("both", Decimal("2.25")),)


def test_fractional_amounts_are_exact():
    rs = make_set(total=1)
    credits = [credit(str(i), "2025-01-01", "0.1") for i in range(10)]
    status = evaluate(licence(rs), credits, today=TODAY)
    assert status.requirement("total").counted == Decimal(1)
    assert status.compliant


def test_absolute_cap_drops_the_latest_hours():
    cap = CreditTypeRule("cat2-cap", "Category 2", frozenset({CAT2}), max=Decimal(10))
    rs = make_set(total=30, rules=[cap])
    credits = [
        credit("a", "2025-01-01", 8, CAT2),
        credit("b", "2025-02-01", 8, CAT2),
        credit("c", "2025-03-01", 20),
    ]
    status = evaluate(licence(rs), credits, today=TODAY)
    total = status.requirement("total")
    assert total.counted == Decimal(30)
    assert reasons(total, "b") == {Reason.OVER_CAP}
    assert ("b", Decimal(2)) in total.counted_from
    cap_status = status.requirement("cat2-cap")
    assert (cap_status.counted, cap_status.gap, cap_status.met) == (Decimal(10), 0, True)


def test_fraction_cap_is_taken_of_the_prorated_total():
    cap = CreditTypeRule(
        "pm-cap", "practice", frozenset({"PM"}), max_fraction_of_total=Decimal("0.3")
    )
    steps = (ProrationStep(13, Decimal(25)),)
    rs = make_set(total=50, rules=[cap], proration=Proration("reduced_hours", "", steps))
    credits = [credit("pm", "2025-09-01", 20, "PM"), credit("a", "2025-10-01", 10)]
    # A first licence term of 11 months: 25 required, so the cap is 7.5.
    short = licence(rs, issued_on=D("2025-07-15"))
    status = evaluate(short, credits, today=TODAY)
    total = status.requirement("total")
    assert (total.required, total.counted, total.gap) == (Decimal(25), Decimal("17.5"), 7.5)
    # A full term: 50 required, cap 15.
    full = evaluate(licence(rs, issued_on=D("2024-07-15")), credits, today=TODAY)
    assert full.renewal_number == 1
    assert full.requirement("total").counted == Decimal(25)
    assert full.requirement("total").required == Decimal(50)


def test_minimum_counts_a_credit_carrying_the_type_even_if_another_was_chosen():
    formal = CreditTypeRule("formal", "formal", frozenset({CAT1}), min=Decimal(5))
    rs = make_set(total=10, types=(CAT1, "INFORMAL"), rules=[formal])
    credits = [
        credit("x", "2025-01-01", 0, kind={"INFORMAL": Decimal(4), CAT1: Decimal(3)}),
        credit("y", "2025-02-01", 6, "INFORMAL"),
    ]
    status = evaluate(licence(rs), credits, today=TODAY)
    minimum = status.requirement("formal")
    assert (minimum.counted, minimum.gap) == (Decimal(3), Decimal(2))
    assert reasons(minimum, "y") == {Reason.WRONG_CREDIT_TYPE}
    assert status.requirement("total").counted == Decimal(10)
    assert status.min_additional == Decimal(2)


def test_carry_over_only_where_allowed_and_up_to_the_maximum():
    credits = [credit("a", "2025-01-01", 20)]
    allowed = make_set(total=30, carry=CarryOver(True, max_amount=Decimal(5)))
    status = evaluate(licence(allowed, carried_in=Decimal(8)), credits, today=TODAY)
    assert status.requirement("total").counted == Decimal(25)
    unconfirmed = make_set(total=30, carry=CarryOver(None))
    status = evaluate(licence(unconfirmed, carried_in=Decimal(8)), credits, today=TODAY)
    assert status.requirement("total").counted == Decimal(20)
    assert any("carry-over" in w for w in status.warnings)


def test_carried_hours_never_meet_a_minimum():
    formal = CreditTypeRule("formal", "formal", frozenset({CAT1}), min=Decimal(10))
    rs = make_set(total=10, rules=[formal], carry=CarryOver(True))
    status = evaluate(licence(rs, carried_in=Decimal(10)), [], today=TODAY)
    assert status.requirement("total").gap == 0
    assert status.requirement("formal").gap == Decimal(10)


def test_exempt_first_renewal_keeps_only_the_listed_topics():
    hiv = topic("HIV-1", ["hiv_aids"], 1)
    errors = topic("ERR-2", ["medical_errors"], 2)
    proration = Proration("exempt_first_renewal", "exempt", topics_still_due=frozenset({"HIV-1"}))
    rs = make_set(total=40, topics=[hiv, errors], proration=proration)
    first = evaluate(licence(rs, renewal_number=1), [], today=TODAY)
    assert first.exempt_reason == "exempt"
    assert [r.id for r in first.requirements] == ["HIV-1"]
    assert first.min_additional == Decimal(1)
    second = evaluate(licence(rs, renewal_number=2), [], today=TODAY)
    assert second.exempt_reason is None
    assert {r.id for r in second.requirements} == {"total", "HIV-1", "ERR-2"}


def test_every_reason_code_of_a_topic_mandate():
    approved = topic(
        "CHILD-2", ["child_abuse"], 2, approvals_required=frozenset({"STATE_APPROVED"})
    )
    live = topic("LIVE-1", ["ethics"], 1, formats_allowed=frozenset({"live"}))
    typed = topic("OPI-2", ["opioids"], 2, credit_types_allowed=frozenset({CAT1}))
    rs = make_set(total=10, topics=[approved, live, typed])
    credits = [
        credit("unapproved", "2025-01-01", 2, topics=["child_abuse"]),
        credit("recorded", "2025-01-01", 1, topics=["ethics"], format="enduring"),
        credit("cat2", "2025-01-01", 2, CAT2, topics=["opioids"]),
        credit("old", "2020-01-01", 2, topics=["opioids"]),
        credit("next", "2026-07-15", 2, topics=["opioids"]),
        credit("elsewhere", "2025-01-01", 2, topics=["geriatrics"]),
    ]
    status = evaluate(licence(rs), credits, today=TODAY)
    assert reasons(status.requirement("CHILD-2"), "unapproved") == {Reason.NOT_APPROVED_PROVIDER}
    assert reasons(status.requirement("LIVE-1"), "recorded") == {Reason.WRONG_FORMAT}
    opioid = status.requirement("OPI-2")
    assert reasons(opioid, "cat2") == {Reason.WRONG_CREDIT_TYPE}
    assert reasons(opioid, "old") == {Reason.OUTSIDE_WINDOW}
    assert reasons(opioid, "next") == {Reason.AFTER_DUE}
    assert reasons(opioid, "elsewhere") == {Reason.TOPIC_NOT_MATCHING}
    assert not any(r.met for r in status.requirements if r.kind == "topic")


def test_topic_not_matching_is_left_out_once_a_mandate_is_met():
    rs = make_set(total=1, topics=[topic("ETH-1", ["ethics"], 1)])
    credits = [
        credit("e", "2025-01-01", 1, topics=["ethics"]),
        credit("g", "2025-01-01", 1, topics=["x"]),
    ]
    assert evaluate(licence(rs), credits, today=TODAY).requirement("ETH-1").not_counted == ()


def test_shared_hours_count_for_both_mandates():
    risk = topic("RISK-4", ["risk", "bias"], 4, may_share_with=frozenset({"BIAS-2"}))
    bias = topic("BIAS-2", ["bias"], 2, may_share_with=frozenset({"RISK-4"}))
    rs = make_set(total=10, topics=[risk, bias])
    credits = [
        credit("b", "2025-01-01", 2, topics=["bias"]),
        credit("r", "2025-02-01", 2, topics=["risk"]),
    ]
    status = evaluate(licence(rs), credits, today=TODAY)
    assert status.requirement("RISK-4").counted == Decimal(4)
    assert status.requirement("BIAS-2").counted == Decimal(2)
    # One new hour serves the total and the topics alike: only the total is short (6).
    assert status.min_additional == Decimal(6)


def test_mandates_that_may_not_share_split_a_credit_to_close_both():
    broad = topic(
        "SAFE-3", ["safety", "child", "opioids"], 3, may_not_share_with=frozenset({"CH-2"})
    )
    child = topic("CH-2", ["child"], 2, may_not_share_with=frozenset({"SAFE-3"}))
    rs = make_set(total=5, topics=[broad, child])
    credits = [
        credit("c", "2025-01-01", 3, topics=["child", "safety"]),
        credit("s", "2025-02-01", 2, topics=["safety"]),
    ]
    status = evaluate(licence(rs), credits, today=TODAY)
    # The child-abuse mandate takes the 2 hours it needs; the third hour is left for safety.
    assert status.requirement("CH-2").counted == Decimal(2)
    safe = status.requirement("SAFE-3")
    assert (safe.counted, safe.gap) == (Decimal(3), 0)
    assert ("c", Decimal(1)) in safe.counted_from
    assert status.compliant


def test_min_additional_gives_non_sharing_mandates_their_own_hours():
    broad = topic("SAFE-3", ["safety"], 3, may_not_share_with=frozenset({"CH-2"}))
    child = topic("CH-2", ["child"], 2, may_not_share_with=frozenset({"SAFE-3"}))
    other = topic("ETH-2", ["ethics"], 2)
    rs = make_set(total=4, topics=[broad, child, other])
    status = evaluate(licence(rs), [], today=TODAY)
    assert [r.gap for r in status.requirements] == [4, 3, 2, 2]
    # Safety and child need 3 + 2 separate hours; ethics can ride along.
    assert status.min_additional == Decimal(5)
    one = evaluate(licence(rs), [credit("s", "2025-01-01", 3, topics=["safety"])], today=TODAY)
    assert one.min_additional == Decimal(2)


def test_separate_mandate_hours_come_on_top_of_the_total():
    dv = topic("DV-2", ["dv"], 2, counts_toward_total=False)
    rs = make_set(total=4, topics=[dv])
    credits = [credit("dv", "2025-01-01", 3, topics=["dv"]), credit("g", "2025-01-01", 3)]
    status = evaluate(licence(rs), credits, today=TODAY)
    total = status.requirement("total")
    # Two of the three DV hours serve the mandate; the third counts toward the total.
    assert total.counted == Decimal(4)
    assert reasons(total, "dv") == {Reason.SEPARATE_REQUIREMENT}
    assert status.compliant
    empty = evaluate(licence(rs), [], today=TODAY)
    assert empty.min_additional == Decimal(6)


def test_applies_if():
    cond = topic(
        "OP-2", ["opioids"], applies_if=AppliesIf(conditions=frozenset({"dea_registration"}))
    )
    spec = topic("GER-2", ["geriatrics"], applies_if=AppliesIf(specialties=frozenset({"fm"})))
    excl = topic("PAIN-2", ["pain"], applies_if=AppliesIf(exclude_specialties=frozenset({"rad"})))
    kind = topic("APRN-2", ["cs"], applies_if=AppliesIf(license_types=frozenset({"APRN"})))
    rs = make_set(total=1, topics=[cond, spec, excl, kind])
    ids = lambda **kw: {r.id for r in evaluate(licence(rs, **kw), [], today=TODAY).requirements}  # noqa: E731
    assert ids() == {"total", "PAIN-2"}
    assert ids(
        conditions=frozenset({"dea_registration"}), specialties=frozenset({"fm", "rad"})
    ) == {
        "total",
        "OP-2",
        "GER-2",
    }


def test_required_as_a_fraction_of_the_total_and_per_year():
    ger = TopicRequirement(
        "GER", "", frozenset({"ger"}), None, hours_fraction_of_total=Decimal("0.2")
    )
    bias = TopicRequirement("BIAS", "", frozenset({"bias"}), None, hours_per_year=Decimal(1))
    rs = make_set(total=50, topics=[ger, bias])
    status = evaluate(licence(rs), [], today=TODAY)
    assert status.requirement("GER").required == Decimal(10)
    assert status.requirement("BIAS").required == Decimal(2)


@pytest.mark.parametrize(
    ("recurrence", "due_at"),
    [
        (Recurrence("every_cycle"), {1, 2, 3, 4, 5, 6}),
        (Recurrence("first_renewal_only"), {1}),
        (Recurrence("every_nth_renewal", n=3, offset=0), {3, 6}),
        (Recurrence("every_nth_renewal", n=2, offset=1), {1, 3, 5}),
        (Recurrence("first_renewal_then_every_nth_renewal", n=3, offset=1), {1, 4}),
    ],
)
def test_recurrence_by_renewal_number(recurrence, due_at):
    rs = make_set(total=1, topics=[topic("T", ["t"], recurrence=recurrence)])
    due = {
        n
        for n in range(1, 7)
        if "T"
        in {r.id for r in evaluate(licence(rs, renewal_number=n), [], today=TODAY).requirements}
    }
    assert due == due_at


def test_unknown_renewal_number_is_taken_as_due_with_a_warning():
    rs = make_set(total=1, topics=[topic("T", ["t"], recurrence=Recurrence("first_renewal_only"))])
    status = evaluate(licence(rs), [], today=TODAY)
    assert "T" in {r.id for r in status.requirements}
    assert any("which renewal this is is unknown" in w for w in status.warnings)


def test_first_renewals_then_every_n_years_looks_back_n_years():
    rec = Recurrence("first_n_renewals_then_every_n_years", n=2, years=8)
    rs = make_set(total=1, topics=[topic("OP", ["opioids"], recurrence=rec)])
    old = [credit("o", "2019-01-01", 2, topics=["opioids"])]
    # At the second renewal the cycle window counts: a 2019 course is too old.
    assert not evaluate(licence(rs, renewal_number=2), old, today=TODAY).requirement("OP").met
    # Later, any course in the last eight years will do.
    assert evaluate(licence(rs, renewal_number=3), old, today=TODAY).requirement("OP").met


def test_one_time_mandate_counts_credits_before_its_deadline():
    rec = Recurrence("one_time", deadline_years_after_licensure=4, deadline_renewal=2)
    rs = make_set(total=1, topics=[topic("PAIN-12", ["pain"], 12, recurrence=rec)])
    early = credit("early", "2013-01-01", 12, topics=["pain"])
    late = credit("late", "2025-01-01", 12, topics=["pain"])
    lic = licence(rs, issued_on=D("2012-03-02"))
    status = evaluate(lic, [early, late], today=TODAY)
    pain = status.requirement("PAIN-12")
    assert pain.deadline == D("2016-03-02")
    assert pain.counted_from == (("early", Decimal(12)),)
    # Done only after the deadline: still met, with a note.
    late_only = evaluate(lic, [late], today=TODAY).requirement("PAIN-12")
    assert late_only.met
    assert "completed after its deadline" in late_only.notes


def test_one_time_mandate_not_yet_due_is_left_out():
    rec = Recurrence("one_time", deadline_years_after_licensure=4)
    rs = make_set(total=1, topics=[topic("PAIN-12", ["pain"], 12, recurrence=rec)])
    status = evaluate(licence(rs, issued_on=D("2024-07-01")), [], today=TODAY)
    assert "PAIN-12" not in {r.id for r in status.requirements}
    assert any("PAIN-12" in n and "2028-07-01" in n for n in status.notes)


def test_topic_with_its_own_look_back_window():
    rec = Recurrence("every_cycle", window_years=1)
    rs = make_set(total=1, topics=[topic("B", ["bias"], 1, recurrence=rec)])
    credits = [credit("b", "2025-06-01", 1, topics=["bias"])]
    status = evaluate(licence(rs), credits, today=TODAY)
    assert reasons(status.requirement("B"), "b") == {Reason.OUTSIDE_WINDOW}


def test_annual_minimum_per_calendar_year():
    annual = CreditTypeRule("yearly", "yearly", frozenset({CAT1}), min_per_calendar_year=Decimal(5))
    rs = make_set(total=10, rules=[annual])
    credits = [
        credit("a", "2024-08-01", 2),
        credit("b", "2025-05-01", 6),
        credit("c", "2026-01-10", 2),
    ]
    status = evaluate(licence(rs), credits, today=TODAY)
    years = {r.id: r.gap for r in status.requirements if r.kind == "annual_min"}
    assert years == {"yearly:2024": 3, "yearly:2025": 0, "yearly:2026": 3}
    # 2024 is past; this year still needs 3, which also closes the total's gap of 0.
    assert status.min_additional == Decimal(3)


def test_unconfirmed_anchor_marks_everything_unconfirmed():
    rs = make_set(total=1, topics=[topic("T", ["t"])], anchor_confirmed=False)
    status = evaluate(licence(rs), [], today=TODAY)
    assert not any(r.confirmed for r in status.requirements)
    assert any("sets renewal dates is not confirmed" in w for w in status.warnings)


def test_unconfirmed_rule_is_marked():
    rs = make_set(total=1, topics=[topic("T", ["t"], confirmed=False)])
    status = evaluate(licence(rs), [], today=TODAY)
    assert status.requirement("total").confirmed
    assert not status.requirement("T").confirmed


def test_expiry_worked_out_from_the_anchor():
    rs = dataclasses.replace(make_set(total=1), cycle=Cycle(24, "birth_month_end", True, "", ""))
    status = evaluate(Licence(rs, "MD", birth_date=D("1970-02-11")), [], today=D("2026-01-05"))
    assert (status.window_start, status.due) == (D("2024-03-01"), D("2026-02-28"))
    assert any("worked out" in w for w in status.warnings)


def test_expiry_required_where_the_anchor_cannot_give_it():
    with pytest.raises(engine.windows.ExpiryRequiredError):
        evaluate(Licence(make_set(), "MD"), [], today=TODAY)


def test_first_term_steps_exempt_or_reduce():
    steps = (ProrationStep(12, Decimal(0)), ProrationStep(None, Decimal(15)))
    proration = Proration(
        "reduced_hours", "first renewal", steps, topics_still_due=frozenset({"HIV-1"})
    )
    hiv = topic("HIV-1", ["hiv_aids"], 1)
    errors = topic("ERR-2", ["medical_errors"], 2)
    rs = make_set(total=30, topics=[hiv, errors], proration=proration)
    short = evaluate(licence(rs, issued_on=D("2025-09-01")), [], today=TODAY)
    assert short.exempt_reason == "first renewal"
    assert [r.id for r in short.requirements] == ["HIV-1"]
    longer = evaluate(licence(rs, issued_on=D("2025-01-01")), [], today=TODAY)
    assert longer.exempt_reason is None
    assert longer.requirement("total").required == Decimal(15)
    assert {r.id for r in longer.requirements} == {"total", "HIV-1", "ERR-2"}
    # Without an issue date the term is unknown: the full rules apply, with a warning.
    unknown = evaluate(licence(rs, renewal_number=1), [], today=TODAY)
    assert unknown.requirement("total").required == Decimal(30)
    assert any("issue date unknown" in w for w in unknown.warnings)


def test_unconfirmed_first_renewal_rule_marks_the_total_unconfirmed():
    steps = (ProrationStep(None, Decimal(10)),)
    proration = Proration("reduced_hours", "", steps, confirmed=False)
    rs = make_set(total=30, proration=proration)
    status = evaluate(licence(rs, renewal_number=1), [], today=TODAY)
    assert status.requirement("total").required == Decimal(10)
    assert not status.requirement("total").confirmed


def test_unconfirmed_exemption_leaves_nothing_confirmed():
    hiv = topic("HIV-1", ["hiv_aids"], 1)
    errors = topic("ERR-2", ["medical_errors"], 2)
    still_due = frozenset({"HIV-1", "ERR-2"})
    exempt = Proration("exempt_first_renewal", "exempt", topics_still_due=still_due)
    by_step = Proration("first_renewal_partial", "exempt", (ProrationStep(None, Decimal(0)),))
    by_step = dataclasses.replace(by_step, topics_still_due=still_due)
    for proration in (exempt, by_step):
        unsure = dataclasses.replace(proration, confirmed=False)
        rs = make_set(total=40, topics=[hiv, errors], proration=unsure)
        status = evaluate(licence(rs, renewal_number=1), [], today=TODAY)
        assert status.exempt_reason == "exempt"
        assert {r.id for r in status.requirements} == {"HIV-1", "ERR-2"}
        assert not any(r.confirmed for r in status.requirements)
        # A confirmed exemption leaves the mandates as sure as their own rules.
        rs = make_set(total=40, topics=[hiv, errors], proration=proration)
        status = evaluate(licence(rs, renewal_number=1), [], today=TODAY)
        assert all(r.confirmed for r in status.requirements)
        # At later renewals the exemption plays no part.
        rs = make_set(total=40, topics=[hiv, errors], proration=unsure)
        status = evaluate(licence(rs, renewal_number=2), [], today=TODAY)
        assert all(r.confirmed for r in status.requirements)


def test_shares_of_an_unconfirmed_total_are_unconfirmed():
    cap = CreditTypeRule(
        "pm-cap", "practice", frozenset({"PM"}), max_fraction_of_total=Decimal("0.3")
    )
    fixed_cap = CreditTypeRule("cat2-cap", "Category 2", frozenset({CAT2}), max=Decimal(10))
    ger = TopicRequirement(
        "GER", "", frozenset({"ger"}), None, hours_fraction_of_total=Decimal("0.2")
    )
    ethics = topic("ETH-2", ["ethics"], 2)
    rs = make_set(total=50, rules=[cap, fixed_cap], topics=[ger, ethics])
    sure = evaluate(licence(rs), [], today=TODAY)
    assert all(r.confirmed for r in sure.requirements)
    unsure_total = dataclasses.replace(rs, total=dataclasses.replace(rs.total, confirmed=False))
    status = evaluate(licence(unsure_total), [], today=TODAY)
    confirmed = {r.id: r.confirmed for r in status.requirements}
    assert confirmed == {
        "pm-cap": False,
        "cat2-cap": True,
        "total": False,
        "GER": False,
        "ETH-2": True,
    }
    # A first-renewal step that is not confirmed makes the reduced total, and its shares,
    # unconfirmed too.
    steps = (ProrationStep(None, Decimal(25)),)
    reduced = dataclasses.replace(
        rs, proration=Proration("reduced_hours", "", steps, confirmed=False)
    )
    status = evaluate(licence(reduced, renewal_number=1), [], today=TODAY)
    assert status.requirement("GER").required == Decimal(5)
    confirmed = {r.id: r.confirmed for r in status.requirements}
    assert confirmed == {
        "pm-cap": False,
        "cat2-cap": True,
        "total": False,
        "GER": False,
        "ETH-2": True,
    }


def test_first_term_counted_in_calendar_months():
    # 30 September 2024 to 30 September 2025 is twelve whole months: under 13, so reduced.
    steps = (ProrationStep(13, Decimal(25)),)
    rs = dataclasses.replace(make_set(total=50), proration=Proration("reduced_hours", "", steps))
    reduced = evaluate(
        licence(rs, issued_on=D("2024-09-30"), expires_on=D("2025-09-30")), [], today=TODAY
    )
    assert reduced.requirement("total").required == Decimal(25)
    # Thirteen whole months by 30 October 2025: the full total.
    full = evaluate(
        licence(rs, issued_on=D("2024-09-30"), expires_on=D("2025-10-30"), renewal_number=1),
        [],
        today=TODAY,
    )
    assert full.requirement("total").required == Decimal(50)


def test_mandate_of_zero_hours_on_its_own_clock():
    rec = Recurrence("every_n_years", years=4, anchor="licensure")
    rs = make_set(total=1, topics=[topic("Z", ["z"], 0, recurrence=rec)])
    status = evaluate(licence(rs), [], today=TODAY)
    zero = status.requirement("Z")
    assert (zero.required, zero.gap, zero.met) == (Decimal(0), Decimal(0), True)
    assert zero.deadline == EXPIRY


def test_separate_mandate_read_two_ways_is_taken_off_the_total_once():
    rec = Recurrence(
        "every_n_years",
        years=4,
        anchor="fixed",
        fixed_start=D("1994-01-01"),
        alt_anchor="licensure",
    )
    dv = topic("DV-2", ["dv"], 2, counts_toward_total=False, recurrence=rec)
    rs = make_set(total=4, topics=[dv])
    # Inside the fixed block (2022-2025) and the rolling four years alike.
    credits = [credit("dv", "2025-01-01", 3, topics=["dv"]), credit("g", "2025-01-01", 3)]
    status = evaluate(licence(rs), credits, today=TODAY)
    assert status.requirement("DV-2").met
    total = status.requirement("total")
    assert total.counted == Decimal(4)
    assert ("dv", Decimal(1)) in total.counted_from
    assert reasons(total, "dv") == {Reason.SEPARATE_REQUIREMENT}


def test_minimum_says_why_a_credit_of_its_type_counted_nothing():
    cap = CreditTypeRule("pm-cap", "practice", frozenset({"PM"}), max=Decimal(1))
    formal = CreditTypeRule("formal", "formal", frozenset({"PM", CAT1}), min=Decimal(5))
    dv = topic("DV-2", ["dv"], 2, counts_toward_total=False)
    rs = make_set(total=10, types=(CAT1, CAT2, "PM"), rules=[cap, formal], topics=[dv])
    credits = [
        credit("pm1", "2025-01-01", 2, "PM"),
        credit("pm2", "2025-02-01", 2, "PM"),  # capped to nothing
        credit("none", "2025-03-01", 0),  # zero hours
        credit("dv", "2025-04-01", 2, topics=["dv"]),  # all used for the separate mandate
        credit("cat2", "2025-05-01", 2, CAT2),
    ]
    status = evaluate(licence(rs), credits, today=TODAY)
    minimum = status.requirement("formal")
    assert minimum.counted_from == (("pm1", Decimal(1)),)
    assert dict(minimum.not_counted) == {
        "pm2": Reason.OVER_CAP,
        "dv": Reason.SEPARATE_REQUIREMENT,
        "cat2": Reason.WRONG_CREDIT_TYPE,
    }
