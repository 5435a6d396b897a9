"""Issuer keys and VC-JWT signatures for Open Badges 3.0 credentials.

Each provider signs its credentials with its own Ed25519 key (JOSE `alg`
"EdDSA", RFC 8037). The key is made the first time the provider signs; a
rotation makes a new one and retires the old, which stays published so that
credentials signed with it still verify.

A credential is secured as a compact JWS whose payload is the credential
itself (VC-JOSE-COSE for VC Data Model 2.0, which Open Badges 3.0 section 8.2
refers to), with the JWT claims Open Badges asks for beside it: `iss`
(issuer.id), `jti` (id), `nbf` (validFrom) and `sub` (credentialSubject.id).
The JOSE header carries `alg`, `kid` (a URL on this site that serves the
public key as a JWK; the same value is the key's `kid` in the issuer's JWK Set)
and `typ` "vc+jwt" (the media type VC-JOSE-COSE gives; Open Badges 3.0 text
written for VC 1.1 said "JWT", see the user documentation).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.common import audit
from cmeconf.credits.models import IssuerKey
from cmeconf.providers.models import Provider

ALGORITHM = "EdDSA"
JWT_TYPE = "vc+jwt"


# --- base64url (RFC 7515 section 2: no padding) ---------------------------------------


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


# --- keys --------------------------------------------------------------------------------


def public_jwk_of(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The OKP JWK of an Ed25519 public key (RFC 8037 section 2); never holds "d"."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}


def jwk_thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 thumbprint: SHA-256 of the required members in lexical order, no spaces."""
    required = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}
    data = json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
    return b64url_encode(hashlib.sha256(data).digest())


def key_url(key: IssuerKey) -> str:
    """The `kid` of the key in headers and in the JWK Set: the URL that serves its JWK."""
    return settings.SITE_URL + reverse("open_badges:issuer_key", args=[key.provider.slug, key.kid])


def published_jwk(key: IssuerKey) -> dict[str, str]:
    """The public JWK as published: the key, its `kid` URL, its algorithm and use."""
    return {**key.public_jwk, "kid": key_url(key), "alg": key.algorithm, "use": "sig"}


def _create_key(provider: Provider, *, actor: Any) -> IssuerKey:
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    jwk = public_jwk_of(private.public_key())
    key = IssuerKey.objects.create(
        provider=provider,
        kid=jwk_thumbprint(jwk),
        algorithm=ALGORITHM,
        private_key=pem,
        public_jwk=jwk,
        created=timezone.now(),
    )
    audit.record(
        "credits.issuer_key.created",
        actor=actor,
        obj=key,
        after={"kid": key.kid, "algorithm": key.algorithm, "public_jwk": jwk},
        provider_id=provider.pk,
        note="" if actor else "made for the provider's first signed credential",
    )
    return key


def current_key(provider: Provider, *, actor: Any = None) -> IssuerKey:
    """The provider's signing key, made on first use.

    Side effects: on first use, one IssuerKey row and an audit entry.
    """
    key = provider.issuer_keys.filter(retired_at__isnull=True).order_by("-created").first()
    if key is not None:
        return key
    with transaction.atomic():
        # Lock the provider row so that two first signatures do not make two keys.
        Provider.objects.select_for_update().filter(pk=provider.pk).first()
        key = provider.issuer_keys.filter(retired_at__isnull=True).order_by("-created").first()
        return key or _create_key(provider, actor=actor)


def rotate_key(provider: Provider, *, actor: Any) -> IssuerKey:
    """Retire the provider's current key(s) and make a new one.

    Retired keys stay in the JWK Set, so credentials they signed still verify.
    Side effects: the old keys get `retired_at`; a new IssuerKey; audit entries.
    """
    now = timezone.now()
    with transaction.atomic():
        Provider.objects.select_for_update().filter(pk=provider.pk).first()
        for old in provider.issuer_keys.filter(retired_at__isnull=True):
            old.retired_at = now
            old.save(update_fields=["retired_at"])
            audit.record(
                "credits.issuer_key.retired",
                actor=actor,
                obj=old,
                before={"retired_at": None},
                after={"retired_at": now},
                provider_id=provider.pk,
            )
        return _create_key(provider, actor=actor)


def jwks(provider: Provider) -> dict[str, list[dict[str, str]]]:
    """The provider's JWK Set (RFC 7517 section 5): current and retired public keys."""
    keys = provider.issuer_keys.order_by("-created")
    return {"keys": [published_jwk(k) for k in keys]}


# --- signing -------------------------------------------------------------------------------


def _numeric_date(value: str) -> int:
    """JWT NumericDate of an XML Schema dateTime that carries its zone (DateTimeZ)."""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a date and time without its time zone")
    return int(moment.timestamp())


def jwt_payload(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential with the JWT claims Open Badges 3.0 section 8.2 requires beside it."""
    issuer = credential["issuer"]
    payload = dict(credential)
    payload["iss"] = issuer["id"] if isinstance(issuer, dict) else issuer
    payload["jti"] = credential["id"]
    payload["nbf"] = _numeric_date(credential["validFrom"])
    subject_id = credential.get("credentialSubject", {}).get("id")
    if subject_id:
        payload["sub"] = subject_id
    if credential.get("validUntil"):
        payload["exp"] = _numeric_date(credential["validUntil"])
    return payload


def sign_credential(credential: dict[str, Any], key: IssuerKey) -> str:
    """The credential as a compact JWS (VC-JWT) signed with `key`."""
    header = {"alg": key.algorithm, "kid": key_url(key), "typ": JWT_TYPE}
    return sign_jws(header, jwt_payload(credential), key)


def sign_jws(header: dict[str, Any], payload: dict[str, Any], key: IssuerKey) -> str:
    """Compact JWS (RFC 7515 section 7.1) of a JSON payload, EdDSA over Ed25519."""
    if key.algorithm != ALGORITHM:
        raise ValueError(f"unsupported algorithm {key.algorithm}")
    private = serialization.load_pem_private_key(key.private_key.encode("ascii"), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError("issuer key is not an Ed25519 key")
    head = b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
    body = b64url_encode(
        json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    )
    signing_input = f"{head}.{body}".encode("ascii")
    return f"{head}.{body}.{b64url_encode(private.sign(signing_input))}"


# --- verification ---------------------------------------------------------------------------


@dataclass
class VerifyResult:
    """What verifying a VC-JWT found. `valid` means signed, intact, in force and not revoked."""

    valid: bool = False
    signature_valid: bool = False
    revoked: bool | None = None
    header: dict[str, Any] = field(default_factory=dict)
    credential: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def split_jws(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Header, payload, signature and signing input of a compact JWS; ValueError if malformed."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise ValueError("a compact JWS has three non-empty parts")
    header = json.loads(b64url_decode(parts[0]))
    payload = json.loads(b64url_decode(parts[1]))
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ValueError("header and payload are JSON objects")
    return header, payload, b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii")


def public_key_from_jwk(jwk: dict[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "d" in jwk:
        raise ValueError("not an Ed25519 public JWK")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))


def verify_jws(token: str, jwk_set: dict[str, Any]) -> VerifyResult:
    """Check a VC-JWT's signature against a JWK Set and the claims against the credential.

    Open Badges 3.0 section 8.2.4: the key named by `kid`, the EdDSA signature, then
    `iss`, `jti`, `sub` and `nbf` equal to the credential's issuer.id, id,
    credentialSubject.id and validFrom; validFrom has come and validUntil (if any)
    has not passed. Revocation is not looked at here (see `open_badges.verify_credential`).
    """
    result = VerifyResult()
    try:
        header, payload, signature, signing_input = split_jws(token)
    except (ValueError, UnicodeDecodeError):
        result.errors.append(_("This is not a signed credential (compact JWS)."))
        return result
    result.header = header
    if header.get("alg") != ALGORITHM:
        result.errors.append(_("Unsupported signature algorithm."))
        return result
    matching = [k for k in jwk_set.get("keys", []) if k.get("kid") == header.get("kid")]
    if not matching:
        result.errors.append(_("The signing key is not one of the issuer's published keys."))
        return result
    try:
        public_key_from_jwk(matching[0]).verify(signature, signing_input)
    except (InvalidSignature, ValueError):
        result.errors.append(_("The signature does not match: the credential was altered."))
        return result
    result.signature_valid = True
    credential = {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf", "sub", "exp")}
    result.credential = credential
    result.errors.extend(_claim_problems(payload, credential))
    result.valid = not result.errors
    return result


def _claim_problems(payload: dict[str, Any], credential: dict[str, Any]) -> list[str]:
    problems = []
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not issuer_id or payload.get("iss") != issuer_id:
        problems.append(_("The token's issuer (iss) differs from the credential's issuer."))
    if not credential.get("id") or payload.get("jti") != credential.get("id"):
        problems.append(_("The token's id (jti) differs from the credential's id."))
    subject = credential.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    if payload.get("sub") != subject_id:
        problems.append(_("The token's subject (sub) differs from the credential's subject."))
    try:
        valid_from = _numeric_date(credential["validFrom"])
    except (KeyError, TypeError, ValueError, AttributeError):
        problems.append(_("The credential has no valid validFrom date."))
    else:
        now = timezone.now().timestamp()
        if payload.get("nbf") != valid_from:
            problems.append(_("The token's nbf differs from the credential's validFrom."))
        elif valid_from > now:
            problems.append(_("The credential is not valid yet."))
    if credential.get("validUntil"):
        try:
            if _numeric_date(credential["validUntil"]) < timezone.now().timestamp():
                problems.append(_("The credential has expired."))
        except (TypeError, ValueError, AttributeError):
            problems.append(_("The credential's validUntil is not a date."))
    return problems
