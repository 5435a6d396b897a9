"""Staff pages of badges: the batch of all badges with its progress, one badge, reissuing.

Every page needs the team permission "registration". The batch PDF is served
here, after that check, never from a public media address.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cmeconf.providers.access import staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission
from cmeconf.registration import badge_services, badges
from cmeconf.registration.badge_tokens import badge_code
from cmeconf.registration.choices import AttendanceMode, BatchStatus
from cmeconf.registration.models import BadgeBatch, Registration

REG = Permission.REGISTRATION
PER_PAGE = 100


def _context(request: HttpRequest, provider, activity, **extra) -> dict:
    return {
        "provider": provider,
        "activity": activity,
        "perms": request.perms,
        "tab": "registration",
        "section": "badges",
        **extra,
    }


def _back(provider, activity) -> HttpResponse:
    return redirect("staff:registration_badges", provider.slug, activity.slug)


def _registration(activity, pk: int) -> Registration:
    reg = (
        Registration.objects.filter(activity=activity, pk=pk)
        .select_related("person", "registration_type", "activity__provider")
        .first()
    )
    if reg is None:
        raise Http404(_("No such registration in this activity."))
    return reg


def _batch(activity, pk: int) -> BadgeBatch:
    batch = BadgeBatch.objects.filter(activity=activity, pk=pk).first()
    if batch is None:
        raise Http404(_("No such batch of badges in this activity."))
    return batch


def batch_state(batch: BadgeBatch, provider, activity) -> dict:
    """What the page and its polling script show of a batch."""
    done = batch.status == BatchStatus.DONE and bool(batch.file)
    return {
        "id": batch.pk,
        "status": batch.status,
        "label": batch.get_status_display(),
        "text": _("%(status)s: %(done)s of %(total)s")
        % {"status": batch.get_status_display(), "done": batch.done, "total": batch.total},
        "done": batch.done,
        "total": batch.total,
        "finished": batch.status not in badge_services.UNFINISHED,
        "error": batch.error,
        "download": reverse(
            "staff:registration_badge_batch_download",
            args=[provider.slug, activity.slug, batch.pk],
        )
        if done
        else "",
    }


@require_safe
@staff_required(REG)
def badges_page(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    batches = list(BadgeBatch.objects.filter(activity=activity).select_related("requested_by")[:10])
    regs = (
        Registration.objects.filter(activity=activity, status__in=badges.BADGE_STATUSES)
        .select_related("person", "registration_type")
        .order_by("person__last_name", "person__first_name", "id")
    )
    query = request.GET.get("q", "").strip()
    for word in query.split():
        regs = regs.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    page = Paginator(regs, PER_PAGE).get_page(request.GET.get("page"))
    for reg in page:
        # Only a badge printed or shown before has a code; listing makes none.
        reg.code = badge_code(reg) if reg.badge_key else ""
    running = badge_services.running_batch(activity)
    return render(
        request,
        "registration/staff/badges.html",
        _context(
            request,
            provider,
            activity,
            batches=[(b, batch_state(b, provider, activity)) for b in batches],
            running=running,
            in_batch=badges.batch_registrations(activity).count(),
            page=page,
            query=query,
            virtual=AttendanceMode.VIRTUAL,
        ),
    )


@require_POST
@staff_required(REG)
def batch_start(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    try:
        batch = badge_services.start_badge_batch(activity, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Making %(n)s badges. The page shows the progress; the PDF is ready below when done.")
            % {"n": batch.total},
        )
    return _back(provider, activity)


@require_safe
@staff_required(REG)
def batch_status(request: HttpRequest, provider: Provider, activity, batch: int) -> JsonResponse:
    state = batch_state(_batch(activity, batch), provider, activity)
    response = JsonResponse(state)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@staff_required(REG)
def batch_download(request: HttpRequest, provider: Provider, activity, batch: int):
    found = _batch(activity, batch)
    if found.status != BatchStatus.DONE or not found.file:
        raise Http404(_("These badges are not ready."))
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file of these badges is gone; make the badges again.")) from exc
    stamp = found.created.strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{provider.slug}-{activity.slug}-badges-{stamp}.pdf",
        content_type="application/pdf",
    )


@require_safe
@staff_required(REG)
def badge_pdf(request: HttpRequest, provider: Provider, activity, registration: int):
    reg = _registration(activity, registration)
    if not badges.holds_badge(reg):
        raise Http404(_("This registration holds no seat, so it has no badge."))
    response = HttpResponse(badges.badge_pdf(reg), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{activity.slug}-badge-{reg.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(REG)
def reissue(request: HttpRequest, provider: Provider, activity, registration: int):
    """Ask first (GET); the POST voids every badge printed before and makes a new one."""
    reg = _registration(activity, registration)
    if request.method == "POST":
        try:
            badge_services.reissue_badge(reg, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("A new badge for %(name)s: badges printed before no longer work.")
                % {"name": reg.person.display_name},
            )
        return _back(provider, activity)
    return render(
        request,
        "registration/staff/badge_reissue.html",
        _context(request, provider, activity, reg=reg, holds_badge=badges.holds_badge(reg)),
    )
