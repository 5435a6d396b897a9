"""Factories for registration tests."""

from __future__ import annotations

from decimal import Decimal

import factory

from cmeconf.registration.models import (
    PriceTier,
    PromoCode,
    Question,
    RegistrationSetup,
    RegistrationType,
)
from tests.factories import ActivityFactory


class RegistrationSetupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationSetup

    activity = factory.SubFactory(ActivityFactory)
    currency = "USD"
    offer_hours = 48


class RegistrationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationType

    activity = factory.SubFactory(ActivityFactory)
    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Physician {n}")


class PriceTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceTier

    registration_type = factory.SubFactory(RegistrationTypeFactory)
    label = "Regular"
    amount = Decimal("400.00")
    available_until = None


class PromoCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromoCode
        skip_postgeneration_save = True

    activity = factory.SubFactory(ActivityFactory)
    code = factory.Sequence(lambda n: f"PROMO{n}")

    @factory.post_generation
    def registration_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.registration_types.add(*extracted)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    activity = factory.SubFactory(ActivityFactory)
    label = "Dietary needs"
    kind = "text"
