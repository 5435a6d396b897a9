"""Properties of the credit arithmetic and of every credit type, over random time.

- Every rule's amount is monotonic in minutes, and moves in the rule's step.
- A cap is never exceeded.
- Covered minutes never exceed the sum of the intervals nor their span; an interval
  inside another adds nothing (concurrent time counts once [M1]).
- The amount for the union of intervals is at most the amount for their sum.
- ECMEC never passes its daily cap on any day [E1][E2].
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cmeconf.credits.arithmetic import Minutes, capped, covered
from cmeconf.credits.types import REGISTRY, rule

NY = zoneinfo.ZoneInfo("America/New_York")
# Two days either side of the end of daylight saving time in New York (7 Nov 2027).
BASE = dt.datetime(2027, 11, 5, 6, 0, tzinfo=dt.UTC)

# Each rule with every choice its options offer (and a few numbers for number options).
OPTION_SETS = [(code, {}) for code in REGISTRY] + [
    ("ANCC", {"rounding": "nearest_quarter"}),
    ("AOA_1A", {"rounding": "two_places"}),
    ("RC_SECTION_1", {"rounding": "two_places"}),
    ("ABMS_MOC", {"points_per_credit": "0.5"}),
    ("ABMS_MOC", {"points_per_credit": 0.75}),
    ("ECMEC", {"daily_cap": 6}),
    ("ECMEC", {"daily_cap": 24}),
]
rules_with_options = st.sampled_from(OPTION_SETS)

minutes_ = st.integers(min_value=0, max_value=5000)


@st.composite
def intervals(draw, max_size=8, unit=1):
    """Up to `max_size` intervals over four days, in steps of `unit` seconds."""
    found = []
    for _ in range(draw(st.integers(min_value=0, max_value=max_size))):
        start = BASE + dt.timedelta(seconds=unit * draw(st.integers(0, 4 * 24 * 3600 // unit)))
        length = dt.timedelta(seconds=unit * draw(st.integers(0, 10 * 3600 // unit)))
        found.append((start, start + length))
    return found


def seconds(spans) -> float:
    return sum((b - a).total_seconds() for a, b in spans)


@given(rules_with_options, minutes_, minutes_)
def test_amount_is_monotonic_in_minutes(rule_options, a, b):
    code, options = rule_options
    low, high = sorted((a, b))
    credit_rule = rule(code)
    assert credit_rule.amount(Minutes.of(low), options) <= credit_rule.amount(
        Minutes.of(high), options
    )


@given(rules_with_options, minutes_, st.integers(0, 60))
def test_amount_moves_in_the_rules_step_and_is_never_negative(rule_options, total, evaluation):
    code, options = rule_options
    credit_rule = rule(code)
    value = credit_rule.amount(Minutes.of(total), options, evaluation_minutes=evaluation)
    assert value >= 0
    step = credit_rule.step(options)
    assert (value / step) == (value / step).to_integral_value()


@given(rules_with_options, minutes_, minutes_)
def test_designation_amount_is_monotonic(rule_options, a, b):
    code, options = rule_options
    low, high = sorted((a, b))
    credit_rule = rule(code)
    assert credit_rule.designation_amount(
        Minutes.of(low), options
    ) <= credit_rule.designation_amount(Minutes.of(high), options)


@given(
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=0, max_value=1000, places=2),
)
def test_capped_never_exceeds_the_maximum(amount, maximum):
    result = capped(amount, maximum)
    assert result <= maximum
    assert result <= amount


@given(rules_with_options, minutes_, minutes_, st.decimals(min_value=0, max_value=50, places=2))
def test_claimable_is_capped_and_monotonic(rule_options, a, b, maximum):
    code, options = rule_options
    low, high = sorted((a, b))
    credit_rule = rule(code)
    board = "ABP" if code == "ABMS_MOC" else ""
    kwargs = {"maximum": maximum, "designated_minutes": 420, "board": board}
    low_value = credit_rule.claimable(Minutes.of(low), options, **kwargs)
    high_value = credit_rule.claimable(Minutes.of(high), options, **kwargs)
    assert low_value <= high_value <= maximum


@given(intervals())
def test_covered_never_exceeds_the_sum_nor_the_span(spans):
    result = covered(spans, NY)
    assert result.total * 60 <= seconds(spans)
    if spans:
        span = max(b for _, b in spans) - min(a for a, _ in spans)
        assert result.total * 60 <= span.total_seconds()
    # The days add up to the total, losing less than a minute per day to rounding down.
    assert sum(result.by_day.values()) <= result.total
    assert result.total - sum(result.by_day.values()) <= len(result.by_day)


@given(intervals(), st.data())
def test_an_interval_inside_another_changes_nothing(spans, data):
    if not spans:
        spans = [(BASE, BASE + dt.timedelta(hours=2))]
    outer_start, outer_end = data.draw(st.sampled_from(spans))
    length = (outer_end - outer_start).total_seconds()
    a = data.draw(st.floats(0, length))
    b = data.draw(st.floats(a, length))
    inner = (outer_start + dt.timedelta(seconds=a), outer_start + dt.timedelta(seconds=b))
    inner = (min(inner[0], outer_end), min(inner[1], outer_end))
    assert covered([*spans, inner], NY) == covered(spans, NY)
    # Concurrent sessions never count twice [M1].
    assert covered([*spans, *spans], NY) == covered(spans, NY)


@given(rules_with_options, st.lists(intervals(max_size=3, unit=60), min_size=1, max_size=4))
def test_amount_of_the_union_is_at_most_the_amount_of_the_sum(rule_options, groups):
    """Whole-minute intervals (seconds would be rounded down once per group)."""
    code, options = rule_options
    credit_rule = rule(code)
    union = covered([s for group in groups for s in group], NY)
    parts = [covered(group, NY) for group in groups]
    by_day: dict[dt.date, int] = {}
    for part in parts:
        for day, value in part.by_day.items():
            by_day[day] = by_day.get(day, 0) + value
    summed = Minutes(total=sum(p.total for p in parts), by_day=by_day)
    assert union.total <= summed.total
    assert all(v <= by_day.get(day, 0) for day, v in union.by_day.items())
    assert credit_rule.amount(union, options) <= credit_rule.amount(summed, options)


@given(intervals(), st.sampled_from([None, 3, 6, 8, "7"]))
def test_ecmec_never_above_the_daily_cap(spans, cap):
    ecmec = rule("ECMEC")
    options = {} if cap is None else {"daily_cap": cap}
    limit = Decimal(cap or 8)  # the default is 8 [E2]
    minutes = covered(spans, NY)
    for day, value in minutes.by_day.items():
        assert ecmec.amount(Minutes(total=value, by_day={day: value}), options) <= limit
    assert ecmec.amount(minutes, options) <= limit * max(len(minutes.by_day), 1)
    # Without per-day figures, never more than one day's cap.
    assert ecmec.amount(Minutes.of(minutes.total), options) <= limit
