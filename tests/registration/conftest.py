"""Fixtures of the payment tests: Stripe switched on and answered locally, and a
registration awaiting payment. The helpers they use are in payment_helpers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cmeconf.registration import services
from cmeconf.registration.payments import stripe_gateway
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)
from tests.registration.payment_helpers import SECRET_KEY, WEBHOOK_SECRET, RecordingClient


@pytest.fixture
def stripe_on(settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return settings


@pytest.fixture
def stripe_http(monkeypatch):
    """The recording client; tests queue answers on it with `.answers.append`."""
    client = RecordingClient()
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", client)
    return client


@pytest.fixture
def reg_setup(activity):
    return RegistrationSetupFactory(activity=activity, currency="USD")


@pytest.fixture
def physician(activity, reg_setup):
    t = RegistrationTypeFactory(activity=activity, code="physician", name="Physician")
    PriceTierFactory(registration_type=t, label="Early bird", amount=Decimal("400.00"))
    return t


@pytest.fixture
def pending(activity, physician, learner):
    """The learner's registration, 400.00 USD awaiting payment."""
    return services.register(activity, learner, registration_type=physician, by=learner)
