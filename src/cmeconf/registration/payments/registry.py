"""The payment gateways, in the order the payment page offers them."""

from __future__ import annotations

from cmeconf.registration.payments.base import PaymentGateway
from cmeconf.registration.payments.manual import InvoiceGateway, OnSiteGateway
from cmeconf.registration.payments.stripe_gateway import StripeGateway

GATEWAYS: tuple[PaymentGateway, ...] = (StripeGateway(), InvoiceGateway(), OnSiteGateway())


def all_gateways() -> tuple[PaymentGateway, ...]:
    return GATEWAYS


def available(activity) -> list[PaymentGateway]:
    """The gateways learners of this activity may choose now."""
    return [g for g in GATEWAYS if g.is_available(activity)]


def gateway(code: str, activity) -> PaymentGateway | None:
    """The gateway of this method if the activity offers it, else None."""
    return next((g for g in available(activity) if g.code == code), None)
