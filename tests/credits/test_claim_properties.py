"""Properties of claims: for any attendance and any designation, the most a learner may claim
never exceeds either cap [M1][M3][M6], never falls when attendance grows, and is itself claimable.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cmeconf.credits import claims
from cmeconf.credits.arithmetic import Minutes, covered, nearest_quarter
from cmeconf.credits.claims import ClaimChoice
from cmeconf.credits.models import Designation
from cmeconf.credits.types import REGISTRY
from tests.credits.claim_fixtures import (
    DAY,
    attend,
    designate,
    past_activity,
    program,
    register,
    window,
)
from tests.factories import UserFactory, at

START = dt.datetime(2027, 4, 14, 8, tzinfo=dt.UTC)

# (start minute, length in minutes) within a ten-hour day.
spans = st.lists(st.tuples(st.integers(0, 600), st.integers(1, 240)), min_size=0, max_size=6)
hundredths = st.integers(1, 1200).map(lambda n: (Decimal(n) / 100).quantize(Decimal("0.01")))


def rule_and_board():
    pairs = []
    for code, credit_rule in REGISTRY.items():
        if credit_rule.per_board:
            pairs += [(code, "ABIM"), (code, "ABP")]
        else:
            pairs.append((code, ""))
    return st.sampled_from(pairs)


def intervals(pairs):
    return [
        (START + dt.timedelta(minutes=a), START + dt.timedelta(minutes=a + length))
        for a, length in pairs
    ]


def designation(code, board, maximum, designated_minutes) -> Designation:
    return Designation(
        credit_type=code,
        board=board,
        maximum=maximum,
        computed_maximum=maximum,
        computed_minutes=designated_minutes,
    )


@given(
    pair=rule_and_board(),
    attended=spans,
    more=spans,
    maximum=hundredths,
    designated_minutes=st.integers(0, 900),
    evaluation_minutes=st.integers(0, 30),
)
@settings(max_examples=400, deadline=None)
def test_most_claimable_is_capped_monotonic_and_itself_claimable(
    pair, attended, more, maximum, designated_minutes, evaluation_minutes
):
    code, board = pair
    credit_rule = REGISTRY[code]
    options: dict = {}
    # A designation is never above what its own minutes compute (the model's constraint).
    computed = credit_rule.designation_amount(Minutes.of(designated_minutes), options)
    assume(computed > 0)
    maximum = min(maximum, computed)
    d = designation(code, board, maximum, designated_minutes)
    minutes = covered(intervals(attended))
    supported = claims.supported_amount(
        credit_rule, d, minutes, options, evaluation_minutes=evaluation_minutes
    )
    # Never above the designated maximum [M3][M6] ...
    assert supported <= maximum
    # ... nor above what the rule gives for the time attended [M1].
    if minutes.total:
        assert supported <= credit_rule.amount(
            minutes, options, evaluation_minutes=evaluation_minutes
        )
    else:
        assert supported == 0
    # More attendance never lowers it.
    grown = covered(intervals(attended + more))
    assert grown.total >= minutes.total
    assert (
        claims.supported_amount(
            credit_rule, d, grown, options, evaluation_minutes=evaluation_minutes
        )
        >= supported
    )
    # What is supported can always be claimed in full; nothing above it can.
    least = claims.least_amount(
        credit_rule, d, minutes.total, options, evaluation_minutes=evaluation_minutes
    )
    step = credit_rule.step(options)
    words = {
        "offer_label": credit_rule.label,
        "unit_plural": credit_rule.unit_plural,
        "supported": supported,
        "maximum": maximum,
        "step": step,
        "least": least,
        "minutes": minutes.total,
    }
    if supported > 0:
        assert 0 < least <= supported
        assert claims.amount_problems(supported, **words) == []
    assert claims.amount_problems(supported + step, **words) != []
    assert claims.amount_problems(supported + Decimal("0.01"), **words) != []


# --- through the database: attendance records, participation, the claim ---------------------


def _minute(offset: int) -> dt.datetime:
    return at(DAY, 9) + dt.timedelta(minutes=offset)


_counter = iter(range(10**6))

# Offsets from 09:00: the plenary is 0-90, the two concurrent breakouts 120-210.
db_spans = st.lists(
    st.tuples(
        st.sampled_from(["plenary", "room_a", "room_b"]),
        st.integers(-20, 230),
        st.integers(1, 120),
    ),
    min_size=1,
    max_size=5,
)


@given(attended=db_spans, quarters=st.integers(1, 12))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_claims_through_the_database_respect_both_caps(provider, admin_user, attended, quarters):
    course = past_activity(provider, slug=f"course-{next(_counter)}")
    window(course, evaluation_required=False)
    sessions = program(course)
    d = designate(course, admin_user, maximum=str(Decimal(quarters) / 4))
    person = UserFactory()
    register(course, person)
    for name, offset, length in attended:
        attend(sessions[name], person, _minute(offset), _minute(offset + length))

    options = claims.claim_options(course, person)
    (offer,) = options.offers
    # Concurrent sessions once [M1]: never more than the program's 180 credit minutes,
    # never more than the sum of the sessions.
    assert options.total_minutes <= 180
    assert options.total_minutes <= sum(m for _s, m in options.sessions)
    assert offer.supported <= d.maximum
    assert offer.supported <= nearest_quarter(options.total_minutes)
    if offer.supported > 0:
        with pytest.raises(ValidationError):
            claims.submit_claim(
                course,
                person,
                choices=[ClaimChoice("AMA_PRA_1", "", offer.supported + offer.step)],
                attest=True,
            )
        (claim,) = claims.submit_claim(
            course,
            person,
            choices=[ClaimChoice("AMA_PRA_1", "", offer.supported)],
            attest=True,
        )
        assert claim.amount <= d.maximum
        assert claim.measured_minutes == options.total_minutes
