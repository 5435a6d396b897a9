"""The learner's badge: the QR code on the phone, and the same badge as a PDF to print.

Each page looks up the logged-in person's own registration, never one named in the
URL, so nobody reaches another's badge; registration staff print any registrant's
badge from the staff pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cmeconf.activities.models import Activity
from cmeconf.registration import badges
from cmeconf.registration.badge_tokens import badge_code
from cmeconf.registration.choices import AttendanceMode, RegistrationStatus
from cmeconf.registration.models import Registration
from cmeconf.registration.views import _activity, _live, _page


def badge_links(act: Activity) -> dict[str, str]:
    args = [act.provider.slug, act.slug]
    return {
        "badge": reverse("learner_badge:page", args=args),
        "badge_pdf": reverse("learner_badge:pdf", args=args),
    }


def badge_problem(registration: Registration | None) -> str:
    """Why this person has no badge to show; empty when they have one."""
    if registration is None:
        return _("You are not registered for this activity, so there is no badge to show.")
    if registration.status == RegistrationStatus.WAITLISTED:
        return _("You are on the waiting list: your badge appears here once you have a seat.")
    if registration.status == RegistrationStatus.OFFERED:
        return _("A seat is offered to you: accept it to get your badge.")
    if not badges.holds_badge(registration):
        return _("This registration has no badge.")
    if registration.registration_type.mode == AttendanceMode.VIRTUAL:
        return _("You attend online, so you need no badge.")
    return ""


@login_required
@require_safe
def badge_page(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = _activity(provider, activity)
    registration = _live(act, request.user)
    problem = badge_problem(registration)
    context = {"registration": registration, "problem": problem, "badge_links": badge_links(act)}
    if not problem:
        context |= {
            "qr_svg": badges.badge_svg(registration),
            "code": badge_code(registration),
            "dates": badges.date_range(act),
        }
    return _page(request, act, "registration/badge.html", **context)


@login_required
@require_safe
def badge_pdf(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = _activity(provider, activity)
    registration = _live(act, request.user)
    problem = badge_problem(registration)
    if problem:
        messages.error(request, problem)
        return redirect("learner_badge:page", act.provider.slug, act.slug)
    registration.activity = act
    response = HttpResponse(badges.badge_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{act.slug}-badge.pdf"'
    # A badge is a key to check-in: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response
