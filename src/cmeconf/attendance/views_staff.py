"""Staff pages of attendance: minutes per session and learner, report imports, adjustments.

Teams with registration and check-in, credit or reports permission read them; only
registration and check-in imports reports, adds time and removes it. Every change
goes through attendance.services, which writes the audit trail.
"""

from __future__ import annotations

import csv
import statistics

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cmeconf.activities.models import Session
from cmeconf.attendance import services, summary
from cmeconf.attendance.forms import AdjustForm, ImportForm, SearchForm, VoidForm
from cmeconf.attendance.models import AttendanceImport, AttendanceInterval
from cmeconf.common.spreadsheet import safe_cell
from cmeconf.providers.access import in_activity_time, staff_required
from cmeconf.providers.forms import add_service_errors
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

VIEW_PERMISSIONS = frozenset({Permission.REGISTRATION, Permission.CREDIT, Permission.REPORTS})

CSV_COLUMNS = [
    "last_name",
    "first_name",
    "email",
    "minutes",
    "session_minutes",
    "sources",
    "intervals",
    "removed_intervals",
]


def _can_view(request: HttpRequest) -> None:
    if not VIEW_PERMISSIONS & request.perms:
        raise PermissionDenied(_("Your teams do not allow this."))


def _can_change(request: HttpRequest) -> None:
    if Permission.REGISTRATION not in request.perms:
        raise PermissionDenied(_("Only registration and check-in staff may change attendance."))


def _context(request: HttpRequest, provider, activity, **extra) -> dict:
    return {
        "provider": provider,
        "activity": activity,
        "perms": request.perms,
        "tab": "attendance",
        "can_change": Permission.REGISTRATION in request.perms,
        **extra,
    }


def _session(activity, code: str) -> Session:
    """The session, if it is one of this activity's."""
    session = Session.objects.filter(activity=activity, code=code).select_related("room").first()
    if session is None:
        raise Http404(_("No such session in this activity."))
    session.activity = activity
    return session


def _back(provider, activity, session: Session) -> HttpResponse:
    return redirect("staff:attendance_session", provider.slug, activity.slug, session.code)


# --- overview ------------------------------------------------------------------------------


@require_safe
@staff_required()
@in_activity_time
def overview(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_view(request)
    rows = summary.session_summaries(activity)
    others = (
        Session.objects.filter(activity=activity)
        .exclude(pk__in=[r.session.pk for r in rows])
        .count()
    )
    return render(
        request,
        "attendance/staff/overview.html",
        _context(
            request,
            provider,
            activity,
            rows=rows,
            others=others,
            imports=sum(r.imports for r in rows),
        ),
    )


# --- one session ---------------------------------------------------------------------------


def _session_page(
    request, provider, activity, session, *, import_form=None, adjust_form=None, status=200
):
    search = SearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    learners = summary.learners(session, text)
    counted = [row.minutes for row in learners if row.minutes > 0]
    return render(
        request,
        "attendance/staff/session.html",
        _context(
            request,
            provider,
            activity,
            session=session,
            search=search,
            searched=bool(text.strip()),
            learners=learners,
            median=statistics.median(counted) if counted else None,
            imports=summary.imports(session),
            import_form=import_form or ImportForm(activity=activity),
            adjust_form=adjust_form or AdjustForm(session=session),
            query=request.GET.urlencode(),
        ),
        status=status,
    )


@require_safe
@staff_required()
@in_activity_time
def session_page(request: HttpRequest, provider: Provider, activity, session: str):
    _can_view(request)
    return _session_page(request, provider, activity, _session(activity, session))


@require_safe
@staff_required()
@in_activity_time
def session_csv(request: HttpRequest, provider: Provider, activity, session: str):
    """The learners and their minutes, as the session page shows them (the same search)."""
    _can_view(request)
    obj = _session(activity, session)
    search = SearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{provider.slug}-{activity.slug}-{obj.code}-attendance.csv"'
    )
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in summary.learners(obj, text):
        counted = [i for i in row.intervals if i.voided_at is None]
        row_data = {
            "last_name": row.person.last_name,
            "first_name": row.person.first_name,
            "email": row.person.email,
            "minutes": row.minutes,
            "session_minutes": obj.minutes,
            "sources": " ".join(sorted({i.source for i in counted})),
            "intervals": len(counted),
            "removed_intervals": row.voided,
        }
        writer.writerow({k: safe_cell(v) for k, v in row_data.items()})
    return response


@require_POST
@staff_required()
@in_activity_time
def import_report(request: HttpRequest, provider: Provider, activity, session: str):
    """Import a Zoom or Teams report for the session: all of it, or nothing."""
    _can_change(request)
    obj = _session(activity, session)
    form = ImportForm(request.POST, request.FILES, activity=activity)
    if form.is_valid():
        try:
            record = services.import_report(obj, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Report “%(name)s” imported: %(matched)s people matched, "
                    "%(unmatched)s rows matched nobody."
                )
                % {
                    "name": record.filename,
                    "matched": record.matched,
                    "unmatched": len(record.unmatched),
                },
            )
            return redirect(
                "staff:attendance_import", provider.slug, activity.slug, obj.code, record.pk
            )
    return _session_page(request, provider, activity, obj, import_form=form, status=400)


@require_safe
@staff_required()
@in_activity_time
def import_detail(request: HttpRequest, provider: Provider, activity, session: str, pk: int):
    """One import: who, when, which file, how many matched, and the rows that matched nobody."""
    _can_view(request)
    obj = _session(activity, session)
    record = (
        AttendanceImport.objects.filter(pk=pk, session=obj).select_related("imported_by").first()
    )
    if record is None:
        raise Http404(_("No such import for this session."))
    return render(
        request,
        "attendance/staff/import.html",
        _context(
            request,
            provider,
            activity,
            session=obj,
            record=record,
            intervals=record.intervals.count(),
        ),
    )


@require_POST
@staff_required()
@in_activity_time
def adjust(request: HttpRequest, provider: Provider, activity, session: str):
    """Add time that no source recorded, for one learner, with a reason."""
    _can_change(request)
    obj = _session(activity, session)
    form = AdjustForm(request.POST, session=obj)
    if form.is_valid():
        try:
            services.add_adjustment(obj, form.person, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Time added for %(name)s.") % {"name": form.person.display_name},
            )
            return _back(provider, activity, obj)
    return _session_page(request, provider, activity, obj, adjust_form=form, status=400)


@staff_required()
@in_activity_time
def void(request: HttpRequest, provider: Provider, activity, session: str, pk: int):
    """Stop one interval from counting, with a reason; it stays on record, struck through."""
    _can_change(request)
    obj = _session(activity, session)
    interval = (
        AttendanceInterval.objects.filter(pk=pk, session=obj)
        .select_related("person", "source_import", "recorded_by")
        .first()
    )
    if interval is None:
        raise Http404(_("No such attendance at this session."))
    interval.session = obj
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.void_interval(interval, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Time removed for %(name)s.") % {"name": interval.person.display_name},
            )
            return _back(provider, activity, obj)
    return render(
        request,
        "attendance/staff/void.html",
        _context(request, provider, activity, session=obj, interval=interval, form=form),
        status=400 if form.errors else 200,
    )
