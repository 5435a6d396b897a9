"""The token in a certificate's QR code and verification link: signed, so it cannot be forged.

A token is "<certificate id>.<certificate key>" signed with the site's secret
under its own salt. The key is random and stored on the certificate, so an id
alone proves nothing, and numbers (printed on the certificate) never verify on
their own: knowing a number must not let anyone look up someone's credit.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

from cmeconf.credits.models import Certificate

_SALT = "cmeconf.credits.certificate"


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


def new_key() -> str:
    return secrets.token_urlsafe(12)


def certificate_token(certificate: Certificate) -> str:
    return _signer().sign(f"{certificate.pk}.{certificate.key}")


def verification_url(certificate: Certificate) -> str:
    """The absolute address of the certificate's verification page (what the QR code holds)."""
    return settings.SITE_URL + reverse("certificates:verify", args=[certificate_token(certificate)])


def parse_certificate_token(token: str) -> tuple[int, str] | None:
    """(certificate id, key) from a genuine token; None for a forged or altered one."""
    try:
        value = _signer().unsign(token.strip())
    except signing.BadSignature:
        return None
    pk, _dot, key = value.partition(".")
    if not pk.isdigit() or not key:
        return None
    return int(pk), key


def certificate_for_token(token: str) -> Certificate | None:
    """The certificate a token names; None when forged, altered or unknown."""
    parsed = parse_certificate_token(token)
    if parsed is None:
        return None
    pk, key = parsed
    certificate = Certificate.objects.filter(pk=pk).first()
    if certificate is None or not secrets.compare_digest(certificate.key, key):
        return None
    return certificate
