"""Factories for licensure tests: licences, external credits and seated registrants."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from cmeconf.licensure.models import BoardCertification, ExternalCredit, Licence
from cmeconf.registration.models import Registration
from tests.factories import ActivityFactory, UserFactory
from tests.registration.factories import RegistrationTypeFactory


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


class LicenceFactory(factory.django.DjangoModelFactory):
    """A Texas licence (board-assigned expiry): two hours of ethics due every cycle."""

    class Meta:
        model = Licence

    person = factory.SubFactory(UserFactory)
    requirement_set = "US-TX-MD-DO"
    license_type = "MD"
    number = factory.Sequence(lambda n: f"T{n:05d}")
    issued_on = dt.date(2012, 3, 1)
    expires_on = factory.LazyFunction(lambda: in_days(200))


class BoardCertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardCertification

    person = factory.SubFactory(UserFactory)
    board = "ABIM"
    specialty = "Internal medicine"


class ExternalCreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalCredit

    person = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Grand rounds {n}")
    provider_name = "Some Society"
    completed_on = factory.LazyFunction(lambda: in_days(-30))
    amounts = factory.LazyFunction(lambda: {"AMA_PRA_1": "2.00"})


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    activity = factory.SubFactory(ActivityFactory)
    person = factory.SubFactory(UserFactory)
    registration_type = factory.LazyAttribute(
        lambda o: RegistrationTypeFactory(activity=o.activity)
    )
    registered_by = factory.SelfAttribute("person")
    status = "confirmed"
    created = factory.LazyFunction(timezone.now)
