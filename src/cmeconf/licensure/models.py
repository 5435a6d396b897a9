"""A clinician's licences, board certifications and the credits they earned elsewhere.

The rules a licence is held to are data (``data/requirements/*.json``, loaded by
``loader``); a licence names its requirement set by id. What the licence says
about the clinician's practice (the conditions some mandates depend on, the
specialties) is kept here, as they state it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Licence(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="licences"
    )
    # The id of a shipped requirement set, e.g. "US-CA-MD" (loader.load_shipped()).
    requirement_set = models.CharField(_("jurisdiction and profession"), max_length=40)
    license_type = models.CharField(
        _("licence type"), max_length=10, help_text=_("e.g. MD, DO, RN")
    )
    number = models.CharField(_("licence number"), max_length=40, blank=True)
    issued_on = models.DateField(_("first issued"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires (next renewal)"),
        null=True,
        blank=True,
        help_text=_("As printed on the licence. Needed where the board sets the date."),
    )
    # Which renewal comes next: 1 for the first. Left empty, it is worked out from the issue date.
    renewal_number = models.PositiveSmallIntegerField(
        _("renewal number"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    birth_month = models.PositiveSmallIntegerField(
        _("birth month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Some boards renew in the birth month or on the birthday."),
    )
    birth_day = models.PositiveSmallIntegerField(
        _("birth day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    # vocabulary.CONDITIONS codes the clinician says hold (e.g. "dea_registration").
    conditions = models.JSONField(_("practice conditions"), default=list, blank=True)
    carried_in = models.DecimalField(
        _("credit carried over from the last cycle"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    cycle_start = models.DateField(
        _("cycle start"),
        null=True,
        blank=True,
        help_text=_("Only where the board states each licence's own period."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["requirement_set", "id"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "requirement_set", "license_type"],
                name="unique_licence_per_board",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement_set} {self.license_type} {self.number}".strip()


class BoardCertification(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_certifications"
    )
    board = models.CharField(_("board"), max_length=100, help_text=_("e.g. ABIM, ABFM, RCPSC"))
    specialty = models.CharField(_("specialty"), max_length=100)
    certificate_number = models.CharField(_("certificate or board ID"), max_length=40, blank=True)
    certified_on = models.DateField(_("certified"), null=True, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    in_moc = models.BooleanField(
        _("taking part in MOC"),
        default=False,
        help_text=_("Some boards accept MOC participation in place of CME."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["board", "specialty", "id"]
        verbose_name = _("board certification")
        verbose_name_plural = _("board certifications")

    def __str__(self) -> str:
        return f"{self.board} {self.specialty}"


class CreditImport(models.Model):
    """One CSV file of credits a clinician imported, all rows or none."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_imports"
    )
    filename = models.CharField(max_length=200)
    # The same file twice would count every credit twice.
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "sha256"], name="unique_credit_import_file")
        ]

    def __str__(self) -> str:
        return self.filename


class ExternalCredit(models.Model):
    """Credit earned outside this platform, as the clinician's certificate states it."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_credits"
    )
    title = models.CharField(_("activity title"), max_length=300)
    provider_name = models.CharField(_("accredited provider"), max_length=200, blank=True)
    completed_on = models.DateField(_("completed"))
    # {credit type code: amount as a string}: every designation the certificate names.
    amounts = models.JSONField(_("credit"))
    topics = models.JSONField(_("topics"), default=list, blank=True)  # vocabulary.TOPICS
    approvals = models.JSONField(_("approvals"), default=list, blank=True)  # vocabulary.APPROVALS
    format = models.CharField(_("format"), max_length=30, blank=True)  # vocabulary.FORMATS
    # The provider's certificate, uploaded by the learner; served only to them.
    certificate = models.FileField(
        _("certificate"), upload_to="external-credits/%Y/", blank=True, max_length=200
    )
    source_import = models.ForeignKey(
        CreditImport, on_delete=models.CASCADE, null=True, blank=True, related_name="credits"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["person", "completed_on"])]
        verbose_name = _("external credit")
        verbose_name_plural = _("external credits")

    def __str__(self) -> str:
        return f"{self.title} ({self.completed_on})"


class LicenceReminder(models.Model):
    """A renewal reminder sent, so that each is sent once per licence, due date and lead time."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="reminders")
    due = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "due", "days_before"], name="unique_licence_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence}: {self.days_before} days before {self.due}"
