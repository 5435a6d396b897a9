"""Refunds: what the cancellation policy gives back, and recording the money returned.

A refund is a Payment of negative amount pointing at the payment it returns
(refund_of), in the same method. The policy of RegistrationSetup: cancelled up to
`cancellation_deadline`, `refund_percent` of what was paid comes back; after it,
nothing; without a deadline, always `refund_percent`.

Card refunds and transactions: the refund rows are written first, inside the
caller's transaction (for a learner's cancellation, the very transaction that
cancels), as PENDING. Stripe is asked only after that transaction commits, with the
refund row's id as idempotency key; on success the row becomes REFUNDED. So a
rolled-back cancellation never sends money, a Stripe outage never undoes a
cancellation (the refund stays PENDING, with Stripe's answer in its note, until
staff retry it), and a retry can never refund twice.

Refunds of invoice and on-site payments are paid back by the registration team:
recorded REFUNDED when staff record them, PENDING ("to pay back") when a learner's
cancellation makes them, until staff mark them sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cmeconf.common import audit
from cmeconf.registration import services
from cmeconf.registration.choices import PaymentMethod, PaymentStatus
from cmeconf.registration.models import Payment, Registration, RegistrationSetup
from cmeconf.registration.payments import stripe_gateway

log = logging.getLogger(__name__)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Refund rows that count against what may still be refunded.
LIVE_REFUND = (PaymentStatus.PENDING, PaymentStatus.REFUNDED)
# Where a card refund's note says why Stripe has not made it yet.
NOT_SENT = "Not sent to Stripe: "


@dataclass(frozen=True)
class RefundQuote:
    amount: Decimal
    reason: str


def refundable(payment: Payment) -> Decimal:
    """What of a paid payment has not been refunded (or is not being refunded) yet."""
    if payment.status != PaymentStatus.PAID or payment.refund_of_id is not None:
        return ZERO
    back = payment.refunds.filter(status__in=LIVE_REFUND).aggregate(s=Sum("amount"))["s"]
    return max(payment.amount + (back or ZERO), ZERO).quantize(CENT)


def net_paid(registration: Registration) -> Decimal:
    """Paid, less what has been or is being refunded."""
    paid = registration.payments.filter(status=PaymentStatus.PAID, refund_of=None).aggregate(
        s=Sum("amount")
    )["s"]
    back = registration.payments.filter(status__in=LIVE_REFUND, refund_of__isnull=False).aggregate(
        s=Sum("amount")
    )["s"]
    # Quantized: SQLite sums decimals as floats.
    return max((paid or ZERO) + (back or ZERO), ZERO).quantize(CENT)


def _local(activity, when: dt.datetime) -> str:
    local = timezone.localtime(when, activity.tz)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({activity.time_zone})"


def refund_quote(registration: Registration, now: dt.datetime | None = None) -> RefundQuote:
    """What the cancellation policy refunds if the registration is cancelled at `now`."""
    now = now or timezone.now()
    activity = registration.activity
    paid = net_paid(registration)
    if paid <= 0:
        return RefundQuote(ZERO, _("Nothing has been paid, so nothing is refunded."))
    setup = RegistrationSetup.objects.filter(activity=activity).first()
    percent = setup.refund_percent if setup is not None else 0
    deadline = setup.cancellation_deadline if setup is not None else None
    facts = {
        "percent": percent,
        "paid": paid,
        "currency": registration.currency,
        "deadline": _local(activity, deadline) if deadline else "",
    }
    if deadline is not None and now > deadline:
        return RefundQuote(
            ZERO,
            _("After the free cancellation deadline of %(deadline)s: no refund.") % facts,
        )
    amount = (paid * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    if deadline is not None:
        reason = _(
            "Up to the free cancellation deadline of %(deadline)s: %(percent)s%% of the "
            "%(paid)s %(currency)s paid."
        )
    else:
        reason = _("No cancellation deadline: %(percent)s%% of the %(paid)s %(currency)s paid.")
    return RefundQuote(amount, reason % facts)


def _split(paid: list[Payment], amount: Decimal) -> list[tuple[Payment, Decimal]]:
    """Which payments the refund comes out of: the latest first."""
    parts = []
    left = amount
    for payment in paid:
        if left <= 0:
            break
        take = min(refundable(payment), left)
        if take > 0:
            parts.append((payment, take))
            left -= take
    return parts


def _make_refunds(
    reg: Registration, amount: Decimal, *, by, reason: str, settled: bool, now: dt.datetime
) -> list[Payment]:
    """Write the refund rows (the registration is locked); card rows go to Stripe on commit."""
    paid = list(
        Payment.objects.select_for_update()
        .filter(registration=reg, status=PaymentStatus.PAID, refund_of=None)
        .order_by("-paid_at", "-id")
    )
    rows = []
    for original, part in _split(paid, amount):
        card = original.method == PaymentMethod.STRIPE
        done = settled and not card
        refund = Payment.objects.create(
            registration=reg,
            method=original.method,
            status=PaymentStatus.REFUNDED if done else PaymentStatus.PENDING,
            amount=-part,
            currency=original.currency,
            created=now,
            paid_at=now if done else None,
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
            note=reason,
            refund_of=original,
        )
        audit.record(
            "payment.refunded",
            actor=by,
            obj=refund,
            provider_id=reg.activity.provider_id,
            activity_id=reg.activity_id,
            after={
                "registration": reg.pk,
                "refund_of": original.pk,
                "method": refund.method,
                "amount": refund.amount,
                "status": refund.status,
            },
            note=reason,
        )
        rows.append(refund)
    card_ids = [r.pk for r in rows if r.method == PaymentMethod.STRIPE]
    if card_ids:
        transaction.on_commit(lambda: send_card_refunds(card_ids))
    return rows


def refund(
    registration: Registration,
    *,
    by,
    amount: Decimal | None = None,
    reason: str,
    now: dt.datetime | None = None,
) -> list[Payment]:
    """Refund money paid for a registration: `amount` (staff choose it, up to what was
    paid), or by the cancellation policy when None.

    Registration team only. Refunds of invoice and on-site payments are recorded as
    paid back (REFUNDED); card refunds are sent to Stripe once this commits.
    Errors: ValidationError keyed "amount" or "reason"; card refunds while Stripe is
    not configured are refused before anything is written.
    Side effects: refund payments, audit "payment.refunded" for each, Stripe refunds.
    """
    activity = registration.activity
    services._check_staff(activity, by)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the money is refunded.")})
    with transaction.atomic():
        reg = (
            Registration.objects.select_for_update()
            .select_related("activity")
            .get(pk=registration.pk)
        )
        total = net_paid(reg)
        if amount is None:
            amount = refund_quote(reg, now).amount
        amount = Decimal(amount).quantize(CENT)
        if amount <= 0:
            raise ValidationError({"amount": _("The amount must be more than zero.")})
        if amount > total:
            raise ValidationError(
                {
                    "amount": _("That is more than the %(paid)s %(currency)s paid.")
                    % {"paid": total, "currency": reg.currency}
                }
            )
        paid = Payment.objects.filter(
            registration=reg, status=PaymentStatus.PAID, refund_of=None
        ).order_by("-paid_at", "-id")
        if not stripe_gateway.is_configured() and any(
            p.method == PaymentMethod.STRIPE for p, _part in _split(list(paid), amount)
        ):
            raise ValidationError(
                {
                    "amount": _(
                        "Part of this refund goes back to a card, and card refunds go "
                        "through Stripe, which is not configured on this site."
                    )
                }
            )
        rows = _make_refunds(reg, amount, by=by, reason=reason, settled=True, now=now)
    # Outside any caller's transaction the Stripe refunds have been made by now.
    for row in rows:
        row.refresh_from_db()
    return rows


def refund_on_cancel(registration: Registration, *, by, now: dt.datetime) -> list[Payment]:
    """The policy refund of a learner's own cancellation; called by services.cancel with
    the registration locked, inside its transaction.

    Side effects: PENDING refund payments (cards: sent to Stripe after commit; others:
    for the registration team to pay back), audit "payment.refunded".
    """
    quote = refund_quote(registration, now)
    if quote.amount <= 0:
        return []
    return _make_refunds(
        registration, quote.amount, by=by, reason=quote.reason, settled=False, now=now
    )


def _send_card_refund(refund_id: int, *, now: dt.datetime, by=None) -> Payment:
    """Ask Stripe for one PENDING card refund; REFUNDED on success, else ValidationError."""
    refund_row = Payment.objects.select_related("refund_of", "registration__activity").get(
        pk=refund_id
    )
    if refund_row.status != PaymentStatus.PENDING:
        return refund_row
    stripe_id = stripe_gateway.create_refund(
        refund_row.refund_of,
        amount=-refund_row.amount,
        idempotency_key=f"cmeconf-refund-{refund_row.pk}",
    )
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=refund_id)
        if locked.status != PaymentStatus.PENDING:
            return locked
        locked.status = PaymentStatus.REFUNDED
        locked.reference = stripe_id
        locked.paid_at = now
        locked.save(update_fields=["status", "reference", "paid_at"])
        activity = refund_row.registration.activity
        audit.record(
            "payment.refund_sent",
            actor=by,
            obj=locked,
            provider_id=activity.provider_id,
            activity_id=activity.pk,
            after={"reference": stripe_id, "amount": locked.amount, "status": locked.status},
        )
    return locked


def send_card_refunds(refund_ids: list[int], *, now: dt.datetime | None = None) -> None:
    """Send committed card refunds to Stripe; one that fails stays PENDING with the reason
    in its note, for staff to retry (the idempotency key makes a retry safe)."""
    now = now or timezone.now()
    for pk in refund_ids:
        try:
            _send_card_refund(pk, now=now)
        except ValidationError as e:
            log.warning("Card refund %s not sent: %s", pk, e.messages)
            row = Payment.objects.get(pk=pk)
            if row.status == PaymentStatus.PENDING:
                reason = row.note.split(NOT_SENT)[0].rstrip()
                row.note = f"{reason}\n{NOT_SENT}{' '.join(e.messages)}"
                row.save(update_fields=["note"])


def complete_refund(refund_row: Payment, *, by, now: dt.datetime | None = None) -> Payment:
    """Finish a PENDING refund: send a card refund to Stripe again, or record that an
    invoice or on-site refund has been paid back.

    Registration team only. Side effects: status REFUNDED, audit "payment.refund_sent".
    """
    activity = refund_row.registration.activity
    services._check_staff(activity, by)
    now = now or timezone.now()
    if refund_row.refund_of_id is None:
        raise ValidationError(_("This is not a refund."))
    if refund_row.status != PaymentStatus.PENDING:
        raise ValidationError(_("This refund is not waiting to be sent."))
    if refund_row.method == PaymentMethod.STRIPE:
        return _send_card_refund(refund_row.pk, now=now, by=by)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=refund_row.pk)
        if locked.status != PaymentStatus.PENDING:
            raise ValidationError(_("This refund is not waiting to be sent."))
        locked.status = PaymentStatus.REFUNDED
        locked.paid_at = now
        locked.recorded_by = by
        locked.save(update_fields=["status", "paid_at", "recorded_by"])
        audit.record(
            "payment.refund_sent",
            actor=by,
            obj=locked,
            provider_id=activity.provider_id,
            activity_id=activity.pk,
            after={"amount": locked.amount, "status": locked.status, "method": locked.method},
        )
    return locked
