"""What a payment gateway's events change: money received, or a payment that failed.

Each event is stored in WebhookEvent (unique per gateway and event id) in the same
transaction as the change it causes, so an event redelivered, even at the same
moment, changes things once; an event refused (an amount that does not match) is
not stored, and Stripe's redelivery meets the same refusal.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.common import audit
from cmeconf.registration.choices import PaymentMethod, PaymentStatus, RegistrationStatus
from cmeconf.registration.models import Payment, Registration, WebhookEvent
from cmeconf.registration.payments.stripe_gateway import GATEWAY, INTENT_NOTE, from_minor
from cmeconf.registration.services import _seat_status, mail_confirmed

log = logging.getLogger(__name__)

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
FAILED_EVENTS = ("checkout.session.expired", "checkout.session.async_payment_failed")


def _record(action: str, payment: Payment, registration: Registration, after: dict, note=""):
    audit.record(
        action,
        actor=None,
        obj=payment if action.startswith("payment.") else registration,
        provider_id=registration.activity.provider_id,
        activity_id=registration.activity_id,
        after=after,
        note=note,
    )


def record_gateway_payment(
    payment: Payment,
    *,
    amount: Decimal,
    currency: str,
    payment_intent: str = "",
    now: dt.datetime | None = None,
) -> Payment:
    """Mark a gateway's PENDING payment PAID; confirm the registration once nothing is due.

    The gateway reports what it took: an amount or currency other than the payment's
    is refused with a ValidationError and changes nothing. Money that arrives for a
    registration cancelled meanwhile is recorded all the same (staff refund it).
    Side effects: status PAID with the payment intent in the note, audit
    "payment.recorded", and when covered status CONFIRMED with audit "registration.confirmed".
    """
    now = now or timezone.now()
    with transaction.atomic():
        reg = (
            Registration.objects.select_for_update()
            .select_related("activity")
            .get(pk=payment.registration_id)
        )
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == PaymentStatus.PAID:
            return locked
        if amount != locked.amount or currency.upper() != locked.currency:
            raise ValidationError(
                _("The gateway took %(got)s %(got_cur)s, but %(want)s %(want_cur)s was asked.")
                % {
                    "got": amount,
                    "got_cur": currency.upper(),
                    "want": locked.amount,
                    "want_cur": locked.currency,
                }
            )
        was = locked.status
        locked.status = PaymentStatus.PAID
        locked.paid_at = now
        if payment_intent:
            locked.note = f"{INTENT_NOTE}{payment_intent}"
        locked.save(update_fields=["status", "paid_at", "note"])
        note = ""
        if reg.status != RegistrationStatus.PENDING_PAYMENT:
            note = f"paid while the registration was {reg.status}"
        _record(
            "payment.recorded",
            locked,
            reg,
            {
                "registration": reg.pk,
                "method": locked.method,
                "amount": locked.amount,
                "reference": locked.reference,
                "payment_intent": payment_intent,
                "was": was,
            },
            note,
        )
        if (
            reg.status == RegistrationStatus.PENDING_PAYMENT
            and _seat_status(reg) == RegistrationStatus.CONFIRMED
        ):
            reg.status = RegistrationStatus.CONFIRMED
            reg.confirmed_at = now
            reg.save(update_fields=["status", "confirmed_at"])
            _record("registration.confirmed", locked, reg, {"status": reg.status})
            mail_confirmed(reg)
    return locked


def fail_gateway_payment(payment: Payment, *, now: dt.datetime | None = None) -> Payment:
    """A PENDING gateway payment that will not be paid (expired, declined): FAILED.

    Side effects: status FAILED, audit "payment.failed". A paid one is left alone.
    """
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update().select_related("registration").get(pk=payment.pk)
        )
        if locked.status not in (PaymentStatus.PENDING, PaymentStatus.CANCELLED):
            return locked
        was = locked.status
        locked.status = PaymentStatus.FAILED
        locked.save(update_fields=["status"])
        _record(
            "payment.failed",
            locked,
            locked.registration,
            {"registration": locked.registration_id, "reference": locked.reference, "was": was},
        )
    return locked


def _checkout_payment(session: dict, *, now: dt.datetime, create: bool) -> Payment | None:
    """Our payment for this Checkout Session; None when the session is not ours.

    Should the payment row be missing (a session paid whose row was never written),
    one is made from the session, so that money received is never lost.
    """
    payment = Payment.objects.filter(
        method=PaymentMethod.STRIPE, reference=session["id"], refund_of=None
    ).first()
    if payment is not None or not create:
        return payment
    reg_id = (session.get("metadata") or {}).get("cmeconf_registration") or ""
    if not reg_id.isdigit() or session.get("client_reference_id") != reg_id:
        return None
    reg = Registration.objects.filter(pk=int(reg_id)).first()
    if reg is None:
        return None
    currency = (session.get("currency") or reg.currency).upper()
    return Payment.objects.create(
        registration=reg,
        method=PaymentMethod.STRIPE,
        status=PaymentStatus.PENDING,
        amount=from_minor(session.get("amount_total") or 0, currency),
        currency=currency,
        reference=session["id"],
        created=now,
    )


def handle_stripe_event(event: dict, *, now: dt.datetime | None = None) -> str:
    """Act on one verified Stripe event; returns what happened, for the log.

    "duplicate" (seen before), "ignored" (another kind, or not ours), "waiting"
    (completed but the money is still on its way), "paid" or "failed".
    Raises ValidationError (nothing stored) when the amount does not match.
    """
    now = now or timezone.now()
    kind = event.get("type", "")
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(
                    gateway=GATEWAY, event_id=event["id"], kind=kind, received_at=now, payload=event
                )
        except IntegrityError:
            return "duplicate"
        if kind not in PAID_EVENTS + FAILED_EVENTS:
            return "ignored"
        session = event["data"]["object"]
        if session.get("mode", "payment") != "payment":
            return "ignored"
        payment = _checkout_payment(session, now=now, create=kind in PAID_EVENTS)
        if payment is None:
            log.info("Stripe event %s: session %s is not ours", event["id"], session.get("id"))
            return "ignored"
        if kind in FAILED_EVENTS:
            fail_gateway_payment(payment, now=now)
            return "failed"
        if session.get("payment_status") != "paid":
            # Bank debits complete later, with checkout.session.async_payment_succeeded.
            return "waiting"
        currency = (session.get("currency") or "").upper()
        record_gateway_payment(
            payment,
            amount=from_minor(session.get("amount_total") or 0, currency),
            currency=currency,
            payment_intent=session.get("payment_intent") or "",
            now=now,
        )
        return "paid"
