"""Measured attendance: intervals per learner per session, from every source."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cmeconf.attendance.choices import AttendanceSource


class AttendanceImport(models.Model):
    """One imported participant report (Zoom, Teams): what came in and what did not match."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="attendance_imports"
    )
    session = models.ForeignKey(
        "activities.Session", on_delete=models.CASCADE, related_name="attendance_imports"
    )
    source = models.CharField(max_length=12, choices=AttendanceSource.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField()
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.filename}"


class AttendanceInterval(models.Model):
    """A span of time a learner was present at a session, as one source saw it.

    Intervals are kept as recorded; minutes are computed by merging a learner's
    intervals across sources and clipping them to the session. A staff removal
    voids an interval with a reason; a staff addition is an interval of source
    "adjustment" with a reason.
    """

    session = models.ForeignKey(
        "activities.Session", on_delete=models.PROTECT, related_name="attendance"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    source = models.CharField(max_length=12, choices=AttendanceSource.choices)
    source_import = models.ForeignKey(
        AttendanceImport, on_delete=models.PROTECT, null=True, blank=True, related_name="intervals"
    )
    device = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["session", "person"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="interval_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.session}: {self.start:%H:%M}-{self.end:%H:%M}"
