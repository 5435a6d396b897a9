"""Staff pages of the program: sessions and their faculty, rooms, tracks and planners."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cmeconf.accounts.services import find_or_create_person
from cmeconf.activities import rules
from cmeconf.activities.forms import (
    SESSION_FIELD_MAP,
    FacultyForm,
    PlannerForm,
    ReasonForm,
    RoomForm,
    SessionFilterForm,
    SessionForm,
    TrackForm,
    add_service_errors,
)
from cmeconf.activities.models import PlanningRole, Room, Session, SessionFaculty, Track
from cmeconf.activities.services import program
from cmeconf.activities.views.staff import _activity_context
from cmeconf.providers.access import staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission


def program_sessions(activity) -> list[Session]:
    """All sessions with what the list, the grid and the warnings need, in a fixed few queries."""
    return list(
        activity.sessions.select_related("room", "track").prefetch_related("faculty__person")
    )


def warnings_by_session(warnings) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for warning in warnings:
        for pk in warning.session_ids:
            found[pk].append(warning.message)
    return found


def _session(activity, code: str) -> Session:
    session = (
        Session.objects.filter(activity=activity, code=code).select_related("activity").first()
    )
    if session is None:
        raise Http404(_("No such session."))
    return session


@staff_required()
def sessions(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """Every session, with filters; anyone on the activity may look, only program may edit."""
    all_sessions = program_sessions(activity)
    warnings = warnings_by_session(rules.schedule_warnings(activity, all_sessions))
    form = SessionFilterForm(request.GET or None, activity=activity)
    shown = all_sessions
    if form.is_valid():
        data = form.cleaned_data
        tz = activity.tz
        if data["unscheduled"]:
            shown = [s for s in shown if not s.is_scheduled]
        if data["day"]:
            shown = [s for s in shown if s.start and s.start.astimezone(tz).date() == data["day"]]
        if data["track"]:
            shown = [s for s in shown if s.track_id == data["track"].pk]
        if data["format"]:
            shown = [s for s in shown if s.format == data["format"]]
    rows = [{"session": s, "warnings": warnings.get(s.pk, [])} for s in shown]
    counts = {
        "total": len(all_sessions),
        "scheduled": sum(1 for s in all_sessions if s.is_scheduled),
        "unscheduled": sum(1 for s in all_sessions if not s.is_scheduled),
        "shown": len(shown),
        "with_warnings": sum(1 for s in all_sessions if s.pk in warnings),
    }
    return render(
        request,
        "staff/sessions.html",
        _activity_context(request, activity, "sessions")
        | {
            "filter_form": form,
            "rows": rows,
            "counts": counts,
            "can_edit": Permission.PROGRAM in request.perms,
        },
    )


@staff_required(Permission.PROGRAM)
def session_create(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    form = SessionForm(request.POST or None, activity=activity, initial={"credit_eligible": True})
    if request.method == "POST" and form.is_valid():
        try:
            session = program.create_session(activity, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc, SESSION_FIELD_MAP)
        else:
            messages.success(request, _("The session was added."))
            return redirect("staff:session_edit", provider.slug, activity.slug, session.code)
    return render(
        request,
        "staff/session_form.html",
        _activity_context(request, activity, "sessions") | {"form": form, "session": None},
        status=400 if form.errors else 200,
    )


def _session_page(request, activity, session, *, form=None, faculty_form=None) -> HttpResponse:
    form = form or SessionForm(initial=SessionForm.initial_for(session), activity=activity)
    faculty_form = faculty_form or FacultyForm(activity=activity)
    all_sessions = program_sessions(activity)
    warnings = warnings_by_session(rules.schedule_warnings(activity, all_sessions))
    faculty = session.faculty.select_related("person")
    failed = form.errors or faculty_form.errors
    return render(
        request,
        "staff/session_form.html",
        _activity_context(request, activity, "sessions")
        | {
            "form": form,
            "session": session,
            "faculty": faculty,
            "faculty_form": faculty_form,
            "warnings": warnings.get(session.pk, []),
        },
        status=400 if failed else 200,
    )


@staff_required(Permission.PROGRAM)
def session_edit(request: HttpRequest, provider: Provider, activity, code: str) -> HttpResponse:
    session = _session(activity, code)
    if request.method != "POST":
        return _session_page(request, activity, session)
    form = SessionForm(request.POST, activity=activity, initial=SessionForm.initial_for(session))
    if form.is_valid():
        try:
            program.update_session(session, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            session.refresh_from_db()
            add_service_errors(form, exc, SESSION_FIELD_MAP)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("staff:session_edit", provider.slug, activity.slug, session.code)
    return _session_page(request, activity, session, form=form)


def _removal_reason(request, activity) -> str | None:
    """The reason posted with a removal button; None (with a message) when one is missing."""
    form = ReasonForm(request.POST, activity=activity)
    if form.is_valid():
        return form.reason
    messages.error(request, _("Give the reason for this change: the activity is approved."))
    return None


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@staff_required(Permission.PROGRAM)
def session_delete(request: HttpRequest, provider: Provider, activity, code: str):
    session = _session(activity, code)
    title = session.title
    reason = _removal_reason(request, activity)
    if reason is None:
        return redirect("staff:session_edit", provider.slug, activity.slug, session.code)
    try:
        program.delete_session(session, by=request.user, reason=reason)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("staff:session_edit", provider.slug, activity.slug, session.code)
    messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
    return redirect("staff:sessions", provider.slug, activity.slug)


@require_POST
@staff_required(Permission.PROGRAM)
def faculty_add(request: HttpRequest, provider: Provider, activity, code: str) -> HttpResponse:
    session = _session(activity, code)
    form = FacultyForm(request.POST, activity=activity)
    if form.is_valid():
        try:
            # A person created for a faculty role that is then refused would be a stray account.
            with transaction.atomic():
                person, _created = find_or_create_person(by=request.user, **form.person_kwargs())
                program.add_faculty(
                    session,
                    person,
                    by=request.user,
                    role=form.cleaned_data["role"],
                    reason=form.reason,
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s was added to the session.") % {"name": person.full_name}
            )
            return redirect(_faculty_url(activity, session))
    return _session_page(request, activity, session, faculty_form=form)


@require_POST
@staff_required(Permission.PROGRAM)
def faculty_remove(request: HttpRequest, provider: Provider, activity, code: str, pk: int):
    session = _session(activity, code)
    link = get_object_or_404(
        SessionFaculty.objects.select_related("person"), session=session, pk=pk
    )
    name = link.person.full_name
    reason = _removal_reason(request, activity)
    if reason is None:
        return redirect(_faculty_url(activity, session))
    try:
        program.remove_faculty(link, by=request.user, reason=reason)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(_faculty_url(activity, session))
    messages.success(request, _("%(name)s was taken off the session.") % {"name": name})
    return redirect(_faculty_url(activity, session))


def _faculty_url(activity, session) -> str:
    address = reverse(
        "staff:session_edit", args=[activity.provider.slug, activity.slug, session.code]
    )
    return f"{address}#faculty"


# Rooms and tracks share one shape of page: a list with an add form, an edit page, delete.
KINDS = {
    "room": {
        "model": Room,
        "form": RoomForm,
        "create": program.create_room,
        "update": program.update_room,
        "delete": program.delete_room,
        "list_url": "staff:rooms",
        "template": "staff/rooms.html",
        "tab": "rooms",
    },
    "track": {
        "model": Track,
        "form": TrackForm,
        "create": program.create_track,
        "update": program.update_track,
        "delete": program.delete_track,
        "list_url": "staff:tracks",
        "template": "staff/tracks.html",
        "tab": "tracks",
    },
}


def _items_page(request, activity, kind: str, *, form=None, item=None) -> HttpResponse:
    spec = KINDS[kind]
    items = spec["model"].objects.filter(activity=activity)
    form = form or spec["form"](activity=activity)
    return render(
        request,
        spec["template"],
        _activity_context(request, activity, spec["tab"])
        | {"items": items, "form": form, "item": item},
        status=400 if form.errors else 200,
    )


def _items_list(request, provider, activity, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    if request.method != "POST":
        return _items_page(request, activity, kind)
    form = spec["form"](request.POST, activity=activity)
    if form.is_valid():
        try:
            spec["create"](activity, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” was added.") % form.cleaned_data)
            return redirect(spec["list_url"], provider.slug, activity.slug)
    return _items_page(request, activity, kind, form=form)


def _item_edit(request, provider, activity, kind: str, pk: int) -> HttpResponse:
    spec = KINDS[kind]
    item = get_object_or_404(spec["model"], activity=activity, pk=pk)
    form = spec["form"](
        request.POST or None, initial=spec["form"].initial_for(item), activity=activity
    )
    if request.method == "POST" and form.is_valid():
        try:
            spec["update"](item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            item.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” was saved.") % form.cleaned_data)
            return redirect(spec["list_url"], provider.slug, activity.slug)
    return _items_page(request, activity, kind, form=form, item=item)


def _item_delete(request, provider, activity, kind: str, pk: int) -> HttpResponse:
    spec = KINDS[kind]
    item = get_object_or_404(spec["model"], activity=activity, pk=pk)
    name = item.name
    reason = _removal_reason(request, activity)
    if reason is None:
        return redirect(spec["list_url"], provider.slug, activity.slug)
    try:
        spec["delete"](item, by=request.user, reason=reason)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(spec["list_url"], provider.slug, activity.slug)
    messages.success(request, _("“%(name)s” was deleted.") % {"name": name})
    return redirect(spec["list_url"], provider.slug, activity.slug)


@staff_required(Permission.PROGRAM)
def rooms(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    return _items_list(request, provider, activity, "room")


@staff_required(Permission.PROGRAM)
def room_edit(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    return _item_edit(request, provider, activity, "room", pk)


@require_POST
@staff_required(Permission.PROGRAM)
def room_delete(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    return _item_delete(request, provider, activity, "room", pk)


@staff_required(Permission.PROGRAM)
def tracks(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    return _items_list(request, provider, activity, "track")


@staff_required(Permission.PROGRAM)
def track_edit(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    return _item_edit(request, provider, activity, "track", pk)


@require_POST
@staff_required(Permission.PROGRAM)
def track_delete(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    return _item_delete(request, provider, activity, "track", pk)


@staff_required(Permission.PROGRAM)
def planners(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """Course directors, planners and content reviewers: people in control of content."""
    form = PlannerForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                person, _created = find_or_create_person(by=request.user, **form.person_kwargs())
                program.add_planner(
                    activity,
                    person,
                    by=request.user,
                    role=form.cleaned_data["role"],
                    reason=form.reason,
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person.full_name})
            return redirect("staff:planners", provider.slug, activity.slug)
    roles = PlanningRole.objects.filter(activity=activity).select_related("person")
    return render(
        request,
        "staff/planners.html",
        _activity_context(request, activity, "planners") | {"form": form, "roles": roles},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required(Permission.PROGRAM)
def planner_remove(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    link = get_object_or_404(
        PlanningRole.objects.select_related("person"), activity=activity, pk=pk
    )
    name = link.person.full_name
    reason = _removal_reason(request, activity)
    if reason is None:
        return redirect("staff:planners", provider.slug, activity.slug)
    try:
        program.remove_planner(link, by=request.user, reason=reason)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("staff:planners", provider.slug, activity.slug)
    messages.success(request, _("%(name)s was removed.") % {"name": name})
    return redirect("staff:planners", provider.slug, activity.slug)
