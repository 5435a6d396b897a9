"""Refunds: the cancellation policy, the learner's own cancellation, staff refunds, Stripe."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cmeconf.common.models import AuditEntry
from cmeconf.providers.permissions import ALL_PERMISSIONS
from cmeconf.registration import refunds, services
from cmeconf.registration.choices import PaymentMethod, PaymentStatus, RegistrationStatus
from cmeconf.registration.models import Payment
from cmeconf.registration.payments.services import record_gateway_payment
from tests.factories import TeamFactory, UserFactory
from tests.registration.payment_helpers import (
    SECRET_KEY,
    stripe_error,
)

UTC = dt.UTC
DEADLINE = dt.datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
BEFORE = DEADLINE - dt.timedelta(days=1)
AFTER = DEADLINE + dt.timedelta(minutes=1)


def staff_url(name: str, reg, *args) -> str:
    a = reg.activity
    return reverse(f"staff:{name}", args=[a.provider.slug, a.slug, reg.pk, *args])


@pytest.fixture
def policy(reg_setup):
    reg_setup.cancellation_deadline = DEADLINE
    reg_setup.refund_percent = 50
    reg_setup.save()
    return reg_setup


@pytest.fixture
def paid_by_invoice(pending, admin_user):
    services.confirm_payment(
        pending, by=admin_user, method="invoice", amount=Decimal("400"), reference="BANK-1"
    )
    pending.refresh_from_db()
    return pending


@pytest.fixture
def paid_by_card(pending):
    """400.00 USD paid through Stripe Checkout, confirmed by the webhook."""
    payment = Payment.objects.create(
        registration=pending,
        method=PaymentMethod.STRIPE,
        status=PaymentStatus.PENDING,
        amount=Decimal("400.00"),
        currency="USD",
        reference="cs_test_1",
        created=BEFORE,
    )
    record_gateway_payment(
        payment, amount=Decimal("400.00"), currency="usd", payment_intent="pi_test_9", now=BEFORE
    )
    pending.refresh_from_db()
    return pending


def refund_rows(reg) -> list[Payment]:
    return list(reg.payments.filter(refund_of__isnull=False).order_by("id"))


# -- the policy -------------------------------------------------------------------------------


def test_quote_before_the_deadline_is_the_percent_of_what_was_paid(policy, paid_by_invoice):
    quote = refunds.refund_quote(paid_by_invoice, BEFORE)
    assert quote.amount == Decimal("200.00")
    assert "50% of the 400.00 USD paid" in quote.reason
    # Up to the deadline itself.
    assert refunds.refund_quote(paid_by_invoice, DEADLINE).amount == Decimal("200.00")


def test_quote_after_the_deadline_is_nothing(policy, paid_by_invoice):
    quote = refunds.refund_quote(paid_by_invoice, AFTER)
    assert quote.amount == Decimal("0.00")
    assert quote.reason.startswith("After the free cancellation deadline of March 1, 2027")


def test_quote_without_a_deadline_is_always_the_percent(reg_setup, paid_by_invoice):
    reg_setup.refund_percent = 75
    reg_setup.save()
    far = dt.datetime(2030, 1, 1, tzinfo=UTC)
    assert refunds.refund_quote(paid_by_invoice, far).amount == Decimal("300.00")


def test_quote_of_nothing_paid_is_nothing(policy, pending):
    quote = refunds.refund_quote(pending, BEFORE)
    assert quote.amount == Decimal("0.00")
    assert quote.reason == "Nothing has been paid, so nothing is refunded."


def test_quote_counts_earlier_refunds(policy, paid_by_invoice, admin_user):
    refunds.refund(paid_by_invoice, by=admin_user, amount=Decimal("100"), reason="Goodwill")
    assert refunds.net_paid(paid_by_invoice) == Decimal("300.00")
    assert refunds.refund_quote(paid_by_invoice, BEFORE).amount == Decimal("150.00")


# -- the learner's own cancellation ----------------------------------------------------------


def test_learner_cancelling_before_the_deadline_gets_the_policy_refund(
    policy, paid_by_invoice, learner
):
    services.cancel(paid_by_invoice, by=learner, now=BEFORE)
    assert paid_by_invoice.status == RegistrationStatus.CANCELLED
    (row,) = refund_rows(paid_by_invoice)
    assert row.amount == Decimal("-200.00")
    assert row.method == PaymentMethod.INVOICE
    # Invoice money goes back by bank: the registration team still has to send it.
    assert row.status == PaymentStatus.PENDING
    assert row.refund_of.reference == "BANK-1"
    assert "50% of the 400.00 USD paid" in row.note
    entry = AuditEntry.objects.get(action="payment.refunded")
    assert entry.after["amount"] == "-200.00"
    assert entry.actor == learner


def test_learner_cancelling_after_the_deadline_gets_nothing(policy, paid_by_invoice, learner):
    services.cancel(paid_by_invoice, by=learner, now=AFTER)
    assert paid_by_invoice.status == RegistrationStatus.CANCELLED
    assert refund_rows(paid_by_invoice) == []


def test_staff_cancelling_refunds_nothing_by_itself(policy, paid_by_invoice, admin_user):
    services.cancel(paid_by_invoice, by=admin_user, now=BEFORE)
    assert refund_rows(paid_by_invoice) == []


def test_card_refund_goes_to_stripe_after_the_cancellation_commits(
    policy,
    paid_by_card,
    learner,
    stripe_on,
    stripe_http,
    django_capture_on_commit_callbacks,
):
    stripe_http.answers.append(
        (200, {"id": "re_test_1", "object": "refund", "status": "succeeded", "amount": 20000})
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.cancel(paid_by_card, by=learner, now=BEFORE)
        # Inside the transaction, Stripe has not been asked yet.
        assert stripe_http.requests == []
    (row,) = refund_rows(paid_by_card)
    assert row.status == PaymentStatus.PENDING
    for callback in callbacks:
        callback()

    (request,) = stripe_http.requests
    assert (request["method"], request["path"]) == ("POST", "/v1/refunds")
    assert request["params"]["payment_intent"] == "pi_test_9"
    assert request["params"]["amount"] == "20000"
    assert request["params"]["reason"] == "requested_by_customer"
    assert request["headers"]["Idempotency-Key"] == f"cmeconf-refund-{row.pk}"
    assert request["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    row.refresh_from_db()
    assert row.status == PaymentStatus.REFUNDED
    assert row.reference == "re_test_1"
    assert AuditEntry.objects.filter(action="payment.refund_sent").count() == 1


def test_stripe_failure_never_undoes_the_cancellation_and_staff_retry_safely(
    policy,
    paid_by_card,
    learner,
    admin_user,
    stripe_on,
    stripe_http,
    django_capture_on_commit_callbacks,
):
    stripe_http.answers.append((400, stripe_error(400, "Charge ch_1 has been disputed")))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(paid_by_card, by=learner, now=BEFORE)
    paid_by_card.refresh_from_db()
    assert paid_by_card.status == RegistrationStatus.CANCELLED
    (row,) = refund_rows(paid_by_card)
    assert row.status == PaymentStatus.PENDING
    assert "Not sent to Stripe: Stripe did not make the refund: Charge ch_1 has been disputed" in (
        row.note
    )
    # The staff retry carries the same idempotency key: Stripe refunds once, however often.
    stripe_http.answers.append(
        (200, {"id": "re_test_2", "object": "refund", "status": "pending", "amount": 20000})
    )
    refunds.complete_refund(row, by=admin_user)
    keys = [r["headers"]["Idempotency-Key"] for r in stripe_http.requests]
    assert keys == [f"cmeconf-refund-{row.pk}"] * 2
    row.refresh_from_db()
    assert (row.status, row.reference) == (PaymentStatus.REFUNDED, "re_test_2")


def test_without_stripe_a_cancellation_keeps_the_card_refund_pending(
    policy, paid_by_card, learner, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = ""
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(paid_by_card, by=learner, now=BEFORE)
    (row,) = refund_rows(paid_by_card)
    assert row.status == PaymentStatus.PENDING
    assert "which is not configured on this site" in row.note


# -- staff refunds ----------------------------------------------------------------------------


def test_staff_refund_any_amount_up_to_what_was_paid(paid_by_invoice, admin_user):
    rows = refunds.refund(
        paid_by_invoice, by=admin_user, amount=Decimal("120.50"), reason="Missed day two"
    )
    (row,) = rows
    assert row.amount == Decimal("-120.50")
    assert row.status == PaymentStatus.REFUNDED
    assert row.recorded_by == admin_user
    assert row.note == "Missed day two"
    with pytest.raises(ValidationError) as e:
        refunds.refund(paid_by_invoice, by=admin_user, amount=Decimal("279.51"), reason="Too much")
    assert e.value.message_dict["amount"] == ["That is more than the 279.50 USD paid."]
    assert len(refund_rows(paid_by_invoice)) == 1


@pytest.mark.parametrize(
    ("amount", "reason", "field", "message"),
    [
        (Decimal("0"), "Why", "amount", "The amount must be more than zero."),
        (Decimal("-5"), "Why", "amount", "The amount must be more than zero."),
        (Decimal("10"), "  ", "reason", "Say why the money is refunded."),
    ],
)
def test_staff_refund_bad_input_saves_nothing(
    paid_by_invoice, admin_user, amount, reason, field, message
):
    with pytest.raises(ValidationError) as e:
        refunds.refund(paid_by_invoice, by=admin_user, amount=amount, reason=reason)
    assert e.value.message_dict[field] == [message]
    assert refund_rows(paid_by_invoice) == []
    assert not AuditEntry.objects.filter(action="payment.refunded").exists()


def test_staff_refund_without_an_amount_follows_the_policy(policy, paid_by_invoice, admin_user):
    (row,) = refunds.refund(paid_by_invoice, by=admin_user, reason="Asked to", now=BEFORE)
    assert row.amount == Decimal("-200.00")


def test_a_refund_spreads_over_payments_latest_first(pending, admin_user):
    services.confirm_payment(pending, by=admin_user, method="invoice", amount=Decimal("100"))
    services.confirm_payment(pending, by=admin_user, method="on_site", amount=Decimal("300"))
    rows = refunds.refund(pending, by=admin_user, amount=Decimal("350"), reason="Ill")
    assert [(r.method, r.amount) for r in rows] == [
        ("on_site", Decimal("-300.00")),
        ("invoice", Decimal("-50.00")),
    ]
    assert refunds.net_paid(pending) == Decimal("50.00")


def test_learners_and_other_teams_may_not_refund(paid_by_invoice, learner, provider):
    with pytest.raises(PermissionDenied):
        refunds.refund(paid_by_invoice, by=learner, amount=Decimal("10"), reason="Please")
    checkin_only = UserFactory()
    TeamFactory(provider=provider, members=[checkin_only], permissions=["program"])
    with pytest.raises(PermissionDenied):
        refunds.refund(paid_by_invoice, by=checkin_only, amount=Decimal("10"), reason="Please")
    assert refund_rows(paid_by_invoice) == []


def test_card_refund_without_stripe_is_refused_before_anything_is_written(
    paid_by_card, admin_user, settings
):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ValidationError, match="card refunds go through Stripe"):
        refunds.refund(paid_by_card, by=admin_user, amount=Decimal("50"), reason="Asked")
    assert refund_rows(paid_by_card) == []


def test_completing_a_manual_refund_records_it_paid_back(
    policy, paid_by_invoice, learner, admin_user
):
    services.cancel(paid_by_invoice, by=learner, now=BEFORE)
    (row,) = refund_rows(paid_by_invoice)
    refunds.complete_refund(row, by=admin_user)
    row.refresh_from_db()
    assert (row.status, row.recorded_by) == (PaymentStatus.REFUNDED, admin_user)
    with pytest.raises(ValidationError, match="not waiting to be sent"):
        refunds.complete_refund(row, by=admin_user)
    with pytest.raises(PermissionDenied):
        refunds.complete_refund(row, by=learner)


# -- staff pages ------------------------------------------------------------------------------


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def test_refund_page_shows_the_policy_and_refunds(policy, paid_by_invoice, staff):
    page = staff.get(staff_url("registration_refund", paid_by_invoice))
    html = page.content.decode()
    assert page.status_code == 200
    assert "USD 400.00" in html
    response = staff.post(
        staff_url("registration_refund", paid_by_invoice),
        {"amount": "150.00", "reason": "Left after day one"},
        follow=True,
    )
    assert "Refunded 150.00 USD to" in response.content.decode()
    (row,) = refund_rows(paid_by_invoice)
    assert row.amount == Decimal("-150.00")
    assert row.note == "Left after day one"


def test_refund_page_bad_input_keeps_it_and_saves_nothing(paid_by_invoice, staff):
    response = staff.post(
        staff_url("registration_refund", paid_by_invoice), {"amount": "900", "reason": "Oops"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "That is more than the 400.00 USD paid." in html
    assert "Nothing was saved." in html
    assert 'value="900"' in html
    assert refund_rows(paid_by_invoice) == []


def test_registrant_page_shows_pending_refunds_and_completes_them(
    policy, paid_by_invoice, learner, staff
):
    services.cancel(paid_by_invoice, by=learner, now=BEFORE)
    (row,) = refund_rows(paid_by_invoice)
    html = staff.get(staff_url("registration_registrant", paid_by_invoice)).content.decode()
    assert "Refunds waiting to be sent" in html
    assert "Mark as paid back" in html
    complete = staff_url("registration_refund_complete", paid_by_invoice, row.pk)
    assert complete in html
    response = staff.post(complete, follow=True)
    assert "The refund is marked as sent." in response.content.decode()
    row.refresh_from_db()
    assert row.status == PaymentStatus.REFUNDED


def test_staff_card_refund_through_the_page(
    paid_by_card, staff, stripe_on, stripe_http, django_capture_on_commit_callbacks
):
    stripe_http.answers.append(
        (200, {"id": "re_page", "object": "refund", "status": "succeeded", "amount": 5000})
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            staff_url("registration_refund", paid_by_card), {"amount": "50", "reason": "Parking"}
        )
    assert response.status_code == 302
    assert stripe_http.requests[0]["params"]["amount"] == "5000"
    (row,) = refund_rows(paid_by_card)
    assert (row.status, row.reference) == (PaymentStatus.REFUNDED, "re_page")


def test_refund_of_another_registration_is_not_reachable(paid_by_invoice, staff, provider):
    from tests.factories import ActivityFactory

    other_activity = ActivityFactory(provider=provider, slug="winter-2027")
    address = reverse(
        "staff:registration_refund",
        args=[provider.slug, other_activity.slug, paid_by_invoice.pk],
    )
    assert staff.post(address, {"amount": "10", "reason": "x"}).status_code == 404
    assert refund_rows(paid_by_invoice) == []


def test_refund_complete_of_another_registrations_refund_is_404(
    policy, paid_by_invoice, learner, activity, physician, staff, admin_user
):
    services.cancel(paid_by_invoice, by=learner, now=BEFORE)
    (row,) = refund_rows(paid_by_invoice)
    someone = UserFactory()
    theirs = services.register(activity, someone, registration_type=physician, by=someone)
    response = staff.post(staff_url("registration_refund_complete", theirs, row.pk))
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == PaymentStatus.PENDING


@pytest.mark.parametrize("who", ["outsider", "member_without_registration"])
def test_staff_refund_pages_refuse_the_wrong_people(paid_by_invoice, client, provider, who):
    person = UserFactory()
    if who == "member_without_registration":
        others = sorted(ALL_PERMISSIONS - {"registration"})
        TeamFactory(provider=provider, members=[person], permissions=others)
    client.force_login(person)
    expected = 404 if who == "outsider" else 403
    for name in ("registration_refund", "registration_invoice_pdf", "registration_receipt_pdf"):
        assert client.get(staff_url(name, paid_by_invoice)).status_code == expected
    response = client.post(
        staff_url("registration_refund", paid_by_invoice), {"amount": "10", "reason": "x"}
    )
    assert response.status_code == expected
    assert refund_rows(paid_by_invoice) == []


def test_the_cancel_partial_tells_the_learner_what_comes_back(policy, paid_by_invoice, activity):
    from django.template.loader import render_to_string

    def shown(reg):
        return " ".join(
            render_to_string(
                "registration/_refund_on_cancel.html", {"registration": reg, "activity": activity}
            ).split()
        )

    policy.cancellation_deadline = dt.datetime(2100, 1, 1, tzinfo=UTC)
    policy.save()
    assert "You will be refunded 200.00 USD:" in shown(paid_by_invoice)
    policy.cancellation_deadline = dt.datetime(2000, 1, 1, tzinfo=UTC)
    policy.save()
    assert "Nothing is refunded: After the free cancellation deadline" in shown(paid_by_invoice)
