"""The fixed vocabularies of check-in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScanKind(models.TextChoices):
    # Arriving at the conference (the registration desk, the front door).
    ENTRY = "entry", _("Entry")
    # Entering and leaving one session's room: the scans attendance rests on.
    IN = "in", _("Session check-in")
    OUT = "out", _("Session check-out")


class ScanResult(models.TextChoices):
    OK = "ok", _("Checked")
    # The same person scanned again for the same thing: harmless, counted once.
    REPEAT = "repeat", _("Already checked")
    UNKNOWN = "unknown", _("Unknown badge")
    CANCELLED = "cancelled", _("Registration cancelled")
    NOT_REGISTERED = "not_registered", _("Not registered")
    NOT_SIGNED_UP = "not_signed_up", _("Not signed up for this workshop")
    WRONG_ACTIVITY = "wrong_activity", _("Badge of another conference")
    VIRTUAL_ONLY = "virtual_only", _("Registered to attend online")


# Results that let the person in.
ADMITTED = (ScanResult.OK, ScanResult.REPEAT)
