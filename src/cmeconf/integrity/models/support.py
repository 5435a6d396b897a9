"""Commercial support (ACCME Standard 4): supporters, written agreements, the ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cmeconf.integrity.choices import ExpenseCategory, LedgerEntryKind, SupportKind


class CommercialSupporter(models.Model):
    """An ineligible company that gives a provider money or in-kind support [A11]."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="commercial_supporters"
    )
    company = models.ForeignKey(
        "integrity.IneligibleCompany", on_delete=models.PROTECT, related_name="supporters"
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "company"], name="one_supporter_per_company"
            )
        ]

    def __str__(self) -> str:
        return self.company.name


class SupportAgreement(models.Model):
    """The written agreement for one supporter's support of one activity [A14][A15][A19].

    Signed by both the provider and the supporter before the activity starts; an
    agreement signed later is kept but flagged.
    """

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.PROTECT, related_name="support_agreements"
    )
    supporter = models.ForeignKey(
        CommercialSupporter, on_delete=models.PROTECT, related_name="agreements"
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    kind = models.CharField(_("kind of support"), max_length=10, choices=SupportKind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    in_kind_description = models.TextField(_("in-kind support"), blank=True)
    purpose = models.TextField(_("purpose"))
    terms = models.TextField(_("terms and conditions"))
    joint_provider_recipient = models.CharField(
        _("joint provider receiving funds"), max_length=200, blank=True
    )
    joins_existing = models.BooleanField(
        _("joins an existing agreement"),
        default=False,
        help_text=_("The supporter accepts the terms and amount of an agreement already in place."),
    )
    provider_signatory = models.CharField(
        _("signed for the provider by"), max_length=200, blank=True
    )
    provider_signed_on = models.DateField(_("provider signed on"), null=True, blank=True)
    supporter_signatory = models.CharField(
        _("signed for the supporter by"), max_length=200, blank=True
    )
    supporter_signed_on = models.DateField(_("supporter signed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["supporter__company__name", "id"]

    def __str__(self) -> str:
        return f"{self.supporter} for {self.activity}"


class LedgerEntry(models.Model):
    """Money in or out of an activity's commercial support; kept, voided never deleted [A11]."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    agreement = models.ForeignKey(
        SupportAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LedgerEntryKind.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    category = models.CharField(
        _("paid for"), max_length=30, choices=ExpenseCategory.choices, blank=True
    )
    payee = models.CharField(_("paid to / received from"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.date}"
