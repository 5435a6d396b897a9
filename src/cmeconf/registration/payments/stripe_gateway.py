"""Card payments through Stripe Checkout, with the official `stripe` library.

The learner is sent to a Checkout Session for the amount still due; the payment is
stored PENDING with the session id as its reference. Only Stripe's signed webhook
marks it paid (payments/services.py): the return page the learner comes back to
proves nothing. Offered only when both the secret key and the webhook secret are set.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.common import audit
from cmeconf.registration import services
from cmeconf.registration.choices import PaymentMethod, PaymentStatus
from cmeconf.registration.models import Payment, Registration
from cmeconf.registration.payments.base import PaymentGateway, PaymentStart, check_payable

log = logging.getLogger(__name__)

GATEWAY = "stripe"
# The HTTP client the Stripe library talks through; None is the library's default.
# Tests put a recording client here, so that no request leaves the machine.
HTTP_CLIENT: stripe.HTTPClient | None = None
# Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
# How the payment intent is kept in a paid card payment's note: refunds need it.
INTENT_NOTE = "Stripe payment intent: "
_INTENT = re.compile(r"\b(pi_[A-Za-z0-9_]+)")


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def not_available_message() -> str:
    return _("Card payment is not available for this conference.")


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise ValidationError(not_available_message())
    # Retries reuse the library's idempotency key, so a retried request never charges twice.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, http_client=HTTP_CLIENT, max_network_retries=2
    )


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount in the currency's smallest unit, as Stripe counts: 12.50 USD is 1250."""
    if currency.upper() in ZERO_DECIMAL:
        return int(Decimal(amount).quantize(Decimal("1")))
    return int((Decimal(amount) * 100).quantize(Decimal("1")))


def from_minor(amount: int, currency: str) -> Decimal:
    if currency.upper() in ZERO_DECIMAL:
        return Decimal(amount).quantize(Decimal("0.01"))
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def payment_intent_of(payment: Payment) -> str:
    """The Stripe payment intent of a paid card payment, or "" when none is known."""
    match = _INTENT.search(payment.note or "")
    return match.group(1) if match else ""


def _stripe_failure(error: stripe.StripeError) -> str:
    return getattr(error, "user_message", None) or str(error) or error.__class__.__name__


def _settle_earlier_sessions(sc: stripe.StripeClient, registration: Registration) -> list[int]:
    """Close the learner's earlier open Checkout Sessions, so that only one can be paid.

    A session already paid but not yet confirmed by its webhook stops a new start:
    paying twice is worse than waiting a minute. Returns the payments to cancel.
    """
    stale = registration.payments.filter(
        method=PaymentMethod.STRIPE, status=PaymentStatus.PENDING, refund_of=None
    )
    closed = []
    for payment in stale:
        try:
            session = sc.v1.checkout.sessions.retrieve(payment.reference)
            if session.status == "complete":
                raise ValidationError(
                    _(
                        "Your card payment has been made and is being confirmed. Reload this "
                        "page in a minute."
                    )
                )
            if session.status == "open":
                sc.v1.checkout.sessions.expire(payment.reference)
        except stripe.StripeError as e:
            log.warning("Stripe session %s not closed: %s", payment.reference, e)
            raise ValidationError(
                _("Card payment could not be started (%(error)s). Please try again later.")
                % {"error": _stripe_failure(e)}
            ) from e
        closed.append(payment.pk)
    return closed


class StripeGateway(PaymentGateway):
    code = PaymentMethod.STRIPE
    label = gettext_lazy("Card (Stripe Checkout)")

    def is_available(self, activity) -> bool:
        return is_configured()

    def unavailable_message(self, activity) -> str:
        return "" if self.is_available(activity) else not_available_message()

    def start(
        self,
        registration: Registration,
        *,
        by,
        success_url: str = "",
        cancel_url: str = "",
        now: dt.datetime | None = None,
    ) -> PaymentStart:
        """Open a Checkout Session for what is still due and keep a PENDING payment for it.

        The Stripe calls happen before any row is written and hold no lock: a failure
        leaves nothing behind, and a session nobody pays simply expires.
        Side effects: earlier open sessions of the registration are expired and their
        payments CANCELLED; a PENDING payment (reference: the session id); audit
        "payment.started".
        """
        activity = registration.activity
        services._check_self_or_staff(activity, registration.person, by)
        if not self.is_available(activity):
            raise ValidationError(not_available_message())
        due = check_payable(registration)
        now = now or timezone.now()
        sc = client()
        closed = _settle_earlier_sessions(sc, registration)
        reg_id = str(registration.pk)
        try:
            session = sc.v1.checkout.sessions.create(
                params={
                    "mode": "payment",
                    "client_reference_id": reg_id,
                    "customer_email": registration.person.email,
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": registration.currency.lower(),
                                "unit_amount": to_minor(due, registration.currency),
                                "product_data": {
                                    "name": f"{activity.title}: "
                                    f"{registration.registration_type.name}",
                                },
                            },
                        }
                    ],
                    "metadata": {"cmeconf_registration": reg_id},
                    "payment_intent_data": {"metadata": {"cmeconf_registration": reg_id}},
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                }
            )
        except stripe.StripeError as e:
            log.warning("Stripe Checkout Session for registration %s failed: %s", reg_id, e)
            raise ValidationError(
                _("Card payment could not be started (%(error)s). Please try again later.")
                % {"error": _stripe_failure(e)}
            ) from e
        with transaction.atomic():
            reg = Registration.objects.select_for_update().get(pk=registration.pk)
            # The registration may have been paid or cancelled while Stripe answered.
            check_payable(reg)
            Payment.objects.filter(pk__in=closed, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.CANCELLED
            )
            payment = Payment.objects.create(
                registration=reg,
                method=PaymentMethod.STRIPE,
                status=PaymentStatus.PENDING,
                amount=due,
                currency=reg.currency,
                reference=session.id,
                created=now,
                recorded_by=by,
            )
            audit.record(
                "payment.started",
                actor=by,
                obj=payment,
                provider_id=activity.provider_id,
                activity_id=activity.pk,
                after={
                    "registration": reg.pk,
                    "method": payment.method,
                    "amount": due,
                    "reference": session.id,
                    "cancelled": closed,
                },
            )
        return PaymentStart(redirect_url=session.url, payment=payment)


def create_refund(payment: Payment, *, amount: Decimal, idempotency_key: str) -> str:
    """Refund `amount` of a paid card payment through Stripe; returns the refund's id.

    The idempotency key is the refund row's: asking again after a failure or a
    timeout never refunds twice. Raises ValidationError with Stripe's explanation.
    """
    if not settings.STRIPE_SECRET_KEY:
        raise ValidationError(
            _(
                "Card refunds go through Stripe, which is not configured on this site. Refund "
                "in the Stripe dashboard and record it here once card payment is set up."
            )
        )
    intent = payment_intent_of(payment)
    if not intent:
        raise ValidationError(
            _("This card payment has no Stripe payment intent on record; refund it in Stripe.")
        )
    try:
        refund = client().v1.refunds.create(
            params={
                "payment_intent": intent,
                "amount": to_minor(amount, payment.currency),
                "reason": "requested_by_customer",
                "metadata": {"cmeconf_registration": str(payment.registration_id)},
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as e:
        log.warning("Stripe refund of %s failed: %s", intent, e)
        raise ValidationError(
            _("Stripe did not make the refund: %(error)s") % {"error": _stripe_failure(e)}
        ) from e
    if refund.status in ("failed", "canceled"):
        raise ValidationError(
            _("Stripe did not make the refund (status %(status)s).") % {"status": refund.status}
        )
    return refund.id
