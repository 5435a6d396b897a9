from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceSource(models.TextChoices):
    SCAN = "scan", _("Badge scans")
    ZOOM = "zoom", _("Zoom report")
    TEAMS = "teams", _("Microsoft Teams report")
    VIRTUAL = "virtual", _("Virtual presence")
    ADJUSTMENT = "adjustment", _("Staff adjustment")
