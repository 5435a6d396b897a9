"""People: one account per e-mail address, with the profile CME needs."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cmeconf.accounts.rules import Profession, npi_is_valid


def validate_npi(value: str) -> None:
    if value and not npi_is_valid(value):
        raise ValidationError(
            _("An NPI has 10 digits and a valid check digit; please check the number."),
            code="invalid_npi",
        )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Faculty invited without signing up have an unusable password."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    credentials = models.CharField(
        _("credentials"), max_length=100, blank=True, help_text=_("For example: MD, FACP")
    )
    profession = models.CharField(
        _("profession"), max_length=30, choices=Profession.choices, blank=True
    )
    specialty = models.CharField(_("specialty"), max_length=100, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    npi = models.CharField(
        _("NPI"),
        max_length=10,
        blank=True,
        validators=[validate_npi],
        help_text=_("US National Provider Identifier, 10 digits."),
    )
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO code"))
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    bio = models.TextField(_("short biography"), blank=True)
    is_staff = models.BooleanField(
        _("site administrator"),
        default=False,
        help_text=_("May use the Django admin. Provider staff need only a team."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        name = self.full_name or self.email
        return f"{name}, {self.credentials}" if self.credentials else name

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name
