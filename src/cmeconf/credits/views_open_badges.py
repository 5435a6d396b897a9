"""Open Badges 3.0 pages: the credential downloads, the issuer's profile and keys, status.

Public (no login): the issuer profile, its JWK Set and keys, the status list, the
status of one credential (by number and credential id together, so that nobody can
walk the certificate numbers) and the verify endpoint. The credential itself is
for the learner who owns it and for the provider's staff with the credit or reports
permission; anyone else gets 404, as if the certificate did not exist.
"""

from __future__ import annotations

import json
import uuid

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cmeconf.accounts.twofactor import session_needs_code
from cmeconf.credits import open_badges, signing
from cmeconf.credits.models import Certificate
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission, permission_set

JSON_LD = "application/ld+json"
VC_JWT = "application/vc+jwt"
MAX_TOKEN_BYTES = 64 * 1024


def _json(data: dict, *, content_type: str = "application/json", status: int = 200):
    response = JsonResponse(data, status=status, json_dumps_params={"indent": 2})
    response["Content-Type"] = content_type
    response["Access-Control-Allow-Origin"] = "*"  # verifiers fetch these from anywhere
    return response


# --- downloads ---------------------------------------------------------------------------------


def _certificate_for(request: HttpRequest, number: str) -> Certificate | HttpResponse:
    """The certificate if this person may download its credential; 404 otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    certificate = (
        Certificate.objects.select_related(
            "claim__person", "claim__designation", "claim__activity__provider"
        )
        .filter(number=number)
        .first()
    )
    if certificate is None:
        raise Http404(_("No such certificate."))
    activity = certificate.claim.activity
    if certificate.claim.person_id != request.user.pk:
        perms = permission_set(request.user, activity.provider, activity)
        if not perms & {Permission.CREDIT, Permission.REPORTS}:
            raise Http404(_("No such certificate."))
        if session_needs_code(request):
            code_url = reverse("accounts:login_code")
            return redirect(f"{code_url}?{urlencode({'next': request.get_full_path()})}")
    if open_badges.is_withdrawn(certificate):
        return HttpResponse(
            _("This certificate was revoked or replaced; it has no credential to download."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    return certificate


@require_GET
@never_cache
def credential_jwt(request: HttpRequest, number: str) -> HttpResponse:
    found = _certificate_for(request, number)
    if isinstance(found, HttpResponse):
        return found
    token = open_badges.credential_jwt(found)
    response = HttpResponse(token, content_type=VC_JWT)
    response["Content-Disposition"] = f'attachment; filename="{found.number}.jwt"'
    return response


@require_GET
@never_cache
def credential_json(request: HttpRequest, number: str) -> HttpResponse:
    found = _certificate_for(request, number)
    if isinstance(found, HttpResponse):
        return found
    body = json.dumps(open_badges.build_credential(found), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.number}.json"'
    return response


# --- the issuer ----------------------------------------------------------------------------------


@require_GET
@cache_control(public=True, max_age=60)
def issuer_profile(request: HttpRequest, provider: str) -> HttpResponse:
    prov = get_object_or_404(Provider, slug=provider)
    return _json(open_badges.issuer_profile(prov, with_keys=True), content_type=JSON_LD)


@require_GET
@cache_control(public=True, max_age=60)
def issuer_jwks(request: HttpRequest, provider: str) -> HttpResponse:
    prov = get_object_or_404(Provider, slug=provider)
    return _json(signing.jwks(prov), content_type="application/jwk-set+json")


@require_GET
@cache_control(public=True, max_age=60)
def issuer_key(request: HttpRequest, provider: str, kid: str) -> HttpResponse:
    prov = get_object_or_404(Provider, slug=provider)
    key = get_object_or_404(prov.issuer_keys, kid=kid)
    return _json(signing.published_jwk(key), content_type="application/jwk+json")


# --- status ------------------------------------------------------------------------------------


@require_GET
@cache_control(public=True, max_age=60)
def status_list(request: HttpRequest, provider: str, number: int) -> HttpResponse:
    """The provider's Bitstring Status List credential, signed (vc+jwt)."""
    prov = get_object_or_404(Provider, slug=provider)
    response = HttpResponse(open_badges.status_list_jwt(prov, number), content_type=VC_JWT)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@never_cache
def credential_status(request: HttpRequest, number: str, credential: uuid.UUID) -> HttpResponse:
    certificate = get_object_or_404(Certificate, number=number)
    if open_badges.credential_uuid(certificate) != credential:
        raise Http404(_("No such credential."))
    return _json(open_badges.status_of(certificate))


@csrf_exempt  # a public API for verifiers: no cookies are read, nothing changes
@require_POST
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Check a credential JWT (the request body, or the form field `credential`)."""
    if len(request.body) > MAX_TOKEN_BYTES:
        return _json({"valid": False, "errors": [_("Too large.")]}, status=413)
    form = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
    token = request.POST.get("credential", "") if form else request.body.decode("utf-8", "replace")
    token = token.strip()
    result = open_badges.verify_credential(token)
    return _json(
        {
            "valid": result.valid,
            "signature_valid": result.signature_valid,
            "revoked": result.revoked,
            "errors": [str(e) for e in result.errors],
            "credential": result.credential if result.signature_valid else None,
        }
    )
