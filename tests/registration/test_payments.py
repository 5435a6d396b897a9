"""Paying: the gateways offered, starting a Stripe Checkout Session, the learner's pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cmeconf.activities.choices import Delivery
from cmeconf.common.models import AuditEntry
from cmeconf.registration import services
from cmeconf.registration.choices import PaymentMethod, PaymentStatus, RegistrationStatus
from cmeconf.registration.models import Payment
from cmeconf.registration.payments import registry
from cmeconf.registration.payments.stripe_gateway import StripeGateway, from_minor, to_minor
from tests.registration.factories import PromoCodeFactory
from tests.registration.payment_helpers import (
    SECRET_KEY,
    checkout_session,
    other_learner,
    stripe_error,
)


def url(name: str, activity) -> str:
    return reverse(f"learner_payments:{name}", args=[activity.provider.slug, activity.slug])


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


# -- which gateways ---------------------------------------------------------------------------


def test_without_stripe_keys_card_payment_is_not_offered(activity, pending, learner_client):
    assert [g.code for g in registry.available(activity)] == ["invoice", "on_site"]
    html = learner_client.get(url("pay", activity)).content.decode()
    assert "Card payment is not available for this conference." in html
    assert 'name="method" value="stripe"' not in html
    mine = learner_client.get(
        reverse("learner_registration:mine", args=[activity.provider.slug, activity.slug])
    ).content.decode()
    assert "Card payment is not available for this conference." in mine
    assert "400.00 USD is still to pay." in mine


def test_card_needs_both_secret_key_and_webhook_secret(activity, settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert registry.gateway("stripe", activity) is None
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    assert registry.gateway("stripe", activity).code == "stripe"


def test_posting_card_without_stripe_is_refused_and_nothing_is_stored(
    activity, pending, learner_client
):
    response = learner_client.post(url("pay", activity), {"method": "stripe"}, follow=True)
    assert "This way of paying is not available for this activity." in response.content.decode()
    assert not Payment.objects.exists()


def test_no_pay_on_site_for_an_online_only_activity(activity, pending, learner_client):
    activity.delivery = Delivery.VIRTUAL
    activity.save()
    assert [g.code for g in registry.available(activity)] == ["invoice"]
    html = learner_client.get(url("pay", activity)).content.decode()
    assert "Paying on site is not possible: this activity is held online only." in html


def test_invoice_method_gives_instructions_and_stores_nothing(activity, pending, learner_client):
    response = learner_client.post(url("pay", activity), {"method": "invoice"}, follow=True)
    html = response.content.decode()
    number = f"ANNUAL-2027-{pending.pk:06d}"
    assert f"quoting the invoice number {number} as the reference" in html
    assert not Payment.objects.exists()
    page = learner_client.get(url("pay", activity)).content.decode()
    assert url("invoice", activity) in page


def test_minor_units():
    assert to_minor(Decimal("400.00"), "USD") == 40000
    assert to_minor(Decimal("12.5"), "eur") == 1250
    assert to_minor(Decimal("5000"), "JPY") == 5000
    assert from_minor(1250, "usd") == Decimal("12.50")
    assert from_minor(5000, "JPY") == Decimal("5000.00")


# -- Stripe Checkout --------------------------------------------------------------------------


def test_card_payment_opens_a_checkout_session_for_what_is_due(
    activity, physician, learner, learner_client, stripe_on, stripe_http
):
    PromoCodeFactory(activity=activity, code="TEN", percent_off=10)
    stripe_on.SITE_URL = "https://cme.example.org"
    reg = services.register(
        activity, learner, registration_type=physician, by=learner, promo_code="TEN"
    )
    stripe_http.answers.append((200, checkout_session("cs_test_abc")))
    response = learner_client.post(url("pay", activity), {"method": "stripe"})

    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_abc"
    (request,) = stripe_http.requests
    assert request["method"] == "POST"
    assert request["path"] == "/v1/checkout/sessions"
    assert request["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    params = request["params"]
    assert params["mode"] == "payment"
    assert params["client_reference_id"] == str(reg.pk)
    assert params["metadata[cmeconf_registration]"] == str(reg.pk)
    assert params["payment_intent_data[metadata][cmeconf_registration]"] == str(reg.pk)
    assert params["customer_email"] == "learner@example.org"
    assert params["line_items[0][quantity]"] == "1"
    assert params["line_items[0][price_data][currency]"] == "usd"
    assert params["line_items[0][price_data][unit_amount]"] == "36000"
    assert params["line_items[0][price_data][product_data][name]"] == (
        "Annual Meeting 2027: Physician"
    )
    assert params["success_url"] == (
        "https://cme.example.org/acp/annual-2027/my-registration/pay/done/"
        "?session_id={CHECKOUT_SESSION_ID}"
    )
    assert params["cancel_url"] == (
        "https://cme.example.org/acp/annual-2027/my-registration/pay/?cancelled=1"
    )

    payment = Payment.objects.get()
    assert (payment.method, payment.status) == (PaymentMethod.STRIPE, PaymentStatus.PENDING)
    assert payment.amount == Decimal("360.00")
    assert payment.reference == "cs_test_abc"
    assert payment.registration == reg
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.PENDING_PAYMENT
    entry = AuditEntry.objects.get(action="payment.started")
    assert entry.after["reference"] == "cs_test_abc"


def test_pay_page_lets_the_card_form_go_to_stripe_only(
    activity, pending, learner_client, stripe_on
):
    response = learner_client.get(url("pay", activity))
    policy = response["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com" in policy
    assert "script-src 'self'" in policy
    html = response.content.decode()
    assert 'name="method" value="stripe"' in html
    assert "Pay 400.00 USD by card" in html
    # Other pages keep the strict policy.
    mine = learner_client.get(
        reverse("learner_registration:mine", args=[activity.provider.slug, activity.slug])
    )
    assert "checkout.stripe.com" not in mine["Content-Security-Policy"]


def test_a_new_start_expires_the_earlier_open_session(
    activity, pending, learner, stripe_on, stripe_http
):
    gateway = StripeGateway()
    stripe_http.answers.append((200, checkout_session("cs_old")))
    first = gateway.start(pending, by=learner, success_url="https://x/s", cancel_url="https://x/c")
    stripe_http.answers += [
        (200, checkout_session("cs_old")),
        (200, checkout_session("cs_old", status="expired")),
        (200, checkout_session("cs_new")),
    ]
    second = gateway.start(pending, by=learner, success_url="https://x/s", cancel_url="https://x/c")
    paths = [(r["method"], r["path"]) for r in stripe_http.requests[1:]]
    assert paths == [
        ("GET", "/v1/checkout/sessions/cs_old"),
        ("POST", "/v1/checkout/sessions/cs_old/expire"),
        ("POST", "/v1/checkout/sessions"),
    ]
    first.payment.refresh_from_db()
    assert first.payment.status == PaymentStatus.CANCELLED
    assert second.payment.status == PaymentStatus.PENDING
    assert second.redirect_url.endswith("cs_new")


def test_no_new_session_while_an_earlier_one_is_paid_but_unconfirmed(
    activity, pending, learner, stripe_on, stripe_http
):
    gateway = StripeGateway()
    stripe_http.answers.append((200, checkout_session("cs_paid")))
    gateway.start(pending, by=learner, success_url="https://x/s", cancel_url="https://x/c")
    stripe_http.answers.append((200, checkout_session("cs_paid", status="complete")))
    with pytest.raises(ValidationError, match="being confirmed"):
        gateway.start(pending, by=learner, success_url="https://x/s", cancel_url="https://x/c")
    assert len(stripe_http.requests) == 2
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_a_stripe_error_leaves_nothing_behind(
    activity, pending, learner, learner_client, stripe_on, stripe_http
):
    stripe_http.answers.append((400, stripe_error(400, "Amount must convert to at least 50 cents")))
    response = learner_client.post(url("pay", activity), {"method": "stripe"}, follow=True)
    html = response.content.decode()
    assert "Card payment could not be started" in html
    assert "Amount must convert to at least 50 cents" in html
    assert not Payment.objects.exists()
    assert not AuditEntry.objects.filter(action="payment.started").exists()


def test_nothing_to_pay_on_a_confirmed_registration(
    activity, pending, learner, admin_user, stripe_on, stripe_http
):
    services.confirm_payment(pending, by=admin_user, method="invoice", amount=Decimal("400"))
    with pytest.raises(ValidationError, match="awaiting payment"):
        StripeGateway().start(pending, by=learner, success_url="s", cancel_url="c")
    assert stripe_http.requests == []


def test_nobody_starts_a_payment_for_someone_else(activity, pending, stripe_on, stripe_http):
    with pytest.raises(PermissionDenied):
        StripeGateway().start(pending, by=other_learner(), success_url="s", cancel_url="c")
    assert stripe_http.requests == []


# -- the learner's pages ----------------------------------------------------------------------


def test_my_registration_shows_what_is_due_the_documents_and_the_refund_policy(
    activity, reg_setup, pending, learner_client, stripe_on
):
    import datetime as dt

    reg_setup.cancellation_deadline = dt.datetime(2027, 3, 1, 17, 0, tzinfo=dt.UTC)
    reg_setup.refund_percent = 80
    reg_setup.save()
    html = learner_client.get(
        reverse("learner_registration:mine", args=[activity.provider.slug, activity.slug])
    ).content.decode()
    assert "Awaiting payment." in html
    assert "Pay now" in html
    assert url("pay", activity) in html
    assert url("invoice", activity) in html
    # Nothing paid yet: no receipt.
    assert url("receipt", activity) not in html
    assert "80% of what you paid is refunded; after that, nothing is refunded." in html
    assert "If you cancel by" in html


def test_return_page_shows_the_state_and_never_marks_anything_paid(
    activity, pending, learner_client, stripe_on, stripe_http
):
    stripe_http.answers.append((200, checkout_session("cs_ret")))
    learner_client.post(url("pay", activity), {"method": "stripe"})
    html = learner_client.get(url("stripe_return", activity) + "?session_id=cs_ret").content
    assert b"Stripe is confirming your payment" in html
    assert Payment.objects.get().status == PaymentStatus.PENDING
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.PENDING_PAYMENT


def test_cancelled_checkout_says_nothing_was_charged(activity, pending, learner_client):
    html = learner_client.get(url("pay", activity) + "?cancelled=1").content.decode()
    assert "Card payment cancelled: nothing was charged." in html


@pytest.mark.parametrize("name", ["pay", "stripe_return", "invoice", "receipt"])
def test_pages_need_login(client, activity, pending, name):
    response = client.get(url(name, activity))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["pay", "stripe_return", "invoice", "receipt"])
def test_another_learner_reaches_only_their_own_registration(client, activity, pending, name):
    client.force_login(other_learner())
    response = client.get(url(name, activity))
    assert response.status_code == 404
    assert b"Lee" not in response.content


def test_another_learner_cannot_pay_someone_elses_registration(
    client, activity, pending, stripe_on, stripe_http
):
    client.force_login(other_learner())
    response = client.post(url("pay", activity), {"method": "stripe"})
    assert response.status_code == 404
    assert stripe_http.requests == []
    assert not Payment.objects.exists()
