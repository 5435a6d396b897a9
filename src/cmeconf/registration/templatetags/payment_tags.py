"""What the payment partials show, computed where they are included: the pages that
include them need not know about payments."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from cmeconf.registration import refunds
from cmeconf.registration.choices import PaymentStatus, RegistrationStatus
from cmeconf.registration.models import RegistrationSetup
from cmeconf.registration.payments import registry, stripe_gateway
from cmeconf.registration.payments.base import outstanding

register = template.Library()


def _setup(activity):
    return RegistrationSetup.objects.filter(activity=activity).first()


@register.simple_tag
def learner_payments(registration, activity) -> dict:
    """The learner's panel: what is left to pay, how, the documents and the refund policy."""
    args = [activity.provider.slug, activity.slug]
    setup = _setup(activity)
    pending = registration.status == RegistrationStatus.PENDING_PAYMENT
    due = outstanding(registration) if pending else 0
    paid = refunds.net_paid(registration)
    return {
        "due": due,
        "paid": paid,
        "can_pay": pending and due > 0,
        "card": stripe_gateway.is_configured(),
        "card_message": stripe_gateway.not_available_message(),
        "methods": [g.label for g in registry.available(activity)],
        "pay_url": reverse("learner_payments:pay", args=args),
        "invoice_url": reverse("learner_payments:invoice", args=args),
        "receipt_url": reverse("learner_payments:receipt", args=args),
        "has_money": paid > 0 or registration.payments.filter(refund_of__isnull=False).exists(),
        "charged": registration.amount_due > 0,
        "deadline": setup.cancellation_deadline if setup else None,
        "percent": setup.refund_percent if setup else 0,
        "quote": refunds.refund_quote(registration) if paid > 0 else None,
    }


@register.simple_tag
def staff_payments(reg, activity) -> dict:
    """The registrant page's section: refundable money, pending refunds, the documents."""
    args = [activity.provider.slug, activity.slug, reg.pk]
    pending_refunds = list(
        reg.payments.filter(status=PaymentStatus.PENDING, refund_of__isnull=False).order_by("id")
    )
    paid = refunds.net_paid(reg)
    return {
        "paid": paid,
        "quote": refunds.refund_quote(reg, timezone.now()) if paid > 0 else None,
        "pending_refunds": pending_refunds,
        "refund_url": reverse("staff:registration_refund", args=args),
        "invoice_url": reverse("staff:registration_invoice_pdf", args=args),
        "receipt_url": reverse("staff:registration_receipt_pdf", args=args),
    }
