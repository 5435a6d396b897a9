"""Accredited providers, their accreditations and their teams."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cmeconf.providers.permissions import ALL_PERMISSIONS


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(tz)s is not a known time zone."), params={"tz": value})


RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "accounts",
        "certificates",
        "disclosure",
        "licensure",
        "payments",
        "sharing",
        "transcript",
        "staff",
        "static",
        "media",
        "ws",
        "healthz",
        "search",
        "about",
    }
)


def validate_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved; choose another."), params={"slug": value})


class Accreditor(models.TextChoices):
    ACCME = "ACCME", _("ACCME (Accreditation Council for Continuing Medical Education)")
    JA = "JA", _("Joint Accreditation for Interprofessional Continuing Education")
    ANCC = "ANCC", _("ANCC (American Nurses Credentialing Center)")
    ACPE = "ACPE", _("ACPE (Accreditation Council for Pharmacy Education)")
    AAPA = "AAPA", _("AAPA (American Academy of PAs)")
    AOA = "AOA", _("AOA (American Osteopathic Association)")
    STATE = "STATE", _("State medical society (recognized by ACCME)")
    RCPSC = "RCPSC", _("Royal College of Physicians and Surgeons of Canada")
    EACCME = "EACCME", _("EACCME (European Accreditation Council for CME)")
    OTHER = "OTHER", _("Other")


class Provider(models.Model):
    """An accredited organisation: everything else hangs off one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name"), max_length=50, unique=True, validators=[validate_not_reserved]
    )
    logo = models.ImageField(_("logo"), upload_to="providers/logos/", blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return self.name


class Accreditation(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="accreditations")
    accreditor = models.CharField(_("accreditor"), max_length=10, choices=Accreditor.choices)
    identifier = models.CharField(
        _("provider ID"), max_length=50, help_text=_("The ID the accreditor gave the provider.")
    )
    valid_until = models.DateField(_("accredited until"), null=True, blank=True)

    class Meta:
        ordering = ["accreditor"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "accreditor"], name="one_accreditation_per_accreditor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.accreditor} {self.identifier}"


def validate_permissions(value: list) -> None:
    if not isinstance(value, list) or not set(value) <= ALL_PERMISSIONS:
        raise ValidationError(_("Unknown permission in %(value)s."), params={"value": value})


class Team(models.Model):
    """A group of staff of one provider, for all or some of its activities."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="teams", blank=True, verbose_name=_("members")
    )
    all_activities = models.BooleanField(_("applies to all activities"), default=False)
    activities = models.ManyToManyField(
        "activities.Activity", related_name="teams", blank=True, verbose_name=_("activities")
    )
    permissions = models.JSONField(
        _("permissions"), default=list, validators=[validate_permissions]
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="unique_team_name")
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.name}"
