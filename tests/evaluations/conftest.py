"""Fixtures of the evaluation tests: an activity under way, registered learners, answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cmeconf.evaluations.standard import ensure_activity_form
from cmeconf.providers.permissions import Permission
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.models import Registration
from tests.factories import ActivityFactory, TeamFactory, UserFactory
from tests.registration.factories import RegistrationTypeFactory


def register(activity, person=None, *, status=RegistrationStatus.CONFIRMED, **user_fields):
    """A registration of `person` (a new learner when None) with the given status."""
    person = person or UserFactory(**user_fields)
    reg_type = activity.registration_types.first() or RegistrationTypeFactory(activity=activity)
    Registration.objects.create(
        activity=activity,
        person=person,
        registration_type=reg_type,
        registered_by=person,
        status=status,
        created=timezone.now(),
        confirmed_at=timezone.now() if status == RegistrationStatus.CONFIRMED else None,
    )
    return person


@pytest.fixture
def live(provider):
    """An activity that started yesterday and ends tomorrow (in its own time zone)."""
    today = timezone.localdate(timezone=dt.UTC)
    return ActivityFactory(
        provider=provider,
        slug="live-2026",
        title="Live Meeting",
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=1),
    )


@pytest.fixture
def form(live):
    return ensure_activity_form(live)


@pytest.fixture
def registered(live, learner):
    return register(live, learner)


def staff_with(provider, *perms, activities=None):
    user = UserFactory()
    TeamFactory(
        provider=provider,
        members=[user],
        permissions=sorted(perms),
        all_activities=activities is None,
        activities=activities,
    )
    return user


@pytest.fixture
def credit_staff(provider):
    return staff_with(provider, Permission.CREDIT)


@pytest.fixture
def program_staff(provider):
    return staff_with(provider, Permission.PROGRAM)


@pytest.fixture
def reports_staff(provider):
    return staff_with(provider, Permission.REPORTS)


@pytest.fixture
def registration_staff(provider):
    return staff_with(provider, Permission.REGISTRATION)


def answers_for(form, **by_standard):
    """Submitted data keyed q<id>, from values given by standard key."""
    data = {}
    for q in form.questions.all():
        if q.standard in by_standard:
            data[f"q{q.pk}"] = by_standard[q.standard]
    return data


GOOD = {
    "objectives_met": "4",
    "intent_to_change": "Start statins earlier in diabetics over 40.",
    "free_of_bias": "Yes",
}
