"""Prices and promo codes: plain rules, no database writes.

Early-bird pricing: a registration type has price tiers, each available until a
deadline; the tier without a deadline is the regular price, offered last.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from cmeconf.registration.models import PriceTier, PromoCode, RegistrationType

CENT = Decimal("0.01")


def _tier_order(tier: PriceTier) -> tuple:
    # Earliest deadline first; a tier without a deadline comes after every dated one.
    return (tier.available_until is None, tier.available_until or dt.datetime.min, tier.pk or 0)


def current_tier(reg_type: RegistrationType, at: dt.datetime) -> PriceTier | None:
    """The tier that applies at `at`: the first whose deadline is still ahead (or none set).

    A deadline is the last moment the tier is offered ("until" is inclusive). None
    when every tier's deadline has passed, or the type has no tiers at all.
    """
    for tier in sorted(reg_type.prices.all(), key=_tier_order):
        if tier.available_until is None or at <= tier.available_until:
            return tier
    return None


def promo_problems(
    promo: PromoCode, reg_type: RegistrationType, at: dt.datetime, uses: int
) -> list[str]:
    """Why `promo` cannot be used for `reg_type` at `at`, given `uses` so far; empty if it can."""
    problems = []
    if not promo.is_active:
        problems.append(_("This promo code is no longer active."))
    if promo.activity_id != reg_type.activity_id:
        problems.append(_("This promo code is not for this activity."))
    if promo.valid_until is not None and at > promo.valid_until:
        problems.append(_("This promo code has expired."))
    if promo.max_uses is not None and uses >= promo.max_uses:
        problems.append(_("This promo code has been used as often as it may be."))
    # A code limited to some registration types (none listed: valid for all).
    allowed = {t.pk for t in promo.registration_types.all()}
    if allowed and reg_type.pk not in allowed:
        problems.append(_("This promo code is not valid for this registration type."))
    return problems


def apply_promo(amount: Decimal, promo: PromoCode | None) -> Decimal:
    """The amount after the promo code: percent first (to the cent, half up), then amount off.

    Never below zero: a discount larger than the price makes it free, not a credit.
    """
    amount = Decimal(amount)
    if promo is None:
        return amount
    result = amount
    if promo.percent_off:
        cut = (amount * Decimal(promo.percent_off) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        result -= cut
    if promo.amount_off:
        result -= Decimal(promo.amount_off)
    return max(result, Decimal("0.00")).quantize(CENT, rounding=ROUND_HALF_UP)
