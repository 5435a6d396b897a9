"""Paying outside the site: an invoice paid by bank transfer, or at the registration desk.

Nothing is stored when a learner picks one of these: the registration team records
the money when it arrives (services.confirm_payment), which confirms the registration.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.activities.choices import Delivery
from cmeconf.registration import services
from cmeconf.registration.choices import PaymentMethod
from cmeconf.registration.models import Registration
from cmeconf.registration.payments.base import (
    PaymentGateway,
    PaymentStart,
    check_payable,
    invoice_number,
)


def _contact(activity) -> str:
    provider = activity.provider
    return provider.contact_email or provider.contact_phone or provider.name


def invoice_instructions(registration: Registration) -> str:
    """How to pay the invoice; printed on the invoice and shown on the payment page."""
    activity = registration.activity
    return _(
        "Pay by bank transfer, quoting the invoice number %(number)s as the reference. "
        "For the bank details, or for an invoice addressed to your employer, contact "
        "%(contact)s. Your registration is confirmed once the registration team has "
        "received the payment."
    ) % {"number": invoice_number(registration), "contact": _contact(activity)}


def on_site_instructions(registration: Registration) -> str:
    return _(
        "Pay at the registration desk when you arrive, quoting the invoice number "
        "%(number)s. Your seat is held until then."
    ) % {"number": invoice_number(registration)}


class InvoiceGateway(PaymentGateway):
    code = PaymentMethod.INVOICE
    label = gettext_lazy("Invoice / bank transfer")

    def is_available(self, activity) -> bool:
        return True

    def start(
        self,
        registration: Registration,
        *,
        by,
        success_url: str = "",
        cancel_url: str = "",
        now: dt.datetime | None = None,
    ) -> PaymentStart:
        services._check_self_or_staff(registration.activity, registration.person, by)
        check_payable(registration)
        return PaymentStart(instructions=invoice_instructions(registration))


class OnSiteGateway(PaymentGateway):
    code = PaymentMethod.ON_SITE
    label = gettext_lazy("Pay on site")

    def is_available(self, activity) -> bool:
        # Nobody comes to the desk of an activity held only online.
        return activity.delivery != Delivery.VIRTUAL

    def unavailable_message(self, activity) -> str:
        if self.is_available(activity):
            return ""
        return _("Paying on site is not possible: this activity is held online only.")

    def start(
        self,
        registration: Registration,
        *,
        by,
        success_url: str = "",
        cancel_url: str = "",
        now: dt.datetime | None = None,
    ) -> PaymentStart:
        services._check_self_or_staff(registration.activity, registration.person, by)
        check_payable(registration)
        return PaymentStart(instructions=on_site_instructions(registration))
