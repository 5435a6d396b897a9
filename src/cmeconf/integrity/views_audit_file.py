"""Staff download of the activity file (the accreditor's audit export).

Reporting or review staff of the activity; every download is recorded in the
audit trail with who took it and the SHA-256 of what they took.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cmeconf.integrity import audit_file
from cmeconf.providers.access import staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

# Reports staff answer the accreditor; reviewers keep the disclosure half of the file.
ALLOWED = frozenset({Permission.REPORTS, Permission.REVIEW})

CONTENT_TYPES = {"zip": "application/zip", "pdf": "application/pdf"}


def _download(request: HttpRequest, activity, kind: str) -> HttpResponse:
    if not ALLOWED & request.perms:
        raise PermissionDenied(_("Your teams do not allow this."))
    build = audit_file.activity_file_zip if kind == "zip" else audit_file.activity_file_pdf
    body = build(activity)
    audit_file.record_export(activity, by=request.user, kind=kind, body=body)
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    name = audit_file.file_name(activity, kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@staff_required()
def activity_file_zip(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The whole activity file: summary.pdf, the CSV tables and their SHA-256 manifest."""
    return _download(request, activity, "zip")


@require_safe
@staff_required()
def activity_file_pdf(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The summary alone, to read or print."""
    return _download(request, activity, "pdf")
