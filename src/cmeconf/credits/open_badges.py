"""A certificate as an Open Badges 3.0 verifiable credential (W3C VC Data Model 2.0).

`build_credential(certificate)` makes the OpenBadgeCredential (AchievementCredential)
of one certificate from its row and its claim; `credential_jwt` signs it with the
provider's key (see `credits.signing`); `verify_credential` checks a signed one the
way an outside verifier would, plus revocation.

What the credential says follows the certificate rules: the learner, the provider,
the activity's title, dates and format, and per credit type the credit awarded
(what was claimed, not the maximum) beside the maximum designated [M6][A12]; the
certificate number. The learner appears only as a salted SHA-256 hash of the
e-mail address (an Open Badges IdentityObject), never the plain address.

The same certificate always gives the same credential: ids and the salt are
derived from the certificate's own random key, not drawn anew, so a second
download is byte for byte the first (Ed25519 signatures are deterministic too)
until the provider's key is rotated.

Revocation: a revoked or superseded certificate's credential is marked in the
provider's Bitstring Status List (W3C "Bitstring Status List v1.0",
`BitstringStatusListEntry`, purpose "revocation"). The list's index of a
certificate is its database id; list number n covers ids n*131072 .. n*131072+131071,
the minimum list size the standard sets (16 KB).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cmeconf.credits import signing
from cmeconf.credits.models import Certificate
from cmeconf.credits.types import REGISTRY
from cmeconf.providers.models import Provider

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Open Badges 3.0 achievementType: no "continuing education" value exists; the
# certificate of a CME activity is a certificate of completion of it.
ACHIEVEMENT_TYPE = "CertificateOfCompletion"
STATUS_LIST_SIZE = 131_072  # bits: the minimum (16 KB) of Bitstring Status List v1.0
# Achievement ids: the same for every learner of one activity and credit type.
_ACHIEVEMENT_NS = uuid.UUID("6f1c51a2-3b7e-4c53-9a1e-0b8f5b0f2d11")


# --- identifiers ------------------------------------------------------------------------------


def _derived(certificate: Certificate, purpose: str) -> bytes:
    """Stable bytes for one certificate and purpose, unguessable without its random key."""
    secret = certificate.key or settings.SECRET_KEY
    message = f"open-badges:{purpose}:{certificate.number}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _uuid(raw: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=raw[:16], version=4)


def credential_uuid(certificate: Certificate) -> uuid.UUID:
    return _uuid(_derived(certificate, "credential"))


def credential_id(certificate: Certificate) -> str:
    return f"urn:uuid:{credential_uuid(certificate)}"


def subject_id(certificate: Certificate) -> str:
    """The credential subject's id (the JWT `sub`): a pseudonym, not the learner's address."""
    return f"urn:uuid:{_uuid(_derived(certificate, 'subject'))}"


def identity_hash(email: str, salt: str) -> str:
    """Open Badges IdentityHash: "sha256$" and the hex SHA-256 of the address and the salt.

    The address is lower-cased and trimmed first, so that a verifier who hashes
    what the learner types gets the same value.
    """
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def email_matches(credential: dict[str, Any], email: str) -> bool:
    """Whether the credential was issued to this e-mail address (a verifier's check)."""
    for ident in credential.get("credentialSubject", {}).get("identifier", []):
        if ident.get("identityType") == "emailAddress" and ident.get("hashed"):
            expected = identity_hash(email, ident.get("salt", ""))
            if hmac.compare_digest(expected, ident.get("identityHash", "")):
                return True
    return False


# --- URLs -------------------------------------------------------------------------------------


def _absolute(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(f"open_badges:{name}", args=args)


def profile_url(provider: Provider) -> str:
    return _absolute("issuer_profile", provider.slug)


def status_list_number(certificate: Certificate) -> int:
    return certificate.pk // STATUS_LIST_SIZE


def status_list_index(certificate: Certificate) -> int:
    return certificate.pk % STATUS_LIST_SIZE


def status_list_url(provider: Provider, number: int) -> str:
    return _absolute("status_list", provider.slug, number)


def status_url(certificate: Certificate) -> str:
    """The plain-JSON status check of one credential."""
    return _absolute("credential_status", certificate.number, str(credential_uuid(certificate)))


# --- the credential ---------------------------------------------------------------------------


def _iso(value: dt.datetime) -> str:
    """XML Schema dateTime with its zone, to the second (Open Badges DateTimeZ)."""
    value = value.astimezone(dt.UTC).replace(microsecond=0)
    return value.isoformat().replace("+00:00", "Z")


def _local_iso(value: dt.datetime) -> str:
    """DateTimeZ with the offset of the value's own zone."""
    return value.replace(microsecond=0).isoformat()


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def issuer_profile(provider: Provider, *, with_keys: bool = False) -> dict[str, Any]:
    """The provider as an Open Badges `Profile`; with its public keys when served alone."""
    profile: dict[str, Any] = {
        "id": profile_url(provider),
        "type": ["Profile"],
        "name": provider.name,
    }
    if provider.website:
        profile["url"] = provider.website
    if provider.contact_email:
        profile["email"] = provider.contact_email
    if provider.contact_phone:
        profile["phone"] = provider.contact_phone
    if with_keys:
        profile = {"@context": [VC_CONTEXT, OB_CONTEXT], **profile}
        # The keys as JSON Web Keys, in the form W3C Controlled Identifiers give
        # (`verificationMethod` of type JsonWebKey); the JWK Set has the same keys.
        profile["verificationMethod"] = [
            {
                "id": jwk["kid"],
                "type": "JsonWebKey",
                "controller": profile["id"],
                "publicKeyJwk": {k: v for k, v in jwk.items() if k != "kid"},
            }
            for jwk in signing.jwks(provider)["keys"]
        ]
        profile["jwksUri"] = _absolute("issuer_jwks", provider.slug)
    return profile


def _unit(code: str, amount: Decimal) -> str:
    """The credit type's unit as certificates print it ("AMA PRA Category 1 Credits™")."""
    rule = REGISTRY.get(code)
    if rule is None:
        return code
    return rule.unit if amount == 1 else rule.unit_plural


def build_credential(certificate: Certificate) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of a certificate (no proof; see `credential_jwt`).

    Awarded is what the learner claimed; the maximum designated is the achievement's
    `creditsAvailable` [M6]. Valid from the moment the certificate was issued. Written
    in the site's language whatever the reader's, so that it reads the same each time.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _build_credential(certificate)


def _frozen(certificate: Certificate, *path: str) -> Any:
    """A value of what the certificate said when issued (`Certificate.content`), or None."""
    value: Any = certificate.content or {}
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value if value not in ("", None) else None


def _frozen_decimal(certificate: Certificate, *path: str, default: Decimal) -> Decimal:
    try:
        return Decimal(str(_frozen(certificate, *path)))
    except (ArithmeticError, ValueError):
        return Decimal(default)


def _frozen_day(certificate: Certificate, *path: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(_frozen(certificate, *path)))
    except ValueError:
        return default


def _build_credential(certificate: Certificate) -> dict[str, Any]:
    # What the certificate said when issued wins over today's rows, so that renaming the
    # activity later does not rewrite the credential; the rows fill what it did not say.
    claim = certificate.claim
    activity = claim.activity
    provider = activity.provider
    designation = claim.designation
    title = _frozen(certificate, "activity") or activity.title
    amount = _frozen_decimal(certificate, "credit", "awarded", default=claim.amount)
    maximum = _frozen_decimal(certificate, "credit", "maximum", default=designation.maximum)
    uan = _frozen(certificate, "credit", "uan") or designation.uan
    board = f" ({claim.board})" if claim.board else ""
    # The learner's days where the certificate names them, else the activity's.
    first = _frozen_day(certificate, "dates", "start", default=activity.start_date)
    last = _frozen_day(certificate, "dates", "end", default=activity.end_date)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=activity.tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=activity.tz)
    salt = _derived(certificate, "salt").hex()[:32]

    achievement: dict[str, Any] = {
        "id": "urn:uuid:"
        + str(
            uuid.uuid5(
                _ACHIEVEMENT_NS,
                f"{settings.SITE_URL}|{activity.pk}|{claim.credit_type}|{claim.board}",
            )
        ),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPE,
        "name": title,
        "description": activity.description.strip()
        or _("%(activity)s, a continuing education activity of %(provider)s.")
        % {"activity": title, "provider": provider.name},
        "criteria": {
            "narrative": _(
                "Take part in the activity, complete its evaluation where the provider "
                "requires one, and claim credit for the time of participation. The credit "
                "awarded is the time taken part, never more than the maximum designated: "
                "%(maximum)s %(label)s%(board)s."
            )
            % {
                "maximum": maximum,
                "label": _unit(claim.credit_type, maximum),
                "board": board,
            }
        },
        "creditsAvailable": _number(maximum),
        "creator": issuer_profile(provider),
    }
    if uan:
        # ACPE Universal Activity Number [P1][P11].
        achievement["humanCode"] = uan
        achievement["otherIdentifier"] = [
            {"type": "IdentifierEntry", "identifier": uan, "identifierType": "ext:UAN"}
        ]

    subject: dict[str, Any] = {
        "id": subject_id(certificate),
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityHash": identity_hash(claim.person.email, salt),
                "identityType": "emailAddress",
                "salt": salt,
            }
        ],
        "achievement": achievement,
        "creditsEarned": _number(amount),
        # In the activity's own time zone, so that the days read as the program's days.
        "activityStartDate": _local_iso(start),
        "activityEndDate": _local_iso(end - dt.timedelta(seconds=1)),
        "result": [
            {
                "type": ["Result"],
                "status": "Completed",
                "value": f"{amount} {_unit(claim.credit_type, amount)}",
            }
        ],
    }
    description = _(
        "Certificate %(number)s: %(amount)s of a maximum of %(maximum)s %(unit)s%(board)s "
        "awarded for %(activity)s (%(start)s to %(end)s)."
    ) % {
        "number": certificate.number,
        "amount": amount,
        "maximum": maximum,
        "unit": _unit(claim.credit_type, maximum),
        "board": board,
        "activity": title,
        "start": first.isoformat(),
        "end": last.isoformat(),
    }
    # The accreditation and designation statements the certificate printed [M5][A12].
    statements = _frozen(certificate, "statements")
    if isinstance(statements, list):
        description = " ".join([description, *(str(x) for x in statements if x)])
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": _("%(activity)s: %(amount)s %(label)s%(board)s")
        % {
            "activity": title,
            "amount": amount,
            "label": _unit(claim.credit_type, amount),
            "board": board,
        },
        "description": description,
        "issuer": issuer_profile(provider),
        "validFrom": _iso(certificate.issued_at),
        "awardedDate": _iso(certificate.issued_at),
        "credentialSubject": subject,
        "evidence": [
            {
                "type": ["Evidence"],
                "name": _("Certificate %(number)s") % {"number": certificate.number},
                "description": _(
                    "The certificate of credit this credential stands for; its number is "
                    "printed on the certificate."
                ),
            }
        ],
        "credentialStatus": {
            "id": f"{status_list_url(provider, status_list_number(certificate))}"
            f"#{status_list_index(certificate)}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_list_index(certificate)),
            "statusListCredential": status_list_url(provider, status_list_number(certificate)),
        },
    }


def credential_jwt(certificate: Certificate, *, actor: Any = None) -> str:
    """The credential signed with the provider's current key (made on first use)."""
    provider = certificate.claim.activity.provider
    key = signing.current_key(provider, actor=actor)
    return signing.sign_credential(build_credential(certificate), key)


# --- status ---------------------------------------------------------------------------------


def is_withdrawn(certificate: Certificate) -> bool:
    """Revoked, or replaced by the certificate of a corrected claim."""
    return certificate.revoked_at is not None or certificate.superseded_at is not None


def status_of(certificate: Certificate) -> dict[str, Any]:
    """The public status of one credential: revoked or not, and why in one word."""
    if certificate.revoked_at is not None:
        reason = "revoked"
    elif certificate.superseded_at is not None:
        reason = "superseded"
    else:
        reason = ""
    return {
        "id": credential_id(certificate),
        "revoked": bool(reason),
        "reason": reason,
        "checked": _iso(timezone.now()),
    }


def encode_bitstring(indices: list[int], size: int = STATUS_LIST_SIZE) -> str:
    """Bitstring Status List `encodedList`: GZIP, base64url without padding, prefix "u".

    Index 0 is the left-most bit: the most significant bit of the first byte.
    """
    bits = bytearray(size // 8)
    for index in indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + signing.b64url_encode(gzip.compress(bytes(bits), mtime=0))


def decode_bitstring(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is multibase base64url, prefix u")
    return gzip.decompress(signing.b64url_decode(encoded[1:]))


def bit_is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(provider: Provider, number: int) -> dict[str, Any]:
    """The provider's BitstringStatusListCredential number `number` (unsigned)."""
    low, high = number * STATUS_LIST_SIZE, (number + 1) * STATUS_LIST_SIZE
    withdrawn = Certificate.objects.filter(
        claim__activity__provider=provider, pk__gte=low, pk__lt=high
    ).exclude(revoked_at__isnull=True, superseded_at__isnull=True)
    url = status_list_url(provider, number)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": profile_url(provider),
        "validFrom": _iso(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bitstring(
                [pk - low for pk in withdrawn.values_list("pk", flat=True)]
            ),
        },
    }


def status_list_jwt(provider: Provider, number: int) -> str:
    key = signing.current_key(provider)
    return signing.sign_credential(status_list_credential(provider, number), key)


# --- verification ---------------------------------------------------------------------------


def verify_credential(
    token: str, *, fetch_json: Callable[[str], dict[str, Any]] | None = None
) -> signing.VerifyResult:
    """Verify a credential JWT as a verifier would, and say whether it is revoked.

    The issuer's JWK Set is fetched from the issuer's own address (`iss` + "jwks.json")
    through `fetch_json(url)`; without one, the keys are read from this platform's
    database. Then the signature and claims (`signing.verify_jws`), then the status:
    a revoked or superseded certificate is reported `revoked` and is not valid.
    """
    result = signing.VerifyResult()
    try:
        _header, payload, _sig, _input = signing.split_jws(token)
    except (ValueError, UnicodeDecodeError):
        result.errors.append(_("This is not a signed credential (compact JWS)."))
        return result
    provider = _provider_of_issuer(str(payload.get("iss", "")))
    if provider is None:
        result.errors.append(_("The issuer is not a provider on this platform."))
        return result
    if fetch_json is not None:
        try:
            jwk_set = fetch_json(_absolute("issuer_jwks", provider.slug))
        except Exception:  # any failure to fetch means: cannot verify
            result.errors.append(_("The issuer's keys could not be fetched."))
            return result
    else:
        jwk_set = signing.jwks(provider)
    result = signing.verify_jws(token, jwk_set)
    if not result.signature_valid:
        return result
    certificate = _certificate_of(result.credential, provider)
    if certificate is None:
        result.errors.append(_("This platform has no record of this credential."))
        result.valid = False
        return result
    result.revoked = is_withdrawn(certificate)
    if result.revoked:
        result.errors.append(
            _("The provider has revoked this certificate.")
            if certificate.revoked_at
            else _("This certificate was replaced by a corrected one.")
        )
    result.valid = not result.errors
    return result


def _provider_of_issuer(issuer_id: str) -> Provider | None:
    """The provider whose issuer profile on this site has this address."""
    if not issuer_id.startswith(settings.SITE_URL + "/"):
        return None
    try:
        match = resolve(issuer_id[len(settings.SITE_URL) :])
    except Resolver404:
        return None
    if match.view_name != "open_badges:issuer_profile":
        return None
    provider = Provider.objects.filter(slug=match.kwargs["provider"]).first()
    if provider is None or profile_url(provider) != issuer_id:
        return None
    return provider


def _certificate_of(credential: dict[str, Any], provider: Provider) -> Certificate | None:
    """The certificate a credential stands for, found through its status entry."""
    status = credential.get("credentialStatus") or {}
    try:
        index = int(status.get("statusListIndex", ""))
        list_url = str(status.get("statusListCredential", ""))
        number = int(list_url.rstrip("/").rsplit("/", 1)[-1])
    except ValueError:
        return None
    if list_url != status_list_url(provider, number) or not 0 <= index < STATUS_LIST_SIZE:
        return None
    certificate = (
        Certificate.objects.select_related("claim__activity__provider")
        .filter(pk=number * STATUS_LIST_SIZE + index, claim__activity__provider=provider)
        .first()
    )
    if certificate is None or credential_id(certificate) != credential.get("id"):
        return None
    return certificate
