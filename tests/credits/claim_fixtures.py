"""Shared set-up of the claim tests: an activity ten days ago, credit sessions, attendance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.models import AttendanceInterval
from cmeconf.credits.models import CreditSetup, Designation
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.models import Registration
from tests.factories import ActivityFactory, SessionFactory, TeamFactory, UserFactory, at
from tests.registration.factories import RegistrationTypeFactory

# Ten days ago: the default claim window (the first session's start) is open.
DAY = timezone.localdate() - dt.timedelta(days=10)


def past_activity(provider, **kwargs):
    return ActivityFactory(
        provider=provider,
        slug=kwargs.pop("slug", "spring-course"),
        title=kwargs.pop("title", "Spring Course"),
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=1),
        **kwargs,
    )


def program(activity) -> dict:
    """A 90-minute plenary (09:00-10:30) and two concurrent 90-minute breakouts (11:00-12:30):
    180 credit minutes, the breakouts once [M1]."""
    return {
        "plenary": SessionFactory(
            activity=activity, title="Plenary", start=at(DAY, 9), end=at(DAY, 10, 30)
        ),
        "room_a": SessionFactory(
            activity=activity, title="Breakout A", start=at(DAY, 11), end=at(DAY, 12, 30)
        ),
        "room_b": SessionFactory(
            activity=activity, title="Breakout B", start=at(DAY, 11), end=at(DAY, 12, 30)
        ),
    }


def designate(activity, by, credit_type="AMA_PRA_1", maximum="3.00", *, board="", computed=None):
    maximum = Decimal(maximum)
    return Designation.objects.create(
        activity=activity,
        credit_type=credit_type,
        board=board,
        computed_maximum=Decimal(computed) if computed is not None else maximum,
        computed_minutes=180,
        maximum=maximum,
        lowered_reason="" if computed is None else "Lowered for the test.",
        designated_by=by,
        designated_at=timezone.now(),
    )


def register(activity, person, *, status=RegistrationStatus.CONFIRMED, identifiers=None):
    reg_type = activity.registration_types.first() or RegistrationTypeFactory(activity=activity)
    return Registration.objects.create(
        activity=activity,
        person=person,
        registration_type=reg_type,
        status=status,
        registered_by=person,
        identifiers=identifiers or {},
        created=timezone.now(),
        confirmed_at=timezone.now() if status == RegistrationStatus.CONFIRMED else None,
    )


def attend(session, person, start: dt.datetime, end: dt.datetime, source=AttendanceSource.SCAN):
    return AttendanceInterval.objects.create(
        session=session,
        person=person,
        start=start,
        end=end,
        source=source,
        recorded_at=timezone.now(),
    )


def evaluated(activity, person, *, seconds=None):
    """`person` submitted the activity's evaluation (MOC and ECMEC wait for it [B3][E3])."""
    from cmeconf.evaluations.models import EvaluationResponse
    from cmeconf.evaluations.standard import ensure_activity_form

    form = ensure_activity_form(activity)
    return EvaluationResponse.objects.create(
        form=form, person=person, submitted_at=timezone.now(), seconds_spent=seconds
    )


def window(activity, *, opens=None, closes=None, evaluation_required=False):
    setup, _ = CreditSetup.objects.update_or_create(
        activity=activity,
        defaults={
            "claims_open_at": opens,
            "claims_close_at": closes,
            "evaluation_required": evaluation_required,
        },
    )
    return setup


def member(provider, *perms, activities=None):
    user = UserFactory()
    TeamFactory(
        provider=provider,
        permissions=list(perms),
        members=[user],
        all_activities=not activities,
        activities=activities or [],
    )
    return user
