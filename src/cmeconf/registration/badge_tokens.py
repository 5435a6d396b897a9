"""The token a badge's QR code holds: signed, so a badge cannot be guessed or forged.

A token is "<registration id>.<badge key>" signed with the site's secret. The
badge key is random and stored on the registration: issuing a new key (a lost
badge) voids every copy printed before, and the id alone finds nobody.
"""

from __future__ import annotations

import secrets

from django.core import signing

from cmeconf.registration.models import Registration

_SALT = "cmeconf.registration.badge"


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


def ensure_badge_key(registration: Registration) -> str:
    """The registration's badge key, made on first use."""
    if not registration.badge_key:
        registration.badge_key = secrets.token_urlsafe(12)
        # Only when still empty: two requests printing the first badge at once agree.
        Registration.objects.filter(pk=registration.pk, badge_key="").update(
            badge_key=registration.badge_key
        )
        registration.badge_key = Registration.objects.values_list("badge_key", flat=True).get(
            pk=registration.pk
        )
    return registration.badge_key


def reissue_badge_key(registration: Registration) -> str:
    """A new key: badges printed before stop working."""
    registration.badge_key = secrets.token_urlsafe(12)
    registration.save(update_fields=["badge_key"])
    return registration.badge_key


def badge_token(registration: Registration) -> str:
    return _signer().sign(f"{registration.pk}.{ensure_badge_key(registration)}")


def parse_badge_token(token: str) -> tuple[int, str] | None:
    """(registration id, badge key) from a genuine token, None for anything else."""
    try:
        value = _signer().unsign(token.strip())
    except signing.BadSignature:
        return None
    pk, _dot, key = value.partition(".")
    if not pk.isdigit() or not key:
        return None
    return int(pk), key


def registration_for_token(token: str, queryset=None) -> Registration | None:
    """The registration a badge token belongs to; None when forged, unknown or reissued."""
    parsed = parse_badge_token(token)
    if parsed is None:
        return None
    pk, key = parsed
    qs = queryset if queryset is not None else Registration.objects.all()
    registration = qs.filter(pk=pk).first()
    if registration is None or not secrets.compare_digest(registration.badge_key, key):
        return None
    return registration


def badge_code(registration: Registration) -> str:
    """A short code printed under the QR code, for typing at a kiosk when the camera fails."""
    return ensure_badge_key(registration)[:6].upper().replace("-", "X").replace("_", "Y")
