"""Public certificate pages: verification by the signed token, and the learner's PDF.

The verification page needs no login: whoever holds the link (the QR code on the
paper) sees whether the certificate is genuine and what it says, nothing more
(no e-mail, no other claims). Numbers alone never verify, so nobody can walk
through certificate numbers; staff look numbers up on their own page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cmeconf.accounts.twofactor import session_needs_code
from cmeconf.credits import certificates
from cmeconf.credits.certificate_tokens import certificate_for_token
from cmeconf.credits.designation import Part, statement_parts
from cmeconf.credits.models import Certificate
from cmeconf.credits.types import REGISTRY


@require_safe
def verify(request: HttpRequest, token: str) -> HttpResponse:
    cert = certificate_for_token(token)
    if cert is None:
        response = render(
            request, "credits/certificate_verify.html", {"genuine": False}, status=404
        )
    else:
        response = render(
            request,
            "credits/certificate_verify.html",
            {
                "genuine": True,
                "status": certificates.status_of(cert),
                "revoked_on": cert.revoked_at,
                "c": cert.content,
                "statements": _statements(cert.content),
            },
        )
    # What the page says changes when the certificate is revoked or replaced.
    response["Cache-Control"] = "no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


def _statements(content: dict) -> list:
    """The certificate's statements in parts, the trademarked credit phrase set apart
    to be printed in italics as on the certificate [M11]."""
    code = content.get("credit", {}).get("type", "")
    texts = content.get("statements", [])
    if code not in REGISTRY:
        return [(Part(text),) for text in texts]
    return [statement_parts(text, REGISTRY[code]) for text in texts]


@login_required
@require_safe
def download(request: HttpRequest, number: str) -> HttpResponse:
    """The PDF: the learner's own certificate in force, or any to the activity's staff."""
    cert = (
        Certificate.objects.select_related("claim__activity__provider")
        .filter(number=number.upper())
        .first()
    )
    if cert is None or not certificates.may_download(request.user, cert):
        raise Http404(_("No such certificate."))
    staff = cert.claim.person_id != request.user.pk
    if staff and session_needs_code(request):
        # Staff read a learner's record only after their second factor, as on every staff page.
        code_url = reverse("accounts:login_code")
        return redirect(f"{code_url}?{urlencode({'next': request.get_full_path()})}")
    if not staff and certificates.status_of(cert) != "valid":
        raise Http404(_("This certificate was replaced or revoked."))
    response = HttpResponse(certificates.certificate_file(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
