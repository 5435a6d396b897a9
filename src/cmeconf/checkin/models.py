"""Badge scans: entry to the conference, and in and out of each session."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cmeconf.checkin.choices import ScanKind, ScanResult


class Scan(models.Model):
    """One scan as a scanner saw it, admitted or refused.

    Every scan is kept, refused ones too, so that a retried request answers
    what the first one answered (`idempotency_key`) and staff can see what
    happened at the door. Session scans are paired into attendance intervals.
    """

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="scans"
    )
    registration = models.ForeignKey(
        "registration.Registration",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scans",
    )
    # Empty for entry to the conference.
    session = models.ForeignKey(
        "activities.Session",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scans",
    )
    kind = models.CharField(max_length=10, choices=ScanKind.choices)
    result = models.CharField(max_length=20, choices=ScanResult.choices)
    # When the scanner read the badge; differs from received_at for queued offline scans.
    scanned_at = models.DateTimeField()
    received_at = models.DateTimeField()
    device = models.CharField(max_length=100, blank=True)
    # How the person was found: "badge" (QR), "search" (staff picked a name), "kiosk".
    method = models.CharField(max_length=10, default="badge")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        ordering = ["scanned_at", "id"]
        indexes = [
            models.Index(fields=["session", "registration"]),
            models.Index(fields=["activity", "received_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "idempotency_key"], name="unique_scan_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_result_display()} at {self.scanned_at}"
