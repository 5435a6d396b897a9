import datetime as dt
from decimal import Decimal

import pytest

from cmeconf.registration.pricing import apply_promo, current_tier, promo_problems
from tests.registration.factories import (
    PriceTierFactory,
    PromoCodeFactory,
    RegistrationTypeFactory,
)

UTC = dt.UTC
T0 = dt.datetime(2027, 1, 10, 12, tzinfo=UTC)


@pytest.fixture
def reg_type(activity):
    return RegistrationTypeFactory(activity=activity, code="physician", name="Physician")


@pytest.fixture
def tiers(reg_type):
    # Created out of order on purpose: the order comes from the deadlines.
    regular = PriceTierFactory(registration_type=reg_type, label="Regular", amount=Decimal(500))
    late_early = PriceTierFactory(
        registration_type=reg_type,
        label="Early",
        amount=Decimal(450),
        available_until=dt.datetime(2027, 3, 1, tzinfo=UTC),
    )
    super_early = PriceTierFactory(
        registration_type=reg_type,
        label="Super early",
        amount=Decimal(400),
        available_until=dt.datetime(2027, 2, 1, tzinfo=UTC),
    )
    return super_early, late_early, regular


def test_first_tier_whose_deadline_is_ahead(reg_type, tiers):
    super_early, early, regular = tiers
    assert current_tier(reg_type, T0) == super_early
    assert current_tier(reg_type, dt.datetime(2027, 2, 1, tzinfo=UTC)) == super_early
    assert current_tier(reg_type, dt.datetime(2027, 2, 1, 0, 1, tzinfo=UTC)) == early
    assert current_tier(reg_type, dt.datetime(2027, 4, 1, tzinfo=UTC)) == regular


def test_no_tier_once_every_deadline_passed(reg_type):
    PriceTierFactory(
        registration_type=reg_type, available_until=dt.datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert current_tier(reg_type, T0) is None
    assert current_tier(RegistrationTypeFactory(activity=reg_type.activity), T0) is None


@pytest.mark.parametrize(
    ("amount", "percent", "off", "expected"),
    [
        ("400.00", 25, None, "300.00"),
        ("99.99", 15, None, "84.99"),  # 14.9985 off rounds half up to 15.00
        ("10.10", 5, None, "9.59"),  # 0.505 off rounds half up to 0.51
        ("400.00", None, "50.00", "350.00"),
        ("40.00", None, "50.00", "0.00"),  # never below zero
        ("100.00", 100, None, "0.00"),
        ("100.00", 10, "5.00", "85.00"),  # percent first, then the amount off
    ],
)
def test_apply_promo(activity, amount, percent, off, expected):
    promo = PromoCodeFactory.build(
        activity=activity, percent_off=percent, amount_off=Decimal(off) if off else None
    )
    assert apply_promo(Decimal(amount), promo) == Decimal(expected)


def test_apply_no_promo_keeps_the_amount():
    assert apply_promo(Decimal("12.50"), None) == Decimal("12.50")


def test_valid_promo_has_no_problems(reg_type):
    promo = PromoCodeFactory(activity=reg_type.activity, percent_off=10, max_uses=5)
    assert promo_problems(promo, reg_type, T0, uses=4) == []


def test_promo_problems_each_named(reg_type):
    other_type = RegistrationTypeFactory(activity=reg_type.activity)
    promo = PromoCodeFactory(
        activity=reg_type.activity,
        percent_off=10,
        max_uses=2,
        valid_until=T0 - dt.timedelta(days=1),
        is_active=False,
        registration_types=[other_type],
    )
    problems = promo_problems(promo, reg_type, T0, uses=2)
    assert problems == [
        "This promo code is no longer active.",
        "This promo code has expired.",
        "This promo code has been used as often as it may be.",
        "This promo code is not valid for this registration type.",
    ]
    assert promo_problems(promo, other_type, T0 - dt.timedelta(days=2), uses=1) == [
        "This promo code is no longer active."
    ]


def test_promo_of_another_activity(reg_type):
    promo = PromoCodeFactory(percent_off=10)
    assert promo_problems(promo, reg_type, T0, uses=0) == [
        "This promo code is not for this activity."
    ]
