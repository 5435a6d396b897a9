"""Two-factor authentication: who has it, checking a code, the authenticator's QR code.

State changes (turning it on and off, new backup codes) are in services.py.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode, urlsplit

import segno
from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
TOTP_DIGITS = 6


def clean_code(code: str) -> str:
    """What people type, as the devices compare it: no spaces or dashes, lower case."""
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def has_two_factor(user) -> bool:
    """The person has confirmed an authenticator app, so every login asks for a code."""
    if getattr(user, "pk", None) is None:
        return False
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def needs_verification(user) -> bool:
    """Logged in with a password only, although the person uses two-factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified and is_verified()) and has_two_factor(user)


def backup_codes_left(user) -> int:
    return sum(d.token_set.count() for d in StaticDevice.objects.filter(user=user, confirmed=True))


def verify_code(user, code: str) -> Device | None:
    """The confirmed device that accepts `code` (authenticator code or backup code), or None.

    Each device throttles repeated failures and refuses a code it already
    accepted; a backup code is used up when it matches.
    """
    code = clean_code(code)
    if not code:
        return None
    # Six digits can only be an authenticator code; backup codes are eight letters and
    # digits. Trying the other kind too would count a failure there and throttle it.
    model = TOTPDevice if len(code) == TOTP_DIGITS and code.isdigit() else StaticDevice
    with transaction.atomic():
        devices = model.objects.filter(user_id=user.pk, confirmed=True).select_for_update()
        for device in devices:
            if device.verify_token(code):
                return device
    return None


def issuer() -> str:
    """The name an authenticator app shows above the code: this site's host name."""
    return urlsplit(settings.SITE_URL).hostname or "cmeconf"


def secret(device: TOTPDevice) -> str:
    """The key in base32, for typing into an app that cannot scan the QR code."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def secret_for_reading(device: TOTPDevice) -> str:
    """The key in groups of four, easier to copy by hand; apps ignore the spaces."""
    key = secret(device)
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI that authenticator apps read from the QR code."""
    name = issuer()
    label = quote(f"{name}:{device.user.email}")
    params = {
        "secret": secret(device),
        "issuer": name,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{label}?{urlencode(params)}"


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The provisioning URI as an SVG QR code in a data: URI (allowed by the page's CSP)."""
    qr = segno.make(provisioning_uri(device), error="m")
    return qr.svg_data_uri(scale=5, border=2, dark="#000000", light="#ffffff")


# Whether the person used two-factor when this session logged in, so that every staff page
# can ask "does this session owe a code?" without a query of its own.
SESSION_FLAG = "cmeconf_two_factor"


def remember_in_session(request, enabled: bool) -> None:
    request.session[SESSION_FLAG] = enabled


def session_needs_code(request) -> bool:
    """The session's person uses two-factor but has not entered a code in this session.

    Read from the flag set at login (and when the person turns two-factor on or
    off here); a session without the flag asks the database once.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    enabled = request.session.get(SESSION_FLAG)
    if enabled is None:
        enabled = has_two_factor(user)
        remember_in_session(request, enabled)
    is_verified = getattr(user, "is_verified", None)
    return bool(enabled) and not (is_verified and is_verified())
