"""What every payment gateway offers the pages: a name, whether it can be used, a start."""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from cmeconf.registration.choices import PaymentStatus, RegistrationStatus
from cmeconf.registration.models import Payment, Registration

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PaymentStart:
    """What the learner sees next: a page of instructions, or a redirect to the gateway."""

    instructions: str = ""
    redirect_url: str = ""
    # The payment waiting for the gateway's word, when the gateway keeps one.
    payment: Payment | None = None


class PaymentGateway(abc.ABC):
    """A way to pay for a registration. `code` is a PaymentMethod value."""

    code: str
    label: str

    @abc.abstractmethod
    def is_available(self, activity) -> bool:
        """Whether learners of this activity may choose this method now."""

    def unavailable_message(self, activity) -> str:
        """Why the method is not offered, for the pages; "" when it is."""
        return ""

    @abc.abstractmethod
    def start(
        self,
        registration: Registration,
        *,
        by,
        success_url: str = "",
        cancel_url: str = "",
        now: dt.datetime | None = None,
    ) -> PaymentStart:
        """Begin paying what is still due on `registration`."""


def outstanding(registration: Registration) -> Decimal:
    """What is still to pay: the amount due less what has been paid (refunds aside)."""
    paid = registration.payments.filter(status=PaymentStatus.PAID).aggregate(s=Sum("amount"))
    # Quantized: SQLite sums decimals as floats.
    return max(registration.amount_due - (paid["s"] or ZERO), ZERO).quantize(Decimal("0.01"))


def check_payable(registration: Registration) -> Decimal:
    """The amount still due, or a ValidationError when there is nothing to pay now."""
    if registration.status != RegistrationStatus.PENDING_PAYMENT:
        raise ValidationError(_("Only a registration awaiting payment can be paid."))
    due = outstanding(registration)
    if due <= 0:
        raise ValidationError(_("Nothing is left to pay on this registration."))
    return due


def invoice_number(registration: Registration) -> str:
    """The invoice's number, stable for the registration: ANNUAL-2027-000042."""
    return f"{registration.activity.slug.upper()}-{registration.pk:06d}"
