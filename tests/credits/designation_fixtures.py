"""Shared set-up of the designation tests: an accredited provider and a program.

The program is worked example 6 of the domain notes on the first day (08:00-17:00
less lunch, two breaks and a 30-minute industry slot: 420 minutes, 7.00 AMA [M1][A12])
and two concurrent 90-minute breakouts on the second (counted once: +90 minutes [M1]).
"""

from __future__ import annotations

import datetime as dt

from cmeconf.activities.choices import SessionFormat
from cmeconf.credits.models import ProviderCreditType
from cmeconf.providers.models import Accreditation
from tests.factories import SessionFactory, at

AMA = "AMA_PRA_1"


def accredit(provider, accreditor: str = "ACCME", identifier: str = "0001234", **kwargs):
    return Accreditation.objects.create(
        provider=provider, accreditor=accreditor, identifier=identifier, **kwargs
    )


def switch_on(provider, code: str = AMA, **kwargs) -> ProviderCreditType:
    return ProviderCreditType.objects.create(
        provider=provider, credit_type=code, enabled=True, **kwargs
    )


def day_one(activity, day: dt.date | None = None) -> dict:
    """Worked example 6: 420 credit minutes between 08:00 and 17:00."""
    day = day or activity.start_date
    lecture = SessionFormat.LECTURE

    def s(title, fmt, start, end, **kw):
        return SessionFactory(
            activity=activity,
            title=title,
            format=fmt,
            start=at(day, *start),
            end=at(day, *end),
            **kw,
        )

    return {
        "opening": s("Opening lectures", lecture, (8, 0), (10, 0)),
        "break_am": s("Coffee", SessionFormat.BREAK, (10, 0), (10, 15)),
        "late_morning": s("Late morning", lecture, (10, 15), (12, 0)),
        "lunch": s("Lunch", SessionFormat.MEAL, (12, 0), (13, 0)),
        "industry": s("Sponsored product theatre", SessionFormat.INDUSTRY, (13, 0), (13, 30)),
        "early_afternoon": s("Early afternoon", lecture, (13, 30), (15, 0)),
        "break_pm": s("Tea", SessionFormat.BREAK, (15, 0), (15, 15)),
        "closing": s("Closing lectures", lecture, (15, 15), (17, 0)),
    }


def breakouts(activity, day: dt.date | None = None) -> dict:
    """Two concurrent 90-minute breakouts: 90 credit minutes, not 180 [M1]."""
    day = day or activity.start_date + dt.timedelta(days=1)
    return {
        "room_a": SessionFactory(
            activity=activity, title="Breakout A", start=at(day, 9), end=at(day, 10, 30)
        ),
        "room_b": SessionFactory(
            activity=activity, title="Breakout B", start=at(day, 9), end=at(day, 10, 30)
        ),
    }
