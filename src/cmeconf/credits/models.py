"""Credit: what a provider offers, what each activity designates, what learners claim.

The arithmetic and the statements of each credit type live in `credits.types`
(one module per type); these models keep the decisions and their history. Every
change to a designation, a claim or a certificate goes to the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderCreditType(models.Model):
    """A credit type the provider is accredited for and has switched on."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="credit_types"
    )
    credit_type = models.CharField(_("credit type"), max_length=20)
    # The provider's accreditor ID for this type where it differs from the accreditation
    # record (ACPE provider number in the UAN, an ABMS board's activity ID prefix, ...).
    identifier = models.CharField(_("provider ID for this credit"), max_length=50, blank=True)
    # Choices the sources leave open (ANCC rounding, ECMEC daily cap, ...), by key;
    # each type documents its keys and defaults.
    options = models.JSONField(_("options"), default=dict, blank=True)
    enabled = models.BooleanField(_("switched on"), default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "credit_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "credit_type"], name="one_setting_per_provider_credit_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.credit_type}"


class CreditSetup(models.Model):
    """An activity's claim window and what a claim requires."""

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="credit_setup"
    )
    claims_open_at = models.DateTimeField(_("claims open"), null=True, blank=True)
    claims_close_at = models.DateTimeField(_("claims close"), null=True, blank=True)
    evaluation_required = models.BooleanField(_("evaluation required before a claim"), default=True)
    certificate_template = models.ForeignKey(
        "credits.CertificateTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"credit setup of {self.activity}"


class Designation(models.Model):
    """The maximum credit of one type an activity offers, designated in advance [M3]."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="designations"
    )
    credit_type = models.CharField(_("credit type"), max_length=20)
    # MOC only: the ABMS board; one designation per board.
    board = models.CharField(_("board"), max_length=10, blank=True)
    # What the rule computes from the credit-eligible sessions (concurrent time once).
    computed_maximum = models.DecimalField(max_digits=6, decimal_places=2)
    computed_minutes = models.PositiveIntegerField(default=0)
    # What is designated: the computation, or lower with a reason; never higher.
    maximum = models.DecimalField(_("maximum"), max_digits=6, decimal_places=2)
    # The highest maximum designated before the activity started [M3]: a maximum lowered
    # later (a program change) may come back up to it, never above.
    advance_maximum = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    lowered_reason = models.TextField(_("why lower than computed"), blank=True)
    # ACPE: the Universal Activity Number [P1].
    uan = models.CharField(_("UAN"), max_length=22, blank=True)
    # AAPA before the review panel approves: the "not yet approved" wording [AA1].
    approval_pending = models.BooleanField(_("approval pending"), default=False)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    designated_at = models.DateTimeField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity", "credit_type", "board"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "credit_type", "board"], name="one_designation_per_type"
            ),
            models.CheckConstraint(
                condition=models.Q(maximum__lte=models.F("computed_maximum")),
                name="designation_never_above_computation",
            ),
        ]

    def __str__(self) -> str:
        board = f" {self.board}" if self.board else ""
        return f"{self.activity}: {self.maximum} {self.credit_type}{board}"


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Claim(models.Model):
    """Credit of one type a learner claimed for one activity."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.PROTECT, related_name="claims"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_claims"
    )
    designation = models.ForeignKey(Designation, on_delete=models.PROTECT, related_name="claims")
    credit_type = models.CharField(max_length=20)
    board = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=ClaimStatus.choices)
    # Measured minutes at the time of the claim (concurrent sessions once), and what
    # the rule gives for them, capped by the designation.
    measured_minutes = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=6, decimal_places=2)
    # Minutes per session at the time of the claim: {session id: minutes}.
    sessions = models.JSONField(default=dict, blank=True)
    attested_at = models.DateTimeField()
    attestation = models.TextField()
    # MOC and CPE Monitor reporting: the identifiers and the learner's consent [B1][P7].
    board_id = models.CharField(max_length=20, blank=True)
    nabp_eprofile_id = models.CharField(max_length=12, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    consent_to_report = models.BooleanField(default=False)
    reported_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity", "person", "credit_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person", "credit_type", "board"],
                condition=models.Q(status="claimed"),
                name="one_live_claim_per_type",
            )
        ]
        indexes = [models.Index(fields=["activity", "credit_type", "status"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.amount} {self.credit_type} at {self.activity}"


class ClaimCorrection(models.Model):
    """A change staff made to a claim, with the reason; the audit trail has it too."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="corrections")
    before_amount = models.DecimalField(max_digits=6, decimal_places=2)
    after_amount = models.DecimalField(max_digits=6, decimal_places=2)
    before_minutes = models.PositiveIntegerField()
    after_minutes = models.PositiveIntegerField()
    reason = models.TextField()
    # None: the platform itself (a program change lowered the designation).
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField()

    class Meta:
        ordering = ["claim", "corrected_at"]

    def __str__(self) -> str:
        return f"{self.claim}: {self.before_amount} to {self.after_amount}"


class CertificateTemplate(models.Model):
    """How a provider's certificates look: logo, signature and signer."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="certificate_templates"
    )
    name = models.CharField(_("name"), max_length=100)
    logo = models.ImageField(_("logo"), upload_to="certificates/logos/", blank=True)
    signature = models.ImageField(
        _("signature image"), upload_to="certificates/signatures/", blank=True
    )
    signer_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    footer = models.CharField(_("footer"), max_length=300, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["provider", "name"]

    def __str__(self) -> str:
        return self.name


class Certificate(models.Model):
    """The certificate of one claim; a corrected claim gets a new one."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(max_length=24, unique=True)
    # Random part of the verification token: a revoked certificate's link stops working
    # as a proof without anyone needing to know the signing key changed.
    key = models.CharField(max_length=32)
    # What the certificate says, frozen at issue, so that the verification page shows
    # exactly that and a later change to the activity does not rewrite history.
    content = models.JSONField(default=dict)
    file = models.FileField(upload_to="certificates/", blank=True)
    issued_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_at", "id"]

    def __str__(self) -> str:
        return self.number


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class CertificateBatch(models.Model):
    """All certificates of an activity, issued by one background job."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="certificate_batches"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField()
    status = models.CharField(max_length=10, choices=BatchStatus.choices)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"certificates of {self.activity} ({self.status})"


class IssuerKey(models.Model):
    """A provider's key for signing verifiable credentials (Open Badges 3.0).

    A retired key stays listed so that credentials signed with it still verify.
    """

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="issuer_keys"
    )
    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=10, default="EdDSA")
    private_key = models.TextField()  # PEM, PKCS#8
    public_jwk = models.JSONField()
    created = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["provider", "-created"]

    def __str__(self) -> str:
        return self.kid
