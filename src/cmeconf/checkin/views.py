"""Check-in pages: the scanner (camera and search), the self check-in kiosk, the live dashboard.

Every page and endpoint needs the team permission "Registration and check-in"
(outsiders get 404, other team members 403, see providers.access). Scans go
through checkin.services.record_scan; these views read the request, call it and
show its outcome.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cmeconf.activities.models import Session
from cmeconf.checkin import services
from cmeconf.checkin.choices import ADMITTED, ScanKind, ScanResult
from cmeconf.checkin.forms import (
    ENTRY,
    KioskCodeForm,
    SearchForm,
    StationForm,
    parse_scan_time,
    scheduled_sessions,
)
from cmeconf.checkin.models import Scan
from cmeconf.providers.access import in_activity_time, staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.models import Registration

REG = Permission.REGISTRATION
# A badge's token is well under this; anything longer is not a badge of ours.
MAX_TOKEN = 500
KIOSK_DEVICE = "kiosk"


def _context(request: HttpRequest, provider, activity, section: str, **extra) -> dict:
    return {
        "provider": provider,
        "activity": activity,
        "perms": request.perms,
        "tab": "checkin",
        "section": section,
        **extra,
    }


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _station(activity, station: str, direction: str) -> tuple[str, Session | None]:
    """(scan kind, session) for a station named by the scanner: "entry" or a session code."""
    if station == ENTRY:
        return ScanKind.ENTRY, None
    if not station:
        raise ValidationError({"station": _("Choose a station: the entry or a session.")})
    session = Session.objects.filter(activity=activity, code=station, start__isnull=False).first()
    if session is None:
        raise ValidationError({"station": _("That session is not on this conference's schedule.")})
    if direction not in (ScanKind.IN, ScanKind.OUT):
        raise ValidationError({"direction": _("Choose in or out for a session door.")})
    return direction, session


def _station_label(kind: str, session: Session | None) -> str:
    if session is None:
        return _("Entry to the conference")
    if kind == ScanKind.OUT:
        return _("Leaving: %(title)s") % {"title": session.title}
    return _("Arriving: %(title)s") % {"title": session.title}


def _registration(activity, pk) -> Registration:
    """A registration of this activity picked by id; another activity's is not found."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such registration in this activity.")) from None
    reg = Registration.objects.filter(activity=activity, pk=pk).first()
    if reg is None:
        raise Http404(_("No such registration in this activity."))
    return reg


def _money(amount, currency: str) -> str:
    return f"{currency} {amount:.2f}"


def outcome_data(outcome: services.ScanOutcome) -> dict:
    """What the desk's scanner shows: a tone (colour), a headline, the person and what they owe."""
    scan = outcome.scan
    name = outcome.person_name
    if scan.result == ScanResult.OK:
        tone = "ok"
    elif scan.result == ScanResult.REPEAT:
        tone = "repeat"
    else:
        tone = "refused"
    headline = outcome.message
    show_name = name
    if scan.result == ScanResult.OK and scan.kind == ScanKind.ENTRY and name:
        headline = _("Welcome, %(name)s") % {"name": name}
        show_name = ""
    due = outcome.amount_due
    currency = scan.registration.currency if scan.registration else ""
    detail = ""
    if due:
        detail = _("Payment pending: %(amount)s due") % {"amount": _money(due, currency)}
    return {
        "result": scan.result,
        "admitted": outcome.admitted,
        "tone": tone,
        "headline": headline,
        "name": show_name,
        "detail": detail,
        "warn": bool(due),
        "message": outcome.message,
        "amount_due": f"{due:.2f}" if due else None,
        "currency": currency or None,
        "replayed": outcome.replayed,
        "scanned_at": scan.scanned_at.isoformat(),
    }


def _payload(request: HttpRequest) -> dict:
    """The scan as JSON (the scanner's fetch) or as form fields."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ValidationError(_("The request is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise ValidationError(_("Send the scan as a JSON object."))
        return data
    return request.POST.dict()


def _token(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TOKEN:
        # Not a badge of ours: recorded as an unknown badge, like any other stranger.
        return ""
    return value


# --- scanner ----------------------------------------------------------------------------------


def _search_rows(activity, query: str) -> list[dict]:
    """Search results, each with its own idempotency key so a resent form changes nothing."""
    return [
        {"reg": reg, "key": uuid.uuid4().hex}
        for reg in services.search_registrants(activity, query)
    ]


def _scanner_state(request: HttpRequest, activity):
    sessions = scheduled_sessions(activity)
    bound = "station" in request.GET
    form = StationForm(request.GET if bound else None, activity=activity, sessions=sessions)
    station = form.cleaned_data if bound and form.is_valid() else None
    return form, station


@require_safe
@staff_required(REG)
@in_activity_time
def scanner(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """Choose a station, then scan badges with the camera or find people by name."""
    form, station = _scanner_state(request, activity)
    search_form = SearchForm(request.GET if "q" in request.GET else None)
    rows = None
    if station is not None and search_form.is_valid():
        rows = _search_rows(activity, search_form.cleaned_data["q"])
    extra = {}
    if station is not None:
        extra = {
            "kind": station["kind"],
            "session": station["session"],
            "station_value": request.GET["station"],
            "station_label": _station_label(station["kind"], station["session"]),
        }
    return render(
        request,
        "checkin/scanner.html",
        _context(
            request,
            provider,
            activity,
            "scanner",
            form=form,
            station=station,
            search_form=search_form,
            rows=rows,
            **extra,
        ),
    )


@require_safe
@staff_required(REG)
@in_activity_time
def search(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The search results alone, for the scanner page to show without a reload."""
    _form, station = _scanner_state(request, activity)
    search_form = SearchForm(request.GET)
    if station is None:
        return HttpResponse(_("Choose a station first."), status=400, content_type="text/plain")
    rows = _search_rows(activity, search_form.cleaned_data["q"]) if search_form.is_valid() else []
    return render(
        request,
        "checkin/_results.html",
        _context(
            request,
            provider,
            activity,
            "scanner",
            rows=rows,
            kind=station["kind"],
            station_value=request.GET["station"],
            search_form=search_form,
        ),
    )


@require_POST
@staff_required(REG)
def scan(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """Record one scan (a badge's token, or a registration picked by search) and answer in JSON.

    The `Idempotency-Key` header (or an `idempotency_key` field) makes a resent
    scan answer what the first one answered, so an offline queue can be sent again.
    """
    try:
        data = _payload(request)
        kind, session = _station(
            activity, str(data.get("station") or ""), str(data.get("direction") or "")
        )
        registration = None
        if data.get("registration") not in (None, ""):
            registration = _registration(activity, data["registration"])
        outcome = services.record_scan(
            activity,
            by=request.user,
            kind=kind,
            token=_token(data.get("token")) if registration is None else None,
            registration=registration,
            session=session,
            scanned_at=parse_scan_time(data.get("scanned_at")),
            device=str(data.get("device") or "")[:100],
            method="search" if registration is not None else "badge",
            idempotency_key=request.headers.get("Idempotency-Key")
            or str(data.get("idempotency_key") or ""),
        )
    except Http404 as exc:
        return JsonResponse({"error": str(exc)}, status=404)
    except ValidationError as exc:
        return JsonResponse({"error": _error_text(exc)}, status=400)
    return JsonResponse(outcome_data(outcome))


@require_POST
@staff_required(REG)
@in_activity_time
def pick(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """Check in a person found by search, without JavaScript: the answer is a page."""
    back = reverse("staff:checkin", args=[provider.slug, activity.slug])
    station = request.POST.get("station", "")
    direction = request.POST.get("direction", "")
    error = outcome = None
    try:
        kind, session = _station(activity, station, direction)
        reg = _registration(activity, request.POST.get("registration"))
        outcome = services.record_scan(
            activity,
            by=request.user,
            kind=kind,
            registration=reg,
            session=session,
            method="search",
            device=_("registration desk"),
            idempotency_key=request.POST.get("idempotency_key", ""),
        )
        back = f"{back}?{urlencode({'station': station, 'direction': kind})}"
    except ValidationError as exc:
        error = _error_text(exc)
    return render(
        request,
        "checkin/result.html",
        _context(
            request,
            provider,
            activity,
            "scanner",
            outcome=outcome_data(outcome) if outcome else None,
            error=error,
            back=back,
        ),
        status=400 if error else 200,
    )


# --- kiosk ------------------------------------------------------------------------------------


def kiosk_data(outcome: services.ScanOutcome | None, *, by_code: bool = False) -> dict:
    """What the kiosk shows: the first name at most, never anyone else's data."""
    if outcome is None:
        return {
            "tone": "refused",
            "headline": _("Too many tries"),
            "detail": _("Please see the registration desk."),
            "warn": False,
        }
    scan = outcome.scan
    reg = scan.registration
    first = reg.person.first_name if reg else ""
    if scan.result == ScanResult.OK:
        data = {
            "tone": "ok",
            "headline": _("Welcome, %(name)s") % {"name": first} if first else _("Welcome"),
            "detail": _("You are checked in. Enjoy the conference!"),
        }
    elif scan.result == ScanResult.REPEAT:
        data = {
            "tone": "repeat",
            "headline": _("Welcome back, %(name)s") % {"name": first} if first else _("Welcome"),
            "detail": _("You were already checked in."),
        }
    elif scan.result == ScanResult.UNKNOWN and by_code:
        data = {
            "tone": "refused",
            "headline": _("Badge not found"),
            "detail": _("Check your e-mail address and the code, or see the registration desk."),
        }
    else:
        data = {
            "tone": "refused",
            "headline": outcome.message,
            "detail": _("Please see the registration desk."),
        }
    pending = reg is not None and reg.status == RegistrationStatus.PENDING_PAYMENT
    data["warn"] = pending and data["tone"] != "refused"
    if data["warn"]:
        data["detail"] = _("Please stop at the registration desk: your payment is still open.")
    return data


def _kiosk_scan(request, activity, *, token=None, form=None, key="", scanned_at=None):
    """Record a kiosk scan from a QR token or a valid code form; None when tries ran out."""
    if form is not None and form.too_many_attempts:
        return None
    registration = form.registration if form is not None else None
    return services.record_scan(
        activity,
        by=request.user,
        kind=ScanKind.ENTRY,
        # An e-mail and code that match nobody are recorded as an unknown badge.
        token=_token(token) if form is None else (None if registration else ""),
        registration=registration,
        scanned_at=scanned_at,
        device=KIOSK_DEVICE,
        method="kiosk" if form is not None else "badge",
        idempotency_key=key,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(REG)
@in_activity_time
def kiosk(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """Self check-in at the entrance: a QR code to the camera, or e-mail and badge code.

    Without JavaScript the code form posts here and the page shows the answer,
    then returns to the empty kiosk by itself.
    """
    result = None
    if request.method == "POST":
        form = KioskCodeForm(request.POST, activity=activity)
        if form.is_valid():
            outcome = _kiosk_scan(
                request, activity, form=form, key=request.POST.get("idempotency_key", "")
            )
            result = kiosk_data(outcome, by_code=True)
            form = KioskCodeForm(activity=activity)
    else:
        form = KioskCodeForm(activity=activity)
    return render(
        request,
        "checkin/kiosk.html",
        {
            "provider": provider,
            "activity": activity,
            "form": form,
            "result": result,
            "idempotency_key": uuid.uuid4().hex,
        },
    )


@require_POST
@staff_required(REG)
def kiosk_scan(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The kiosk's JSON endpoint: {"token"} from the camera or {"email", "code"} typed."""
    try:
        data = _payload(request)
        key = request.headers.get("Idempotency-Key") or str(data.get("idempotency_key") or "")
        scanned_at = parse_scan_time(data.get("scanned_at"))
        if data.get("token") is not None:
            outcome = _kiosk_scan(
                request, activity, token=data["token"], key=key, scanned_at=scanned_at
            )
            return JsonResponse(kiosk_data(outcome))
        form = KioskCodeForm(
            {"email": data.get("email") or "", "code": data.get("code") or ""}, activity=activity
        )
        if not form.is_valid():
            errors = [str(e) for errs in form.errors.values() for e in errs]
            return JsonResponse({"error": " ".join(errors)}, status=400)
        outcome = _kiosk_scan(request, activity, form=form, key=key, scanned_at=scanned_at)
    except ValidationError as exc:
        return JsonResponse({"error": _error_text(exc)}, status=400)
    return JsonResponse(kiosk_data(outcome, by_code=True))


# --- dashboard --------------------------------------------------------------------------------


def dashboard_data(activity, *, now: dt.datetime | None = None) -> dict:
    """Arrivals, the sessions running now and later today, and the latest refused scans."""
    now = now or timezone.now()
    today = timezone.localdate(now, activity.tz)
    day_end = dt.datetime.combine(today, dt.time.min, tzinfo=activity.tz) + dt.timedelta(days=1)
    # Still running (a session that began before midnight too), or still to come today.
    sessions = (
        Session.objects.filter(activity=activity, start__lt=day_end, end__gt=now)
        .select_related("room")
        .order_by("start", "id")
    )
    counts = services.checkin_counts(activity, sessions=sessions, now=now)
    rows = [
        {
            "session": c.session,
            "present": c.present,
            "checked_in": c.checked_in,
            "capacity": c.session.capacity
            if c.session.capacity is not None
            else (c.session.room.capacity if c.session.room_id else None),
        }
        for c in counts.sessions
    ]
    refused = list(
        Scan.objects.filter(activity=activity)
        .exclude(result__in=ADMITTED)
        .select_related("registration__person", "session")
        .order_by("-received_at", "-id")[:20]
    )
    return {
        "expected": counts.expected,
        "checked_in": counts.checked_in,
        "waiting": max(counts.expected - counts.checked_in, 0),
        "percent": round(100 * counts.checked_in / counts.expected) if counts.expected else 0,
        "running": [r for r in rows if r["session"].start <= now],
        "later": [r for r in rows if r["session"].start > now],
        "refused": refused,
        "now": now,
    }


@require_safe
@staff_required(REG)
@in_activity_time
def dashboard(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    return render(
        request,
        "checkin/dashboard.html",
        _context(request, provider, activity, "dashboard", **dashboard_data(activity)),
    )


@require_safe
@staff_required(REG)
@in_activity_time
def dashboard_live(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The dashboard's figures alone, polled by the page every few seconds."""
    response = render(
        request,
        "checkin/_dashboard_live.html",
        _context(request, provider, activity, "dashboard", **dashboard_data(activity)),
    )
    response["Cache-Control"] = "no-store"
    return response
