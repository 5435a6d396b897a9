"""Registration: types and prices, promo codes, questions, registrations, workshops, payments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cmeconf.registration.choices import (
    AttendanceMode,
    BatchStatus,
    PaymentMethod,
    PaymentStatus,
    QuestionKind,
    QuestionPurpose,
    RegistrationStatus,
    SignupStatus,
)


class RegistrationSetup(models.Model):
    """How an activity takes registrations: when, how many, and the cancellation policy."""

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="registration_setup"
    )
    opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("seats in all"), null=True, blank=True, help_text=_("Empty for no overall limit.")
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    cancellation_deadline = models.DateTimeField(
        _("free cancellation until"), null=True, blank=True
    )
    refund_percent = models.PositiveSmallIntegerField(
        _("refund before the deadline (%)"), default=100
    )
    offer_hours = models.PositiveSmallIntegerField(_("hours to accept a freed seat"), default=48)
    credit_types = models.JSONField(
        _("credit types offered"),
        default=list,
        blank=True,
        help_text=_("The credit types learners may claim; they decide which identifiers we ask."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder e-mail days before the start"),
        default=3,
        help_text=_("0 sends no reminder."),
    )

    def __str__(self) -> str:
        return f"Registration for {self.activity}"


class RegistrationType(models.Model):
    """A kind of registrant with its price and seats: member physician, nurse, virtual only ..."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="registration_types"
    )
    code = models.SlugField(_("short name"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    mode = models.CharField(
        _("attendance"),
        max_length=10,
        choices=AttendanceMode.choices,
        default=AttendanceMode.IN_PERSON,
    )
    professions = models.JSONField(
        _("for professions"), default=list, blank=True, help_text=_("Empty for everyone.")
    )
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    is_active = models.BooleanField(_("open for registration"), default=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "code"], name="unique_registration_type")
        ]

    def __str__(self) -> str:
        return self.name


class PriceTier(models.Model):
    """A price of a registration type until a deadline; the last tier has none."""

    registration_type = models.ForeignKey(
        RegistrationType, on_delete=models.CASCADE, related_name="prices"
    )
    label = models.CharField(_("label"), max_length=60)
    amount = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    available_until = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = [models.F("available_until").asc(nulls_last=True), "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}"


class PromoCode(models.Model):
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="promo_codes"
    )
    code = models.CharField(_("code"), max_length=40)
    percent_off = models.PositiveSmallIntegerField(_("percent off"), null=True, blank=True)
    amount_off = models.DecimalField(
        _("amount off"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    registration_types = models.ManyToManyField(
        RegistrationType, blank=True, related_name="promo_codes"
    )
    max_uses = models.PositiveIntegerField(_("uses at most"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "code"], name="unique_promo_code")
        ]

    def __str__(self) -> str:
        return self.code


class Question(models.Model):
    """A custom question of the registration form (dietary, accessibility needs ...)."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="registration_questions"
    )
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=QuestionPurpose.choices, default=QuestionPurpose.OTHER
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class RegistrationGroup(models.Model):
    """Registrations made together by a coordinator (a department, a hospital)."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="registration_groups"
    )
    name = models.CharField(_("group"), max_length=200)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coordinated_groups"
    )
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Registration(models.Model):
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.PROTECT, related_name="registrations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    registration_type = models.ForeignKey(
        RegistrationType, on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    price_label = models.CharField(max_length=60, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    discount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    promo_code = models.ForeignKey(
        PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    group = models.ForeignKey(
        RegistrationGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(default=dict, blank=True)
    identifiers = models.JSONField(default=dict, blank=True)
    # Credit types the learner means to claim; they decide which identifiers were asked.
    credit_types = models.JSONField(default=list, blank=True)
    # Random part of the badge's signed token: a new key voids every printed copy.
    badge_key = models.CharField(max_length=32, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                condition=~models.Q(status=RegistrationStatus.CANCELLED),
                name="one_live_registration_per_person",
            )
        ]
        indexes = [models.Index(fields=["activity", "status"])]

    def __str__(self) -> str:
        return f"{self.person} at {self.activity} ({self.get_status_display()})"

    @property
    def amount_due(self):
        return max(self.price - self.discount, 0)

    @property
    def credit_type_labels(self) -> list[str]:
        from cmeconf.registration.identifiers import CREDIT_TYPES

        return [str(CREDIT_TYPES[c]) for c in self.credit_types if c in CREDIT_TYPES]

    @property
    def identifier_items(self) -> list[tuple[str, str]]:
        from cmeconf.registration.identifiers import IDENTIFIER_LABELS

        return [
            (str(label), str(self.identifiers[name]))
            for name, label in IDENTIFIER_LABELS.items()
            if name in self.identifiers
        ]


class WorkshopSignup(models.Model):
    """A registrant's place in a session with limited seats (Session.capacity)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="workshop_signups"
    )
    session = models.ForeignKey(
        "activities.Session", on_delete=models.PROTECT, related_name="signups"
    )
    status = models.CharField(max_length=12, choices=SignupStatus.choices)
    created = models.DateTimeField()
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=~models.Q(status=SignupStatus.CANCELLED),
                name="one_live_signup_per_session",
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration.person} in {self.session} ({self.get_status_display()})"


class Payment(models.Model):
    """Money for a registration, through one payment method; refunds are payments too."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    status = models.CharField(max_length=10, choices=PaymentStatus.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    reference = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    # A refund is a payment of negative amount pointing at the payment it returns.
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["method", "reference"])]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} ({self.get_status_display()})"


class WebhookEvent(models.Model):
    """A payment gateway's event, kept so that a redelivered event is handled once."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=100)
    received_at = models.DateTimeField()
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="unique_webhook_event")
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.kind} {self.event_id}"


class BadgeBatch(models.Model):
    """All badges of an activity in one PDF, made in the background with its progress."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="badge_batches"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField()
    status = models.CharField(max_length=10, choices=BatchStatus.choices)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="badges/", blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"Badges of {self.activity} ({self.get_status_display()})"
