"""Ineligible companies, and the disclosures of people in control of content."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cmeconf.integrity.choices import (
    CompanyKind,
    DisclosureState,
    ExclusionException,
    MitigationMethod,
    RelationshipNature,
)


class IneligibleCompany(models.Model):
    """A company whose primary business is healthcare products used on patients [A2]."""

    name = models.CharField(_("name"), max_length=200)
    # The matching key (see integrity.companies.normalize): "Pfizer Inc." and "Pfizer" meet here.
    key = models.CharField(max_length=200, unique=True, editable=False)
    kind = models.CharField(_("kind of business"), max_length=20, choices=CompanyKind.choices)
    website = models.URLField(_("website"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ineligible company")
        verbose_name_plural = _("ineligible companies")

    def __str__(self) -> str:
        return self.name


class CompanyAlias(models.Model):
    """Another name of a company: a former name, a subsidiary, a brand of the company."""

    company = models.ForeignKey(IneligibleCompany, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=200)
    key = models.CharField(max_length=200, unique=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Disclosure(models.Model):
    """One person's disclosure, as submitted: kept, never edited; a new one replaces it.

    It covers the 24 months before it was made [A5][A18] and is reused across
    activities until `valid_until`.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disclosures"
    )
    state = models.CharField(max_length=20, choices=DisclosureState.choices)
    submitted_at = models.DateTimeField(_("submitted"))
    covers_from = models.DateField(_("covers relationships since"))
    valid_until = models.DateField(_("valid until"))
    has_relationships = models.BooleanField(_("has financial relationships"), default=False)
    attestation = models.TextField(_("attestation as shown"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["person", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.person} {self.submitted_at:%Y-%m-%d} ({self.get_state_display()})"


class FinancialRelationship(models.Model):
    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="relationships"
    )
    company = models.ForeignKey(
        IneligibleCompany, on_delete=models.PROTECT, related_name="relationships"
    )
    nature = models.CharField(_("nature"), max_length=20, choices=RelationshipNature.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty if ongoing."))

    class Meta:
        ordering = ["company__name", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="relationship_ends_after_start",
                violation_error_message=_("A relationship cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} ({self.get_nature_display()})"


class RelevanceDecision(models.Model):
    """A reviewer's finding on one relationship for one activity's content [A6][A7].

    Relevance depends on the content a person controls, so it is decided per
    activity; a newer decision on the same relationship supersedes an older one.
    """

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="relevance_decisions"
    )
    relationship = models.ForeignKey(
        FinancialRelationship, on_delete=models.PROTECT, related_name="decisions"
    )
    relevant = models.BooleanField(_("relevant"))
    reason = models.TextField(_("reason"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.relationship}: {'relevant' if self.relevant else 'not relevant'}"


class Mitigation(models.Model):
    """How a relevant relationship was mitigated, documented [A6][A7]."""

    decision = models.ForeignKey(
        RelevanceDecision, on_delete=models.CASCADE, related_name="mitigations"
    )
    method = models.CharField(_("method"), max_length=30, choices=MitigationMethod.choices)
    details = models.TextField(_("details"), blank=True)
    peer_name = models.CharField(_("peer reviewer"), max_length=200, blank=True)
    peer_review_date = models.DateField(_("peer review date"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return self.get_method_display()


class OwnerEmployeeException(models.Model):
    """A reviewer's record that an owner or employee may control this content [A6][A7b]."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="owner_exceptions"
    )
    relationship = models.ForeignKey(
        FinancialRelationship, on_delete=models.PROTECT, related_name="exceptions"
    )
    exception = models.CharField(_("exception"), max_length=30, choices=ExclusionException.choices)
    reason = models.TextField(_("reason"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return self.get_exception_display()


class DisclosureReminder(models.Model):
    """A reminder sent before a disclosure expires: one per disclosure and lead time."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "days_before"], name="one_reminder_per_lead_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.disclosure}: {self.days_before} days before"


class LearnerDisclosureVersion(models.Model):
    """A version of the disclosure learners were shown, kept as shown [A3b][A6].

    One row per distinct text per page; `first_shown` says from when learners saw it.
    """

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="learner_disclosures"
    )
    scope = models.CharField(max_length=60)
    digest = models.CharField(max_length=64)
    lines = models.JSONField()
    first_shown = models.DateTimeField()

    class Meta:
        ordering = ["-first_shown", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "scope", "digest"], name="one_row_per_shown_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.first_shown:%Y-%m-%d %H:%M}"
