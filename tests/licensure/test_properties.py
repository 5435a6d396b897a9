"""Properties of the engine over the shipped sets and random licences and credits."""

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmeconf.licensure.engine import Credit, Licence, evaluate
from cmeconf.licensure.loader import load_shipped

SETS = load_shipped()
TODAY = dt.date(2026, 6, 1)
TYPES = sorted(
    {t for rs in SETS.values() for t in rs.total.counted_credit_types}
    | {t for rs in SETS.values() for r in rs.credit_type_rules for t in r.credit_types}
)
TOPICS = sorted({t for rs in SETS.values() for r in rs.topic_requirements for t in r.topics_any})
CONDITIONS = sorted(
    {
        c
        for rs in SETS.values()
        for r in rs.topic_requirements
        if r.applies_if
        for c in r.applies_if.conditions
    }
)
APPROVALS = sorted(
    {a for rs in SETS.values() for r in rs.topic_requirements for a in r.approvals_required}
)
FORMATS = ["live", "webinar", "recorded_webinar", "enduring", ""]

amounts = st.integers(min_value=1, max_value=40).map(lambda q: Decimal(q) / 4)
dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2029, 12, 31))


@st.composite
def credits(draw, date=dates):
    kinds = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True))
    return Credit(
        id=f"c{draw(st.integers(0, 10**9))}",
        date=draw(date),
        amounts={k: draw(amounts) for k in kinds},
        topics=frozenset(draw(st.lists(st.sampled_from(TOPICS), max_size=3))),
        approvals=frozenset(draw(st.lists(st.sampled_from(APPROVALS), max_size=1))),
        format=draw(st.sampled_from(FORMATS)),
    )


@st.composite
def licences(draw):
    rs = SETS[draw(st.sampled_from(sorted(SETS)))]
    expires = draw(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31)))
    return Licence(
        requirement_set=rs,
        license_type=draw(st.sampled_from(sorted(rs.license_types))),
        expires_on=expires,
        issued_on=draw(st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2024, 12, 31))),
        renewal_number=draw(st.none() | st.integers(1, 8)),
        specialties=frozenset(draw(st.lists(st.sampled_from(["radiology", "family_medicine"])))),
        conditions=frozenset(draw(st.lists(st.sampled_from(CONDITIONS), max_size=4))),
        carried_in=Decimal(draw(st.integers(0, 60))),
    )


def unique(items: list[Credit]) -> list[Credit]:
    seen = {}
    for c in items:
        seen.setdefault(c.id, c)
    return list(seen.values())


def gaps(status) -> dict[str, Decimal]:
    return {r.id: r.gap for r in status.requirements}


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(licences(), st.lists(credits(), max_size=15), credits())
def test_adding_a_credit_never_increases_a_gap(licence, held, extra):
    held = unique(held)
    if extra.id in {c.id for c in held}:
        return
    before = evaluate(licence, held, today=TODAY)
    after = evaluate(licence, [*held, extra], today=TODAY)
    for rid, gap in gaps(after).items():
        assert gap <= gaps(before)[rid], rid
    assert after.min_additional <= before.min_additional
    assert after.compliant or not before.compliant


@PROPERTY
@given(licences(), st.lists(credits(), max_size=15), st.data())
def test_a_credit_after_every_window_changes_nothing(licence, held, data):
    held = unique(held)
    before = evaluate(licence, held, today=TODAY)
    after_due = max(before.due, TODAY) + dt.timedelta(days=1)
    late = data.draw(credits(date=st.dates(after_due, dt.date(2031, 12, 31))))
    if late.id in {c.id for c in held}:
        return
    after = evaluate(licence, [*held, late], today=TODAY)

    def summary(status):
        return [(r.id, r.counted, r.gap, r.met) for r in status.requirements], (
            status.compliant,
            status.min_additional,
        )

    assert summary(after) == summary(before)


@PROPERTY
@given(licences(), st.lists(credits(), max_size=20))
def test_gaps_are_never_negative_and_min_additional_covers_each(licence, held):
    status = evaluate(licence, unique(held), today=TODAY)
    for r in status.requirements:
        assert r.gap >= 0
        assert r.counted >= 0
        if r.kind == "annual_min" and r.deadline and r.deadline.year < TODAY.year:
            continue  # a past year's shortfall cannot be made up by new credit
        assert status.min_additional >= r.gap, r.id
    assert status.compliant == all(r.met for r in status.requirements)
