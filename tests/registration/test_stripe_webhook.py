"""Stripe's webhook: signed events only, each handled once, amounts checked."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from cmeconf.common.models import AuditEntry
from cmeconf.registration.choices import PaymentMethod, PaymentStatus, RegistrationStatus
from cmeconf.registration.models import Payment, WebhookEvent
from cmeconf.registration.payments.stripe_gateway import StripeGateway, payment_intent_of
from tests.registration.payment_helpers import (
    checkout_session,
    event,
    post_event,
    sign,
)

COMPLETED = "checkout.session.completed"


@pytest.fixture
def started(pending, stripe_on, stripe_http):
    """A Checkout Session opened for the 400.00 USD due."""
    stripe_http.answers.append((200, checkout_session("cs_test_1")))
    start = StripeGateway().start(
        pending, by=pending.person, success_url="https://x/s", cancel_url="https://x/c"
    )
    return start.payment


def test_good_signature_pays_and_confirms(client, pending, started):
    body = event(COMPLETED, "cs_test_1", registration=pending, amount_minor=40000)
    response = post_event(client, body)

    assert response.status_code == 200
    assert response.content == b"paid"
    started.refresh_from_db()
    assert started.status == PaymentStatus.PAID
    assert started.paid_at is not None
    assert payment_intent_of(started) == "pi_test_1"
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.CONFIRMED
    assert pending.confirmed_at is not None
    recorded = AuditEntry.objects.get(action="payment.recorded")
    assert recorded.actor is None
    assert recorded.after["amount"] == "400.00"
    assert recorded.after["payment_intent"] == "pi_test_1"
    assert AuditEntry.objects.filter(action="registration.confirmed").count() == 1
    stored = WebhookEvent.objects.get()
    assert (stored.gateway, stored.event_id, stored.kind) == ("stripe", "evt_1", COMPLETED)


def test_bad_signature_is_refused_and_changes_nothing(client, pending, started):
    body = json.dumps(event(COMPLETED, "cs_test_1", registration=pending, amount_minor=40000))
    for signature in (sign(body, secret="whsec_wrong"), "", "t=1,v1=00"):
        response = post_event(client, body, signature=signature)
        assert response.status_code == 400
    # A signature of another payload does not carry over.
    response = post_event(client, body, signature=sign(body.replace("40000", "40001")))
    assert response.status_code == 400
    started.refresh_from_db()
    assert started.status == PaymentStatus.PENDING
    assert not WebhookEvent.objects.exists()


def test_an_old_signature_is_refused(client, pending, started):
    body = json.dumps(event(COMPLETED, "cs_test_1", registration=pending, amount_minor=40000))
    response = post_event(client, body, signature=sign(body, timestamp=int(time.time()) - 3600))
    assert response.status_code == 400
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_a_signed_payload_that_is_not_json_is_refused(client, db, stripe_on):
    response = post_event(client, "not json")
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_redelivered_event_is_handled_once(client, pending, started):
    body = event(COMPLETED, "cs_test_1", registration=pending, amount_minor=40000)
    assert post_event(client, body).content == b"paid"
    again = post_event(client, body)
    assert again.status_code == 200
    assert again.content == b"duplicate"
    assert WebhookEvent.objects.count() == 1
    assert AuditEntry.objects.filter(action="payment.recorded").count() == 1
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 1


def test_two_events_for_one_session_record_the_money_once(client, pending, started):
    post_event(client, event(COMPLETED, "cs_test_1", registration=pending, amount_minor=40000))
    second = event(
        "checkout.session.async_payment_succeeded",
        "cs_test_1",
        registration=pending,
        amount_minor=40000,
        event_id="evt_2",
    )
    assert post_event(client, second).status_code == 200
    assert AuditEntry.objects.filter(action="payment.recorded").count() == 1
    assert WebhookEvent.objects.count() == 2


def test_amount_mismatch_is_refused(client, pending, started):
    body = event(COMPLETED, "cs_test_1", registration=pending, amount_minor=100)
    response = post_event(client, body)
    assert response.status_code == 400
    assert b"but 400.00 USD was asked" in response.content
    started.refresh_from_db()
    assert started.status == PaymentStatus.PENDING
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.PENDING_PAYMENT
    # Not stored as handled: Stripe's redelivery meets the same check.
    assert not WebhookEvent.objects.exists()
    assert not AuditEntry.objects.filter(action="payment.recorded").exists()


def test_currency_mismatch_is_refused(client, pending, started):
    body = event(COMPLETED, "cs_test_1", registration=pending, amount_minor=40000, currency="eur")
    assert post_event(client, body).status_code == 400
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_expired_session_fails_the_payment(client, pending, started):
    body = event(
        "checkout.session.expired",
        "cs_test_1",
        registration=pending,
        amount_minor=40000,
        payment_status="unpaid",
    )
    assert post_event(client, body).content == b"failed"
    started.refresh_from_db()
    assert started.status == PaymentStatus.FAILED
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.PENDING_PAYMENT
    assert AuditEntry.objects.filter(action="payment.failed").count() == 1


def test_a_delayed_bank_payment_is_paid_when_it_succeeds(client, pending, started):
    unpaid = event(
        COMPLETED, "cs_test_1", registration=pending, amount_minor=40000, payment_status="unpaid"
    )
    assert post_event(client, unpaid).content == b"waiting"
    assert Payment.objects.get().status == PaymentStatus.PENDING
    failed = event(
        "checkout.session.async_payment_failed",
        "cs_test_1",
        registration=pending,
        amount_minor=40000,
        event_id="evt_2",
        payment_status="unpaid",
    )
    assert post_event(client, failed).content == b"failed"
    assert Payment.objects.get().status == PaymentStatus.FAILED


def test_async_success_confirms(client, pending, started):
    body = event(
        "checkout.session.async_payment_succeeded",
        "cs_test_1",
        registration=pending,
        amount_minor=40000,
    )
    assert post_event(client, body).content == b"paid"
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.CONFIRMED


def test_a_session_without_its_row_is_still_recorded(client, pending, stripe_on):
    body = event(COMPLETED, "cs_lost", registration=pending, amount_minor=40000)
    assert post_event(client, body).content == b"paid"
    payment = Payment.objects.get()
    assert (payment.method, payment.reference, payment.amount) == (
        PaymentMethod.STRIPE,
        "cs_lost",
        Decimal("400.00"),
    )
    assert payment.status == PaymentStatus.PAID
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.CONFIRMED


def test_events_that_are_not_ours_are_acknowledged_and_ignored(client, pending, stripe_on):
    foreign = event(COMPLETED, "cs_other_app", registration=pending, amount_minor=40000)
    foreign["data"]["object"]["metadata"] = {}
    foreign["data"]["object"]["client_reference_id"] = None
    assert post_event(client, foreign).content == b"ignored"
    other_kind = {"id": "evt_9", "type": "customer.created", "data": {"object": {}}}
    assert post_event(client, other_kind).content == b"ignored"
    assert not Payment.objects.exists()


def test_money_for_a_cancelled_registration_is_kept_for_a_refund(client, pending, started, learner):
    from cmeconf.registration import services

    services.cancel(pending, by=learner)
    body = event(COMPLETED, "cs_test_1", registration=pending, amount_minor=40000)
    assert post_event(client, body).content == b"paid"
    started.refresh_from_db()
    assert started.status == PaymentStatus.PAID
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.CANCELLED
    entry = AuditEntry.objects.get(action="payment.recorded")
    assert entry.note == "paid while the registration was cancelled"


def test_webhook_needs_no_csrf_token_but_only_posts(pending, started):
    strict = Client(enforce_csrf_checks=True)
    body = event(COMPLETED, "cs_test_1", registration=pending, amount_minor=40000)
    assert post_event(strict, body).status_code == 200
    assert strict.get(reverse("payment_webhooks:stripe")).status_code == 405


def test_without_a_webhook_secret_the_endpoint_says_so(client, db, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = client.post(reverse("payment_webhooks:stripe"), "{}", content_type="text/plain")
    assert response.status_code == 503
    assert not WebhookEvent.objects.exists()


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL only"
)
@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_at_once_is_recorded_once(settings):
    from cmeconf.registration import services
    from tests.factories import ActivityFactory, UserFactory
    from tests.registration.factories import (
        PriceTierFactory,
        RegistrationSetupFactory,
        RegistrationTypeFactory,
    )

    settings.STRIPE_SECRET_KEY = "sk_test_cmeconf"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_cmeconf_test"
    activity = ActivityFactory()
    RegistrationSetupFactory(activity=activity)
    kind = RegistrationTypeFactory(activity=activity)
    PriceTierFactory(registration_type=kind, amount=Decimal("400.00"))
    person = UserFactory()
    reg = services.register(activity, person, registration_type=kind, by=person)
    Payment.objects.create(
        registration=reg,
        method=PaymentMethod.STRIPE,
        status=PaymentStatus.PENDING,
        amount=Decimal("400.00"),
        currency="USD",
        reference="cs_race",
        created=reg.created,
    )
    body = event(COMPLETED, "cs_race", registration=reg, amount_minor=40000, event_id="evt_race")

    def deliver(_):
        try:
            return post_event(Client(), body).content
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(deliver, range(8)))
    assert outcomes == [b"duplicate"] * 7 + [b"paid"]
    assert AuditEntry.objects.filter(action="payment.recorded").count() == 1
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        json.dumps({"type": COMPLETED}),
        json.dumps({"id": "evt_x", "type": COMPLETED, "data": {}}),
    ],
)
def test_signed_nonsense_is_refused_without_a_crash(client, db, stripe_on, body):
    response = post_event(client, body)
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_an_expired_session_we_never_stored_leaves_no_trace(client, pending, stripe_on):
    body = event(
        "checkout.session.expired",
        "cs_never",
        registration=pending,
        amount_minor=40000,
        payment_status="unpaid",
    )
    assert post_event(client, body).content == b"ignored"
    assert not Payment.objects.exists()
