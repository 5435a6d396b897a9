"""factory_boy factories for the whole suite."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import factory
from django.utils import timezone

from cmeconf.accounts.models import User
from cmeconf.activities.choices import ActivityKind, ActivityState, SessionFormat
from cmeconf.activities.models import (
    Activity,
    PlanningRecord,
    Room,
    Session,
    SessionFaculty,
    Track,
)
from cmeconf.providers.models import Provider, Team
from cmeconf.providers.permissions import ALL_PERMISSIONS

NY = zoneinfo.ZoneInfo("America/New_York")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    profession = "physician"
    credentials = "MD"
    password = factory.django.Password("correct horse battery staple")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Society of Medicine {n}")
    slug = factory.Sequence(lambda n: f"society{n}")
    time_zone = "America/New_York"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    all_activities = True
    permissions = factory.LazyFunction(lambda: sorted(ALL_PERMISSIONS))

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)

    @factory.post_generation
    def activities(self, create, extracted, **kwargs):
        if create and extracted:
            self.activities.add(*extracted)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    slug = factory.Sequence(lambda n: f"annual-{n}")
    title = factory.Sequence(lambda n: f"Annual Scientific Meeting {n}")
    kind = ActivityKind.CONFERENCE
    description = "Three days of updates in internal medicine."
    start_date = dt.date(2027, 4, 14)
    end_date = dt.date(2027, 4, 16)
    time_zone = "America/New_York"
    venue_name = "Convention Center"
    state = ActivityState.PUBLISHED

    @factory.post_generation
    def planning(self, create, extracted, **kwargs):
        if create:
            PlanningRecord.objects.get_or_create(activity=self)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    activity = factory.SubFactory(ActivityFactory)
    name = factory.Sequence(lambda n: f"Hall {n}")
    capacity = 200
    order = factory.Sequence(lambda n: n)


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    activity = factory.SubFactory(ActivityFactory)
    name = factory.Sequence(lambda n: f"Track {n}")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime in New York, the factories' activity time zone."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True

    activity = factory.SubFactory(ActivityFactory)
    title = factory.Sequence(lambda n: f"Update in Cardiology {n}")
    format = SessionFormat.LECTURE
    abstract = "What changed this year."
    objectives = "Apply the new guideline\nRecognise the red flags"
    room = factory.LazyAttribute(lambda o: RoomFactory(activity=o.activity))
    start = factory.LazyAttribute(lambda o: at(o.activity.start_date, 9))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(minutes=60) if o.start else None)
    credit_eligible = True


class SessionFacultyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionFaculty

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(UserFactory)
    role = "speaker"


def now() -> dt.datetime:
    return timezone.now()


class IneligibleCompanyFactory(factory.django.DjangoModelFactory):
    """A company of the registry, with its matching key as the registry computes it."""

    class Meta:
        model = "integrity.IneligibleCompany"

    name = factory.Sequence(lambda n: f"Pharma Company {n}")
    kind = "pharmaceutical"
    key = factory.LazyAttribute(lambda o: _company_key(o.name))


def _company_key(name: str) -> str:
    from cmeconf.integrity.companies import normalize

    return normalize(name)
