"""The fixed vocabularies of registration."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual only")


class RegistrationStatus(models.TextChoices):
    # A pending registration holds its seat until it is paid or cancelled.
    PENDING_PAYMENT = "pending", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    # A seat offered to the next on the waiting list, until the offer expires.
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that take a seat: counted against capacity.
SEAT_STATUSES = (
    RegistrationStatus.PENDING_PAYMENT,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.OFFERED,
)


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")


SIGNUP_SEAT_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.OFFERED)


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    CHOICE = "choice", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    YES_NO = "yes_no", _("Yes or no")


class QuestionPurpose(models.TextChoices):
    DIETARY = "dietary", _("Dietary needs")
    ACCESSIBILITY = "accessibility", _("Accessibility needs")
    OTHER = "other", _("Other")


class PaymentMethod(models.TextChoices):
    INVOICE = "invoice", _("Invoice / bank transfer")
    ON_SITE = "on_site", _("Pay on site")
    STRIPE = "stripe", _("Card (Stripe Checkout)")
    FREE = "free", _("No charge")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
