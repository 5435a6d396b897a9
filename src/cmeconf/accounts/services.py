"""Creating and changing people's accounts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from cmeconf.accounts.models import User
from cmeconf.common import audit

PROFILE_FIELDS = (
    "first_name", "last_name", "credentials", "profession", "specialty", "institution", "npi",
    "country", "region", "bio",
)  # fmt: skip


@transaction.atomic
def find_or_create_person(*, email: str, by, first_name: str = "", last_name: str = "",
                          **profile: Any) -> tuple[User, bool]:  # fmt: skip
    """The account with this e-mail address, or a new one without a password.

    Faculty and planners are often named before they have an account; they set
    a password later through an invitation or a password reset.
    Side effects: audit "person.created" when an account is made.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing, False
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip(), **profile)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record("person.created", actor=by, obj=user, after={"email": email})
    return user, True
