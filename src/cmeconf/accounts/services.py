"""Creating and changing people's accounts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from cmeconf.accounts import twofactor
from cmeconf.accounts.models import User
from cmeconf.accounts.signals import profile_changed
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


# Sign-up and profile ------------------------------------------------------------------------

SIGN_UP_FIELDS = ("credentials", "profession", "specialty", "country", "region")


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    return email


def email_in_use(email: str, *, exclude: int | None = None) -> bool:
    """Some account has this address, in any letter case."""
    qs = User.objects.filter(email__iexact=(email or "").strip())
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def email_taken_error() -> ValidationError:
    # The same words whether the account has a password or was prepared by
    # staff: a stranger learns only that the address is known, and its owner
    # learns how to get in without anyone taking the account over.
    message = _(
        "There is already an account with this e-mail address. Log in, or, if you have no "
        "password yet or have forgotten it, use “Set your password” to get a link by e-mail."
    )
    return ValidationError({"email": ValidationError(message, code="email_taken")})


def create_account(
    *,
    email: str,
    password: str | None,
    first_name: str,
    last_name: str,
    by: Any = None,
    **profile: Any,
) -> User:
    """A new account with a password (sign-up, or an administrator adding someone).

    An address that is already known, in any letter case, is refused with
    `email_taken_error`, also when that account has no password: only a
    password reset sent to the address may give it one.
    Side effects: audit "person.created" (actor `by`, or the new person).
    """
    email = _normalise_email(email)
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip(), **profile)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password", "email"])
    try:
        with transaction.atomic():
            # Lock-free check first for the usual case; the unique index settles races.
            if email_in_use(email):
                raise email_taken_error()
            user.save()
    except IntegrityError as exc:
        raise email_taken_error() from exc
    audit.record(
        "person.created",
        actor=by or user,
        obj=user,
        after={"email": email, **audit.snapshot(user, ("first_name", "last_name", *profile))},
        note="sign-up" if by is None else "",
    )
    return user


def sign_up(*, email: str, password: str, first_name: str, last_name: str, **profile: Any) -> User:
    """Someone creates their own account. See `create_account` for the rules."""
    unknown = set(profile) - set(SIGN_UP_FIELDS)
    if unknown:
        raise TypeError(f"not asked at sign-up: {sorted(unknown)}")
    return create_account(
        email=email, password=password, first_name=first_name, last_name=last_name, **profile
    )


def update_profile(user: User, *, by: Any, **fields: Any) -> list[str]:
    """Change profile fields of `user`; returns the names of the fields that changed.

    Raises ValidationError (nothing saved) when a value is invalid, e.g. an NPI
    with a wrong check digit.
    Side effects: audit "person.updated" with the changed fields before and
    after; the `profile_changed` signal (so that pages naming the person are
    refreshed). Nothing happens when no value differs.
    """
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    # Compare with the stored row, not with a possibly stale object in memory.
    candidate = User.objects.get(pk=user.pk)
    changed = [name for name, value in fields.items() if getattr(candidate, name) != value]
    if not changed:
        return []
    before = audit.snapshot(candidate, changed)
    for name in changed:
        setattr(candidate, name, fields[name])
    candidate.full_clean(exclude=["password"], validate_unique=False)
    with transaction.atomic():
        candidate.save(update_fields=changed)
        audit.record(
            "person.updated",
            actor=by,
            obj=candidate,
            before=before,
            after=audit.snapshot(candidate, changed),
        )
    for name in changed:
        setattr(user, name, getattr(candidate, name))
    profile_changed.send(sender=User, user=user, fields=changed)
    return changed


def set_password(user: User, password: str, *, by: Any, reason: str = "changed") -> None:
    """Give `user` a new password (change, reset, or a first password after an invitation).

    Side effects: audit "person.password_set" (never the password itself).
    The caller keeps the current session with `update_session_auth_hash`.
    """
    had_password = user.has_usable_password()
    user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        audit.record(
            "person.password_set",
            actor=by,
            obj=user,
            note=reason if had_password else f"{reason}; first password",
        )


# API tokens ---------------------------------------------------------------------------------


def api_token(user: User) -> Token | None:
    return Token.objects.filter(user=user).first()


def create_api_token(user: User, *, by: Any) -> Token:
    """A new API token for `user`, replacing any earlier one (which stops working).

    Side effects: audit "person.api_token_created" (never the key).
    """
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0] > 0
        token = Token.objects.create(user=user)
        audit.record(
            "person.api_token_created",
            actor=by,
            obj=user,
            note="replaced the earlier token" if replaced else "",
        )
    return token


def revoke_api_token(user: User, *, by: Any) -> bool:
    """Delete the API token of `user`; False when there was none.

    Side effects: audit "person.api_token_revoked".
    """
    with transaction.atomic():
        deleted = Token.objects.filter(user=user).delete()[0] > 0
        if deleted:
            audit.record("person.api_token_revoked", actor=by, obj=user)
    return deleted


# Two-factor authentication -------------------------------------------------------------------


def start_two_factor(user: User, *, by: Any) -> TOTPDevice:
    """The unconfirmed authenticator device to show as a QR code (made once, then reused).

    No audit: nothing changes for the person until `confirm_two_factor`.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def confirm_two_factor(device: TOTPDevice, code: str, *, by: Any) -> list[str] | None:
    """Turn two-factor on once the person proves the app works; returns the backup codes.

    None (and nothing changed) when `code` is not the app's current code.
    Side effects: the device is confirmed, other authenticator devices and old
    backup codes are removed, ten new single-use backup codes are made;
    audit "person.two_factor_enabled".
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed or not device.verify_token(twofactor.clean_code(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        codes = _replace_backup_codes(device.user)
        audit.record("person.two_factor_enabled", actor=by, obj=device.user)
    return codes


def _replace_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("Backup codes"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(twofactor.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def new_backup_codes(user: User, *, by: Any) -> list[str]:
    """Replace the backup codes of a person with two-factor on; the old ones stop working.

    Side effects: audit "person.backup_codes_replaced".
    """
    with transaction.atomic():
        codes = _replace_backup_codes(user)
        audit.record("person.backup_codes_replaced", actor=by, obj=user)
    return codes


def disable_two_factor(user: User, *, by: Any) -> None:
    """Turn two-factor off: remove the authenticator and the backup codes.

    The caller has checked a current code (or is an administrator acting on a
    lost phone). Side effects: audit "person.two_factor_disabled".
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record("person.two_factor_disabled", actor=by, obj=user)


ACCOUNT_FIELDS = ("email", "is_active", "is_staff", "is_superuser")


def update_account(user: User, *, by: Any, **fields: Any) -> list[str]:
    """Change what an administrator controls: e-mail address, active, admin rights.

    Raises ValidationError for an invalid or already used e-mail address.
    Side effects: audit "person.account_changed" with the changed fields.
    """
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"unknown account fields: {sorted(unknown)}")
    if "email" in fields:
        fields["email"] = _normalise_email(fields["email"])
    candidate = User.objects.get(pk=user.pk)
    changed = [name for name, value in fields.items() if getattr(candidate, name) != value]
    if not changed:
        return []
    before = audit.snapshot(candidate, changed)
    for name in changed:
        setattr(candidate, name, fields[name])
    try:
        with transaction.atomic():
            if "email" in changed and email_in_use(candidate.email, exclude=user.pk):
                raise email_taken_error()
            candidate.save(update_fields=changed)
            audit.record(
                "person.account_changed",
                actor=by,
                obj=candidate,
                before=before,
                after=audit.snapshot(candidate, changed),
            )
    except IntegrityError as exc:
        raise email_taken_error() from exc
    for name in changed:
        setattr(user, name, getattr(candidate, name))
    return changed
