"""Invoices and receipts: real PDFs, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cmeconf.registration import receipts, refunds, services
from cmeconf.registration.choices import PaymentMethod, PaymentStatus
from cmeconf.registration.models import Payment
from cmeconf.registration.payments.services import record_gateway_payment
from tests.registration.factories import PromoCodeFactory
from tests.registration.payment_helpers import (
    other_learner,
)

PAID_ON = dt.datetime(2027, 2, 10, 15, 0, tzinfo=dt.UTC)


def text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(pdf: bytes) -> str:
    """The text with line breaks as spaces: table cells wrap where the page says."""
    return " ".join(text(pdf).split())


@pytest.fixture
def provider_details(provider):
    provider.address = "1 Practice Way\nPhiladelphia, PA 19106"
    provider.contact_email = "cme@acp.example"
    provider.save()
    return provider


@pytest.fixture
def discounted(activity, physician, learner, provider_details):
    PromoCodeFactory(activity=activity, code="MEMBER25", percent_off=25)
    return services.register(
        activity, learner, registration_type=physician, by=learner, promo_code="MEMBER25"
    )


def test_invoice_has_number_parties_lines_and_balance(discounted, admin_user):
    services.confirm_payment(
        discounted, by=admin_user, method="invoice", amount=Decimal("100"), now=PAID_ON
    )
    content = flat(receipts.invoice_pdf(discounted))
    number = f"ANNUAL-2027-{discounted.pk:06d}"
    assert f"Invoice number {number}" in content
    assert "American College of Practitioners" in content
    assert "1 Practice Way Philadelphia, PA 19106" in content
    assert "cme@acp.example" in content
    assert "Lee Learner" in content
    assert "learner@example.org" in content
    assert "Annual Meeting 2027" in content
    assert "Registration: Physician (Early bird) 400.00 USD" in content
    assert "Discount (promo code MEMBER25) -100.00 USD" in content
    assert "Total 300.00 USD" in content
    assert "Amount paid 100.00 USD" in content
    assert "Balance due 200.00 USD" in content
    assert f"quoting the invoice number {number} as the reference" in content
    assert "contact cme@acp.example" in content


def test_invoice_paid_in_full_says_nothing_is_due(discounted, admin_user):
    services.confirm_payment(discounted, by=admin_user, method="on_site", amount=Decimal("300"))
    content = flat(receipts.invoice_pdf(discounted))
    assert "Balance due 0.00 USD" in content
    assert "Nothing is due on this invoice." in content
    assert "bank transfer" not in content


def test_invoice_offers_card_only_when_stripe_is_set_up(discounted, stripe_on):
    assert "By card: online" in flat(receipts.invoice_pdf(discounted))
    stripe_on.STRIPE_SECRET_KEY = ""
    assert "By card" not in flat(receipts.invoice_pdf(discounted))


def test_receipt_lists_payments_and_refunds_with_dates_methods_references(discounted, admin_user):
    services.confirm_payment(
        discounted,
        by=admin_user,
        method="invoice",
        amount=Decimal("100"),
        reference="BANK-778",
        now=PAID_ON + dt.timedelta(days=1),
    )
    card = Payment.objects.create(
        registration=discounted,
        method=PaymentMethod.STRIPE,
        status=PaymentStatus.PENDING,
        amount=Decimal("200.00"),
        currency="USD",
        reference="cs_test_receipt",
        created=PAID_ON,
    )
    record_gateway_payment(
        card,
        amount=Decimal("200.00"),
        currency="USD",
        payment_intent="pi_1",
        now=PAID_ON,
    )
    refunds.refund(
        discounted,
        by=admin_user,
        amount=Decimal("40"),
        reason="Missed a day",
        now=dt.datetime(2027, 2, 20, 12, 0, tzinfo=dt.UTC),
    )
    # A failed attempt moved no money and is not on the receipt.
    Payment.objects.create(
        registration=discounted,
        method=PaymentMethod.STRIPE,
        status=PaymentStatus.FAILED,
        amount=Decimal("300.00"),
        reference="cs_failed",
        created=PAID_ON,
    )
    content = flat(receipts.receipt_pdf(discounted))
    assert "Receipt" in content
    assert f"For invoice ANNUAL-2027-{discounted.pk:06d}" in content
    assert "Feb. 10, 2027 Payment Card (Stripe Checkout) cs_test_receipt 200.00 USD" in content
    assert "Feb. 11, 2027 Payment Invoice / bank transfer BANK-778 100.00 USD" in content
    # Refunds come out of the latest payment first.
    assert "Feb. 20, 2027 Refund Invoice / bank transfer \N{EM DASH} -40.00 USD" in content
    assert "Received 300.00 USD" in content
    assert "Refunded -40.00 USD" in content
    assert "Net paid 260.00 USD" in content
    assert "cs_failed" not in content


def test_receipt_without_payments_says_so(pending):
    content = flat(receipts.receipt_pdf(pending))
    assert "No payment has been received for this registration yet." in content


def test_receipt_of_a_cancelled_registration_says_when(pending, learner, admin_user):
    services.confirm_payment(pending, by=admin_user, method="invoice", amount=Decimal("400"))
    services.cancel(pending, by=learner, now=dt.datetime(2027, 2, 1, 12, 0, tzinfo=dt.UTC))
    content = flat(receipts.receipt_pdf(pending))
    assert "This registration was cancelled on Feb. 1, 2027." in content
    assert "Refund (being processed)" in content


# -- the pages --------------------------------------------------------------------------------


def learner_url(name: str, activity) -> str:
    return reverse(f"learner_payments:{name}", args=[activity.provider.slug, activity.slug])


def test_learner_downloads_own_invoice_and_receipt(client, learner, pending, activity):
    client.force_login(learner)
    response = client.get(learner_url("invoice", activity))
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    number = f"ANNUAL-2027-{pending.pk:06d}"
    assert response["Content-Disposition"] == f'inline; filename="invoice-{number}.pdf"'
    assert f"Invoice number {number}" in flat(response.content)
    response = client.get(learner_url("receipt", activity))
    assert "Receipt" in flat(response.content)


def test_learner_keeps_the_receipt_after_cancelling(client, learner, pending, activity, admin_user):
    services.confirm_payment(pending, by=admin_user, method="invoice", amount=Decimal("400"))
    services.cancel(pending, by=learner)
    client.force_login(learner)
    content = flat(client.get(learner_url("receipt", activity)).content)
    assert "Payment Invoice / bank transfer" in content


def test_another_learners_documents_are_never_shown(client, pending, activity):
    client.force_login(other_learner())
    for name in ("invoice", "receipt"):
        response = client.get(learner_url(name, activity))
        assert response.status_code == 404


def test_staff_download_a_registrants_documents(client, admin_user, pending):
    client.force_login(admin_user)
    a = pending.activity
    args = [a.provider.slug, a.slug, pending.pk]
    invoice = client.get(reverse("staff:registration_invoice_pdf", args=args))
    assert invoice["Content-Type"] == "application/pdf"
    assert "Balance due 400.00 USD" in flat(invoice.content)
    receipt = client.get(reverse("staff:registration_receipt_pdf", args=args))
    assert "No payment has been received" in flat(receipt.content)
