"""Learners' consent to share their name and contact details with ineligible companies."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SharingConsent(models.Model):
    """One opt-in, as given; withdrawing sets `withdrawn_at`, so the history stays [A4].

    Standard 2 allows sharing learner data with an ineligible company only with the
    learner's explicit consent; registration must work without it.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sharing_consents"
    )
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="sharing_consents"
    )
    wording = models.TextField()
    source = models.CharField(max_length=30)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "activity"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_open_consent_per_activity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} for {self.activity} since {self.given_at:%Y-%m-%d}"
